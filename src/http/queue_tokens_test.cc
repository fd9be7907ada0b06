// Queue tickets and access tokens round-trip, and nothing else passes for them.
#include "http/queue_tokens.h"

#include <gtest/gtest.h>

#include "http/signed_token.h"

namespace boxoffice::http {
namespace {

const std::string kKey(32, 'q');

TEST(QueueTokens, TicketsAndAccessTokensRoundTrip) {
  const std::string t = SignQueueTicket({"alice\nwith a newline", 7, 12, 40}, kKey);
  StatusOr<QueueTicket> ticket = VerifyQueueTicket(t, kKey);
  ASSERT_TRUE(ticket.ok()) << ticket.status().message();
  EXPECT_EQ(ticket->user, "alice\nwith a newline");
  EXPECT_EQ(ticket->show, 7u);
  EXPECT_EQ(ticket->entry, 12u);
  EXPECT_EQ(ticket->sequence, 40u);
  const std::string a = SignAccessToken({"bob", 7, 3, 1'800'000'000'000}, kKey);
  StatusOr<AccessGrant> grant = VerifyAccessToken(a, kKey);
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->user, "bob");
  EXPECT_EQ(grant->expires_at_ms, 1'800'000'000'000);
}

TEST(QueueTokens, ATicketIsNoAccessTokenAndForgeriesFail) {
  const std::string t = SignQueueTicket({"alice", 7, 12, 0}, kKey);
  EXPECT_FALSE(VerifyAccessToken(t, kKey).ok());
  EXPECT_FALSE(VerifyQueueTicket(t, std::string(32, 'x')).ok());
  std::string tampered = t;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyQueueTicket(tampered, kKey).ok());
  // A well-signed payload of the wrong shape is refused too.
  EXPECT_FALSE(
      VerifyQueueTicket(SignToken(kQueueTicketPurpose, "v1\n7\nx\n0\nalice", kKey), kKey).ok());
  EXPECT_FALSE(VerifyQueueTicket(SignToken(kQueueTicketPurpose, "v1\n7\n1\n0\n", kKey), kKey).ok());
}

}  // namespace
}  // namespace boxoffice::http
