#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <string>

#include "core/status.h"

namespace boxoffice::crypto {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One HMAC-SHA256 context per thread, keyed with the last key used. OpenSSL 3's
// one-shot HMAC() looks the algorithm up and builds a context on every call,
// which costs more than the MAC itself for a short token; re-initialising a
// kept context with the same key skips all of that.
class ThreadMac {
 public:
  ThreadMac() {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    BOX_ASSERT(mac_ != nullptr);
    ctx_ = EVP_MAC_CTX_new(mac_);
    BOX_ASSERT(ctx_ != nullptr);
  }
  ~ThreadMac() {
    OPENSSL_cleanse(key_.data(), key_.size());
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  ThreadMac(const ThreadMac&) = delete;
  ThreadMac& operator=(const ThreadMac&) = delete;

  Sha256Digest Compute(std::span<const uint8_t> key, std::span<const uint8_t> message) {
    // OpenSSL refuses a null key pointer even with length zero.
    static constexpr uint8_t kEmpty = 0;
    const std::string_view key_text(reinterpret_cast<const char*>(key.data()), key.size());
    if (!keyed_ || key_text != key_) {
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
          OSSL_PARAM_construct_end()};
      BOX_ASSERT(EVP_MAC_init(ctx_, key.empty() ? &kEmpty : key.data(), key.size(), params) == 1);
      OPENSSL_cleanse(key_.data(), key_.size());
      key_.assign(key_text);
      keyed_ = true;
    } else {
      BOX_ASSERT(EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1);  // same key, fresh state
    }
    BOX_ASSERT(EVP_MAC_update(ctx_, message.empty() ? &kEmpty : message.data(), message.size()) ==
               1);
    Sha256Digest out{};
    size_t out_len = 0;
    BOX_ASSERT(EVP_MAC_final(ctx_, out.data(), &out_len, out.size()) == 1 && out_len == out.size());
    return out;
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
  std::string key_;
  bool keyed_ = false;
};

}  // namespace

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  BOX_ASSERT(key.size() <= INT_MAX);
  thread_local ThreadMac mac;
  return mac.Compute(key, message);
}

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  return HmacSha256(AsBytes(key), AsBytes(message));
}

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int out_len = 0;
  static constexpr char kEmpty = 0;
  const char* bytes = data.empty() ? &kEmpty : data.data();
  BOX_ASSERT(EVP_Digest(bytes, data.size(), out.data(), &out_len, EVP_sha256(), nullptr) == 1);
  BOX_ASSERT(out_len == out.size());
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return ConstantTimeEqual(AsBytes(a), AsBytes(b));
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  const bool same_size = a.size() == b.size();
  // With different sizes, compare `a` with itself so the work is the same.
  const uint8_t* other = same_size ? b.data() : a.data();
  const int diff = CRYPTO_memcmp(a.data(), other, a.size());
  return same_size & (diff == 0);
}

}  // namespace boxoffice::crypto
