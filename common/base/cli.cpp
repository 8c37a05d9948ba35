#include "common/base/cli.hpp"

#include <cctype>
#include <exception>

#include <CLI/CLI.hpp>

#include "common/base/error.hpp"
#include "common/base/log.hpp"

namespace hectic::cli {

namespace {
std::string lowercase_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}
} // namespace

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::Success& success) { // --help, --help-all, --version
    return app.exit(success);
  } catch (const CLI::ExtrasError& error) {
    // `database deploy check`: a second subcommand is left over as an extra: ambiguous (2).
    auto selected = app.get_subcommands();
    auto is_subcommand = [&app](const std::string& name) {
      try {
        app.get_subcommand(name);
        return true;
      } catch (const CLI::OptionNotFound&) {
        return false;
      }
    };
    for (const auto& extra : app.remaining()) {
      if (selected.empty() || !is_subcommand(extra)) continue;
      log::report_error(fmt::format("ambiguous subcommand: decide {} or {}", selected.front()->get_name(), extra),
                        {"one subcommand per call"});
      return exit_status(ExitCode::ambiguous);
    }
    log::report_error(lowercase_first(error.what()), {fmt::format("see {} --help", log::program())});
    return exit_status(ExitCode::unknown_argument);
  } catch (const CLI::RequiredError& error) {
    log::report_error(lowercase_first(error.what()), {fmt::format("see {} --help", log::program())});
    return exit_status(ExitCode::missing_argument);
  } catch (const CLI::ParseError& error) {
    log::report_error(lowercase_first(error.what()), {fmt::format("see {} --help", log::program())});
    return exit_status(ExitCode::unknown_argument);
  }
}

int guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& error) {
    log::report_error(error.what(), error.hints());
    return exit_status(error.code());
  } catch (const std::exception& error) {
    log::report_error(fmt::format("unexpected failure: {}", error.what()),
                      {"this is a bug; please report it with the command line and HECTIC_LOG=debug output"});
    return exit_status(ExitCode::internal);
  }
}

} // namespace hectic::cli
