// Message authentication and hashing: HMAC-SHA256, SHA-256, and comparison of
// secrets in constant time.
//
// Thread-safety: all functions are pure and may be called from any thread.
// Keys and messages are byte strings; std::string_view carries bytes, not text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace boxoffice::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

// Shared secrets (HMAC keys, the admin key) are at least this long; the
// configuration refuses shorter ones.
inline constexpr size_t kSecretBytesMin = 32;

// HMAC keys whose precomputed state each thread keeps; a MAC under one of
// them skips the key schedule; a further key takes the place of the one kept
// longest, and is keyed afresh.
inline constexpr size_t kHmacKeysPerThread = 8;

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message);
Sha256Digest HmacSha256(std::string_view key, std::string_view message);

Sha256Digest Sha256(std::string_view data);

// True when `a` and `b` hold the same bytes. The time taken depends only on
// a.size(), never on the contents nor on where they differ; values of
// different lengths compare false. Pass the presented (untrusted) value as `a`.
bool ConstantTimeEqual(std::string_view a, std::string_view b);
bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Views a byte array as a string_view, e.g. to base64-encode a digest.
inline std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace boxoffice::crypto
