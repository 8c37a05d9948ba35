#pragma once
// The one entry point of every binary's main: parse argv with CLI11, run the selected command,
// and map every parse outcome and thrown error to the exit codes of README "Exit codes".
#include <functional>

#include <CLI/CLI.hpp>

namespace hectic::cli {

// What a binary runs once argv is parsed (the selected subcommand's run(options)); returns the
// exit status.
using Action = std::function<int()>;

// When an invalid HECTIC_LOG stops the binary: before parsing (database, migrator), after it so
// that a parse error is reported first (postgres-init), or never, only a warning
// (postgres-cleanup, used in traps).
enum class LogCheck { before_parse, after_parse, lenient };

// The binary as its main describes it: its name in log lines and its HECTIC_LOG rule.
struct Program {
  const char* name;
  LogCheck log_check = LogCheck::before_parse;
};

// The flags every binary has: -h/--help, -V/--version printing `<binary> version X`, and with
// help_subcommand a `help` subcommand (run_main prints the help on stdout, exit 0).
void add_standard_flags(CLI::App& app, const char* binary, bool help_subcommand = true);

// A value that must be a whole number >= 1 (`migrator log -n 5`); else exit 9 naming it.
CLI::Validator positive_count();
// A PostgreSQL duration: a number with an optional unit (500ms, 5s, 2min, 1h, 1d, 2 minutes);
// else exit 9 naming it.
CLI::Validator duration();

// Initialises logging, parses argv into app, then runs action. Exit codes: 0 after
// --help/--version; 3 for a missing required option or argument; 2 for a second subcommand;
// 9 for an unknown option/subcommand (even with --help on the line) or a bad value (the message
// names it, the hint the help of the subcommand it was given to); a thrown Error
// is its message, hints and code; any other exception is 13. After SIGINT/SIGTERM it is 130:
// the signal watcher's exit wins over an error the interruption caused.
int run_main(CLI::App& app, int argc, char** argv, const Program& program, const Action& action);

} // namespace hectic::cli
