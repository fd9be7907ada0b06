#include "payments/webhook.h"

#include <array>
#include <charconv>

#include "crypto/encoding.h"
#include "crypto/hmac.h"

namespace boxoffice::payments {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"pending", "succeeded", "failed",
                                                          "refunded", "cancelled"};
constexpr std::array<std::string_view, 3> kTypeNames = {"payment.succeeded", "payment.failed",
                                                        "refund.succeeded"};

template <typename E, size_t N>
bool ParseName(const std::array<std::string_view, N>& names, std::string_view name, E* out) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      *out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

std::string Mac(std::string_view secret, std::string_view body, std::string_view t) {
  std::string message;
  message.reserve(t.size() + 1 + body.size());
  message.append(t).append(".").append(body);
  return crypto::HexEncode(crypto::HmacSha256(secret, message));
}

}  // namespace

std::string_view PaymentStatusName(PaymentStatus s) { return kStatusNames[static_cast<size_t>(s)]; }
bool ParsePaymentStatus(std::string_view name, PaymentStatus* out) {
  return ParseName(kStatusNames, name, out);
}
std::string_view WebhookTypeName(WebhookType t) { return kTypeNames[static_cast<size_t>(t)]; }
bool ParseWebhookType(std::string_view name, WebhookType* out) {
  return ParseName(kTypeNames, name, out);
}

std::string SignWebhook(std::string_view secret, std::string_view body, int64_t now_s) {
  const std::string t = std::to_string(now_s);
  return "t=" + t + ",v1=" + Mac(secret, body, t);
}

Status VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body,
                     int64_t now_s) {
  if (header.size() > kSignatureHeaderBytesMax || !header.starts_with("t=")) {
    return Status::InvalidArgument("malformed signature header");
  }
  const size_t comma = header.find(",v1=");
  if (comma == std::string_view::npos) return Status::InvalidArgument("malformed signature header");
  const std::string_view t = header.substr(2, comma - 2);
  const std::string_view mac = header.substr(comma + 4);
  int64_t at_s = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), at_s);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty() || mac.size() != 64) {
    return Status::InvalidArgument("malformed signature header");
  }
  if (at_s < now_s - kWebhookToleranceS || at_s > now_s + kWebhookToleranceS) {
    return Status::InvalidArgument("signature timestamp outside the tolerance window");
  }
  if (!crypto::ConstantTimeEqual(mac, Mac(secret, body, t))) {
    return Status::InvalidArgument("signature does not match");
  }
  return Status::Ok();
}

}  // namespace boxoffice::payments
