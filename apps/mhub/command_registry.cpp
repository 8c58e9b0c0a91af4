#include "command_registry.h"

#include <cstdio>
#include <string>

namespace mhub::cli {

std::vector<RegisteredCommand>& command_registry() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

int print_error(std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "mhub: error: %s\n", line.c_str());
  return 1;
}

int print_error(const Status& status) { return print_error(status.ToString()); }

}  // namespace mhub::cli
