#include "http/queue_tokens.h"

#include <charconv>
#include <cstdint>

#include "http/signed_token.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kVersion = "v1";

struct Fields {
  std::string user;
  core::ShowId show = 0;
  uint32_t entry = 0;
  int64_t number = 0;
};

std::string Encode(const Fields& f) {
  return std::string(kVersion) + "\n" + std::to_string(f.show) + "\n" + std::to_string(f.entry) +
         "\n" + std::to_string(f.number) + "\n" + f.user;
}

// The next '\n'-terminated decimal field of `rest`.
template <typename T>
bool NextNumber(std::string_view& rest, T* out) {
  const size_t nl = rest.find('\n');
  if (nl == std::string_view::npos || nl == 0) return false;
  const std::string_view digits = rest.substr(0, nl);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  rest.remove_prefix(nl + 1);
  return ec == std::errc() && end == digits.data() + digits.size();
}

StatusOr<Fields> Verify(std::string_view purpose, std::string_view token, std::string_view key) {
  StatusOr<std::string> payload = VerifySignedToken(purpose, token, key);
  if (!payload.ok()) return payload.status();
  std::string_view rest = *payload;
  Fields f;
  const bool ok = rest.substr(0, kVersion.size() + 1) == std::string(kVersion) + "\n" &&
                  (rest.remove_prefix(kVersion.size() + 1), true) && NextNumber(rest, &f.show) &&
                  NextNumber(rest, &f.entry) && NextNumber(rest, &f.number) && !rest.empty();
  if (!ok) return Status::InvalidArgument("the token's payload is malformed");
  f.user = std::string(rest);
  return f;
}

}  // namespace

std::string SignQueueTicket(const QueueTicket& t, std::string_view key) {
  return SignToken(kQueueTicketPurpose, Encode({t.user, t.show, t.entry, t.sequence}), key);
}

StatusOr<QueueTicket> VerifyQueueTicket(std::string_view token, std::string_view key) {
  StatusOr<Fields> f = Verify(kQueueTicketPurpose, token, key);
  if (!f.ok()) return f.status();
  if (f->number < 0 || f->number > UINT32_MAX) return Status::InvalidArgument("bad sequence");
  return QueueTicket{std::move(f->user), f->show, f->entry, static_cast<uint32_t>(f->number)};
}

std::string SignAccessToken(const AccessGrant& g, std::string_view key) {
  return SignToken(kAccessTokenPurpose, Encode({g.user, g.show, g.entry, g.expires_at_ms}), key);
}

StatusOr<AccessGrant> VerifyAccessToken(std::string_view token, std::string_view key) {
  StatusOr<Fields> f = Verify(kAccessTokenPurpose, token, key);
  if (!f.ok()) return f.status();
  return AccessGrant{std::move(f->user), f->show, f->entry, f->number};
}

}  // namespace boxoffice::http
