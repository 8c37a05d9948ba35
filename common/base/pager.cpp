#include "common/base/pager.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>

#include "common/base/process.hpp"
#include "common/base/user_program.hpp"

namespace hectic::pager {

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

void show(std::string_view text) {
  if (!stdout_is_terminal()) {
    std::cout << text;
    std::cout.flush();
    return;
  }
  auto pager = user_program::from_env("PAGER", "less -R");

  process::Options options;
  options.output = process::Output::inherit;
  options.stdin_data = std::string(text);
  options.leaves_sigint = true; // Ctrl-C in less cancels a search; q quits
  options.timeout = std::nullopt; // the user reads as long as they like
  // sh exits 127 when the pager is not found: the text still has to reach the user.
  bool shown = false;
  try {
    shown = process::run(pager.program, pager.args, options).exit_code != 127;
  } catch (const std::exception&) {
  }
  if (shown) return;
  std::cout << text;
  std::cout.flush();
}

} // namespace hectic::pager
