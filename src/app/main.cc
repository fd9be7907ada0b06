// boxoffice: one executable, several subcommands. Nothing clever here: each
// subcommand lives in its own file and gets the arguments after its name.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "app/engine_demo.h"
#include "app/gateway_command.h"
#include "app/serve.h"
#include "app/simulate_command.h"
#include "loadgen/bench_command.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"serve", "run the server (see serve --help)", boxoffice::app::RunServe},
    {"gateway", "run the simulated payment gateway on its own port (see gateway --help)",
     boxoffice::app::RunGateway},
    {"token", "print a fan token: token --user ID [--data DIR] [--ttl-s N]",
     boxoffice::app::RunToken},
    {"routes", "print every route the server serves", boxoffice::app::RunRoutes},
    {"demo", "simulate an on-sale in-process against the engine and audit it",
     boxoffice::app::RunEngineDemo},
    {"simulate",
     "simulate the whole service under faults, seeded, and check its promises: simulate --help",
     boxoffice::app::RunSimulate},
    {"bench",
     "simulate an on-sale against a running server and audit it: bench onsale|hotseat --help",
     boxoffice::loadgen::RunBench},
};

int Usage(FILE* out) {
  std::fprintf(out, "usage: boxoffice <command> [options]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(stderr);
  const std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") return Usage(stdout);
  for (const Command& c : kCommands) {
    if (name == c.name) return c.run(argc - 2, argv + 2);
  }
  std::fprintf(stderr, "boxoffice: unknown command '%s'\n", argv[1]);
  return Usage(stderr);
}
