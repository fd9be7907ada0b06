// Queue tickets and access tokens: what a fan in a waiting room carries.
//
//   ticket        proves a place in a show's line: user, show, entry (arrival
//                 number) and, once the pre-queue lottery is drawn, sequence
//   access token  proves a running shopping session: user, show, entry and
//                 the session's end; POST /v1/shows/{id}/holds wants it in
//                 `Boxoffice-Access` while the show's room is enabled
//
// Both are signed tokens (signed_token.h) with their own purpose under the
// server's queue secret; the payload is "v1\n<show>\n<entry>\n<number>\n<user>"
// (number: the sequence, or the session's end in ms). Verification checks the
// MAC in constant time, then the payload's shape; the caller checks user,
// show and expiry.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"

namespace boxoffice::http {

inline constexpr std::string_view kQueueTicketPurpose = "queue-ticket";
inline constexpr std::string_view kAccessTokenPurpose = "access";

struct QueueTicket {
  std::string user;
  core::ShowId show = 0;
  uint32_t entry = 0;
  uint32_t sequence = 0;  // 0 while the lottery is not drawn
};

struct AccessGrant {
  std::string user;
  core::ShowId show = 0;
  uint32_t entry = 0;
  core::TimeMs expires_at_ms = 0;
};

std::string SignQueueTicket(const QueueTicket& t, std::string_view key);
// InvalidArgument for a token the server did not make (or not as a ticket).
StatusOr<QueueTicket> VerifyQueueTicket(std::string_view token, std::string_view key);

std::string SignAccessToken(const AccessGrant& g, std::string_view key);
StatusOr<AccessGrant> VerifyAccessToken(std::string_view token, std::string_view key);

}  // namespace boxoffice::http
