#include "common/watch/hooks.hpp"

#include "common/base/log.hpp"
#include "common/base/process.hpp"
#include "common/base/text.hpp"

namespace hectic::watch {
namespace {
const log::Logger k_log("migrator watch");

void log_output(const std::string& hook, const std::string& output) {
  for (auto line : text::split_lines(output))
    if (!text::trim(line).empty()) k_log.info("{}> {}", hook, line);
}
} // namespace

bool run_hook(const std::string& command, const HookEvent& event, std::chrono::milliseconds timeout) {
  if (command.empty()) return true;
  process::Options options;
  options.timeout = timeout;
  options.env_set = {{"HECTIC_WATCH_EVENT", event.name},
                     {"HECTIC_WATCH_VERSION", event.version},
                     {"HECTIC_WATCH_STORE", event.store},
                     {"HECTIC_WATCH_ERROR", event.error}};
  k_log.debug("--{}: /bin/sh -c {}", event.name, process::shell_quote(command));
  try {
    // The user's own command line, run by the shell as they wrote it: the one place a shell
    // string is the point (no value of ours is spliced in; they travel in the environment).
    auto result = process::run("/bin/sh", {"-c", command}, options);
    log_output("--" + event.name, result.out);
    log_output("--" + event.name, result.err);
    if (result.ok()) return true;
    k_log.warn("hook --{} {}; the watcher goes on", event.name, result.describe());
  } catch (const std::exception& e) {
    k_log.warn("hook --{} could not run: {}; the watcher goes on", event.name, e.what());
  }
  return false;
}

} // namespace hectic::watch
