#include "crypto/encoding.h"

#include <array>
#include <cstring>

#include "core/status.h"

namespace boxoffice::crypto {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr uint8_t kInvalid = 0xff;

using DecodeTable = std::array<uint8_t, 256>;

constexpr DecodeTable MakeDecodeTable(std::string_view alphabet) {
  DecodeTable table{};
  for (auto& entry : table) entry = kInvalid;
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<uint8_t>(alphabet[i])] = static_cast<uint8_t>(i);
  }
  return table;
}

constexpr DecodeTable kBase64Table = MakeDecodeTable(kBase64Alphabet);
constexpr DecodeTable kBase64UrlTable = MakeDecodeTable(kBase64UrlAlphabet);

std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

uint8_t Byte(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

// Encodes without padding; the caller pads if its variant wants it.
std::string EncodeBase64(std::string_view in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v =
        uint32_t{Byte(in, i)} << 16 | uint32_t{Byte(in, i + 1)} << 8 | Byte(in, i + 2);
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(alphabet[v >> 6 & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return out;
  uint32_t v = uint32_t{Byte(in, i)} << 16;
  if (rest == 2) v |= uint32_t{Byte(in, i + 1)} << 8;
  out.push_back(alphabet[v >> 18 & 63]);
  out.push_back(alphabet[v >> 12 & 63]);
  if (rest == 2) out.push_back(alphabet[v >> 6 & 63]);
  if (pad) out.append(rest == 1 ? "==" : "=");
  return out;
}

// Decodes unpadded text. A length of 1 mod 4 is impossible; bits left over
// after the last whole byte must be zero.
std::optional<std::string> DecodeBase64(std::string_view in, const DecodeTable& table) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const uint8_t d = table[Byte(in, i)];
    if (d == kInvalid) return std::nullopt;
    acc = (acc << 6 | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

int HexValue(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  return EncodeBase64(bytes, kBase64Alphabet, /*pad=*/true);
}
std::string Base64Encode(std::span<const uint8_t> bytes) { return Base64Encode(AsChars(bytes)); }

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  // Any other '=' is not in the alphabet and is rejected by DecodeBase64.
  return DecodeBase64(text.substr(0, text.size() - padding), kBase64Table);
}

std::string Base64UrlEncode(std::string_view bytes) {
  return EncodeBase64(bytes, kBase64UrlAlphabet, /*pad=*/false);
}
std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  return Base64UrlEncode(AsChars(bytes));
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return DecodeBase64(text, kBase64UrlTable);
}

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    out.push_back(kHexDigits[Byte(bytes, i) >> 4]);
    out.push_back(kHexDigits[Byte(bytes, i) & 15]);
  }
  return out;
}
std::string HexEncode(std::span<const uint8_t> bytes) { return HexEncode(AsChars(bytes)); }

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(Byte(text, i));
    const int lo = HexValue(Byte(text, i + 1));
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string TokenToString(const core::Token& token) {
  std::string text = Base64UrlEncode(std::span<const uint8_t>(token.bytes));
  BOX_ASSERT(text.size() == kTokenTextBytes);
  return text;
}

std::optional<core::Token> TokenFromString(std::string_view text) {
  if (text.size() != kTokenTextBytes) return std::nullopt;
  std::optional<std::string> bytes = Base64UrlDecode(text);
  core::Token token;
  if (!bytes || bytes->size() != token.bytes.size()) return std::nullopt;
  std::memcpy(token.bytes.data(), bytes->data(), token.bytes.size());
  return token;
}

}  // namespace boxoffice::crypto
