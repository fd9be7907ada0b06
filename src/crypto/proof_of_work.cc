#include "crypto/proof_of_work.h"

#include <algorithm>
#include <bit>
#include <cctype>

#include "core/status.h"

namespace boxoffice::crypto {

uint32_t LeadingZeroBits(const Sha256Digest& digest) {
  uint32_t bits = 0;
  for (uint8_t byte : digest) {
    if (byte != 0) return bits + static_cast<uint32_t>(std::countl_zero(byte));
    bits += 8;
  }
  return bits;
}

bool IsProofNonce(std::string_view nonce) {
  return !nonce.empty() && nonce.size() <= kProofNonceBytesMax &&
         std::all_of(nonce.begin(), nonce.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

namespace {

// `prefix` is challenge ":"; SHA-256 of it followed by `nonce`.
bool Holds(std::string& input, size_t prefix_bytes, std::string_view nonce, uint32_t bits) {
  input.resize(prefix_bytes);
  input.append(nonce);
  return LeadingZeroBits(Sha256(input)) >= bits;
}

}  // namespace

bool ProofOfWorkHolds(std::string_view challenge, std::string_view nonce, uint32_t bits) {
  if (!IsProofNonce(nonce)) return false;
  std::string input(challenge);
  input += ':';
  return Holds(input, input.size(), nonce, bits);
}

std::optional<std::string> SolveProofOfWork(std::string_view challenge, uint32_t bits,
                                            uint64_t attempts_max) {
  BOX_ASSERT(bits <= kProofBitsMax);
  std::string input(challenge);
  input += ':';
  const size_t prefix_bytes = input.size();
  for (uint64_t n = 0; n < attempts_max; ++n) {
    const std::string nonce = std::to_string(n);
    if (Holds(input, prefix_bytes, nonce, bits)) return nonce;
  }
  return std::nullopt;
}

}  // namespace boxoffice::crypto
