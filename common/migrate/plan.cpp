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
    hints.push_back("make a new plan with `migrator plan` and review it");
    throw Error(ExitCode::ambiguous,
                fmt::format("schema fingerprint mismatch: expected {}, actual {}", expected,
                            s.fingerprint),
                hints);
  }
}

} // namespace

json plan(const Options& options) {
  require_url(options);
  auto connection = connect(options);
  auto s = compute_plan_state(*connection, options);
  return json{{"format", "hectic-migrator-plan/1"},
              {"created_at", text::utc_now_text()},
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
  if (!plan.is_object() || !plan.contains("fingerprint") || !plan.contains("pending") ||
      !plan["pending"].is_array())
    throw Error(ExitCode::generic, "the plan file is not a migrator plan (no fingerprint/pending)",
                {"create one with `migrator plan --output-json FILE`"});
  MigrationLock lock(options);
  auto connection = connect(options);
  auto s = compute_plan_state(*connection, options);
  refuse_stale_plan(plan, s);
  if (confirm && !s.pending.empty() && !confirm(plan))
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
