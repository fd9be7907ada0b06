// The admin key: a shared secret that admin endpoints require
// (`Authorization: Bearer <key>`). Generated on first start when the
// configuration gives none, and persisted by the app in the data directory.
//
// Thread-safety: pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace boxoffice::http {

inline constexpr size_t kAdminKeyEntropyBytes = 32;  // 256 random bits

// A fresh key: base64url of kAdminKeyEntropyBytes random bytes (43 characters).
std::string GenerateAdminKey();

// Whether `presented` equals `expected`, in time independent of both the
// contents and the lengths (the SHA-256 of each is compared). An empty
// `expected` matches nothing.
bool AdminKeyMatches(std::string_view presented, std::string_view expected);

}  // namespace boxoffice::http
