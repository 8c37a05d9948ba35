#pragma once
// Desired-state plans (README "migrator plan --file"): the diff from a live database to a
// schema file, written down with the fingerprint of the database's model, and applied later
// only while that fingerprint still holds (the pgschema plan/apply flow).
#include <functional>
#include <string>
#include <vector>

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

  // The same request for another database (--targets: one request, many databases).
  DesiredRequest for_target(std::string url) const {
    auto copy = *this;
    copy.target = std::move(url);
    return copy;
  }
};

// The desired side of plans, loaded once: the file's model, read from a throw-away cluster that
// is gone by the time this exists. Read-only, so the threads of `--targets` share one.
struct DesiredState {
  std::string file;
  std::string file_sha256;
  Model model;
  std::string fingerprint;     // model.fingerprint(), computed once
  std::vector<Rename> renames; // the file's `-- @renamed` comments
};

// Loads request.file (with request.filter and request.hook; request.target is not used) into a
// throw-away cluster after creating roles there, so that its GRANTs to them load. Throws as
// Sources::open (Error(missing_argument) for a bad file, Error(generic) when it fails to load).
DesiredState load_desired(const DesiredRequest& request, const std::vector<std::string>& roles);
// The same with the roles of request.target (Error when it cannot be reached or is missing).
DesiredState load_desired(const DesiredRequest& request);

// The plan: {"format": "hectic-schema-plan/1", created_at, database, file, file_sha256,
// filter, allow_drop, fingerprint (the target's model), desired_fingerprint, summary,
// changes {kind: {create, alter, drop}}, hazards [...], statements [...]}.
// Loads the file (load_desired(request)) and plans against it.
nlohmann::json plan_desired(const DesiredRequest& request);
// The plan of request.target against a state loaded before (the file's model is not read again).
nlohmann::json plan_desired(const DesiredRequest& request, const DesiredState& desired);
// True when plan is a desired-state plan (else it is a migrations plan or not a plan at all).
bool is_desired_plan(const nlohmann::json& plan);
// The plan as a reviewer reads it: hazards first, then what is created, altered, dropped.
std::string desired_plan_text(const nlohmann::json& plan);
// The plan's statements as the script `migrator diff` prints.
std::string desired_plan_sql(const nlohmann::json& plan);
// How many statements the plan runs (not the commented cleanup of --rename-before-drop).
std::size_t desired_plan_statements(const nlohmann::json& plan);

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
// The same for a plan made from desired (plan_desired above): the file is neither hashed nor
// loaded again, the final check diffs the database against desired.model. Throws
// Error(ambiguous) when the plan was made from another file content.
void apply_desired(const nlohmann::json& plan, const DesiredApply& options, const DesiredState& desired);

} // namespace hectic::schema
