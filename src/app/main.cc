// boxoffice: one executable, several subcommands.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: boxoffice <serve|bench> [options]\n");
    return 2;
  }
  std::fprintf(stderr, "boxoffice: unknown command '%s'\n", argv[1]);
  return 2;
}
