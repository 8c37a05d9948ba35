#include "common/base/pager.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "common/base/env.hpp"
#include "common/base/process.hpp"

namespace hectic::pager {

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

void show(std::string_view text) {
  if (!stdout_is_terminal()) {
    std::cout << text;
    std::cout.flush();
    return;
  }
  // $PAGER may carry arguments ("less -S"): split on blanks, as a shell would for a plain word list.
  std::vector<std::string> words;
  std::istringstream spec(env::get_or("PAGER", "less -R"));
  for (std::string word; spec >> word;) words.push_back(word);
  if (words.empty()) words = {"less", "-R"};
  std::string program = words.front();
  words.erase(words.begin());

  process::Options options;
  options.output = process::Output::inherit;
  options.stdin_data = std::string(text);
  options.leaves_sigint = true; // Ctrl-C in less cancels a search; q quits
  options.timeout = std::chrono::hours(24);
  try {
    process::run(program, words, options);
  } catch (const std::exception&) {
    // No pager available: the text still has to reach the user.
    std::cout << text;
    std::cout.flush();
  }
}

} // namespace hectic::pager
