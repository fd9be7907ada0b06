// `boxoffice bench onsale|hotseat|queue ...`: parses the flags, runs the scenario
// against a loopback server, prints the report (live progress on stderr,
// the report on stdout, --json FILE as JSON) and exits 0 on PASS, 1 when
// the audit found violations or answers fell outside the fan model, 2 when
// the run could not be made (flags, files, set-up).
//
//   boxoffice bench onsale --url http://127.0.0.1:8080 --data ./data --fans 20000 --seats 5000
//   boxoffice bench queue --url http://127.0.0.1:8080 --data ./data --fans 1000000
//
// Payment is not built yet: a fan who pays gets the organiser's box-office
// confirm (POST /v1/holds/{id}/confirm with the admin key) instead.
#pragma once

#include <optional>
#include <string>

#include "loadgen/bench_options.h"

namespace boxoffice::loadgen {

// What a `boxoffice bench` command line asks for: the options (the admin key
// and JWT secret read from their files, validated) and where to write the
// renderings; or, when the run must not start (--help, a bad flag, an
// unreadable file), the exit code (the reason is already on stderr).
struct BenchCommandLine {
  BenchOptions options;
  std::string json_file;
  std::string plot_file;
  std::optional<int> exit_code;
};
BenchCommandLine ParseBenchCommandLine(int argc, char** argv);

// argv[0] is the scenario name ("onsale", "hotseat" or "queue").
int RunBench(int argc, char** argv);

}  // namespace boxoffice::loadgen
