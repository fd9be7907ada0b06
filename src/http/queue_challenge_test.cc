#include "http/queue_challenge.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "crypto/proof_of_work.h"
#include "http/signed_token.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kKey = "queue-challenge-key-0123456789abcdef";
constexpr core::TimeMs kNowMs = 1'800'000'000'000;
constexpr uint32_t kBits = 10;

QueueProof Proof(uint32_t bits = kBits, std::string_view key = kKey) {
  return QueueProof(QueueProofOptions{bits, std::string(key)});
}

std::string Solve(const QueueChallenge& c, uint32_t bits = kBits) {
  return crypto::SolveProofOfWork(c.challenge, bits).value();
}

std::string Body(std::string_view challenge, std::string_view nonce) {
  return R"({"proof":{"challenge":")" + std::string(challenge) + R"(","nonce":")" +
         std::string(nonce) + R"("}})";
}

// The join route's check on `body`, which reads the "proof" member as the
// route does (an empty body has none).
std::optional<Response> CheckBody(const QueueProof& proof, std::string_view body,
                                  std::string_view user, core::ShowId show, core::TimeMs now_ms) {
  if (body.empty()) return proof.CheckProof(nullptr, user, show, now_ms);
  const boost::json::value v = boost::json::parse(body);
  return proof.CheckProof(v.as_object().if_contains("proof"), user, show, now_ms);
}

std::string CodeOf(const std::optional<Response>& r) {
  if (!r) return "ok";
  return std::string(boost::json::parse(r->body.view()).at("code").as_string());
}

TEST(QueueProofTest, AValidProofPasses) {
  const QueueProof proof = Proof();
  const QueueChallenge c = proof.Issue("alice", 7, kNowMs);
  EXPECT_EQ(c.difficulty_bits, kBits);
  EXPECT_EQ(c.expires_at_ms, kNowMs + kQueueChallengeTtlMs);
  const std::string nonce = Solve(c);
  EXPECT_EQ(proof.Verify(c.challenge, nonce, "alice", 7, kNowMs + 1000), ProofVerdict::kOk);
  EXPECT_EQ(CodeOf(CheckBody(proof, Body(c.challenge, nonce), "alice", 7, kNowMs)), "ok");
}

TEST(QueueProofTest, AnotherUserOrShowCannotUseIt) {
  const QueueProof proof = Proof();
  const QueueChallenge c = proof.Issue("alice", 7, kNowMs);
  const std::string nonce = Solve(c);
  EXPECT_EQ(proof.Verify(c.challenge, nonce, "bob", 7, kNowMs), ProofVerdict::kInvalid);
  EXPECT_EQ(proof.Verify(c.challenge, nonce, "alic", 7, kNowMs), ProofVerdict::kInvalid);
  EXPECT_EQ(proof.Verify(c.challenge, nonce, "alice", 8, kNowMs), ProofVerdict::kInvalid);
  EXPECT_EQ(CodeOf(CheckBody(proof, Body(c.challenge, nonce), "bob", 7, kNowMs)), "proof_invalid");
}

TEST(QueueProofTest, AnExpiredChallengeFails) {
  const QueueProof proof = Proof();
  const QueueChallenge c = proof.Issue("alice", 7, kNowMs);
  const std::string nonce = Solve(c);
  EXPECT_EQ(proof.Verify(c.challenge, nonce, "alice", 7, c.expires_at_ms - 1), ProofVerdict::kOk);
  EXPECT_EQ(proof.Verify(c.challenge, nonce, "alice", 7, c.expires_at_ms), ProofVerdict::kInvalid);
}

TEST(QueueProofTest, ATamperedOrForeignChallengeFails) {
  const QueueProof proof = Proof();
  const QueueChallenge c = proof.Issue("alice", 7, kNowMs);
  // The same payload signed under another key, or for another purpose.
  const StatusOr<std::string> payload =
      VerifySignedToken(kQueueChallengePurpose, c.challenge, kKey);
  ASSERT_TRUE(payload.ok());
  for (const std::string& forged :
       {SignToken(kQueueChallengePurpose, *payload, "another-key-0123456789abcdef012345"),
        SignToken("queue-ticket", *payload, kKey),
        SignToken(kQueueChallengePurpose, "7|99999999999999|00|alice", "x" + std::string(kKey)),
        std::string(c.challenge).replace(2, 1, c.challenge[2] == 'A' ? "B" : "A"), std::string()}) {
    const std::optional<std::string> nonce = crypto::SolveProofOfWork(forged, kBits);
    ASSERT_TRUE(nonce.has_value());
    EXPECT_EQ(proof.Verify(forged, *nonce, "alice", 7, kNowMs), ProofVerdict::kInvalid) << forged;
  }
}

TEST(QueueProofTest, TooLittleWorkFails) {
  const QueueProof proof = Proof();
  const QueueChallenge c = proof.Issue("alice", 7, kNowMs);
  // A nonce that meets kBits - 1 but not kBits.
  for (uint64_t n = 0; n < (uint64_t{1} << 24); ++n) {
    const std::string nonce = std::to_string(n);
    if (crypto::ProofOfWorkHolds(c.challenge, nonce, kBits - 1) &&
        !crypto::ProofOfWorkHolds(c.challenge, nonce, kBits)) {
      EXPECT_EQ(proof.Verify(c.challenge, nonce, "alice", 7, kNowMs), ProofVerdict::kInvalid);
      EXPECT_EQ(CodeOf(CheckBody(proof, Body(c.challenge, nonce), "alice", 7, kNowMs)),
                "proof_invalid");
      return;
    }
  }
  FAIL() << "no nonce with exactly " << kBits - 1 << " zero bits";
}

TEST(QueueProofTest, AMissingProofIsRequiredAndABadShapeIsMalformed) {
  const QueueProof proof = Proof();
  EXPECT_EQ(CodeOf(CheckBody(proof, "", "alice", 7, kNowMs)), "proof_required");
  EXPECT_EQ(CodeOf(CheckBody(proof, "{}", "alice", 7, kNowMs)), "proof_required");
  EXPECT_EQ(CodeOf(CheckBody(proof, R"({"proof":null})", "alice", 7, kNowMs)), "proof_required");
  EXPECT_EQ(CheckBody(proof, "", "alice", 7, kNowMs)->status, 403u);
  EXPECT_EQ(CodeOf(CheckBody(proof, R"({"proof":{"challenge":"x"}})", "alice", 7, kNowMs)),
            "malformed_request");
  EXPECT_EQ(CodeOf(CheckBody(proof, R"({"proof":"x"})", "alice", 7, kNowMs)), "malformed_request");
  EXPECT_EQ(
      CodeOf(CheckBody(proof, R"({"proof":{"challenge":"x","nonce":"zz"}})", "alice", 7, kNowMs)),
      "proof_invalid");
}

TEST(QueueProofTest, WithoutDifficultyNothingIsRequired) {
  const QueueProof proof = Proof(0);
  EXPECT_FALSE(proof.required());
  EXPECT_EQ(CodeOf(CheckBody(proof, "", "alice", 7, kNowMs)), "ok");
  EXPECT_EQ(CodeOf(CheckBody(proof, R"({"proof":"x"})", "alice", 7, kNowMs)), "ok");
}

}  // namespace
}  // namespace boxoffice::http
