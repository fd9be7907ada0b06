// The fan's side of the waiting room's proof of work: from the answer of
// GET /v1/shows/{id}/queue/challenge to the body of POST /v1/shows/{id}/queue.
//
//   StatusOr<std::string> body = QueueJoinBody(challenge_response_body);
//   // POST /v1/shows/{id}/queue with *body
//
// Solving costs about 2^difficulty_bits SHA-256 evaluations (a millisecond
// for 10 bits, about a second for 20): call it off the network thread when
// the difficulty is high.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "loadgen/api_views.h"

namespace boxoffice::loadgen {

// {"proof":{"challenge":"...","nonce":"..."}} for `challenge`.
std::string QueueJoinBody(const QueueChallengeView& challenge);
// The same from the challenge route's JSON answer; InvalidArgument when it is
// not a challenge.
StatusOr<std::string> QueueJoinBody(std::string_view challenge_json);

}  // namespace boxoffice::loadgen
