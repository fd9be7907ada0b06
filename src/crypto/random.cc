#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>

#include "core/status.h"

namespace boxoffice::crypto {

void RandomBytes(std::span<uint8_t> out) {
  // RAND_bytes takes an int length; split larger requests.
  constexpr size_t kChunkBytesMax = INT_MAX;
  while (!out.empty()) {
    const size_t n = out.size() < kChunkBytesMax ? out.size() : kChunkBytesMax;
    BOX_ASSERT(RAND_bytes(out.data(), static_cast<int>(n)) == 1);
    out = out.subspan(n);
  }
}

RandomTokens::~RandomTokens() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }

core::Token RandomTokens::Next() {
  if (next_byte_ == kBufferBytes) Refill();
  BOX_ASSERT(next_byte_ + kTokenBytes <= kBufferBytes);
  core::Token token;
  uint8_t* slot = buffer_.data() + next_byte_;
  std::memcpy(token.bytes.data(), slot, kTokenBytes);
  std::memset(slot, 0, kTokenBytes);  // a handed-out token leaves no copy here
  next_byte_ += kTokenBytes;
  return token;
}

void RandomTokens::Refill() {
  RandomBytes(buffer_);
  next_byte_ = 0;
  ++refills_;
}

}  // namespace boxoffice::crypto
