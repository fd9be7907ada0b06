#include "http/signed_token.h"

#include <optional>

#include "crypto/encoding.h"
#include "crypto/hmac.h"

namespace boxoffice::http {
namespace {

void AssertUsable(std::string_view purpose, std::string_view key) {
  BOX_ASSERT(!purpose.empty() && purpose.size() <= kSignedTokenPurposeBytesMax);
  BOX_ASSERT(purpose.find('\0') == std::string_view::npos);
  BOX_ASSERT(key.size() >= crypto::kSecretBytesMin);
}

// base64url(HMAC(key, purpose 0x00 data)).
std::string Mac(std::string_view purpose, std::string_view data, std::string_view key) {
  std::string input;
  input.reserve(purpose.size() + 1 + data.size());
  input.append(purpose);
  input.push_back('\0');
  input.append(data);
  return crypto::Base64UrlEncode(crypto::HmacSha256(key, input));
}

}  // namespace

std::string SignToken(std::string_view purpose, std::string_view payload, std::string_view key) {
  AssertUsable(purpose, key);
  std::string token = crypto::Base64UrlEncode(payload);
  const std::string mac = Mac(purpose, token, key);
  token += '.';
  token += mac;
  BOX_ASSERT(token.size() <= kSignedTokenBytesMax);
  return token;
}

StatusOr<std::string> VerifySignedToken(std::string_view purpose, std::string_view token,
                                        std::string_view key) {
  AssertUsable(purpose, key);
  if (token.size() > kSignedTokenBytesMax) {
    return Status::InvalidArgument("invalid token: too long");
  }
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) {
    return Status::InvalidArgument("invalid token: no signature");
  }
  const std::string_view encoded = token.substr(0, dot);
  if (!crypto::ConstantTimeEqual(token.substr(dot + 1), Mac(purpose, encoded, key))) {
    return Status::InvalidArgument("invalid token: the signature does not match");
  }
  std::optional<std::string> payload = crypto::Base64UrlDecode(encoded);
  // A payload we signed always decodes; this guards against a leaked key only.
  if (!payload) return Status::InvalidArgument("invalid token: payload is not base64url");
  return std::move(*payload);
}

std::string SignDetached(std::string_view purpose, std::string_view message, std::string_view key) {
  AssertUsable(purpose, key);
  return Mac(purpose, message, key);
}

bool DetachedSignatureMatches(std::string_view purpose, std::string_view message,
                              std::string_view key, std::string_view signature) {
  AssertUsable(purpose, key);
  return crypto::ConstantTimeEqual(signature, Mac(purpose, message, key));
}

}  // namespace boxoffice::http
