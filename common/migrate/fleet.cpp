// `migrator --targets FILE`: the targets file, shards, and the runner on --jobs threads.
// Threads, not child processes: each target's work is a few round trips to its server, and a
// thread costs nothing to start (bench/targets.sh). Each thread's lines are prefixed through
// output::LineScope, so the logger and the script runner need not know about targets.
#include "common/migrate/fleet.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "common/base/fs.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/base/output.hpp"
#include "common/pg/conninfo.hpp"

namespace hectic::migrate::fleet {
namespace {

bool is_url(std::string_view value) {
  return value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

const char* k_form_hint = "one target per line: `NAME postgresql://...` or a bare `postgresql://...` URL; `#` starts a comment";

// pq::redact, and for any other scheme (mysql://u:pw@h) the password of the userinfo too.
std::string hide_password(std::string_view value) {
  std::string out = pq::redact(value);
  auto scheme = out.find("://");
  if (is_url(value) || scheme == std::string::npos) return out;
  auto at = out.find('@', scheme + 3);
  auto colon = out.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return out;
  return out.replace(colon + 1, at - colon - 1, "***");
}

// The fields of a line, each without its password, joined by one blank.
std::string redacted(const std::vector<std::string_view>& fields) {
  std::string out;
  for (auto field : fields) out += (out.empty() ? "" : " ") + hide_password(field);
  return out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

} // namespace

std::string describe_url(const std::string& url) {
  auto keywords = pq::parse_conninfo(url);
  auto get = [&](const char* key) {
    auto it = keywords.find(key);
    return it == keywords.end() ? std::string() : it->second;
  };
  std::string out;
  if (!get("user").empty()) out += get("user") + "@";
  out += get("host").empty() ? std::string("localhost") : get("host");
  if (!get("port").empty()) out += ":" + get("port");
  if (!get("dbname").empty()) out += "/" + get("dbname");
  return out;
}

std::vector<Target> parse_targets(std::string_view text, const std::string& file) {
  std::vector<Target> targets;
  std::map<std::string, std::size_t> lines_of; // name -> line
  std::size_t number = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    // A comment starts a line or follows a blank ('#' inside a URL is the URL's).
    if (auto hash = raw.find('#'); hash != std::string_view::npos && (hash == 0 || raw[hash - 1] == ' ' || raw[hash - 1] == '\t'))
      raw = raw.substr(0, hash);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    auto fields = fields_of(raw);
    if (fields.empty()) continue;
    const std::string where = fmt::format("{}:{}", file, number);
    if (fields.size() > 2)
      throw Error(ExitCode::generic,
                  fmt::format("{}: expected NAME URL or URL, got {} fields: '{}'", where, fields.size(),
                              redacted(fields)),
                  {k_form_hint});
    const std::string url(fields.back());
    if (!is_url(url))
      throw Error(ExitCode::generic,
                  fmt::format("{}: '{}' is not a postgresql:// URL", where, hide_password(url)), {k_form_hint});
    std::string name;
    try {
      name = fields.size() == 2 ? std::string(fields[0]) : describe_url(url);
    } catch (const Error& e) {
      throw Error(ExitCode::generic, fmt::format("{}: invalid URL '{}': {}", where, pq::redact(url), e.what()),
                  {k_form_hint});
    }
    if (fields.size() == 2) {
      if (is_url(name))
        throw Error(ExitCode::generic,
                    fmt::format("{}: two URLs on one line: '{}'", where, redacted(fields)), {k_form_hint});
      try {
        pq::parse_conninfo(url);
      } catch (const Error& e) {
        throw Error(ExitCode::generic, fmt::format("{}: invalid URL '{}': {}", where, pq::redact(url), e.what()),
                    {k_form_hint});
      }
    }
    if (auto seen = lines_of.find(name); seen != lines_of.end())
      throw Error(ExitCode::generic,
                  fmt::format("{}: duplicate target name '{}' (also on line {})", where, name, seen->second),
                  {"give each target its own NAME: `NAME URL`"});
    lines_of.emplace(name, number);
    targets.push_back(Target{name, url, number});
  }
  if (targets.empty())
    throw Error(ExitCode::generic, fmt::format("targets file {} lists no targets", file), {k_form_hint});
  return targets;
}

std::vector<Target> load_targets(const std::filesystem::path& file) {
  std::string text;
  try {
    text = fs::read_file(file);
  } catch (const Error& e) {
    throw Error(ExitCode::generic, fmt::format("cannot read targets file {}: {}", file.string(), e.what()),
                {k_form_hint});
  }
  return parse_targets(text, file.string());
}

Shard parse_shard(std::string_view text) {
  auto bad = [&] {
    return Error(ExitCode::unknown_argument,
                 fmt::format("--shard: expected I/N with 1 <= I <= N (1-based), got '{}'", text),
                 {"a CI matrix of N jobs passes --shard 1/N ... N/N (GitLab: --shard $CI_NODE_INDEX/$CI_NODE_TOTAL)"});
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) throw bad();
  auto number = [&](std::string_view digits) -> std::size_t {
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string_view::npos)
      throw bad();
    return std::stoul(std::string(digits));
  };
  Shard shard{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (shard.count == 0 || shard.index == 0 || shard.index > shard.count) throw bad();
  return shard;
}

std::vector<Target> select_shard(const std::vector<Target>& targets, Shard shard) {
  std::vector<Target> out;
  for (std::size_t i = shard.index - 1; i < targets.size(); i += shard.count) out.push_back(targets[i]);
  return out;
}

Outcome failed(const Error& error, std::vector<std::string> migrations) {
  Outcome outcome;
  outcome.state = "failed";
  outcome.success = false;
  outcome.code = error.code();
  outcome.error = error.what();
  outcome.hints = error.hints();
  outcome.migrations = std::move(migrations);
  return outcome;
}

std::vector<std::string> last_failed_run_migrations(const Options& options) {
  try {
    auto runs = run_log(options, 1);
    if (runs.empty() || runs[0].value("status", std::string()) != "failed" || !runs[0]["migrations"].is_array())
      return {};
    return runs[0]["migrations"].get<std::vector<std::string>>();
  } catch (...) {
    return {}; // the target may be unreachable: the failure itself says why
  }
}

std::vector<Result> run(const std::vector<Target>& targets, const RunOptions& options, const RunTarget& run_one) {
  std::vector<Result> results(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    results[i].name = targets[i].name;
    results[i].state = "skipped";
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failure{false};
  auto worker = [&] {
    for (;;) {
      if (interrupt::requested() || (options.fail_fast && failure)) return;
      const std::size_t i = next++;
      if (i >= targets.size()) return;
      const Target& target = targets[i];
      Result& result = results[i];
      output::LineScope scope(fmt::format("[{}] ", target.name), options.quiet_stdout ? stderr : stdout);
      const auto start = std::chrono::steady_clock::now();
      Outcome outcome;
      try {
        outcome = run_one(target);
      } catch (const Error& e) {
        outcome = failed(e);
      } catch (const std::exception& e) {
        outcome = failed(Error(ExitCode::generic, e.what()));
      }
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      result.state = outcome.state;
      result.success = outcome.success;
      result.code = outcome.success ? ExitCode::ok : outcome.code;
      result.applied = outcome.applied.value_or(outcome.migrations.size());
      result.migrations = std::move(outcome.migrations);
      result.detail = std::move(outcome.detail);
      if (!outcome.success) {
        failure = true;
        if (!outcome.error.empty()) {
          result.error = first_line(outcome.error);
          log::report_error(outcome.error, outcome.hints);
        }
      }
    }
  };
  const std::size_t threads = std::max<std::size_t>(1, std::min(options.jobs, targets.size()));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  return results;
}

std::string to_table(const std::vector<Result>& results) {
  std::size_t name_width = 6, state_width = 6;
  for (const auto& r : results) {
    name_width = std::max(name_width, r.name.size());
    state_width = std::max(state_width, r.state.size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:>7}  {:>8}  {}\n", "TARGET", name_width, "STATUS",
                                state_width, "APPLIED", "SECONDS", "ERROR");
  std::size_t ok = 0, failed_count = 0, skipped = 0;
  for (const auto& r : results) {
    const bool started = r.state != "skipped" || r.success;
    out += fmt::format("{:<{}}  {:<{}}  {:>7}  {:>8}  {}", r.name, name_width, r.state, state_width,
                       started ? std::to_string(r.applied) : std::string("-"),
                       started ? fmt::format("{:.3f}", r.seconds) : std::string("-"), r.error);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
    if (r.success) ++ok;
    else if (r.state == "skipped") ++skipped;
    else ++failed_count;
  }
  out += fmt::format("{} target{}: {} ok, {} failed, {} skipped\n", results.size(),
                     results.size() == 1 ? "" : "s", ok, failed_count, skipped);
  return out;
}

nlohmann::json to_json(const std::vector<Result>& results, const std::string& command) {
  nlohmann::json targets = nlohmann::json::array();
  std::size_t ok = 0, failed_count = 0, skipped = 0;
  for (const auto& r : results) {
    const bool skipped_one = !r.success && r.state == "skipped";
    targets.push_back({{"name", r.name},
                       {"status", r.state},
                       {"success", r.success},
                       {"exit_code", exit_status(r.code)},
                       {"migrations", r.migrations},
                       {"migrations_count", r.migrations.size()},
                       {"applied", skipped_one ? nlohmann::json(nullptr) : nlohmann::json(r.applied)},
                       {"seconds", skipped_one ? nlohmann::json(nullptr) : nlohmann::json(r.seconds)},
                       {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
                       {"detail", r.detail}});
    if (r.success) ++ok;
    else if (skipped_one) ++skipped;
    else ++failed_count;
  }
  return {{"command", command},
          {"targets", targets},
          {"summary", {{"total", results.size()}, {"ok", ok}, {"failed", failed_count}, {"skipped", skipped}}},
          {"exit_code", exit_code(results)}};
}

int exit_code(const std::vector<Result>& results) {
  std::optional<ExitCode> shared;
  bool unsuccessful = false;
  for (const auto& r : results) {
    if (r.success) continue;
    unsuccessful = true;
    if (r.state == "skipped") continue;
    if (!shared) shared = r.code;
    else if (*shared != r.code) return exit_status(ExitCode::generic);
  }
  if (!unsuccessful) return 0;
  return exit_status(shared.value_or(ExitCode::generic));
}

} // namespace hectic::migrate::fleet
