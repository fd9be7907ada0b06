#include "http/queue_challenge.h"

#include <array>
#include <charconv>

#include "core/status.h"
#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/proof_of_work.h"
#include "crypto/random.h"
#include "http/problem.h"
#include "http/signed_token.h"

namespace boxoffice::http {
namespace {

constexpr size_t kChallengeRandomBytes = 16;

struct ChallengeFields {
  core::ShowId show = 0;
  core::TimeMs expires_at_ms = 0;
  std::string_view user;
};

// "show|expires_at_ms|random|user": the user last, as it may hold any byte.
std::optional<ChallengeFields> ParseFields(std::string_view payload) {
  ChallengeFields f;
  std::array<std::string_view, 3> parts;
  for (std::string_view& part : parts) {
    const size_t bar = payload.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    part = payload.substr(0, bar);
    payload.remove_prefix(bar + 1);
  }
  const auto number = [](std::string_view s, auto& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (!number(parts[0], f.show) || !number(parts[1], f.expires_at_ms)) return std::nullopt;
  f.user = payload;
  return f;
}

Response Refusal(ProofVerdict v) {
  Problem p;
  p.status = 403;
  if (v == ProofVerdict::kRequired) {
    p.code = "proof_required";
    p.title = "Proof of work required";
    p.detail =
        "send {\"proof\": {\"challenge\", \"nonce\"}}; fetch a challenge from "
        "GET /v1/shows/{id}/queue/challenge";
  } else {
    p.code = "proof_invalid";
    p.title = "Proof of work invalid";
    p.detail = "the proof is forged, expired, for another fan or show, or short of the difficulty";
  }
  return p.ToResponse();
}

}  // namespace

QueueProof::QueueProof(QueueProofOptions options) : options_(std::move(options)) {
  BOX_ASSERT(options_.bits <= crypto::kProofBitsMax);
}

QueueChallenge QueueProof::Issue(std::string_view user, core::ShowId show,
                                 core::TimeMs now_ms) const {
  std::array<uint8_t, kChallengeRandomBytes> random{};
  crypto::RandomBytes(random);
  QueueChallenge c;
  c.difficulty_bits = options_.bits;
  c.expires_at_ms = now_ms + kQueueChallengeTtlMs;
  const std::string payload = std::to_string(show) + "|" + std::to_string(c.expires_at_ms) + "|" +
                              crypto::HexEncode(random) + "|" + std::string(user);
  c.challenge = SignToken(kQueueChallengePurpose, payload, options_.key);
  return c;
}

ProofVerdict QueueProof::Verify(std::string_view challenge, std::string_view nonce,
                                std::string_view user, core::ShowId show,
                                core::TimeMs now_ms) const {
  StatusOr<std::string> payload =
      VerifySignedToken(kQueueChallengePurpose, challenge, options_.key);
  if (!payload.ok()) return ProofVerdict::kInvalid;
  const std::optional<ChallengeFields> f = ParseFields(*payload);
  if (!f || f->show != show || f->user != user || now_ms >= f->expires_at_ms) {
    return ProofVerdict::kInvalid;
  }
  if (!crypto::ProofOfWorkHolds(challenge, nonce, options_.bits)) return ProofVerdict::kInvalid;
  return ProofVerdict::kOk;
}

std::optional<Response> QueueProof::CheckProof(const boost::json::value* proof,
                                               std::string_view user, core::ShowId show,
                                               core::TimeMs now_ms) const {
  if (!required()) return std::nullopt;
  if (proof == nullptr || proof->is_null()) return Refusal(ProofVerdict::kRequired);
  const boost::json::object* p = proof->if_object();
  const boost::json::value* challenge = p != nullptr ? p->if_contains("challenge") : nullptr;
  const boost::json::value* nonce = p != nullptr ? p->if_contains("nonce") : nullptr;
  if (challenge == nullptr || !challenge->is_string() || nonce == nullptr || !nonce->is_string()) {
    return problems::BadRequest("proof: must be {\"challenge\": string, \"nonce\": string}")
        .ToResponse();
  }
  const ProofVerdict v = Verify(challenge->get_string(), nonce->get_string(), user, show, now_ms);
  if (v == ProofVerdict::kOk) return std::nullopt;
  return Refusal(v);
}

}  // namespace boxoffice::http
