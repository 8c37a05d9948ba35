#pragma once
// What every binary's main does around its own subcommands: parse argv with CLI11 mapping the
// outcomes to SPEC exit codes, and turn a thrown error into "<tool>: error: ..." + its code.
#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace hectic::cli {

// Parses argv. Returns an exit code when main must stop: 0 after --help/--version, 3 for a
// missing required option or argument, 2 for a second subcommand, 9 for an unknown
// option/subcommand or a bad value (the message names it). nullopt: go on.
std::optional<int> parse(CLI::App& app, int argc, char** argv);

// Runs body; an Error becomes its message, hints and exit code, anything else exit 13.
int guarded(const std::function<int()>& body);

} // namespace hectic::cli
