#include "app/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "core/limits.h"
#include "crypto/hmac.h"
#include "crypto/proof_of_work.h"
#include "payments/gateway_engine.h"
#include "store/pg_store.h"

namespace boxoffice::app {
namespace {

using Field = std::variant<std::string ServeConfig::*, uint32_t ServeConfig::*,
                           uint16_t ServeConfig::*, bool ServeConfig::*>;
using Value = std::variant<std::string, int64_t, bool>;

// Which commands read a setting.
enum Scope : uint8_t { kServe = 1, kGateway = 2, kBoth = kServe | kGateway };

struct Setting {
  std::string_view name;        // the TOML key
  std::string_view value_name;  // placeholder in --help
  std::string_view help;
  Field field;
  int64_t min = 0;  // integers only: the accepted range
  int64_t max = 0;
  std::string_view choices = {};  // strings only: "a|b|c", empty = any
  bool secret = false;            // never printed
  uint8_t scope = kServe;
};

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kRateMax = core::kRatePerSecondMax;

// Every setting and its limits, in --help order.
const Setting kSettings[] = {
    {"listen_address", "ADDR", "IP address to listen on (IPv4 or IPv6 literal).",
     &ServeConfig::listen_address},
    {"port", "N", "TCP port to listen on; 0 picks a free port.", &ServeConfig::port, 0, 65'535},
    {"io_threads", "N", "Network threads; 0 means one per core.", &ServeConfig::io_threads, 0, 256},
    {"connections_max", "N", "Open connections beyond this are refused.",
     &ServeConfig::connections_max, 1, 1'000'000},
    {"idle_timeout_s", "S", "Close a connection idle this many seconds.",
     &ServeConfig::idle_timeout_s, 1, 3'600},
    {"drain_timeout_s", "S", "On shutdown, let requests in flight finish for this long.",
     &ServeConfig::drain_timeout_s, 0, 600},
    {"body_bytes_max", "BYTES", "Largest request body accepted.", &ServeConfig::body_bytes_max,
     1 * kKiB, 64 * kMiB},
    {"header_bytes_max", "BYTES", "Largest request header block accepted.",
     &ServeConfig::header_bytes_max, 1 * kKiB, 1 * kMiB},
    {"data_dir", "DIR", "Directory for the journal, the database and generated secrets.",
     &ServeConfig::data_dir, 0, 0, "", false, kBoth},
    {"store", "STORE",
     "Where the journal lives: sqlite (a file in data_dir), or a PostgreSQL server, "
     "postgres://USER@HOST:PORT/DB (a password: PGPASSWORD or ~/.pgpass, not the URL).",
     &ServeConfig::store},
    {"journal_batch_records_max", "N", "Most records committed together in one fsync.",
     &ServeConfig::journal_batch_records_max, 1, 100'000},
    {"jwt_secret", "SECRET",
     "HS256 key of fans' bearer tokens, 32 bytes or more; empty: generate, keep in data_dir.",
     &ServeConfig::jwt_secret, 0, 0, "", true},
    {"admin_key", "KEY",
     "Key the admin endpoints require, 32 bytes or more; empty: generate, keep in data_dir.",
     &ServeConfig::admin_key, 0, 0, "", true},
    {"hold_ttl_s", "S", "Hold time of a new show that sets none: held seats are freed after this.",
     &ServeConfig::hold_ttl_s, core::kHoldTtlSecondsMin, core::kHoldTtlSecondsMax},
    {"hold_ttl_max_s", "S", "Longest hold time a show may set; a show asking for more is refused.",
     &ServeConfig::hold_ttl_max_s, core::kHoldTtlSecondsMin, core::kHoldTtlSecondsMax},
    {"hold_lifetime_max_s", "S", "Extensions never keep a hold beyond this age.",
     &ServeConfig::hold_lifetime_max_s, core::kHoldTtlSecondsMin, core::kHoldLifetimeMaxMs / 1000},
    {"seats_per_hold_max", "N",
     "Most seats in one hold: a show asking for a higher seats_per_order_max is refused.",
     &ServeConfig::seats_per_hold_max, 1, core::kSeatsPerHoldMax},
    {"seats_per_owner_max", "N",
     "Most seats one fan may hold plus own per show: a show asking for a higher "
     "seats_per_fan_max is refused.",
     &ServeConfig::seats_per_owner_max, 1, core::kSeatsPerOwnerMax},
    {"live_heartbeat_ms", "MS", "Live streams send a heartbeat after this long without a message.",
     &ServeConfig::live_heartbeat_ms, 10, 600'000},
    {"live_stall_timeout_ms", "MS",
     "A live stream whose write does not drain for this long is closed (a slow consumer).",
     &ServeConfig::live_stall_timeout_ms, 100, 600'000},
    {"live_history_changes_max", "N",
     "Changes kept per show for live streams that resume; older ones get 'resync'.",
     &ServeConfig::live_history_changes_max, live::kHistoryChangesMin, live::kHistoryChangesMax},
    {"hold_warning_s", "S", "Holders get 'expiring_soon' this long before their hold expires.",
     &ServeConfig::hold_warning_s, 0, 3'600},
    {"rate_address_per_s", "N",
     "Mutating requests (POST/PUT/PATCH/DELETE) a client address may make a second; 0: no limit.",
     &ServeConfig::rate_address_per_s, 0, kRateMax},
    {"rate_address_burst", "N", "Burst of mutating requests per client address.",
     &ServeConfig::rate_address_burst, 1, kRateMax},
    {"rate_address_read_per_s", "N",
     "Reads (GET/HEAD) a client address may make a second; 0: no limit.",
     &ServeConfig::rate_address_read_per_s, 0, kRateMax},
    {"rate_address_read_burst", "N", "Burst of reads per client address.",
     &ServeConfig::rate_address_read_burst, 1, kRateMax},
    {"rate_user_per_s", "N",
     "Mutating requests a fan (bearer token) may make a second; 0: no limit.",
     &ServeConfig::rate_user_per_s, 0, kRateMax},
    {"rate_user_burst", "N", "Burst of mutating requests per fan.", &ServeConfig::rate_user_burst,
     1, kRateMax},
    {"rate_user_show_per_s", "N",
     "Mutating requests a fan may make a second under one show (holds, joining the queue); 0: no "
     "limit.",
     &ServeConfig::rate_user_show_per_s, 0, kRateMax},
    {"rate_user_show_burst", "N", "Burst of mutating requests per fan and show.",
     &ServeConfig::rate_user_show_burst, 1, kRateMax},
    {"rate_keys_max", "N",
     "Rate-limit buckets kept per scope; beyond, new clients are refused until buckets refill.",
     &ServeConfig::rate_keys_max, 1'024, 16'777'216},
    {"rate_limit_loopback", "BOOL",
     "Rate-limit clients on loopback too (by default local tools, load tests and a local proxy "
     "are not limited).",
     &ServeConfig::rate_limit_loopback},
    {"rate_forwarded_for", "BOOL",
     "Behind a reverse proxy on loopback: rate-limit by the last X-Forwarded-For address.",
     &ServeConfig::rate_forwarded_for},
    {"queue_pow_bits", "BITS",
     "Proof of work to join a waiting room: leading zero bits of SHA-256; 0: none.",
     &ServeConfig::queue_pow_bits, 0, crypto::kProofBitsMax},
    {"log_level", "LEVEL", "Least severe log messages written.", &ServeConfig::log_level, 0, 0,
     "trace|debug|info|warn|error"},
    {"log_format", "FORMAT", "Log line format.", &ServeConfig::log_format, 0, 0, "text|json"},
    {"demo", "BOOL",
     "Create the demo venues and show when the data directory is empty, and serve "
     "POST /v1/demo/token (a fan token for any name: never in production).",
     &ServeConfig::demo},
    {"web_root", "DIR",
     "Serve the web pages' files from DIR (a checkout's web/) instead of the embedded ones.",
     &ServeConfig::web_root},
    {"gateway_mode", "MODE",
     "Payment gateway: internal (simulated, in this process, under /gateway/) or external "
     "(gateway_url).",
     &ServeConfig::gateway_mode, 0, 0, "internal|external"},
    {"gateway_url", "URL", "external mode: the root of a `boxoffice gateway`, http://HOST:PORT.",
     &ServeConfig::gateway_url},
    {"payment_currency", "CODE", "Currency of payments (ISO 4217).",
     &ServeConfig::payment_currency},
    {"checkout_extension_s", "S", "Starting checkout extends a hold once, by this much.",
     &ServeConfig::checkout_extension_s, 0, core::kHoldTtlSecondsMax},
    {"payment_reconcile_after_s", "S",
     "Payments still pending after this are queried at the gateway and settled.",
     &ServeConfig::payment_reconcile_after_s, 1, 86'400},
    {"gateway_webhook_secret", "SECRET",
     "HMAC key of the gateway's webhooks, 32 bytes or more; empty: generate, keep in data_dir.",
     &ServeConfig::gateway_webhook_secret, 0, 0, "", true, kBoth},
    {"gateway_api_key", "KEY",
     "Key the server sends the gateway as Bearer, 32 bytes or more; empty: generate, keep in "
     "data_dir.",
     &ServeConfig::gateway_api_key, 0, 0, "", true, kBoth},
    {"gateway_public_url", "URL",
     "Base of the fan's pay_url (http://HOST:PORT); empty: this process's own address.",
     &ServeConfig::gateway_public_url, 0, 0, "", false, kBoth},
    {"gateway_latency_ms", "MS", "Simulated gateway: every API call answers this much later.",
     &ServeConfig::gateway_latency_ms, 0, payments::kSimulatedLatencyMaxMs, "", false, kBoth},
    {"gateway_decline_percent", "PCT",
     "Simulated gateway: a fan's approval is declined instead with this probability.",
     &ServeConfig::gateway_decline_percent, 0, payments::kPercentMax, "", false, kBoth},
    {"gateway_webhook_loss_percent", "PCT",
     "Simulated gateway: a webhook is never sent with this probability.",
     &ServeConfig::gateway_webhook_loss_percent, 0, payments::kPercentMax, "", false, kBoth},
    {"gateway_webhook_duplicate_percent", "PCT",
     "Simulated gateway: a webhook is sent twice with this probability.",
     &ServeConfig::gateway_webhook_duplicate_percent, 0, payments::kPercentMax, "", false, kBoth},
    {"gateway_webhook_reorder_ms", "MS",
     "Simulated gateway: each webhook waits a random 0..this extra, so later ones may overtake.",
     &ServeConfig::gateway_webhook_reorder_ms, 0, payments::kWebhookReorderMaxMs, "", false, kBoth},
    {"gateway_auto_pay_ms", "MS",
     "Simulated gateway: settle each payment this long after creation, by the decline rate, "
     "without the fan (load tests); 0: off.",
     &ServeConfig::gateway_auto_pay_ms, 0, payments::kAutoPayMaxMs, "", false, kBoth},
    {"gateway_seed", "N", "Simulated gateway: seed of the knobs' randomness; 0: random, printed.",
     &ServeConfig::gateway_seed, 0, UINT32_MAX, "", false, kBoth},
    {"gateway_listen_address", "ADDR", "IP address the gateway listens on.",
     &ServeConfig::gateway_listen_address, 0, 0, "", false, kGateway},
    {"gateway_port", "N", "TCP port the gateway listens on; 0 picks a free port.",
     &ServeConfig::gateway_port, 0, 65'535, "", false, kGateway},
    {"gateway_webhook_url", "URL", "Where the gateway POSTs its webhooks (http://).",
     &ServeConfig::gateway_webhook_url, 0, 0, "", false, kGateway},
};

constexpr size_t kSettingCount = std::extent_v<decltype(kSettings)>;

constexpr std::string_view kEnvPrefix = "BOXOFFICE_";
constexpr std::string_view kConfigEnv = "BOXOFFICE_CONFIG";

constexpr std::string_view kGatewayPrefix = "gateway_";

// The flag of `s` for `command`: `boxoffice gateway` drops the gateway_ prefix.
std::string FlagName(const Setting& s, Scope command) {
  std::string_view name = s.name;
  if (command == kGateway && name.starts_with(kGatewayPrefix))
    name.remove_prefix(kGatewayPrefix.size());
  std::string flag = "--" + std::string(name);
  std::replace(flag.begin() + 2, flag.end(), '_', '-');
  return flag;
}

bool InScope(const Setting& s, Scope command) { return (s.scope & command) != 0; }

std::string EnvName(std::string_view name) {
  std::string env(kEnvPrefix);
  for (char c : name) env.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return env;
}

bool IsInteger(const Setting& s) {
  return std::holds_alternative<uint32_t ServeConfig::*>(s.field) ||
         std::holds_alternative<uint16_t ServeConfig::*>(s.field);
}
bool IsBool(const Setting& s) { return std::holds_alternative<bool ServeConfig::*>(s.field); }

Status Bad(const Setting& s, std::string_view source, std::string_view what) {
  return Status::InvalidArgument(std::string(s.name) + ": " + std::string(what) + " (from " +
                                 std::string(source) + ")");
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool IsChoice(std::string_view choices, std::string_view value) {
  while (!choices.empty()) {
    const size_t bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    choices = bar == std::string_view::npos ? std::string_view() : choices.substr(bar + 1);
  }
  return false;
}

// Stores `value` in its field after checking its range or choices.
Status Assign(ServeConfig& config, const Setting& s, const Value& value, std::string_view source) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (!s.choices.empty() && !IsChoice(s.choices, *text)) {
      return Bad(s, source, "must be one of " + std::string(s.choices) + ", got " + Quoted(*text));
    }
    config.*std::get<std::string ServeConfig::*>(s.field) = *text;
  } else if (const auto* flag = std::get_if<bool>(&value)) {
    config.*std::get<bool ServeConfig::*>(s.field) = *flag;
  } else {
    const int64_t n = std::get<int64_t>(value);
    if (n < s.min || n > s.max) {
      return Bad(s, source,
                 "must be from " + std::to_string(s.min) + " to " + std::to_string(s.max) +
                     ", got " + std::to_string(n));
    }
    if (auto* f32 = std::get_if<uint32_t ServeConfig::*>(&s.field)) {
      config.** f32 = static_cast<uint32_t>(n);
    } else {
      config.*std::get<uint16_t ServeConfig::*>(s.field) = static_cast<uint16_t>(n);
    }
  }
  return Status::Ok();
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view yes : {"true", "1", "yes", "on"}) {
    if (lower == yes) return true;
  }
  for (std::string_view no : {"false", "0", "no", "off"}) {
    if (lower == no) return false;
  }
  return std::nullopt;
}

// A value given as text (a flag or an environment variable).
Status SetFromText(ServeConfig& config, const Setting& s, std::string_view text,
                   std::string_view source) {
  if (IsBool(s)) {
    std::optional<bool> flag = ParseBool(text);
    if (!flag) return Bad(s, source, "must be true or false, got " + Quoted(text));
    return Assign(config, s, *flag, source);
  }
  if (IsInteger(s)) {
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      return Bad(s, source, "must be an integer, got " + Quoted(text));
    }
    return Assign(config, s, n, source);
  }
  return Assign(config, s, std::string(text), source);
}

// A value given in the TOML file: its type must match the setting's.
Status SetFromToml(ServeConfig& config, const Setting& s, const toml::node& node,
                   std::string_view source) {
  if (IsBool(s)) {
    if (!node.is_boolean()) return Bad(s, source, "must be a boolean (true or false)");
    return Assign(config, s, node.as_boolean()->get(), source);
  }
  if (IsInteger(s)) {
    if (!node.is_integer()) return Bad(s, source, "must be an integer");
    return Assign(config, s, node.as_integer()->get(), source);
  }
  if (!node.is_string()) return Bad(s, source, "must be a string");
  return Assign(config, s, node.as_string()->get(), source);
}

const Setting* FindSetting(std::string_view name) {
  for (const Setting& s : kSettings) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status ApplyFile(ServeConfig& config, const std::string& path) {
  const std::string file = "config file " + path;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    if (!at) return Status::IoError(file + ": " + std::string(e.description()));
    return Status::InvalidArgument(file + " line " + std::to_string(at.line) + ", column " +
                                   std::to_string(at.column) + ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : table) {
    const std::string source = file + " line " + std::to_string(key.source().begin.line);
    const Setting* s = FindSetting(key.str());
    if (s == nullptr)
      return Status::InvalidArgument(source + ": unknown setting " + Quoted(key.str()));
    if (Status status = SetFromToml(config, *s, node, source); !status.ok()) return status;
  }
  config.config_file = path;
  return Status::Ok();
}

Status ApplyEnvironment(ServeConfig& config, const Environment& env, Scope command) {
  for (const Setting& s : kSettings) {
    if (!InScope(s, command)) continue;
    const std::string name = EnvName(s.name);
    const auto it = env.find(name);
    if (it == env.end() || it->second.empty()) continue;
    if (Status status = SetFromText(config, s, it->second, name); !status.ok()) return status;
  }
  return Status::Ok();
}

// Flags as CLI11 captured them: the text of every setting given on the command line.
struct Flags {
  std::array<std::string, kSettingCount> values;
  std::array<bool, kSettingCount> given{};
  std::string config_file;
  bool help = false;
};

StatusOr<Flags> ParseFlags(int argc, const char* const* argv, Scope command) {
  Flags flags;
  const char* const name = command == kGateway ? "gateway" : "serve";
  CLI::App cli(std::string("boxoffice ") + name);
  cli.set_help_flag();
  cli.add_flag("-h,--help", flags.help);
  cli.add_option("--config", flags.config_file);
  std::array<CLI::Option*, kSettingCount> options{};
  for (size_t i = 0; i < kSettingCount; ++i) {
    if (!InScope(kSettings[i], command)) continue;
    std::string flag = FlagName(kSettings[i], command);
    if (kSettings[i].name == std::string_view("data_dir"))
      flag.append(",--data");  // the short form
    options[i] = IsBool(kSettings[i]) ? cli.add_flag(flag, flags.values[i])
                                      : cli.add_option(flag, flags.values[i]);
  }
  try {
    const char* const no_args[] = {name};
    if (argc < 1) {
      cli.parse(1, no_args);
    } else {
      cli.parse(argc, argv);
    }
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument("command line: " + std::string(e.what()));
  }
  for (size_t i = 0; i < kSettingCount; ++i) {
    flags.given[i] = options[i] != nullptr && options[i]->count() > 0;
  }
  return flags;
}

Status ApplyFlags(ServeConfig& config, const Flags& flags, Scope command) {
  for (size_t i = 0; i < kSettingCount; ++i) {
    if (!flags.given[i]) continue;
    const std::string flag = FlagName(kSettings[i], command);
    if (Status s = SetFromText(config, kSettings[i], flags.values[i], flag); !s.ok()) return s;
  }
  return Status::Ok();
}

bool IsIpAddress(const std::string& text) {
  in6_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

Status CheckSecret(std::string_view name, const std::string& secret) {
  if (secret.empty() || secret.size() >= crypto::kSecretBytesMin) return Status::Ok();
  return Status::InvalidArgument(std::string(name) + ": must be at least " +
                                 std::to_string(crypto::kSecretBytesMin) +
                                 " bytes, or empty to generate one");
}

Status CheckNotAbove(std::string_view low_name, uint32_t low, std::string_view high_name,
                     uint32_t high) {
  if (low <= high) return Status::Ok();
  return Status::InvalidArgument(std::string(low_name) + " (" + std::to_string(low) +
                                 ") must not exceed " + std::string(high_name) + " (" +
                                 std::to_string(high) + ")");
}

Status CheckHttpUrl(std::string_view name, const std::string& url, bool required) {
  if (url.empty() && !required) return Status::Ok();
  if (url.starts_with("http://") && url.size() > 7) return Status::Ok();
  return Status::InvalidArgument(std::string(name) + ": must be an http:// URL, got " +
                                 Quoted(url));
}

Status ValidatePayments(const ServeConfig& c) {
  if (c.payment_currency.size() != 3 ||
      !std::all_of(c.payment_currency.begin(), c.payment_currency.end(),
                   [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return Status::InvalidArgument("payment_currency: must be an ISO 4217 code such as EUR, got " +
                                   Quoted(c.payment_currency));
  }
  if (!IsIpAddress(c.gateway_listen_address)) {
    return Status::InvalidArgument("gateway_listen_address: must be an IPv4 or IPv6 address, got " +
                                   Quoted(c.gateway_listen_address));
  }
  for (const Status& s : {CheckHttpUrl("gateway_url", c.gateway_url, c.gateway_mode == "external"),
                          CheckHttpUrl("gateway_public_url", c.gateway_public_url, false),
                          CheckHttpUrl("gateway_webhook_url", c.gateway_webhook_url, true)}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// Rules that involve the whole value or more than one setting.
Status Validate(const ServeConfig& c) {
  if (!IsIpAddress(c.listen_address)) {
    return Status::InvalidArgument("listen_address: must be an IPv4 or IPv6 address, got " +
                                   Quoted(c.listen_address));
  }
  if (c.data_dir.empty()) return Status::InvalidArgument("data_dir: must not be empty");
  if (c.store != "sqlite" && !store::IsPostgresUrl(c.store)) {
    return Status::InvalidArgument(
        "store: must be sqlite or a PostgreSQL URL (postgres://USER@HOST:PORT/DB)");
  }
  for (const Status& s :
       {CheckSecret("jwt_secret", c.jwt_secret), CheckSecret("admin_key", c.admin_key),
        CheckNotAbove("hold_ttl_s", c.hold_ttl_s, "hold_ttl_max_s", c.hold_ttl_max_s),
        CheckNotAbove("hold_ttl_max_s", c.hold_ttl_max_s, "hold_lifetime_max_s",
                      c.hold_lifetime_max_s),
        CheckNotAbove("seats_per_hold_max", c.seats_per_hold_max, "seats_per_owner_max",
                      c.seats_per_owner_max),
        CheckSecret("gateway_webhook_secret", c.gateway_webhook_secret),
        CheckSecret("gateway_api_key", c.gateway_api_key), ValidatePayments(c)}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

std::string ValueText(const ServeConfig& config, const Setting& s) {
  return std::visit(
      [&](auto field) -> std::string {
        const auto& value = config.*field;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return value;
        } else if constexpr (std::is_same_v<T, bool>) {
          return value ? "true" : "false";
        } else {
          return std::to_string(value);
        }
      },
      s.field);
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

namespace {

StatusOr<ServeConfig> Load(int argc, const char* const* argv, const Environment& env,
                           Scope command) {
  StatusOr<Flags> flags = ParseFlags(argc, argv, command);
  if (!flags.ok()) return flags.status();
  ServeConfig config;
  if (flags->help) {
    config.help_requested = true;
    return config;
  }
  std::string path = flags->config_file;
  if (const auto it = env.find(kConfigEnv); path.empty() && it != env.end()) path = it->second;
  if (!path.empty()) {
    if (Status s = ApplyFile(config, path); !s.ok()) return s;
  }
  if (Status s = ApplyEnvironment(config, env, command); !s.ok()) return s;
  if (Status s = ApplyFlags(config, *flags, command); !s.ok()) return s;
  if (Status s = Validate(config); !s.ok()) return s;
  return config;
}

std::string HelpText(Scope command, std::string_view intro) {
  const ServeConfig defaults;
  std::string text = std::string(intro) +
                     "Each setting below can be given as a flag, as an\n"
                     "environment variable, or as a key in a TOML file; flags override variables,\n"
                     "variables override the file, the file overrides the default.\n"
                     "\n"
                     "  -h, --help\n"
                     "      Print this help and exit.\n"
                     "  --config FILE  (env " +
                     std::string(kConfigEnv) +
                     ")\n"
                     "      TOML file of settings, one `name = value` line each (keys as below).\n";
  for (const Setting& s : kSettings) {
    if (!InScope(s, command)) continue;
    const std::string shown = s.secret ? "generated" : ValueText(defaults, s);
    text += "  " + FlagName(s, command) +
            (IsBool(s) ? "[=BOOL]" : " " + std::string(s.value_name)) + "  (env " +
            EnvName(s.name) + ", toml " + std::string(s.name) + ", default " +
            (shown.empty() ? "\"\"" : shown) + ")\n";
    text += "      " + std::string(s.help);
    if (IsInteger(s))
      text += " Range " + std::to_string(s.min) + ".." + std::to_string(s.max) + ".";
    if (!s.choices.empty()) text += " One of " + std::string(s.choices) + ".";
    text += "\n";
  }
  return text;
}

}  // namespace

StatusOr<ServeConfig> LoadServeConfig(int argc, const char* const* argv, const Environment& env) {
  return Load(argc, argv, env, kServe);
}

StatusOr<ServeConfig> LoadGatewayConfig(int argc, const char* const* argv, const Environment& env) {
  return Load(argc, argv, env, kGateway);
}

std::string ServeHelpText() {
  return HelpText(kServe,
                  "Usage: boxoffice serve [--config FILE] [--SETTING=VALUE ...]\n"
                  "\n"
                  "Runs the Boxoffice server.\n");
}

std::string GatewayHelpText() {
  return HelpText(kGateway,
                  "Usage: boxoffice gateway [--config FILE] [--SETTING=VALUE ...]\n"
                  "\n"
                  "Runs the simulated payment gateway on its own port. Payments are kept in\n"
                  "memory only: a restarted gateway has forgotten them.\n");
}

std::string DescribeServeConfig(const ServeConfig& config) {
  std::string text;
  for (const Setting& s : kSettings) {
    if (!text.empty()) text += ' ';
    std::string value = ValueText(config, s);
    if (s.secret) value = value.empty() ? "(generate)" : "(set)";
    text += std::string(s.name) + "=" + value;
  }
  if (!config.config_file.empty()) text += " config_file=" + config.config_file;
  return text;
}

}  // namespace boxoffice::app
