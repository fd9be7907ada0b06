// The `boxoffice` command line besides `serve`: help texts and usage errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server_process.h"

namespace boxoffice::itest {
namespace {

TEST(CommandLineTest, TokenHelpDescribesEveryFlagAndExitsZero) {
  TempDir scratch;
  for (const char* flag : {"--help", "-h"}) {
    StatusOr<CommandResult> r = RunBoxoffice({"token", "--user", "alice", flag}, scratch.path());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->exit.exited_ok()) << flag << ": " << r->exit.ToString() << "\n" << r->err;
    for (const char* words : {"usage: boxoffice token", "--user ID", "--data DIR", "--ttl-s N",
                              "--help", "BOXOFFICE_JWT_SECRET"}) {
      EXPECT_NE(r->out.find(words), std::string::npos) << words << " in:\n" << r->out;
    }
  }
}

TEST(CommandLineTest, TokenWithoutAUserIsAUsageError) {
  TempDir scratch;
  StatusOr<CommandResult> r = RunBoxoffice({"token"}, scratch.path());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit.code, 2) << r->exit.ToString();
  EXPECT_NE(r->err.find("usage: boxoffice token"), std::string::npos) << r->err;
  EXPECT_EQ(r->out, "");
}

}  // namespace
}  // namespace boxoffice::itest
