// `boxoffice bench` command lines: the flags of each scenario, their
// defaults, and refusals.
#include "loadgen/bench_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace boxoffice::loadgen {
namespace {

namespace fs = std::filesystem;

// The admin key and the JWT secret in files of a fresh directory.
class BenchCommandLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("bench_command_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "admin.key") << "admin-key\n";
    std::ofstream(dir_ / "jwt.secret") << std::string(40, 'j') << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  BenchCommandLine Parse(std::initializer_list<std::string> args) {
    std::vector<std::string> words(args);
    words.insert(words.begin() + 1, {"--url", "http://127.0.0.1:8080", "--data", dir_.string(),
                                     "--seed", "7", "--quiet"});
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    return ParseBenchCommandLine(static_cast<int>(argv.size()), argv.data());
  }

  fs::path dir_;
};

TEST_F(BenchCommandLineTest, QueueScenarioHasTheRoomOnAndTheOnSaleAnHourAway) {
  const BenchCommandLine c = Parse({"queue", "--fans", "1000000", "--connections", "300",
                                    "--polls-per-fan", "5", "--json", "out.json"});
  ASSERT_FALSE(c.exit_code.has_value());
  EXPECT_EQ(c.options.scenario, Scenario::kQueue);
  EXPECT_EQ(c.options.fans, 1'000'000u);
  EXPECT_EQ(c.options.connections, 300u);
  EXPECT_EQ(c.options.polls_per_fan, 5u);
  EXPECT_TRUE(c.options.queue.enabled);
  EXPECT_EQ(c.options.queue.onsale_in_s, 3'600u);
  EXPECT_EQ(c.options.admin_key, "admin-key");
  EXPECT_EQ(c.options.seed, 7u);
  EXPECT_EQ(c.json_file, "out.json");
}

TEST_F(BenchCommandLineTest, OnsaleTakesTheWaitingRoomOnlyWhenAsked) {
  const BenchCommandLine plain = Parse({"onsale"});
  ASSERT_FALSE(plain.exit_code.has_value());
  EXPECT_FALSE(plain.options.queue.enabled);
  const BenchCommandLine c = Parse({"onsale", "--queue", "--queue-rate", "1200", "--shoppers-max",
                                    "50", "--session-s", "20", "--onsale-in-s", "3"});
  ASSERT_FALSE(c.exit_code.has_value());
  EXPECT_TRUE(c.options.queue.enabled);
  EXPECT_EQ(c.options.queue.admissions_per_minute, 1'200u);
  EXPECT_EQ(c.options.queue.shoppers_max, 50u);
  EXPECT_EQ(c.options.queue.session_s, 20u);
  EXPECT_EQ(c.options.queue.onsale_in_s, 3u);
}

TEST_F(BenchCommandLineTest, OutOfRangeOrForeignFlagsStopTheRun) {
  EXPECT_EQ(Parse({"onsale", "--queue", "--session-s", "0"}).exit_code, 2);
  EXPECT_NE(Parse({"queue", "--abandon", "0.5"}).exit_code.value_or(0), 0);  // not a queue flag
  EXPECT_NE(Parse({"hotseat", "--queue"}).exit_code.value_or(0), 0);
  EXPECT_EQ(Parse({"lottery"}).exit_code, 2);
}

}  // namespace
}  // namespace boxoffice::loadgen
