#include "common/base/cli.hpp"

#include <cctype>
#include <charconv>
#include <regex>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>
#include <thread>

#include <CLI/CLI.hpp>

#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"

namespace hectic::cli {

namespace {

// CLI11's "NAME is required" keeps NAME; "Could not convert" becomes "could not convert".
std::string lowercase_first(std::string text) {
  bool word_in_capitals = text.size() > 1 && std::isupper(static_cast<unsigned char>(text[1]));
  if (!text.empty() && !word_in_capitals)
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

bool is_subcommand(const CLI::App& app, const std::string& name) {
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->check_name(name)) return true;
  return false;
}

// The selected subcommands, outermost first, up to a prefix command (`database migrator`:
// the words after it are its program's).
std::vector<const CLI::App*> selected_chain(const CLI::App& app) {
  std::vector<const CLI::App*> chain;
  for (auto subs = app.get_subcommands(); !subs.empty(); subs = subs.front()->get_subcommands()) {
    chain.push_back(subs.front());
    if (subs.front()->get_prefix_command()) break;
  }
  return chain;
}

// "secrets load" for `database secrets load`.
std::string path_of(const std::vector<const CLI::App*>& chain) {
  std::string path;
  for (const auto* sub : chain) path += (path.empty() ? "" : " ") + sub->get_name();
  return path;
}

// Words no option or subcommand took, anywhere along the selected chain.
std::vector<std::string> unknown_words(const CLI::App& app) {
  auto words = app.remaining(false);
  for (const auto* sub : selected_chain(app)) {
    if (sub->get_prefix_command()) break;
    for (auto& word : sub->remaining(false)) words.push_back(word);
  }
  return words;
}

// `database deploy check`: a second subcommand left over as an extra is ambiguous (2); any
// other word is unknown (9), named with the shell tools' wording under a subcommand
// (`list argument --wat does not exists`, sic: their test suites grep it) and a hint to the
// help of the subcommand it was given to.
std::optional<int> report_unknown_words(const CLI::App& app) {
  auto words = unknown_words(app);
  if (words.empty()) return std::nullopt;
  auto chain = selected_chain(app);
  for (const auto& word : words) {
    if (chain.empty() || !is_subcommand(app, word)) continue;
    log::report_error(fmt::format("ambiguous subcommand: decide {} or {}", chain.front()->get_name(), word),
                      {"one subcommand per call"});
    return exit_status(ExitCode::ambiguous);
  }
  const auto& word = words.front();
  auto path = path_of(chain);
  auto message = path.empty() ? fmt::format("unknown {}: {}", word.rfind('-', 0) == 0 ? "option" : "subcommand", word)
                              : fmt::format("{} argument {} does not exists", path, word);
  auto hint = path.empty() ? fmt::format("see {} --help", log::program())
                           : fmt::format("see {} {} --help", log::program(), path);
  log::report_error(message, {hint});
  return exit_status(ExitCode::unknown_argument);
}

int report_bad_argument(const CLI::App& app, const CLI::ParseError& error, ExitCode code) {
  auto path = path_of(selected_chain(app));
  log::report_error(lowercase_first(error.what()),
                    {path.empty() ? fmt::format("see {} --help", log::program())
                                  : fmt::format("see {} {} --help", log::program(), path)});
  return exit_status(code);
}

// Parses argv. An exit code when main must stop here, nullopt to go on. An unknown word wins
// over --help and --version (`database nosuch --help` is exit 9, not the help).
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return report_unknown_words(app); // binaries that allow extras (migrator) get them here
  } catch (const CLI::Success& success) { // --help, --help-all, --version
    if (auto code = report_unknown_words(app)) return code;
    return app.exit(success);
  } catch (const CLI::ExtrasError&) {
    return report_unknown_words(app).value_or(exit_status(ExitCode::unknown_argument));
  } catch (const CLI::RequiredError& error) {
    if (auto code = report_unknown_words(app)) return code;
    return report_bad_argument(app, error, ExitCode::missing_argument);
  } catch (const CLI::ParseError& error) {
    return report_bad_argument(app, error, ExitCode::unknown_argument);
  }
}

// `postgres-init help`: a binary without subcommands takes a lone `help` as --help.
std::optional<int> lone_help_word(const CLI::App& app, int argc, char** argv) {
  if (argc != 2 || std::string_view(argv[1]) != "help" || is_subcommand(app, "help")) return std::nullopt;
  if (!app.get_subcommands([](const CLI::App*) { return true; }).empty()) return std::nullopt;
  std::cout << app.help();
  return 0;
}

// The `help` subcommand of add_standard_flags, selected: the binary's help on stdout.
std::optional<int> help_subcommand(const CLI::App& app) {
  auto chain = selected_chain(app);
  if (chain.empty() || chain.front()->get_name() != "help" || !chain.front()->get_subcommands().empty()) return std::nullopt;
  // Not app.help(): with a subcommand parsed, CLI11 shows that subcommand's help.
  std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
  return 0;
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

CLI::Validator positive_count() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        long n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || n < 1)
          return fmt::format("expected a whole number of at least 1, got '{}'", value);
        return {};
      },
      "N>=1");
}

CLI::Validator duration() {
  // The units of PostgreSQL's time settings (manual "Parameter Names and Values") and the
  // words an interval takes ('2 minutes').
  static const std::regex k_duration(
      R"(^\s*[0-9]+(\.[0-9]+)?\s*(us|ms|s|min|h|d|sec|secs|second|seconds|mins|minute|minutes|hour|hours|day|days)?\s*$)");
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (std::regex_match(value, k_duration)) return {};
        return fmt::format("expected a duration such as 500ms, 5s, 2min or 1h, got '{}'", value);
      },
      "DURATION");
}

void add_standard_flags(CLI::App& app, const char* binary, bool help_subcommand) {
  app.set_help_flag("-h,--help", "print this help");
  app.set_version_flag("-V,--version", fmt::format("{} version {}", binary, HECTIC_VERSION), "print the version");
  if (help_subcommand) app.add_subcommand("help", "print this help");
}

int run_main(CLI::App& app, int argc, char** argv, const Program& program, const Action& action) {
  if (program.log_check == LogCheck::before_parse) {
    if (int code = guarded([&] { log::init(program.name); return 0; }); code != 0) return code;
  } else {
    log::init(program.name, true); // parse errors are reported before HECTIC_LOG is judged
  }
  if (auto code = lone_help_word(app, argc, argv)) return *code;
  if (auto code = parse(app, argc, argv)) return *code;
  if (auto code = help_subcommand(app)) return *code;
  return guarded([&] {
    if (program.log_check == LogCheck::after_parse) log::init(program.name);
    return action();
  });
}

} // namespace hectic::cli
