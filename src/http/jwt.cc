#include "http/jwt.h"

#include <boost/json.hpp>

#include <cmath>
#include <optional>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hmac.h"

namespace boxoffice::http {
namespace {

namespace json = boost::json;

// NumericDate values beyond year 9999 are refused, so `* 1000` cannot overflow.
constexpr int64_t kJwtTimeSMax = 253'402'300'799;
constexpr core::DurationMs kJwtLeewayMaxMs = 86'400'000;
constexpr size_t kJwtPayloadStackBytes = 1024;
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

Status Invalid(std::string_view why) {
  return Status::InvalidArgument("invalid token: " + std::string(why));
}

bool HasControlCharacters(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status CheckText(std::string_view value, size_t bytes_max, std::string_view name) {
  if (value.empty() || value.size() > bytes_max || HasControlCharacters(value)) {
    return Invalid(std::string(name) + " must be 1 to " + std::to_string(bytes_max) +
                   " printable bytes");
  }
  return Status::Ok();
}

struct Segments {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header "." payload
};

std::optional<Segments> Split(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  return Segments{token.substr(0, first), token.substr(first + 1, second - first - 1),
                  token.substr(second + 1), token.substr(0, second)};
}

// `storage` holds the parsed object; it must outlive it.
StatusOr<json::object> ParseSegment(std::string_view base64url, std::string_view name,
                                    json::storage_ptr storage = {}) {
  std::optional<std::string> text = crypto::Base64UrlDecode(base64url);
  if (!text) return Invalid(std::string(name) + " is not base64url");
  json::parse_options options;
  options.max_depth = kJwtJsonDepthMax;
  boost::system::error_code ec;
  json::value value = json::parse(*text, ec, std::move(storage), options);
  if (ec) return Invalid(std::string(name) + " is not JSON");
  if (!value.is_object()) return Invalid(std::string(name) + " is not a JSON object");
  return std::move(value.as_object());
}

Status CheckHeader(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
    return Invalid("alg must be HS256");
  }
  if (const json::value* typ = header.if_contains("typ")) {
    if (!typ->is_string() || typ->get_string() != "JWT") return Invalid("typ must be JWT");
  }
  if (header.contains("crit")) return Invalid("crit header parameters are not supported");
  return Status::Ok();
}

std::string Signature(std::string_view signing_input, std::string_view secret) {
  return crypto::Base64UrlEncode(crypto::HmacSha256(secret, signing_input));
}

// A NumericDate claim in whole seconds; 0 when absent.
StatusOr<int64_t> ReadTime(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return int64_t{0};
  std::optional<int64_t> seconds;
  if (v->is_int64()) seconds = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= uint64_t{kJwtTimeSMax}) {
    seconds = static_cast<int64_t>(v->get_uint64());
  }
  if (v->is_double() && std::isfinite(v->get_double()) && v->get_double() >= 0 &&
      v->get_double() <= static_cast<double>(kJwtTimeSMax)) {
    seconds = static_cast<int64_t>(v->get_double());
  }
  if (!seconds || *seconds < 0 || *seconds > kJwtTimeSMax) {
    return Invalid(std::string(name) + " must be a time in seconds since the epoch");
  }
  return *seconds;
}

StatusOr<std::string> ReadString(const json::object& claims, std::string_view name,
                                 size_t bytes_max) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return Invalid(std::string(name) + " must be a string");
  std::string value(v->get_string());
  if (Status s = CheckText(value, bytes_max, name); !s.ok()) return s;
  return value;
}

// The audience: absent, a string, or an array of strings that must contain
// `expected`. Returns the matched value (empty when absent).
StatusOr<std::string> ReadAudience(const json::object& claims, std::string_view expected) {
  const json::value* v = claims.if_contains("aud");
  if (v == nullptr) {
    if (!expected.empty()) return Invalid("aud is missing");
    return std::string();
  }
  if (expected.empty()) return Invalid("aud is not expected");
  if (v->is_string()) {
    if (v->get_string() != expected) return Invalid("aud does not match");
    return std::string(expected);
  }
  if (!v->is_array() || v->get_array().size() > kJwtAudiencesMax) {
    return Invalid("aud must be a string or a short array of strings");
  }
  for (const json::value& entry : v->get_array()) {
    if (entry.is_string() && entry.get_string() == expected) return std::string(expected);
  }
  return Invalid("aud does not match");
}

StatusOr<JwtRole> ReadRole(const json::object& claims) {
  StatusOr<std::string> role = ReadString(claims, "role", kJwtSubjectBytesMax);
  if (!role.ok()) return role.status();
  if (role->empty() || *role == "fan") return JwtRole::kFan;
  if (*role == "admin") return JwtRole::kAdmin;
  return Invalid("role must be fan or admin");
}

StatusOr<JwtClaims> ReadClaims(const json::object& payload, std::string_view audience) {
  JwtClaims claims;
  StatusOr<std::string> sub = ReadString(payload, "sub", kJwtSubjectBytesMax);
  if (!sub.ok()) return sub.status();
  if (sub->empty()) return Invalid("sub is missing");
  claims.sub = std::move(*sub);
  if (!payload.contains("exp")) return Invalid("exp is missing");
  StatusOr<int64_t> exp = ReadTime(payload, "exp");
  StatusOr<int64_t> iat = ReadTime(payload, "iat");
  StatusOr<int64_t> nbf = ReadTime(payload, "nbf");
  for (const Status& s : {exp.status(), iat.status(), nbf.status()}) {
    if (!s.ok()) return s;
  }
  claims.exp_s = *exp;
  claims.iat_s = *iat;
  claims.nbf_s = *nbf;
  StatusOr<std::string> aud = ReadAudience(payload, audience);
  if (!aud.ok()) return aud.status();
  claims.aud = std::move(*aud);
  StatusOr<JwtRole> role = ReadRole(payload);
  if (!role.ok()) return role.status();
  claims.role = *role;
  return claims;
}

Status CheckTimes(const JwtClaims& claims, core::TimeMs now_ms, core::DurationMs leeway_ms) {
  if (now_ms >= claims.exp_s * 1000 + leeway_ms) return Invalid("the token has expired");
  if (claims.nbf_s != 0 && now_ms + leeway_ms < claims.nbf_s * 1000) {
    return Invalid("the token is not valid yet");
  }
  return Status::Ok();
}

}  // namespace

std::string_view JwtRoleName(JwtRole role) {
  switch (role) {
    case JwtRole::kFan:
      return "fan";
    case JwtRole::kAdmin:
      return "admin";
  }
  return "unknown";
}

Status ValidateJwtClaims(const JwtClaims& claims) {
  if (Status s = CheckText(claims.sub, kJwtSubjectBytesMax, "sub"); !s.ok()) return s;
  if (!claims.aud.empty()) {
    if (Status s = CheckText(claims.aud, kJwtAudienceBytesMax, "aud"); !s.ok()) return s;
  }
  for (int64_t t : {claims.iat_s, claims.exp_s, claims.nbf_s}) {
    if (t < 0 || t > kJwtTimeSMax) return Invalid("times must be seconds since the epoch");
  }
  if (claims.exp_s == 0) return Invalid("exp is missing");
  return Status::Ok();
}

std::string SignJwt(const JwtClaims& claims, std::string_view secret) {
  BOX_ASSERT(ValidateJwtClaims(claims).ok());
  BOX_ASSERT(secret.size() >= crypto::kSecretBytesMin);
  json::object payload;
  payload["sub"] = claims.sub;
  if (claims.iat_s != 0) payload["iat"] = claims.iat_s;
  payload["exp"] = claims.exp_s;
  if (claims.nbf_s != 0) payload["nbf"] = claims.nbf_s;
  if (!claims.aud.empty()) payload["aud"] = claims.aud;
  payload["role"] = JwtRoleName(claims.role);
  std::string token = crypto::Base64UrlEncode(kHeaderJson);
  token += '.';
  token += crypto::Base64UrlEncode(json::serialize(payload));
  const std::string signature = Signature(token, secret);
  token += '.';
  token += signature;
  return token;
}

StatusOr<JwtClaims> VerifyJwt(std::string_view token, std::string_view secret, core::TimeMs now_ms,
                              core::DurationMs leeway_ms, std::string_view audience) {
  BOX_ASSERT(secret.size() >= crypto::kSecretBytesMin);
  BOX_ASSERT(leeway_ms >= 0 && leeway_ms <= kJwtLeewayMaxMs);
  if (token.size() > kJwtBytesMax) return Invalid("the token is too long");
  std::optional<Segments> segments = Split(token);
  if (!segments) return Invalid("a token has three dot-separated parts");
  // Tokens this server signs carry one constant header; others are parsed.
  static const std::string kSignedHeader = crypto::Base64UrlEncode(kHeaderJson);
  if (segments->header != kSignedHeader) {
    StatusOr<json::object> header = ParseSegment(segments->header, "header");
    if (!header.ok()) return header.status();
    if (Status s = CheckHeader(*header); !s.ok()) return s;
  }
  if (!crypto::ConstantTimeEqual(segments->signature, Signature(segments->signing_input, secret))) {
    return Invalid("the signature does not match");
  }
  // A fan's payload is a few short claims: parsed into a buffer on the stack,
  // it costs no allocation (a longer one spills to the heap).
  unsigned char buffer[kJwtPayloadStackBytes];
  json::monotonic_resource arena(buffer, sizeof(buffer));
  StatusOr<json::object> payload = ParseSegment(segments->payload, "payload", &arena);
  if (!payload.ok()) return payload.status();
  StatusOr<JwtClaims> claims = ReadClaims(*payload, audience);
  if (!claims.ok()) return claims.status();
  if (Status s = CheckTimes(*claims, now_ms, leeway_ms); !s.ok()) return s;
  return claims;
}

namespace {

// The tokens that verified on one thread, for one (secret, leeway, audience):
// a direct-mapped table, each token in the slot its hash picks, a newer token
// taking the place of the one there. Slots keep their strings' capacity, so
// remembering a token allocates nothing once the table is warm, and a miss
// costs one hash and one comparison.
struct VerifiedTokens {
  static_assert((kJwtVerifiedPerThreadMax & (kJwtVerifiedPerThreadMax - 1)) == 0,
                "a power of two: the slot is the hash's low bits");

  struct Slot {
    std::string token;  // empty: no token (an empty token never verifies)
    JwtClaims claims;
  };

  std::string secret;
  core::DurationMs leeway_ms = 0;
  std::string audience;
  std::vector<Slot> slots = std::vector<Slot>(kJwtVerifiedPerThreadMax);

  // Forgets everything unless it was remembered under these parameters.
  void Use(std::string_view s, core::DurationMs leeway, std::string_view aud) {
    if (leeway == leeway_ms && aud == audience && s == secret) return;  // the server's own
    for (Slot& slot : slots) slot.token.clear();
    secret = s;
    leeway_ms = leeway;
    audience = aud;
  }

  Slot& SlotOf(std::string_view token) {
    return slots[std::hash<std::string_view>()(token) & (slots.size() - 1)];
  }
};

}  // namespace

StatusOr<JwtClaims> VerifyJwtRemembered(std::string_view token, std::string_view secret,
                                        core::TimeMs now_ms, core::DurationMs leeway_ms,
                                        std::string_view audience) {
  thread_local VerifiedTokens verified;
  verified.Use(secret, leeway_ms, audience);
  VerifiedTokens::Slot& slot = verified.SlotOf(token);
  // Constant time in the presented token's length: a probe learns nothing
  // of the stored one.
  if (!slot.token.empty() && crypto::ConstantTimeEqual(token, slot.token)) {
    if (Status s = CheckTimes(slot.claims, now_ms, leeway_ms); !s.ok()) return s;
    return slot.claims;
  }
  StatusOr<JwtClaims> claims = VerifyJwt(token, secret, now_ms, leeway_ms, audience);
  if (!claims.ok()) return claims;
  slot.token.assign(token);
  slot.claims = *claims;
  return claims;
}

}  // namespace boxoffice::http
