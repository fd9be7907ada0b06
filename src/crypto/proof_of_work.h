// Proof of work: a client shows it spent about 2^bits SHA-256 evaluations by
// finding a `nonce` such that SHA-256(challenge ":" nonce) starts with at
// least `bits` zero bits. The server hands out the challenge (signed, so it
// cannot be made up) and checks a proof with one hash; clients and tests solve
// it with SolveProofOfWork.
//
// A nonce is 1..kProofNonceBytesMax characters of [0-9a-fA-F], so a decimal
// counter and a hex string both qualify; the hash covers the nonce exactly as
// sent.
//
// Thread-safety: pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/hmac.h"

namespace boxoffice::crypto {

inline constexpr size_t kProofNonceBytesMax = 64;
inline constexpr uint32_t kProofBitsMax = 32;  // about 4 billion hashes: beyond any fan's patience

// The number of leading zero bits of `digest` (0..256).
uint32_t LeadingZeroBits(const Sha256Digest& digest);

// Whether `nonce` is well formed (see above).
bool IsProofNonce(std::string_view nonce);

// Whether `nonce` is well formed and SHA-256(challenge ":" nonce) has at least
// `bits` leading zero bits. `bits` 0 accepts any well-formed nonce.
bool ProofOfWorkHolds(std::string_view challenge, std::string_view nonce, uint32_t bits);

// The first decimal nonce from 0 up that proves `bits` for `challenge`, or
// nothing within `attempts_max` tries. Expect 2^bits tries on average.
std::optional<std::string> SolveProofOfWork(std::string_view challenge, uint32_t bits,
                                            uint64_t attempts_max = uint64_t{1} << 40);

}  // namespace boxoffice::crypto
