// StopSignals: how `serve` and `gateway` wait for SIGINT or SIGTERM.
//
// Construct it in main() before any thread starts: it blocks the two stop
// signals (so every thread started later inherits the mask and only Wait
// sees them) and ignores SIGPIPE. Wait() returns when one arrives, after
// printing "stopping (signal N)".
#pragma once

#include <signal.h>

#include <cstdio>

namespace boxoffice::app {

class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    signal(SIGPIPE, SIG_IGN);
  }

  int Wait() {
    int signal_number = 0;
    sigwait(&set_, &signal_number);
    std::printf("stopping (signal %d)\n", signal_number);
    std::fflush(stdout);
    return signal_number;
  }

 private:
  sigset_t set_;
};

}  // namespace boxoffice::app
