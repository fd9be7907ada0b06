// The server's secrets on disk: the JWT signing secret, the admin key, the
// payment gateway's webhook secret and API key, and the waiting rooms' token
// secret, kept in the data directory (mode 0600) when not configured.
#pragma once

#include <string>

#include "core/status.h"

namespace boxoffice::app {

inline constexpr const char* kJwtSecretFile = "jwt.secret";
inline constexpr const char* kAdminKeyFile = "admin.key";
inline constexpr const char* kWebhookSecretFile = "webhook.secret";
inline constexpr const char* kGatewayApiKeyFile = "gateway.key";
inline constexpr const char* kQueueSecretFile = "queue.secret";  // queue tickets, access tokens

// Reads DIR/NAME; if it does not exist, writes a fresh random secret there
// and sets *created. The secret is base64url text without a newline.
StatusOr<std::string> LoadOrCreateSecret(const std::string& dir, const std::string& name,
                                         bool* created);
StatusOr<std::string> ReadSecret(const std::string& dir, const std::string& name);
Status EnsureDirectory(const std::string& dir);

}  // namespace boxoffice::app
