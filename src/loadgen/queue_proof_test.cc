#include "loadgen/queue_proof.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/api_json.h"
#include "http/queue_challenge.h"

namespace boxoffice::loadgen {
namespace {

constexpr std::string_view kKey = "loadgen-queue-proof-key-0123456789abcdef";
constexpr core::TimeMs kNowMs = 1'800'000'000'000;

// The challenge route's answer, as the server builds it.
std::string ChallengeJson(const http::QueueChallenge& c) {
  return boost::json::serialize(
      boost::json::object{{"challenge", c.challenge},
                          {"difficulty_bits", c.difficulty_bits},
                          {"algorithm", "sha256"},
                          {"expires_at", http::FormatTime(c.expires_at_ms)}});
}

TEST(QueueProofTest, TheSolvedBodyLetsTheFanJoin) {
  const http::QueueProof server(http::QueueProofOptions{12, std::string(kKey)});
  const http::QueueChallenge c = server.Issue("fan-1", 3, kNowMs);
  StatusOr<std::string> body = QueueJoinBody(ChallengeJson(c));
  ASSERT_TRUE(body.ok()) << body.status().message();
  const boost::json::value json = boost::json::parse(*body);
  const boost::json::value* proof = json.as_object().if_contains("proof");
  EXPECT_FALSE(server.CheckProof(proof, "fan-1", 3, kNowMs).has_value()) << *body;
  EXPECT_TRUE(server.CheckProof(proof, "fan-2", 3, kNowMs).has_value());
}

TEST(QueueProofTest, ParsesTheChallengeStrictly) {
  StatusOr<QueueChallengeView> c =
      ParseQueueChallenge(R"({"challenge":"abc","difficulty_bits":9,"algorithm":"sha256",)"
                          R"("expires_at":"2027-01-15T10:00:00.000Z"})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->challenge, "abc");
  EXPECT_EQ(c->difficulty_bits, 9u);
  EXPECT_EQ(c->expires_at_ms, http::ParseTime("2027-01-15T10:00:00.000Z").value());
  for (
      const char* bad :
      {"{", R"({"difficulty_bits":9,"algorithm":"sha256","expires_at":"2027-01-15T10:00:00.000Z"})",
       R"({"challenge":"a","difficulty_bits":33,"algorithm":"sha256","expires_at":"2027-01-15T10:00:00.000Z"})",
       R"({"challenge":"a","difficulty_bits":9,"algorithm":"md5","expires_at":"2027-01-15T10:00:00.000Z"})",
       R"({"challenge":"a","difficulty_bits":9,"algorithm":"sha256","expires_at":"soon"})"}) {
    EXPECT_FALSE(ParseQueueChallenge(bad).ok()) << bad;
    EXPECT_FALSE(QueueJoinBody(std::string_view(bad)).ok()) << bad;
  }
}

}  // namespace
}  // namespace boxoffice::loadgen
