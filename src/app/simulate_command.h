// `boxoffice simulate`: runs the whole-system simulator (src/sim/) over one
// seed or a campaign of seeds; a failing seed prints its reproduction and the
// shortest trace that fails.
#pragma once

namespace boxoffice::app {

int RunSimulate(int argc, char** argv);

}  // namespace boxoffice::app
