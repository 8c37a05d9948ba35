#pragma once
// Long output for humans: through $PAGER (default `less -R`) when stdout is a terminal,
// plain on stdout otherwise.
#include <string_view>

namespace hectic::pager {

// True when stdout is a terminal (and so a pager would be used).
bool stdout_is_terminal();

// Shows text: pager on a terminal, else written to stdout as it is.
void show(std::string_view text);

} // namespace hectic::pager
