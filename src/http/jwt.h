// JSON Web Tokens (RFC 7519) signed with HS256 (HMAC-SHA256, RFC 7515), the
// bearer tokens fans present. Nothing else: no other algorithm, no "none", no
// encryption, no key ids.
//
// Verification order: size limit, three segments, header (alg must be HS256,
// no "crit"), signature (constant-time), then claims (sub, exp, nbf, aud,
// role). The payload is parsed only after the signature matched. Any input is
// safe: a bad token yields an InvalidArgument status naming the reason, never
// a crash. JSON objects with a repeated key keep the last value (RFC 7515
// §5.2 allows this).
//
// Thread-safety: pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"

namespace boxoffice::http {

inline constexpr size_t kJwtBytesMax = 4096;                     // longer tokens are refused unread
inline constexpr size_t kJwtSubjectBytesMax = 128;               // "sub": the user id
inline constexpr size_t kJwtAudienceBytesMax = 128;              // one "aud" value
inline constexpr size_t kJwtAudiencesMax = 8;                    // "aud" as an array
inline constexpr size_t kJwtJsonDepthMax = 4;                    // header and payload nesting
inline constexpr core::DurationMs kJwtLeewayDefaultMs = 30'000;  // clock skew allowed

enum class JwtRole : uint8_t { kFan = 0, kAdmin = 1 };

std::string_view JwtRoleName(JwtRole role);

struct JwtClaims {
  std::string sub;               // user id; required, 1..kJwtSubjectBytesMax bytes
  int64_t iat_s = 0;             // issued at, seconds since the epoch; 0 = absent
  int64_t exp_s = 0;             // expires at, seconds since the epoch; required
  int64_t nbf_s = 0;             // not valid before; 0 = absent
  std::string aud;               // audience; empty = absent
  JwtRole role = JwtRole::kFan;  // "role": "fan" (default when absent) or "admin"
};

// Checks what SignJwt requires of its claims; use it on claims built from
// user input before signing.
Status ValidateJwtClaims(const JwtClaims& claims);

// Returns header.payload.signature. Requires ValidateJwtClaims(claims).ok()
// and secret.size() >= crypto::kSecretBytesMin; crashes otherwise.
std::string SignJwt(const JwtClaims& claims, std::string_view secret);

// Verifies `token` and returns its claims. `now_ms` is the current time;
// exp and nbf are checked with `leeway_ms` of tolerance. When `audience` is
// empty the token must carry no "aud"; otherwise "aud" (a string or an array
// of strings) must contain it, and the returned claims carry it in `aud`.
// Requires secret.size() >= crypto::kSecretBytesMin.
StatusOr<JwtClaims> VerifyJwt(std::string_view token, std::string_view secret, core::TimeMs now_ms,
                              core::DurationMs leeway_ms = kJwtLeewayDefaultMs,
                              std::string_view audience = {});

// VerifyJwt with a memory: the claims of tokens that verified on this
// thread are kept, so the next request with the very same token skips the
// signature and the JSON. A hit needs the same token bytes (compared in
// constant time), secret, leeway and audience; exp and nbf are checked again
// at every use, so an expired token is refused as VerifyJwt would. Only
// tokens that verified are kept, at most kJwtVerifiedPerThreadMax per thread
// (a power of two): each has a slot picked by its hash, and a newer token
// takes its slot. Same results as VerifyJwt, always.
inline constexpr size_t kJwtVerifiedPerThreadMax = 4096;
StatusOr<JwtClaims> VerifyJwtRemembered(std::string_view token, std::string_view secret,
                                        core::TimeMs now_ms,
                                        core::DurationMs leeway_ms = kJwtLeewayDefaultMs,
                                        std::string_view audience = {});

}  // namespace boxoffice::http
