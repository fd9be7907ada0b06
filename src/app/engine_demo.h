// `boxoffice demo`: an on-sale simulated in-process against the engine (no
// network, no disk): fans on several threads hold best-available seats in the
// demo stadium, then pay, give up, or walk away and let the hold expire. Ends
// with the invariant audit. A quick way to see the core work.
#pragma once

namespace boxoffice::app {

int RunEngineDemo(int argc, char** argv);

}  // namespace boxoffice::app
