// QueueProof: the waiting room's optional proof of work. With difficulty
// `bits` > 0, a fan joins a show's queue only with a proof: it fetches a
// challenge (GET /v1/shows/{id}/queue/challenge), finds a nonce such that
// SHA-256(challenge ":" nonce) has `bits` leading zero bits
// (crypto/proof_of_work.h), and sends {"proof": {"challenge", "nonce"}} in
// the body of POST /v1/shows/{id}/queue.
//
// A challenge is stateless: a SignToken (purpose "queue-challenge") over
// "show|expires_at_ms|random|user", so the server remembers nothing and a
// challenge serves only its user, its show and until it expires
// (kQueueChallengeTtlMs). Using it twice gains nothing: joining is idempotent
// per user.
//
// Thread-safety: immutable after construction; any thread.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"
#include "http/message.h"

namespace boxoffice::http {

inline constexpr std::string_view kQueueChallengePurpose = "queue-challenge";
inline constexpr core::DurationMs kQueueChallengeTtlMs = 120'000;

struct QueueProofOptions {
  uint32_t bits = 0;  // leading zero bits a proof needs; 0: no proof needed
  std::string key;    // signs the challenges; crypto::kSecretBytesMin bytes or more
};

struct QueueChallenge {
  std::string challenge;  // the signed token
  uint32_t difficulty_bits = 0;
  core::TimeMs expires_at_ms = 0;
};

// What is wrong with a proof: nothing, missing, or not valid.
enum class ProofVerdict : uint8_t { kOk, kRequired, kInvalid };

class QueueProof {
 public:
  explicit QueueProof(QueueProofOptions options);

  bool required() const { return options_.bits > 0; }
  uint32_t bits() const { return options_.bits; }

  // A fresh challenge for `user` joining `show`.
  QueueChallenge Issue(std::string_view user, core::ShowId show, core::TimeMs now_ms) const;

  // Whether `challenge` and `nonce` let `user` join `show` at `now_ms`:
  // the signature, user, show and expiry, then the work.
  ProofVerdict Verify(std::string_view challenge, std::string_view nonce, std::string_view user,
                      core::ShowId show, core::TimeMs now_ms) const;

  // The join route's check: nothing when the fan may join (always, when no
  // proof is required), otherwise the problem to answer. `proof` is the
  // body's "proof" member, or null without one: 403 proof_required; 403
  // proof_invalid for a proof that does not hold; 400 malformed_request for
  // a proof that is not {"challenge": string, "nonce": string}.
  std::optional<Response> CheckProof(const boost::json::value* proof, std::string_view user,
                                     core::ShowId show, core::TimeMs now_ms) const;

 private:
  QueueProofOptions options_;
};

}  // namespace boxoffice::http
