// Text encodings of byte strings: base64 (RFC 4648 §4, padded), base64url
// (RFC 4648 §5, unpadded, as in JWT) and lower-case hex; and the text form of
// a hold token.
//
// Decoders are strict so that every byte string has exactly one accepted
// text form: they reject characters outside the alphabet, wrong lengths,
// misplaced or missing padding, and non-zero unused bits in the last
// character. They return std::nullopt for any invalid input and never crash.
//
// Thread-safety: all functions are pure and may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/types.h"

namespace boxoffice::crypto {

// Encoded token text: base64url of 16 bytes is 22 characters.
inline constexpr size_t kTokenTextBytes = 22;

std::string Base64Encode(std::string_view bytes);
std::string Base64Encode(std::span<const uint8_t> bytes);
std::optional<std::string> Base64Decode(std::string_view text);

std::string Base64UrlEncode(std::string_view bytes);
std::string Base64UrlEncode(std::span<const uint8_t> bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

std::string HexEncode(std::string_view bytes);
std::string HexEncode(std::span<const uint8_t> bytes);
// Accepts upper- and lower-case digits; the length must be even.
std::optional<std::string> HexDecode(std::string_view text);

// A hold token as the API shows it: base64url, exactly kTokenTextBytes long.
std::string TokenToString(const core::Token& token);
std::optional<core::Token> TokenFromString(std::string_view text);

}  // namespace boxoffice::crypto
