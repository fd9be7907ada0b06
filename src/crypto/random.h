// Randomness from the operating system's CSPRNG (OpenSSL RAND_bytes).
//
// RandomBytes fills a buffer; a CSPRNG failure is not recoverable and crashes.
// RandomTokens is the production core::TokenSource: it draws 4 KiB at a time
// and hands out 16-byte tokens from that buffer, so minting a hold token costs
// a copy, not a system call.
//
// Thread-safety: RandomBytes may be called from any thread. A RandomTokens is
// NOT thread-safe: give each show shard (each writer) its own instance.
// A process that forks must not use a RandomTokens created before the fork in
// both parents and children (they would hand out the same buffered tokens).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/types.h"

namespace boxoffice::crypto {

// Fills `out` with cryptographically secure random bytes. Crashes if the
// CSPRNG fails.
void RandomBytes(std::span<uint8_t> out);

class RandomTokens final : public core::TokenSource {
 public:
  static constexpr size_t kBufferBytes = 4096;  // 256 tokens per refill

  RandomTokens() = default;
  ~RandomTokens() override;
  RandomTokens(const RandomTokens&) = delete;
  RandomTokens& operator=(const RandomTokens&) = delete;

  // A fresh unguessable token. Every byte of the buffer is handed out once.
  core::Token Next() override;

  // Refills so far; lets tests observe that the buffer is renewed.
  uint64_t refills() const { return refills_; }

 private:
  static constexpr size_t kTokenBytes = sizeof(core::Token::bytes);
  static_assert(kBufferBytes % kTokenBytes == 0);

  void Refill();

  std::array<uint8_t, kBufferBytes> buffer_{};
  size_t next_byte_ = kBufferBytes;  // == kBufferBytes: empty, refill first
  uint64_t refills_ = 0;
};

}  // namespace boxoffice::crypto
