#include "loadgen/queue_proof.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "crypto/proof_of_work.h"

namespace boxoffice::loadgen {

std::string QueueJoinBody(const QueueChallengeView& challenge) {
  // Every challenge has a solution within 2^40 tries but with odds too small to matter.
  const std::string nonce =
      crypto::SolveProofOfWork(challenge.challenge, challenge.difficulty_bits).value();
  boost::json::object proof{{"challenge", challenge.challenge}, {"nonce", nonce}};
  return boost::json::serialize(boost::json::object{{"proof", std::move(proof)}});
}

StatusOr<std::string> QueueJoinBody(std::string_view challenge_json) {
  StatusOr<QueueChallengeView> c = ParseQueueChallenge(challenge_json);
  if (!c.ok()) return c.status();
  return QueueJoinBody(*c);
}

}  // namespace boxoffice::loadgen
