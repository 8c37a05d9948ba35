// `migrator plan` and `migrator apply --plan`: the pending migrations and the fingerprint of
// the target's schema, and applying a plan only while that fingerprint still holds.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"
#include "common/migrate/bundle.hpp"
#include "common/migrate/execute.hpp"
#include "common/migrate/history.hpp"
#include "common/migrate/migrate.hpp"
#include "common/migrate/run_log.hpp"
#include "common/migrate/session.hpp"

namespace hectic::migrate {
using nlohmann::json;

namespace {

constexpr const char* k_plan_format = "hectic-migrator-plan/1";
const std::string k_new_plan_hint = "make a new plan with `migrator plan` and review it";

// What a plan is computed from and what it says.
struct PlanState {
  std::vector<Migration> files;
  std::vector<Applied> applied;
  HistoryCheck check;
  std::string schema;
  json pending = json::array();
  json applied_json = json::array();
  std::string fingerprint;
};

PlanState compute_plan_state(pq::Connection& connection, const Options& options) {
  PlanState s;
  s.files = load_directory(options.migration_dir);
  s.applied = read_history(connection);
  s.check = check_history(s.files, s.applied);
  enforce_history(s.files, s.applied, s.check, options.force);
  s.schema = schema_fingerprint(connection);
  std::set<std::string> applied_names;
  std::string material = "schema " + s.schema + "\n";
  for (const auto& a : s.applied) {
    applied_names.insert(a.name);
    s.applied_json.push_back({{"name", a.name}, {"hash", a.hash}});
    material += fmt::format("applied {} {}\n", a.name, a.hash);
  }
  for (const auto& m : s.files) {
    if (applied_names.count(m.name)) continue;
    if (!m.up)
      throw Error(ExitCode::generic, fmt::format("migration {} has no up.sql", m.name));
    auto hash = hash_file(*m.up);
    s.pending.push_back({{"name", m.name}, {"hash", hash},
                         {"no_transaction", is_no_transaction(*m.up)}});
    material += fmt::format("pending {} {}\n", m.name, hash);
  }
  s.fingerprint = sha256_hex(material);
  return s;
}

// Throws Error(ambiguous) "schema fingerprint mismatch", with a hint per part that changed,
// when the database or the files are no longer what the plan was made from.
void refuse_stale_plan(const json& plan, const PlanState& s) {
  const std::string expected = plan["fingerprint"].get<std::string>();
  if (expected != s.fingerprint) {
    std::vector<std::string> hints;
    if (plan.value("schema_fingerprint", std::string()) != s.schema)
      hints.push_back("the database schema changed since the plan was made");
    if (plan.value("applied", json::array()) != s.applied_json)
      hints.push_back("the applied migrations changed since the plan was made");
    if (plan["pending"] != s.pending)
      hints.push_back("the pending migration files changed since the plan was made");
    hints.push_back(k_new_plan_hint);
    throw Error(ExitCode::ambiguous,
                fmt::format("schema fingerprint mismatch: expected {}, actual {}", expected,
                            s.fingerprint),
                hints);
  }
}

// The JSON type a plan field must have (json::is_string, json::is_array, ...).
using JsonKind = bool (json::*)() const noexcept;

Error not_a_plan(const std::string& field) {
  return Error(ExitCode::generic, fmt::format("not a migrator plan: {}", field),
               {"create one with `migrator plan --output-json FILE`"});
}

void require_field(const json& object, const std::string& key, JsonKind kind, const std::string& path) {
  if (!object.contains(key) || !(object[key].*kind)()) throw not_a_plan(path);
}

// plan[key]: an array of {name, hash[, no_transaction]} objects.
void require_entries(const json& plan, const std::string& key, bool with_no_transaction) {
  require_field(plan, key, &json::is_array, key);
  for (std::size_t i = 0; i < plan[key].size(); ++i) {
    const json& entry = plan[key][i];
    std::string path = fmt::format("{}[{}]", key, i);
    if (!entry.is_object()) throw not_a_plan(path);
    require_field(entry, "name", &json::is_string, path + ".name");
    require_field(entry, "hash", &json::is_string, path + ".hash");
    if (with_no_transaction) require_field(entry, "no_transaction", &json::is_boolean, path + ".no_transaction");
  }
}

// Every field `plan` writes, with its JSON type: a hand-edited plan fails here naming the
// field, not later as a JSON type error.
void require_plan_shape(const json& plan) {
  if (!plan.is_object()) throw not_a_plan("the top level is not a JSON object");
  for (const char* key : {"format", "created_at", "database", "bundle_version", "schema_fingerprint", "fingerprint"})
    require_field(plan, key, &json::is_string, key);
  require_entries(plan, "applied", false);
  require_entries(plan, "pending", true);
}

// A plan is applied only by the migrator generation that can read it.
void require_known_plan(const json& plan) {
  auto format = plan["format"].get<std::string>();
  if (format != k_plan_format)
    throw Error(ExitCode::ambiguous,
                fmt::format("plan field format: '{}' is not a known plan format (expected '{}')", format, k_plan_format),
                {k_new_plan_hint});
  auto version = plan["bundle_version"].get<std::string>();
  if (version != bundle::version())
    throw Error(ExitCode::ambiguous,
                fmt::format("plan field bundle_version: '{}' differs from this migrator's bundle '{}'", version,
                            bundle::version()),
                {k_new_plan_hint});
}

// The first difference between the plan's pending list and the recomputed one, "" if none.
std::string pending_difference(const json& planned, const json& actual) {
  std::set<std::string> in_plan, pending;
  for (const auto& p : planned)
    if (!in_plan.insert(p["name"].get<std::string>()).second)
      return fmt::format("entry {} is duplicated", p["name"].get<std::string>());
  for (const auto& a : actual) {
    pending.insert(a["name"].get<std::string>());
    if (!in_plan.count(a["name"].get<std::string>()))
      return fmt::format("entry {} was removed (it is pending and would run)", a["name"].get<std::string>());
  }
  for (const auto& p : planned)
    if (!pending.count(p["name"].get<std::string>()))
      return fmt::format("entry {} is not pending", p["name"].get<std::string>());
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const auto name = planned[i]["name"].get<std::string>();
    if (name != actual[i]["name"])
      return fmt::format("reordered: position {} is {} in the plan, {} would run there", i + 1, name,
                         actual[i]["name"].get<std::string>());
    if (planned[i]["hash"] != actual[i]["hash"])
      return fmt::format("[{}].hash of {} is '{}', the file's is '{}'", i, name, planned[i]["hash"].get<std::string>(),
                         actual[i]["hash"].get<std::string>());
    if (planned[i]["no_transaction"] != actual[i]["no_transaction"])
      return fmt::format("[{}].no_transaction of {} differs from the file's", i, name);
  }
  return "";
}

// Throws Error(ambiguous) naming the difference when the plan's pending list (names, order,
// hashes) is not exactly what would run.
void refuse_edited_pending(const json& plan, const PlanState& s) {
  std::string difference = pending_difference(plan["pending"], s.pending);
  if (difference.empty()) return;
  throw Error(ExitCode::ambiguous,
              fmt::format("the plan is not what would run: plan field pending{}{}",
                          difference.front() == '[' ? "" : ": ", difference),
              {k_new_plan_hint});
}

} // namespace

json plan(const Options& options) {
  require_url(options);
  auto connection = connect(options);
  auto s = compute_plan_state(*connection, options);
  return json{{"format", k_plan_format},
              {"created_at", text::utc_now_iso8601()},
              {"database", pq::redact(options.url)},
              {"bundle_version", std::string(bundle::version())},
              {"schema_fingerprint", s.schema},
              {"fingerprint", s.fingerprint},
              {"applied", s.applied_json},
              {"pending", s.pending}};
}

RunResult apply(const Options& options, const json& plan,
                const std::function<bool(const json&)>& confirm) {
  require_url(options);
  require_plan_shape(plan);
  require_known_plan(plan);
  MigrationLock lock(options);
  auto connection = connect(options);
  auto s = compute_plan_state(*connection, options);
  refuse_stale_plan(plan, s);
  refuse_edited_pending(plan, s);
  // The prompt shows what will run: the recomputed lists (equal to the plan's by now).
  json shown = plan;
  shown["applied"] = s.applied_json;
  shown["pending"] = s.pending;
  if (confirm && !s.pending.empty() && !confirm(shown))
    throw Error(ExitCode::generic, "apply cancelled: the plan was not approved",
                {"answer yes, or pass --auto-approve"});
  bundle::ensure(*connection);
  Options run_options = options;
  run_options.command = "apply";
  RunLog log(*connection, run_options.command);
  try {
    const std::size_t current = current_position(s.files, s.applied, s.check);
    const std::size_t target = current + s.pending.size();
    auto steps = plan_steps(s.files, s.applied, current, std::min(target, s.files.size()));
    return run_steps(*connection, run_options, s.files, current, target, steps, log);
  } catch (const Error& e) {
    log.finish("failed", {}, describe_failure(e));
    throw;
  }
}

} // namespace hectic::migrate
