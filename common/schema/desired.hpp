#pragma once
// Desired-state plans (README "migrator plan --file"): the diff from a live database to a
// schema file, written down with the fingerprint of the database's model, and applied later
// only while that fingerprint still holds (the pgschema plan/apply flow).
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/schema/apply.hpp"
#include "common/schema/diff.hpp"

namespace hectic::schema {

// What a plan is made from.
struct DesiredRequest {
  std::string target; // the database URL (never written to the plan unredacted)
  std::string file;   // a .sql file or a directory with entrypoint.sql
  Filter filter;
  DiffOptions diff;
  bool hook = false;       // load the hectic bundle into the file's database first
  bool allow_drop = false; // destructive statements may be applied
};

// The plan: {"format": "hectic-schema-plan/1", created_at, database, file, file_sha256,
// filter, allow_drop, fingerprint (the target's model), desired_fingerprint, summary,
// changes {kind: {create, alter, drop}}, hazards [...], statements [...]}.
nlohmann::json plan_desired(const DesiredRequest& request);
// True when plan is a desired-state plan (else it is a migrations plan or not a plan at all).
bool is_desired_plan(const nlohmann::json& plan);
// The plan as a reviewer reads it: hazards first, then what is created, altered, dropped.
std::string desired_plan_text(const nlohmann::json& plan);
// The plan's statements as the script `migrator diff` prints.
std::string desired_plan_sql(const nlohmann::json& plan);

// How a plan is applied.
struct DesiredApply {
  std::string target;  // the database URL (-u / DB_URL)
  ApplyOptions apply;  // lock timeout, lock wait, run log command; allow_drop comes from the plan
  std::function<bool(const nlohmann::json&)> confirm; // empty: approved
};

// Applies exactly the planned statements. Throws Error(ambiguous) "schema fingerprint
// mismatch" (expected and actual) when the database changed since the plan, or when the file
// did; Error(ambiguous) for destructive statements of a plan made without --allow-drop;
// Error(generic) for a malformed plan, a failed statement (rolled back), or, after the apply,
// differences left between the database and the file (named).
void apply_desired(const nlohmann::json& plan, const DesiredApply& options);

} // namespace hectic::schema
