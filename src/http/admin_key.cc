#include "http/admin_key.h"

#include <array>
#include <cstdint>
#include <string>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/random.h"

namespace boxoffice::http {

std::string GenerateAdminKey() {
  std::array<uint8_t, kAdminKeyEntropyBytes> bytes{};
  crypto::RandomBytes(bytes);
  return crypto::Base64UrlEncode(std::span<const uint8_t>(bytes));
}

bool AdminKeyMatches(std::string_view presented, std::string_view expected) {
  // Hashing first makes both sides 32 bytes, so the comparison reveals
  // neither the expected key's length nor where the two differ. The expected
  // key is the server's own and rarely changes: its hash is kept per thread.
  thread_local std::string hashed_key;
  thread_local crypto::Sha256Digest hashed = crypto::Sha256("");
  if (expected != hashed_key) {
    hashed_key = expected;
    hashed = crypto::Sha256(expected);
  }
  const bool match = crypto::ConstantTimeEqual(crypto::Sha256(presented), hashed);
  return match && !expected.empty();
}

}  // namespace boxoffice::http
