// Signed tokens: a payload the server hands out and later takes back, with an
// HMAC-SHA256 that proves the server made it (queue tickets, access tokens),
// and detached signatures over messages that travel separately (webhook
// bodies).
//
//   token     = base64url(payload) "." base64url(mac)
//   mac       = HMAC-SHA256(key, purpose 0x00 base64url(payload))
//   detached  = base64url(HMAC-SHA256(key, purpose 0x00 message))
//
// `purpose` is a short constant naming the kind of token ("queue-ticket",
// "access"), so a token minted for one purpose never verifies as another even
// under the same key. The MAC input contains a 0x00 byte, which a JWT signing
// input never does, so neither kind can pass for the other. The payload is
// opaque bytes: callers encode their fields (and any expiry) and check them
// after Verify. The payload is signed, not encrypted: it is readable.
//
// Thread-safety: pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxoffice::http {

inline constexpr size_t kSignedTokenBytesMax = 2048;  // longer tokens are refused unread
inline constexpr size_t kSignedTokenPurposeBytesMax = 64;

// Requires 1..kSignedTokenPurposeBytesMax bytes of purpose without 0x00, a key
// of at least crypto::kSecretBytesMin bytes, and a payload that keeps the token
// within kSignedTokenBytesMax; crashes otherwise.
std::string SignToken(std::string_view purpose, std::string_view payload, std::string_view key);

// The payload of a token signed with the same purpose and key, or
// InvalidArgument. Never crashes on any token.
StatusOr<std::string> VerifySignedToken(std::string_view purpose, std::string_view token,
                                        std::string_view key);

// A detached signature over `message` (43 base64url characters).
std::string SignDetached(std::string_view purpose, std::string_view message, std::string_view key);

// Whether `signature` is SignDetached(purpose, message, key); constant-time.
bool DetachedSignatureMatches(std::string_view purpose, std::string_view message,
                              std::string_view key, std::string_view signature);

}  // namespace boxoffice::http
