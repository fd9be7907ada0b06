#include "app/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace boxoffice::app {
namespace {

// Every setting's TOML key; the help text and the sources must know them all.
const std::vector<std::string> kSettingNames = {"listen_address",
                                                "port",
                                                "io_threads",
                                                "connections_max",
                                                "idle_timeout_s",
                                                "drain_timeout_s",
                                                "body_bytes_max",
                                                "header_bytes_max",
                                                "data_dir",
                                                "store",
                                                "journal_batch_records_max",
                                                "jwt_secret",
                                                "admin_key",
                                                "hold_ttl_s",
                                                "hold_ttl_max_s",
                                                "hold_lifetime_max_s",
                                                "seats_per_hold_max",
                                                "seats_per_owner_max",
                                                "rate_address_per_s",
                                                "rate_address_burst",
                                                "rate_address_read_per_s",
                                                "rate_address_read_burst",
                                                "rate_user_per_s",
                                                "rate_user_burst",
                                                "rate_user_show_per_s",
                                                "rate_user_show_burst",
                                                "rate_keys_max",
                                                "rate_limit_loopback",
                                                "rate_forwarded_for",
                                                "queue_pow_bits",
                                                "log_level",
                                                "log_format",
                                                "demo",
                                                "gateway_mode",
                                                "gateway_url",
                                                "payment_currency",
                                                "checkout_extension_s",
                                                "payment_reconcile_after_s",
                                                "gateway_webhook_secret",
                                                "gateway_api_key",
                                                "gateway_public_url",
                                                "gateway_latency_ms",
                                                "gateway_decline_percent",
                                                "gateway_webhook_loss_percent",
                                                "gateway_webhook_duplicate_percent",
                                                "gateway_webhook_reorder_ms",
                                                "gateway_auto_pay_ms",
                                                "gateway_seed"};

const std::string kSecret32 = "0123456789abcdef0123456789abcdef";

StatusOr<ServeConfig> Load(std::vector<std::string> args, const Environment& env = {}) {
  args.insert(args.begin(), "serve");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return LoadServeConfig(static_cast<int>(argv.size()), argv.data(), env);
}

::testing::AssertionResult FailsMentioning(const StatusOr<ServeConfig>& result,
                                           std::vector<std::string> parts) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted";
  for (const std::string& part : parts) {
    if (result.status().message().find(part) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "\"" << result.status().message() << "\" does not mention \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

class ServeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("boxoffice-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ServeConfigTest, DefaultsApplyWhenNothingIsGiven) {
  StatusOr<ServeConfig> config = Load({});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->listen_address, "127.0.0.1");
  EXPECT_EQ(config->port, 8080);
  EXPECT_EQ(config->io_threads, 0u);
  EXPECT_EQ(config->data_dir, "./data");
  EXPECT_EQ(config->jwt_secret, "");
  EXPECT_EQ(config->admin_key, "");
  EXPECT_EQ(config->hold_ttl_s, 600u);
  EXPECT_EQ(config->hold_lifetime_max_s, 1800u);
  EXPECT_EQ(config->seats_per_hold_max, core::kSeatsPerHoldMax);
  EXPECT_EQ(config->seats_per_owner_max, core::kSeatsPerOwnerMax);
  EXPECT_EQ(config->body_bytes_max, 1024u * 1024u);
  EXPECT_EQ(config->header_bytes_max, 16u * 1024u);
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->log_format, "text");
  EXPECT_FALSE(config->demo);
  EXPECT_FALSE(config->help_requested);
  EXPECT_EQ(config->config_file, "");
}

TEST_F(ServeConfigTest, FileOverridesDefaultsEnvOverridesFileFlagsOverrideEnv) {
  const std::string path = WriteFile("serve.toml",
                                     "port = 1000\n"
                                     "data_dir = \"/file\"\n"
                                     "log_level = \"debug\"\n"
                                     "hold_ttl_s = 100\n"
                                     "demo = true\n");
  const Environment env = {
      {"BOXOFFICE_PORT", "2000"}, {"BOXOFFICE_DATA_DIR", "/env"}, {"BOXOFFICE_HOLD_TTL_S", "200"}};
  StatusOr<ServeConfig> config = Load({"--config", path, "--port=3000", "--demo=false"}, env);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->port, 3000);                                  // flag over env over file
  EXPECT_EQ(config->data_dir, "/env");                            // env over file
  EXPECT_EQ(config->hold_ttl_s, 200u);                            // env over file
  EXPECT_EQ(config->log_level, "debug");                          // file over default
  EXPECT_FALSE(config->demo);                                     // flag over file
  EXPECT_EQ(config->seats_per_hold_max, core::kSeatsPerHoldMax);  // default
  EXPECT_EQ(config->config_file, path);
}

TEST_F(ServeConfigTest, ConfigFileComesFromTheEnvironmentUnlessAFlagNamesOne) {
  const std::string from_env = WriteFile("env.toml", "port = 1111\n");
  const std::string from_flag = WriteFile("flag.toml", "port = 2222\n");
  const Environment env = {{"BOXOFFICE_CONFIG", from_env}};
  StatusOr<ServeConfig> config = Load({}, env);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->port, 1111);
  config = Load({"--config=" + from_flag}, env);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->port, 2222);
}

TEST_F(ServeConfigTest, EverySettingIsReadFromEachSource) {
  // A valid non-default value for every setting: text for flags and env, TOML for the file.
  struct Case {
    std::string name, text, toml;
  };
  const std::vector<Case> cases = {
      {"listen_address", "::1", "\"::1\""},
      {"port", "9", "9"},
      {"io_threads", "3", "3"},
      {"connections_max", "5", "5"},
      {"idle_timeout_s", "7", "7"},
      {"drain_timeout_s", "0", "0"},
      {"body_bytes_max", "2048", "2048"},
      {"header_bytes_max", "4096", "4096"},
      {"data_dir", "/d", "\"/d\""},
      {"store", "postgres://bo@127.0.0.1:5/b", "\"postgres://bo@127.0.0.1:5/b\""},
      {"journal_batch_records_max", "64", "64"},
      {"hold_ttl_s", "30", "30"},
      {"hold_ttl_max_s", "60", "60"},
      {"hold_lifetime_max_s", "90", "90"},
      {"seats_per_hold_max", "4", "4"},
      {"seats_per_owner_max", "8", "8"},
      {"rate_address_per_s", "0", "0"},
      {"rate_address_burst", "3", "3"},
      {"rate_address_read_per_s", "7", "7"},
      {"rate_address_read_burst", "9", "9"},
      {"rate_user_per_s", "11", "11"},
      {"rate_user_burst", "13", "13"},
      {"rate_user_show_per_s", "17", "17"},
      {"rate_user_show_burst", "19", "19"},
      {"rate_keys_max", "4096", "4096"},
      {"rate_limit_loopback", "true", "true"},
      {"rate_forwarded_for", "true", "true"},
      {"queue_pow_bits", "12", "12"},
      {"log_level", "warn", "\"warn\""},
      {"log_format", "json", "\"json\""},
      {"demo", "true", "true"},
      {"gateway_mode", "external", "\"external\""},
      {"gateway_url", "http://127.0.0.1:9", "\"http://127.0.0.1:9\""},
      {"payment_currency", "USD", "\"USD\""},
      {"checkout_extension_s", "120", "120"},
      {"payment_reconcile_after_s", "30", "30"},
      {"gateway_public_url", "http://pay.test", "\"http://pay.test\""},
      {"gateway_latency_ms", "5", "5"},
      {"gateway_decline_percent", "10", "10"},
      {"gateway_webhook_loss_percent", "20", "20"},
      {"gateway_webhook_duplicate_percent", "30", "30"},
      {"gateway_webhook_reorder_ms", "40", "40"},
      {"gateway_auto_pay_ms", "50", "50"},
      {"gateway_seed", "77", "77"}};
  ASSERT_EQ(cases.size() + 4, kSettingNames.size());  // + the four secrets (two checked below)
  std::string toml;
  Environment env;
  std::vector<std::string> flags;
  for (const Case& c : cases) {
    toml += c.name + " = " + c.toml + "\n";
    std::string var = "BOXOFFICE_";
    for (char ch : c.name) var.push_back(static_cast<char>(std::toupper(ch)));
    env[var] = c.text;
    std::string flag = "--" + c.name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    flags.push_back(flag + "=" + c.text);
  }
  const std::string path = WriteFile("all.toml", toml);
  for (const auto& [label, config] :
       {std::pair{"file", Load({"--config", path})}, std::pair{"env", Load({}, env)},
        std::pair{"flags", Load(flags)}}) {
    ASSERT_TRUE(config.ok()) << label << ": " << config.status().message();
    const std::string described = " " + DescribeServeConfig(*config) + " ";
    for (const Case& c : cases) {
      EXPECT_NE(described.find(" " + c.name + "=" + c.text + " "), std::string::npos)
          << label << " did not set " << c.name << ": " << described;
    }
  }
}

TEST_F(ServeConfigTest, SecretsAreReadFromEachSourceAndNeverDescribed) {
  const std::string path = WriteFile(
      "secrets.toml", "jwt_secret = \"" + kSecret32 + "\"\nadmin_key = \"" + kSecret32 + "\"\n");
  const Environment env = {{"BOXOFFICE_JWT_SECRET", kSecret32 + "e"},
                           {"BOXOFFICE_ADMIN_KEY", kSecret32 + "e"}};
  StatusOr<ServeConfig> config = Load({"--config", path});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->jwt_secret, kSecret32);
  EXPECT_EQ(config->admin_key, kSecret32);
  config = Load({"--config", path, "--admin-key", kSecret32 + "f"}, env);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->jwt_secret, kSecret32 + "e");
  EXPECT_EQ(config->admin_key, kSecret32 + "f");
  const std::string described = DescribeServeConfig(*config);
  EXPECT_EQ(described.find(kSecret32), std::string::npos) << described;
  EXPECT_NE(described.find("jwt_secret=(set)"), std::string::npos) << described;
}

TEST_F(ServeConfigTest, TheStoreIsSqliteByDefaultOrAPostgresUrl) {
  EXPECT_EQ(Load({})->store, "sqlite");
  EXPECT_EQ(Load({"--store=postgresql://u@h/d"})->store, "postgresql://u@h/d");
  EXPECT_TRUE(FailsMentioning(Load({"--store=mysql://u@h/d"}), {"store", "sqlite", "postgres://"}));
  EXPECT_TRUE(FailsMentioning(Load({}, {{"BOXOFFICE_STORE", "pg"}}), {"store"}));
}

TEST_F(ServeConfigTest, BooleansAcceptTheUsualSpellings) {
  EXPECT_TRUE(Load({"--demo"})->demo);
  EXPECT_FALSE(Load({"--demo=false"})->demo);
  EXPECT_TRUE(Load({}, {{"BOXOFFICE_DEMO", "yes"}})->demo);
  EXPECT_TRUE(Load({}, {{"BOXOFFICE_DEMO", "1"}})->demo);
  EXPECT_FALSE(Load({}, {{"BOXOFFICE_DEMO", "off"}})->demo);
  EXPECT_TRUE(FailsMentioning(Load({}, {{"BOXOFFICE_DEMO", "maybe"}}),
                              {"demo", "BOXOFFICE_DEMO", "maybe"}));
}

TEST_F(ServeConfigTest, EmptyEnvironmentValuesCountAsUnset) {
  StatusOr<ServeConfig> config = Load({}, {{"BOXOFFICE_PORT", ""}, {"BOXOFFICE_DATA_DIR", ""}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->port, 8080);
  EXPECT_EQ(config->data_dir, "./data");
}

TEST_F(ServeConfigTest, OutOfRangeValuesAreRejectedNamingSettingAndSource) {
  EXPECT_TRUE(FailsMentioning(Load({"--port=70000"}), {"port", "--port", "0 to 65535", "70000"}));
  EXPECT_TRUE(FailsMentioning(Load({}, {{"BOXOFFICE_HOLD_TTL_S", "0"}}),
                              {"hold_ttl_s", "BOXOFFICE_HOLD_TTL_S"}));
  EXPECT_TRUE(FailsMentioning(Load({"--hold-ttl-s=3601"}), {"hold_ttl_s"}));
  EXPECT_TRUE(FailsMentioning(Load({"--seats-per-hold-max=51"}), {"seats_per_hold_max"}));
  EXPECT_TRUE(FailsMentioning(Load({"--body-bytes-max=0"}), {"body_bytes_max"}));
  EXPECT_TRUE(FailsMentioning(Load({"--queue-pow-bits=33"}), {"queue_pow_bits"}));
  EXPECT_TRUE(FailsMentioning(Load({"--rate-user-burst=0"}), {"rate_user_burst"}));
  const std::string path = WriteFile("bad.toml", "\n\nport = -1\n");
  EXPECT_TRUE(FailsMentioning(Load({"--config", path}), {"port", path, "line 3"}));
}

TEST_F(ServeConfigTest, NonIntegerTextIsRejected) {
  for (const std::string text : {"80x", " 80", "+80", "8.0", "0x50", "eighty"}) {
    EXPECT_TRUE(FailsMentioning(Load({}, {{"BOXOFFICE_PORT", text}}), {"port", "integer"})) << text;
  }
  EXPECT_TRUE(FailsMentioning(Load({"--port="}), {"--port"}));
}

TEST_F(ServeConfigTest, UnknownTomlKeysAreRejectedByName) {
  const std::string path = WriteFile("typo.toml", "port = 1\nprot = 2\n");
  EXPECT_TRUE(FailsMentioning(Load({"--config", path}), {"unknown setting", "\"prot\""}));
  const std::string table = WriteFile("table.toml", "[http]\nport = 1\n");
  EXPECT_TRUE(FailsMentioning(Load({"--config", table}), {"unknown setting", "\"http\""}));
}

TEST_F(ServeConfigTest, WrongTomlTypesAreRejectedByName) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"port = \"8080\"", "port"},
      {"demo = \"yes\"", "demo"},
      {"data_dir = 5", "data_dir"},
      {"hold_ttl_s = 1.5", "hold_ttl_s"},
      {"log_level = [\"info\"]", "log_level"},
      {"jwt_secret = true", "jwt_secret"}};
  for (const auto& [line, name] : cases) {
    const std::string path = WriteFile("types.toml", line + "\n");
    EXPECT_TRUE(FailsMentioning(Load({"--config", path}), {name, "must be"})) << line;
  }
}

TEST_F(ServeConfigTest, UnreadableOrMalformedFilesAreRejected) {
  StatusOr<ServeConfig> missing = Load({"--config", (dir_ / "absent.toml").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("absent.toml"), std::string::npos);
  const std::string path = WriteFile("broken.toml", "port = 1\nport = = 2\n");
  EXPECT_TRUE(FailsMentioning(Load({"--config", path}), {path, "line 2"}));
}

TEST_F(ServeConfigTest, UnknownFlagsAndArgumentsAreRejected) {
  EXPECT_TRUE(FailsMentioning(Load({"--prot=1"}), {"--prot"}));
  EXPECT_TRUE(FailsMentioning(Load({"extra"}), {"extra"}));
  EXPECT_FALSE(Load({"--port"}).ok());
}

TEST_F(ServeConfigTest, ChoicesAreEnforced) {
  EXPECT_TRUE(FailsMentioning(Load({"--log-level=verbose"}), {"log_level", "trace|debug"}));
  EXPECT_TRUE(FailsMentioning(Load({"--log-format=xml"}), {"log_format", "text|json"}));
}

TEST_F(ServeConfigTest, HoldLimitsMustNest) {
  EXPECT_TRUE(FailsMentioning(Load({"--hold-ttl-s=700", "--hold-ttl-max-s=600"}),
                              {"hold_ttl_s (700)", "hold_ttl_max_s (600)"}));
  EXPECT_TRUE(
      FailsMentioning(Load({"--hold-ttl-max-s=2000"}), {"hold_ttl_max_s", "hold_lifetime_max_s"}));
  EXPECT_TRUE(FailsMentioning(Load({"--seats-per-hold-max=12", "--seats-per-owner-max=8"}),
                              {"seats_per_hold_max", "seats_per_owner_max"}));
  EXPECT_TRUE(Load({"--hold-ttl-max-s=2000", "--hold-lifetime-max-s=2000"}).ok());
}

TEST_F(ServeConfigTest, SecretsShorterThan32BytesAreRejected) {
  EXPECT_TRUE(FailsMentioning(Load({"--jwt-secret=short"}), {"jwt_secret", "32"}));
  EXPECT_TRUE(FailsMentioning(Load({}, {{"BOXOFFICE_ADMIN_KEY", kSecret32.substr(1)}}),
                              {"admin_key", "32"}));
  EXPECT_TRUE(Load({"--jwt-secret=" + kSecret32}).ok());
}

TEST_F(ServeConfigTest, ListenAddressMustBeAnIpLiteral) {
  EXPECT_TRUE(Load({"--listen-address=::1"}).ok());
  EXPECT_TRUE(Load({"--listen-address=0.0.0.0"}).ok());
  for (const std::string address : {"localhost", "1.2.3", "127.0.0.1:80", "10.0.0.256"}) {
    EXPECT_TRUE(FailsMentioning(Load({"--listen-address=" + address}), {"listen_address"}))
        << address;
  }
  EXPECT_TRUE(FailsMentioning(Load({"--listen-address="}), {"--listen-address"}));
}

TEST_F(ServeConfigTest, HelpIsRequestedWithoutReadingAnything) {
  StatusOr<ServeConfig> config = Load({"--help"}, {{"BOXOFFICE_PORT", "not a number"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->help_requested);
  EXPECT_TRUE(Load({"-h"})->help_requested);
}

TEST_F(ServeConfigTest, HelpDocumentsEverySettingWithFlagVariableAndDefault) {
  const std::string help = ServeHelpText();
  for (const std::string& name : kSettingNames) {
    std::string flag = "--" + name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    std::string var = "BOXOFFICE_";
    for (char ch : name) var.push_back(static_cast<char>(std::toupper(ch)));
    const bool boolean =
        name == "demo" || name == "rate_limit_loopback" || name == "rate_forwarded_for";
    EXPECT_NE(help.find(flag + (boolean ? "[" : " ")), std::string::npos) << flag;
    EXPECT_NE(help.find("(env " + var + ", toml " + name + ", default "), std::string::npos)
        << name;
  }
  EXPECT_NE(help.find("--config FILE"), std::string::npos);
  EXPECT_NE(help.find("BOXOFFICE_CONFIG"), std::string::npos);
  EXPECT_NE(help.find("default 8080)"), std::string::npos);
  EXPECT_NE(help.find("default 127.0.0.1)"), std::string::npos);
  EXPECT_NE(help.find("default ./data)"), std::string::npos);
}

StatusOr<ServeConfig> LoadGateway(std::vector<std::string> args, const Environment& env = {}) {
  args.insert(args.begin(), "gateway");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return LoadGatewayConfig(static_cast<int>(argv.size()), argv.data(), env);
}

TEST_F(ServeConfigTest, GatewayReadsItsSettingsWithoutThePrefixAndTheSameVariables) {
  StatusOr<ServeConfig> c =
      LoadGateway({"--port", "9001", "--webhook-url", "http://127.0.0.1:1/hook",
                   "--decline-percent", "25", "--api-key", kSecret32, "--data", "/g"},
                  {{"BOXOFFICE_GATEWAY_WEBHOOK_SECRET", kSecret32 + "w"}, {"BOXOFFICE_PORT", "1"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->gateway_port, 9001);
  EXPECT_EQ(c->gateway_webhook_url, "http://127.0.0.1:1/hook");
  EXPECT_EQ(c->gateway_decline_percent, 25u);
  EXPECT_EQ(c->gateway_api_key, kSecret32);
  EXPECT_EQ(c->gateway_webhook_secret, kSecret32 + "w");
  EXPECT_EQ(c->data_dir, "/g");
  EXPECT_EQ(c->port, 8080);  // serve's setting: not the gateway's business
  EXPECT_EQ(LoadGateway({})->gateway_port, 8090);
}

TEST_F(ServeConfigTest, EachCommandRefusesTheOthersFlagsButSharesTheFile) {
  EXPECT_FALSE(LoadGateway({"--demo"}).ok());
  EXPECT_FALSE(LoadGateway({"--gateway-port", "1"}).ok());
  EXPECT_FALSE(Load({"--gateway-port", "1"}).ok());
  EXPECT_FALSE(Load({"--webhook-url", "http://x"}).ok());
  const std::string path = WriteFile("both.toml", "port = 1234\ngateway_port = 4321\n");
  StatusOr<ServeConfig> serve = Load({"--config", path});
  StatusOr<ServeConfig> gateway = LoadGateway({"--config", path});
  ASSERT_TRUE(serve.ok()) << serve.status().message();
  ASSERT_TRUE(gateway.ok()) << gateway.status().message();
  EXPECT_EQ(serve->port, 1234);
  EXPECT_EQ(gateway->gateway_port, 4321);
}

TEST_F(ServeConfigTest, GatewaySettingsAreChecked) {
  EXPECT_TRUE(FailsMentioning(Load({"--gateway-mode=external"}), {"gateway_url"}));
  EXPECT_TRUE(Load({"--gateway-mode=external", "--gateway-url=http://127.0.0.1:8090"}).ok());
  EXPECT_TRUE(FailsMentioning(Load({"--gateway-mode=sideways"}), {"gateway_mode"}));
  EXPECT_TRUE(
      FailsMentioning(Load({"--gateway-decline-percent=101"}), {"gateway_decline_percent"}));
  EXPECT_TRUE(FailsMentioning(Load({"--payment-currency=eur"}), {"payment_currency"}));
  EXPECT_TRUE(FailsMentioning(Load({"--gateway-api-key=short"}), {"gateway_api_key"}));
  EXPECT_TRUE(FailsMentioning(LoadGateway({"--webhook-url=ftp://x"}), {"gateway_webhook_url"}));
  EXPECT_TRUE(FailsMentioning(LoadGateway({"--listen-address=here"}), {"gateway_listen_address"}));
  const std::string help = GatewayHelpText();
  for (std::string_view flag : {"--webhook-url URL", "--webhook-secret SECRET", "--api-key KEY",
                                "--seed N", "--auto-pay-ms MS", "--port N"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(help.find("BOXOFFICE_GATEWAY_WEBHOOK_URL"), std::string::npos);
  EXPECT_EQ(help.find("--demo"), std::string::npos);
}

}  // namespace
}  // namespace boxoffice::app
