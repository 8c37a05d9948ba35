#include "common/base/cli.hpp"

#include <cctype>
#include <chrono>
#include <exception>
#include <filesystem>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>

#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"

namespace hectic::cli {

namespace {

std::string lowercase_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

bool is_subcommand(CLI::App& app, const std::string& name) {
  try {
    app.get_subcommand(name);
    return true;
  } catch (const CLI::OptionNotFound&) {
    return false;
  }
}

int report_bad_argument(const CLI::ParseError& error, ExitCode code) {
  log::report_error(lowercase_first(error.what()), {fmt::format("see {} --help", log::program())});
  return exit_status(code);
}

// `database deploy check`: with require_subcommand(0, 1) a second subcommand is left over as an
// extra, which is ambiguous (2); any other extra is unknown (9).
int report_extras(CLI::App& app, const CLI::ExtrasError& error) {
  auto selected = app.get_subcommands();
  for (const auto& extra : app.remaining()) {
    if (selected.empty() || !is_subcommand(app, extra)) continue;
    log::report_error(fmt::format("ambiguous subcommand: decide {} or {}", selected.front()->get_name(), extra),
                      {"one subcommand per call"});
    return exit_status(ExitCode::ambiguous);
  }
  return report_bad_argument(error, ExitCode::unknown_argument);
}

// Parses argv. An exit code when main must stop here, nullopt to go on.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::Success& success) { // --help, --help-all, --version
    return app.exit(success);
  } catch (const CLI::ExtrasError& error) {
    return report_extras(app, error);
  } catch (const CLI::RequiredError& error) {
    return report_bad_argument(error, ExitCode::missing_argument);
  } catch (const CLI::ParseError& error) {
    return report_bad_argument(error, ExitCode::unknown_argument);
  }
}

// After SIGINT/SIGTERM the watcher thread (common/base/interrupt.cpp) runs the cleanups and
// exits 130; an error that the interruption caused (a killed connection) must not exit first.
int after_interrupt_or(int code) {
  if (interrupt::requested()) {
    for (int i = 0; i < 1200; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return exit_status(ExitCode::interrupted);
  }
  return code;
}

// "cannot create directory /x/y: Permission denied" from what std::filesystem reports.
std::string describe(const std::filesystem::filesystem_error& error) {
  std::string paths = error.path1().string();
  if (!error.path2().empty()) paths += " -> " + error.path2().string();
  return fmt::format("file system error on {}: {}", paths.empty() ? "(no path)" : paths, error.code().message());
}

// Runs body; an Error becomes its message, hints and exit code, a file system error exit 1,
// anything else exit 13.
int guarded(const std::function<int()>& body) {
  try {
    return after_interrupt_or(body());
  } catch (const Error& error) {
    int code = after_interrupt_or(exit_status(error.code()));
    log::report_error(error.what(), error.hints());
    return code;
  } catch (const std::filesystem::filesystem_error& error) {
    // An ordinary condition (permission denied, disk full) met by a throwing std::filesystem
    // call: the user's problem, named with its path, not a bug.
    int code = after_interrupt_or(exit_status(ExitCode::generic));
    log::report_error(describe(error), {});
    return code;
  } catch (const std::exception& error) {
    int code = after_interrupt_or(exit_status(ExitCode::internal));
    log::report_error(fmt::format("unexpected failure: {}", error.what()),
                      {"this is a bug; please report it with the command line and HECTIC_LOG=debug output"});
    return code;
  }
}

} // namespace

int run_main(CLI::App& app, int argc, char** argv, const Program& program, const Action& action) {
  if (program.log_check == LogCheck::before_parse) {
    if (int code = guarded([&] { log::init(program.name); return 0; }); code != 0) return code;
  } else {
    log::init(program.name, true); // parse errors are reported before HECTIC_LOG is judged
  }
  if (auto code = parse(app, argc, argv)) return *code;
  return guarded([&] {
    if (program.log_check == LogCheck::after_parse) log::init(program.name);
    return action();
  });
}

} // namespace hectic::cli
