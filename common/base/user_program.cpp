#include "common/base/user_program.hpp"

#include "common/base/env.hpp"
#include "common/base/text.hpp"

namespace hectic::user_program {

Command from_env(const char* name, const std::string& fallback) {
  std::string value = std::string(text::trim(env::get_or(name, fallback)));
  if (value.empty()) value = fallback;
  // git's run-command.c (prepare_shell_cmd): the user's text is shell code, our arguments are
  // "$@" after $0 (the variable's name, which sh uses in its error messages).
  return Command{"/bin/sh", {"-c", value + " \"$@\"", name}};
}

} // namespace hectic::user_program
