// `boxoffice bench onsale|hotseat ...`: parses the flags, runs the scenario
// against a loopback server, prints the report (live progress on stderr,
// the report on stdout, --json FILE as JSON) and exits 0 on PASS, 1 when
// the audit found violations or answers fell outside the fan model, 2 when
// the run could not be made (flags, files, set-up).
//
//   boxoffice bench onsale --url http://127.0.0.1:8080 --data ./data --fans 20000 --seats 5000
//
// Payment is not built yet: a fan who pays gets the organiser's box-office
// confirm (POST /v1/holds/{id}/confirm with the admin key) instead.
#pragma once

namespace boxoffice::loadgen {

// argv[0] is the scenario name ("onsale" or "hotseat").
int RunBench(int argc, char** argv);

}  // namespace boxoffice::loadgen
