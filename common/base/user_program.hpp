#pragma once
// A program the user names in an environment variable ($EDITOR, $PAGER), possibly with
// arguments ("less -S", "code --wait").
#include <string>
#include <vector>

namespace hectic::user_program {

// A program and its arguments.
struct Command {
  std::string program;
  std::vector<std::string> args;
};

// The variable's value split on blanks, as a shell splits a plain word list (no quoting);
// fallback's words when the variable is unset or blank.
Command from_env(const char* name, const std::string& fallback);

} // namespace hectic::user_program
