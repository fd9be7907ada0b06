// `boxoffice serve`: the server. Reads its configuration, recovers the
// store, optionally creates the demo show, sets up payments (the simulated
// gateway mounted under /gateway/ by default, or a client of an external
// `boxoffice gateway`), serves HTTP until SIGINT/SIGTERM,
// then shuts down gracefully (stop accepting, finish requests, flush the
// journal, exit 0). Also `boxoffice token` (a fan JWT for demos and tests)
// and `boxoffice routes` (every route the server serves, one per line).
#pragma once

namespace boxoffice::app {

int RunServe(int argc, char** argv);
int RunToken(int argc, char** argv);
int RunRoutes(int argc, char** argv);

}  // namespace boxoffice::app
