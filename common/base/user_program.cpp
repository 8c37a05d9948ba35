#include "common/base/user_program.hpp"

#include <sstream>

#include "common/base/env.hpp"

namespace hectic::user_program {

namespace {
std::vector<std::string> blank_separated_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream spec(text);
  for (std::string word; spec >> word;) words.push_back(word);
  return words;
}
} // namespace

Command from_env(const char* name, const std::string& fallback) {
  auto words = blank_separated_words(env::get_or(name, fallback));
  if (words.empty()) words = blank_separated_words(fallback);
  Command command;
  if (words.empty()) return command;
  command.program = words.front();
  command.args.assign(words.begin() + 1, words.end());
  return command;
}

} // namespace hectic::user_program
