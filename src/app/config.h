// Configuration of `boxoffice serve` and `boxoffice gateway`: every setting
// with its unit, default and limits, and where a value may come from.
//
// Precedence, highest first: command-line flags, BOXOFFICE_* environment
// variables, the TOML file named by --config (or BOXOFFICE_CONFIG), defaults.
// One name per setting in three spellings:
//   TOML key   hold_ttl_s              (flat: no tables)
//   flag       --hold-ttl-s=600        (or --hold-ttl-s 600; booleans: --demo, --demo=false)
//   env var    BOXOFFICE_HOLD_TTL_S    (an empty value counts as unset)
// Unknown TOML keys and flags are errors; unknown BOXOFFICE_* variables are
// ignored (other commands and the tests use some). Every error names the
// setting and where the bad value came from.
//
// `boxoffice gateway` (the simulated payment gateway as its own process)
// reads the gateway_* settings and data_dir the same way, with its flags
// spelled without the prefix (--webhook-url for gateway_webhook_url) and the
// same variables (BOXOFFICE_GATEWAY_WEBHOOK_URL), so one environment or one
// file configures both processes alike. Each command ignores the TOML keys
// that only the other one reads.
//
// Thread-safety: LoadServeConfig reads the config file; call it at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/limits.h"
#include "core/status.h"
#include "http/server.h"
#include "live/change_history.h"
#include "live/stream_policy.h"
#include "service/hold_warnings.h"

namespace boxoffice::app {

// Whole seconds of a default duration, for the settings counted in seconds.
constexpr uint32_t SecondsOf(std::chrono::milliseconds d) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

// Environment variables by name; passed in so tests need not touch the real one.
using Environment = std::map<std::string, std::string, std::less<>>;

// The environment of this process.
Environment ProcessEnvironment();

struct ServeConfig {
  // Network.
  std::string listen_address = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 8080;                      // 0: any free port
  uint32_t io_threads = 0;                   // 0: one per core
  uint32_t connections_max = http::kConnectionsMaxDefault;
  uint32_t idle_timeout_s = SecondsOf(http::kKeepAliveTimeoutDefault);
  uint32_t drain_timeout_s = SecondsOf(http::kDrainTimeoutDefault);  // finish requests this long
  uint32_t body_bytes_max = http::kBodyBytesMaxDefault;
  uint32_t header_bytes_max = http::kHeaderBytesMaxDefault;
  // Storage.
  std::string data_dir = "./data";
  std::string store = "sqlite";               // or a PostgreSQL URL: postgres://USER@HOST:PORT/DB
  uint32_t journal_batch_records_max = 4096;  // records per group commit
  // Secrets: empty means generate one on first start and keep it in data_dir.
  std::string jwt_secret;
  std::string admin_key;
  // Holds: defaults for new shows, and the bounds a show may choose within.
  uint32_t hold_ttl_s = 600;
  uint32_t hold_ttl_max_s = 1800;
  uint32_t hold_lifetime_max_s = 1800;  // extensions stop here
  // Caps on what a show may set (its seats_per_order_max, seats_per_fan_max);
  // a show that sets none gets service::ShowSettings' defaults, within them.
  uint32_t seats_per_hold_max = core::kSeatsPerHoldMax;
  uint32_t seats_per_owner_max = core::kSeatsPerOwnerMax;  // per show: live holds plus bookings
  // Live stream (GET /v1/shows/{id}/changes).
  uint32_t live_heartbeat_ms = live::kHeartbeatMsDefault;
  uint32_t live_stall_timeout_ms = live::kWriteStallMsDefault;
  uint32_t live_history_changes_max = live::kHistoryChangesMaxDefault;
  // "expiring soon" this long before a hold expires.
  uint32_t hold_warning_s = service::kHoldWarningMsDefault / 1000;
  // Rate limits (http/rate_limits.h): tokens a second and bucket size per
  // scope; a rate of 0 switches the scope off.
  uint32_t rate_address_per_s = core::kRateAddressPerSecondDefault;
  uint32_t rate_address_burst = core::kRateAddressBurstDefault;
  uint32_t rate_address_read_per_s = core::kRateAddressReadPerSecondDefault;
  uint32_t rate_address_read_burst = core::kRateAddressReadBurstDefault;
  uint32_t rate_user_per_s = core::kRateUserPerSecondDefault;
  uint32_t rate_user_burst = core::kRateUserBurstDefault;
  uint32_t rate_user_show_per_s = core::kRateUserShowPerSecondDefault;
  uint32_t rate_user_show_burst = core::kRateUserShowBurstDefault;
  uint32_t rate_keys_max = core::kRateKeysMaxDefault;  // buckets per scope
  bool rate_limit_loopback = false;                    // limit clients on 127.0.0.0/8 and ::1 too
  bool rate_forwarded_for = false;  // behind a proxy on loopback: the client is X-Forwarded-For's
  // Waiting room: leading zero bits of the proof of work to join; 0: none.
  uint32_t queue_pow_bits = 0;
  // Logging.
  std::string log_level = "info";   // trace | debug | info | warn | error
  std::string log_format = "text";  // text | json
  // Create the demo venues and show when the data directory is empty.
  bool demo = false;
  // Serve the web pages' files from this directory (development); empty: the embedded ones.
  std::string web_root;
  // Payments (serve).
  std::string gateway_mode = "internal";  // internal: in this process | external: gateway_url
  std::string gateway_url;                // external: the gateway's root, http://HOST:PORT
  std::string payment_currency = "EUR";
  uint32_t checkout_extension_s = 300;      // a hold is extended once, by this, at checkout
  uint32_t payment_reconcile_after_s = 60;  // pending payments older than this are queried
  // The simulated gateway (serve in internal mode, and `boxoffice gateway`).
  // Secrets: empty means generate one on first start and keep it in data_dir;
  // a separate gateway and its server must be given the same values.
  std::string gateway_webhook_secret;
  std::string gateway_api_key;
  std::string gateway_public_url;  // base of pay_url; empty: this process's own address
  uint32_t gateway_latency_ms = 0;
  uint32_t gateway_decline_percent = 0;
  uint32_t gateway_webhook_loss_percent = 0;
  uint32_t gateway_webhook_duplicate_percent = 0;
  uint32_t gateway_webhook_reorder_ms = 0;
  uint32_t gateway_auto_pay_ms = 0;  // 0: the fan approves or declines
  uint32_t gateway_seed = 0;         // of the knobs' randomness; 0: a random seed, printed
  // `boxoffice gateway` only.
  std::string gateway_listen_address = "127.0.0.1";
  uint16_t gateway_port = 8090;
  std::string gateway_webhook_url = "http://127.0.0.1:8080/v1/payments/webhook";

  std::string config_file;      // the TOML file read; empty when none
  bool help_requested = false;  // --help: print ServeHelpText() and exit 0; nothing else is set
};

// Reads flags (argv[0] is the command name and is skipped), `env`, and the TOML
// file they name, over the defaults; then validates the result.
// InvalidArgument for bad values, unknown flags or keys; IoError for an
// unreadable file.
StatusOr<ServeConfig> LoadServeConfig(int argc, const char* const* argv, const Environment& env);

// The same for `boxoffice gateway` (argv[0] is "gateway"): data_dir and the
// gateway_* settings it reads.
StatusOr<ServeConfig> LoadGatewayConfig(int argc, const char* const* argv, const Environment& env);

// The --help text: every setting with its flag, variable, TOML key and default.
std::string ServeHelpText();
std::string GatewayHelpText();

// One line naming every setting and its value, secrets redacted; for the log.
std::string DescribeServeConfig(const ServeConfig& config);

}  // namespace boxoffice::app
