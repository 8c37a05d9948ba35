#include "common/watch/watcher.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "common/base/duration.hpp"
#include "common/base/fs.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/migrate/migrate.hpp"
#include "common/migrate/session.hpp"
#include "common/schema/compare.hpp"
#include "common/watch/hooks.hpp"

namespace hectic::watch {
namespace {
const log::Logger k_log("migrator watch");

std::string normalize_prefix(std::string prefix) {
  while (prefix.starts_with('/')) prefix.erase(0, 1);
  while (prefix.ends_with('/')) prefix.pop_back();
  return prefix;
}

std::string with_hints(const Error& error) {
  std::string text = error.what();
  for (const auto& hint : error.hints()) text += "\nhint: " + hint;
  return text;
}
} // namespace

std::string marker_text(const std::string& version, const std::string& database, const std::string& fingerprint) {
  return fmt::format("applied_at: {}\ndatabase: {}\nfingerprint: {}\nversion: {}\n", text::utc_now_iso8601(), database,
                     fingerprint, version);
}

Watcher::Watcher(Store& store, WatchOptions options) : m_store(store), m_options(std::move(options)) {
  m_options.prefix = normalize_prefix(m_options.prefix);
  m_key_prefix = m_options.prefix.empty() ? "" : m_options.prefix + "/";
}

std::string Watcher::key(const std::string& version, const std::string& file) const {
  return m_key_prefix + version + "/" + file;
}

std::chrono::milliseconds Watcher::backoff(std::chrono::milliseconds interval, std::chrono::milliseconds max_backoff,
                                           int failures) {
  auto cap = std::max(max_backoff, interval);
  auto delay = interval;
  for (int i = 0; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

void Watcher::hook(const std::string& command, const char* name, const std::string& version, const std::string& error) {
  run_hook(command, HookEvent{name, version, m_store.describe(), error}, m_options.hook_timeout);
}

std::optional<Watcher::Found> Watcher::fetch() {
  std::optional<std::string> highest;
  for (const auto& k : m_store.list(m_key_prefix)) {
    auto rest = std::string_view(k).substr(m_key_prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || rest.substr(slash + 1) != m_options.schema_file) continue;
    auto version = std::string(rest.substr(0, slash));
    if (!highest || version > *highest) highest = std::move(version);
  }
  if (!highest) {
    k_log.debug("no version under {} (none has {})", m_store.describe(), m_options.schema_file);
    return std::nullopt;
  }
  Found found;
  found.version = *highest;
  found.marked = m_store.get(key(found.version, m_options.completed_file)).has_value();
  if (found.marked) return found;
  auto schema = m_store.get(key(found.version, m_options.schema_file));
  if (!schema) throw StoreError(fmt::format("{} vanished while reading it", key(found.version, m_options.schema_file)));
  found.schema = std::move(*schema);
  return found;
}

bool Watcher::apply(const Found& found) {
  fs::TempDir dir("hectic-watch");
  auto file = dir.path() / "schema.sql";
  fs::write_file_atomic(file, found.schema);
  // The whole check-apply-mark runs under the migrator's lock: a second watcher (or a migrator)
  // waits, then finds the marker and does nothing, so a version is never applied twice.
  migrate::Options lock_options;
  lock_options.url = m_options.url;
  lock_options.lock_wait = m_options.lock_wait;
  migrate::MigrationLock lock(lock_options);
  const auto marker = key(found.version, m_options.completed_file);
  if (m_store.get(marker)) {
    k_log.info("version {} was applied meanwhile (its marker appeared); nothing to do", found.version);
    return false;
  }
  schema::CompareRequest request;
  request.from = m_options.url;
  request.to = file.string();
  request.apply = true;
  request.diff.stamp = text::utc_compact_stamp();
  request.apply_options.allow_drop = m_options.allow_drop;
  request.apply_options.take_lock = false;
  request.apply_options.lock_wait = m_options.lock_wait;
  request.apply_options.lock_timeout = m_options.lock_timeout;
  // From here a signal cancels the running statement (schema::apply) and its exit waits until
  // the transaction is rolled back and said so, or the version is applied and marked: never
  // half-way. (Not while waiting for the lock above: that may take --lock-wait.)
  interrupt::Critical applying;
  if (interrupt::requested()) throw Error(ExitCode::interrupted, "interrupted before the apply; nothing was changed");
  k_log.info("applying version {} ({})", found.version, key(found.version, m_options.schema_file));
  schema::CompareResult result;
  try {
    result = schema::compare(request);
  } catch (...) {
    if (interrupt::requested())
      k_log.warn("version {}: interrupted by a signal; the transaction was rolled back, no marker written",
                 found.version);
    throw;
  }
  k_log.info("version {}: {}{}", found.version, schema::summary(result.statements),
             result.applied ? " (applied)" : " (the database already matches)");
  try {
    m_store.put(marker, marker_text(found.version, result.sides.from, result.sides.to_fingerprint));
  } catch (const StoreError& e) {
    // Applied: the next poll finds nothing to change and writes the marker then.
    k_log.warn("version {} is applied but its marker {} could not be written: {}", found.version, marker, e.what());
  }
  return true;
}

Outcome Watcher::poll() {
  std::optional<Found> found;
  try {
    found = fetch();
  } catch (const Error& e) {
    if (interrupt::requested()) return Outcome::fetch_failed;
    ++m_fetch_failures;
    k_log.warn("fetch from {} failed ({} in a row): {}", m_store.describe(), m_fetch_failures, with_hints(e));
    if (m_fetch_failures == m_options.fetch_failures_for_hook)
      hook(m_options.hooks.on_fetch_error, "on-fetch-error", "", e.what());
    return Outcome::fetch_failed;
  }
  m_fetch_failures = 0;
  if (!found) return Outcome::nothing;
  if (found->marked) {
    k_log.debug("version {} is marked applied; nothing to do", found->version);
    return Outcome::nothing;
  }
  const auto hash = migrate::sha256_hex(found->schema);
  const auto now = std::chrono::steady_clock::now();
  if (m_failure && m_failure->version == found->version && m_failure->schema_hash == hash) {
    if (now < m_failure->next_attempt) return Outcome::backing_off;
  } else {
    m_failure.reset(); // a new version or a changed file: try it now
  }
  try {
    if (!apply(*found)) return Outcome::nothing;
  } catch (const std::exception& e) {
    if (interrupt::requested()) return Outcome::apply_failed; // said by apply(); the signal's exit follows
    auto* error = dynamic_cast<const Error*>(&e);
    auto message = error ? with_hints(*error) : std::string(e.what());
    if (!m_failure) m_failure = Failure{found->version, hash, 0, now};
    ++m_failure->count;
    auto delay = backoff(m_options.interval, m_options.max_backoff, m_failure->count);
    m_failure->next_attempt = now + delay;
    k_log.error("version {} failed (no marker written; attempt {}, next in {} at the earliest): {}", found->version,
                m_failure->count, duration::format(delay), message);
    hook(m_options.hooks.on_apply_failed, "on-apply-failed", found->version, e.what());
    return Outcome::apply_failed;
  }
  m_failure.reset();
  hook(m_options.hooks.on_apply_succeeded, "on-apply-succeeded", found->version, "");
  return Outcome::applied;
}

int Watcher::run_once() {
  hook(m_options.hooks.on_start, "on-start", "", "");
  auto outcome = poll();
  return outcome == Outcome::nothing || outcome == Outcome::applied ? 0 : 1;
}

void Watcher::run_forever() {
  k_log.info("watching {} every {} for {}<version>/{}", m_store.describe(), duration::format(m_options.interval),
             m_key_prefix, m_options.schema_file);
  hook(m_options.hooks.on_start, "on-start", "", "");
  for (;;) {
    poll();
    std::this_thread::sleep_for(m_options.interval);
  }
}

} // namespace hectic::watch
