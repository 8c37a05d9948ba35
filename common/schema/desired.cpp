// Desired-state plans: the diff from the live database to the file's model (loaded once, then
// shared by every target of --targets), written down; applied under the migrator's lock once
// the database's fingerprint is checked again.
#include "common/schema/desired.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/migrate/migrate.hpp"
#include "common/schema/catalog.hpp"
#include "common/schema/compare.hpp"
#include "common/schema/rename_comments.hpp"
#include "common/schema/source.hpp"

namespace hectic::schema {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* k_format = "hectic-schema-plan/1";
const log::Logger k_log("migrator");
const std::string k_new_plan_hint = "make a new plan with `migrator plan --file FILE` and review it";

// sha256 of a file, or of a directory's files (relative path and hash of each, in name order).
std::string source_sha256(const std::string& source) {
  std::error_code ec;
  if (!stdfs::is_directory(source, ec)) return migrate::hash_file(source);
  std::vector<stdfs::path> files;
  for (const auto& entry : stdfs::recursive_directory_iterator(source))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string material;
  for (const auto& file : files)
    material += stdfs::relative(file, source).string() + " " + migrate::hash_file(file) + "\n";
  return migrate::sha256_hex(material);
}

json filter_json(const Filter& filter) {
  return {{"schemas", filter.schemas}, {"exclude_schemas", filter.exclude_schemas}, {"privileges", filter.privileges}};
}

// A plan field of the given JSON type (is_string, is_boolean ...), else not_a_plan(key).
const json& require(const json& object, const char* key, bool (json::*kind)() const noexcept) {
  auto it = object.find(key);
  if (it == object.end() || !((*it).*kind)()) throw not_a_plan(key);
  return *it;
}

std::vector<std::string> string_list(const json& filter, const char* key) {
  const auto& list = require(filter, key, &json::is_array);
  if (!std::all_of(list.begin(), list.end(), [](const json& item) { return item.is_string(); }))
    throw not_a_plan(std::string("filter.") + key);
  return list.get<std::vector<std::string>>();
}

Filter filter_from_json(const json& plan) {
  const auto& filter = require(plan, "filter", &json::is_object);
  return {string_list(filter, "schemas"), string_list(filter, "exclude_schemas"),
          require(filter, "privileges", &json::is_boolean).get<bool>()};
}

// {kind: {create, alter, drop}}: statements counted by what they do.
json changes_by_kind(const std::vector<Statement>& statements) {
  json changes = json::object();
  for (const auto& s : statements) {
    if (s.cleanup) continue;
    const char* action = s.action == '+' ? "create" : s.action == '-' ? "drop" : "alter";
    auto& entry = changes[kind_name(s.kind)];
    if (entry.is_null()) entry = {{"create", 0}, {"alter", 0}, {"drop", 0}};
    entry[action] = entry[action].get<int>() + 1;
  }
  return changes;
}

json hazards_json(const std::vector<Statement>& statements) {
  json hazards = json::array();
  for (std::size_t i = 0; i < statements.size(); ++i)
    for (const auto& hazard : statements[i].hazards)
      hazards.push_back({{"statement", i}, {"object", statements[i].object}, {"hazard", hazard},
                         {"destructive", statements[i].destructive}});
  return hazards;
}

// "table public.users" for the model key "table:public.users".
std::string object_label(const Statement& s) {
  auto colon = s.object.find(':');
  return fmt::format("{} {}", kind_name(s.kind), colon == std::string::npos ? s.object : s.object.substr(colon + 1));
}

std::string first_line(const std::string& sql) {
  auto end = sql.find('\n');
  return end == std::string::npos ? sql : sql.substr(0, end) + " ...";
}

// "+ table public.users" lines for the statements of one action, an object once.
std::string objects_for(const std::vector<Statement>& statements, char action) {
  std::map<std::string, int> counts;
  std::vector<std::string> order;
  for (const auto& s : statements) {
    if (s.cleanup || s.action != action) continue;
    auto label = object_label(s);
    if (counts[label]++ == 0) order.push_back(label);
  }
  std::string out;
  for (const auto& label : order)
    out += counts[label] == 1 ? fmt::format("  {} {}\n", action, label)
                              : fmt::format("  {} {} ({} statements)\n", action, label, counts[label]);
  return out;
}

std::string hazards_text(const json& plan, const std::vector<Statement>& statements) {
  std::string out;
  std::size_t count = 0, destructive = 0;
  for (const auto& s : statements) {
    if (s.cleanup) continue;
    destructive += s.destructive;
    for (const auto& hazard : s.hazards) {
      out += fmt::format("  - {}\n      {}\n", hazard, first_line(s.sql));
      ++count;
    }
  }
  out = count == 0 ? "Hazards: none\n" : fmt::format("Hazards ({}):\n{}", count, out);
  if (destructive > 0 && !plan.value("allow_drop", false))
    out += fmt::format("  This plan was made without --allow-drop: apply refuses its {} destructive statement{}.\n",
                       destructive, destructive == 1 ? "" : "s");
  return out;
}

DiffSides plan_sides(const json& plan) {
  return {plan.value("database", ""), plan.value("file", ""), plan.value("database_version", ""),
          plan.value("desired_version", ""), plan.value("fingerprint", ""), plan.value("desired_fingerprint", ""),
          plan.value("notes", std::vector<std::string>())};
}

void require_shape(const json& plan) {
  if (!plan.is_object()) throw not_a_plan("the top level is not a JSON object");
  for (const char* key : {"format", "database", "file", "file_sha256", "fingerprint"})
    require(plan, key, &json::is_string);
  for (const char* key : {"allow_drop", "hook", "rename_before_drop"}) require(plan, key, &json::is_boolean);
  if (plan.value("format", "") != k_format)
    throw Error(ExitCode::ambiguous, fmt::format("plan field format: '{}' is not a known plan format (expected '{}')",
                                                 plan["format"].get<std::string>(), k_format),
                {k_new_plan_hint});
}

void refuse_changed_file(const json& plan) {
  const auto file = plan["file"].get<std::string>();
  std::error_code ec;
  if (!stdfs::exists(file, ec))
    throw Error(ExitCode::ambiguous, fmt::format("the plan's schema file {} does not exist here", file),
                {"apply the plan from the checkout it was made in"});
  auto actual = source_sha256(file);
  if (actual != plan["file_sha256"].get<std::string>())
    throw Error(ExitCode::ambiguous,
                fmt::format("schema file {} changed since the plan: sha256 expected {}, actual {}", file,
                            plan["file_sha256"].get<std::string>(), actual),
                {k_new_plan_hint});
}

void refuse_destructive(const json& plan, const std::vector<Statement>& statements) {
  if (plan["allow_drop"].get<bool>()) return;
  std::vector<std::string> listed;
  for (const auto& s : statements)
    if (s.destructive && !s.cleanup) listed.push_back("  " + first_line(s.sql));
  if (listed.empty()) return;
  throw Error(ExitCode::ambiguous,
              fmt::format("apply refused: the plan was made without --allow-drop and has {} destructive statement{}; "
                          "nothing was run:\n{}",
                          listed.size(), listed.size() == 1 ? "" : "s", fmt::join(listed, "\n")),
              {"review them, then plan again with --allow-drop (or --rename-before-drop to keep the data)"});
}

// The fingerprint check, under the migrator's lock so that nothing changes between it and the apply.
std::function<void(pq::Connection&)> fingerprint_check(const json& plan, const Filter& filter) {
  return [expected = plan["fingerprint"].get<std::string>(), filter](pq::Connection& connection) {
    auto actual = read_catalog(connection, filter).fingerprint();
    if (actual != expected)
      throw Error(ExitCode::ambiguous, fmt::format("schema fingerprint mismatch: expected {}, actual {}", expected, actual),
                  {"the database schema changed since the plan was made", k_new_plan_hint});
  };
}

CompareRequest recheck_request(const json& plan, const std::string& target) {
  CompareRequest request;
  request.from = target;
  request.to = plan["file"].get<std::string>();
  request.filter = filter_from_json(plan);
  request.hook = plan["hook"].get<bool>();
  request.diff.rename_before_drop = plan["rename_before_drop"].get<bool>();
  request.diff.stamp = plan.value("rename_stamp", "");
  return request;
}

void require_target(const DesiredRequest& request) {
  if (!is_connection_string(request.target))
    throw Error(ExitCode::missing_argument, "plan --file needs the database to plan for: -u URL or DB_URL",
                {"migrator -u \"$DB_URL\" plan --file schema.sql --output-json plan.json"});
}

// What the database at url lacks to match desired, and both sides described (compare() with
// the file side already read).
struct TargetDiff {
  std::vector<Statement> statements;
  DiffSides sides;
};

TargetDiff diff_to_desired(const std::string& url, const DesiredState& desired, const Filter& filter,
                           DiffOptions options) {
  pq::Connection connection(url, "migrator diff");
  auto description = connection.describe();
  auto model = read_catalog(connection, filter);
  warn_on_major_mismatch(model, desired.model);
  options.renames.insert(options.renames.end(), desired.renames.begin(), desired.renames.end());
  TargetDiff result{diff(model, desired.model, options),
                    {description, desired.file, model.server_version_text, desired.model.server_version_text,
                     model.fingerprint(), desired.fingerprint, column_order_differences(model, desired.model)}};
  for (const auto& note : result.sides.notes) k_log.info("{} (a diff does not reorder columns)", note);
  return result;
}

// The checks and the apply of both apply_desired: the planned statements, after the
// confirmation and, under the lock, the fingerprint check.
void apply_planned(const json& plan, const DesiredApply& options) {
  auto statements = statements_from_json(require(plan, "statements", &json::is_array));
  auto filter = filter_from_json(plan);
  refuse_destructive(plan, statements);
  if (options.confirm && !statements.empty() && !options.confirm(plan))
    throw Error(ExitCode::generic, "apply cancelled: the plan was not approved", {"answer yes, or pass --auto-approve"});
  ApplyOptions apply_options = options.apply;
  apply_options.allow_drop = plan["allow_drop"].get<bool>();
  if (apply_options.run_log_command.empty()) apply_options.run_log_command = "apply --plan";
  apply_options.check_under_lock = fingerprint_check(plan, filter);
  apply(options.target, statements, apply_options);
  k_log.info("applied {} statement{} ({})", statements.size(), statements.size() == 1 ? "" : "s", summary(statements));
}

} // namespace

DesiredState load_desired(const DesiredRequest& request, const std::vector<std::string>& roles) {
  DesiredState desired;
  desired.file = request.file;
  Sources sources; // the throw-away cluster, stopped once the model is read
  auto side = sources.open(request.file, roles, request.hook); // names a missing file first
  desired.file_sha256 = source_sha256(request.file);
  {
    pq::Connection connection(side.url, "migrator diff");
    desired.model = read_catalog(connection, request.filter);
  }
  desired.fingerprint = desired.model.fingerprint();
  desired.renames = renamed_comments_of_source(request.file);
  return desired;
}

DesiredState load_desired(const DesiredRequest& request) {
  require_target(request);
  std::vector<std::string> roles;
  {
    pq::Connection connection(request.target, "migrator diff");
    roles = user_roles(connection);
  }
  return load_desired(request, roles);
}

json plan_desired(const DesiredRequest& request) { return plan_desired(request, load_desired(request)); }

json plan_desired(const DesiredRequest& request, const DesiredState& desired) {
  require_target(request);
  auto result = diff_to_desired(request.target, desired, request.filter, request.diff);
  return {{"format", k_format},
          {"created_at", text::utc_now_iso8601()},
          {"database", result.sides.from},
          {"database_version", result.sides.from_version},
          {"file", desired.file},
          {"file_sha256", desired.file_sha256},
          {"desired_version", result.sides.to_version},
          {"hook", request.hook},
          {"filter", filter_json(request.filter)},
          {"allow_drop", request.allow_drop},
          {"rename_before_drop", request.diff.rename_before_drop},
          {"rename_stamp", request.diff.stamp},
          {"online", request.diff.online},
          {"fingerprint", result.sides.from_fingerprint},
          {"desired_fingerprint", result.sides.to_fingerprint},
          {"summary", summary(result.statements)},
          {"notes", result.sides.notes},
          {"changes", changes_by_kind(result.statements)},
          {"hazards", hazards_json(result.statements)},
          {"statements", render_json(result.statements, result.sides)["statements"]}};
}

std::size_t desired_plan_statements(const json& plan) {
  auto statements = statements_from_json(plan.value("statements", json::array()));
  return static_cast<std::size_t>(std::count_if(statements.begin(), statements.end(),
                                                [](const Statement& s) { return !s.cleanup; }));
}

bool is_desired_plan(const json& plan) {
  return plan.is_object() && plan.contains("format") && plan["format"] == k_format;
}

std::string desired_plan_text(const json& plan) {
  auto statements = statements_from_json(plan.value("statements", json::array()));
  std::string out = fmt::format("Plan: make {} match {}\n  schema fingerprint {}\n  {}\n",
                                plan.value("database", "?"), plan.value("file", "?"), plan.value("fingerprint", "?"),
                                summary(statements));
  for (const auto& note : plan.value("notes", std::vector<std::string>()))
    out += fmt::format("  note: {} (a diff does not reorder columns)\n", note);
  if (statements.empty()) return out + "\nNo changes: the database already matches the file.\n";
  out += "\n" + hazards_text(plan, statements);
  const std::pair<char, const char*> actions[] = {{'+', "Create"}, {'~', "Alter"}, {'-', "Drop"}};
  for (const auto& [action, title] : actions)
    if (auto objects = objects_for(statements, action); !objects.empty()) out += fmt::format("\n{}:\n{}", title, objects);
  std::string outside;
  for (const auto& s : statements)
    if (!s.transactional && !s.cleanup) outside += "  " + first_line(s.sql) + "\n";
  if (!outside.empty())
    out += "\nOutside the transaction (each on its own, reported as it runs):\n" + outside;
  return out;
}

std::string desired_plan_sql(const json& plan) {
  return render_script(statements_from_json(plan.value("statements", json::array())), plan_sides(plan));
}

void apply_desired(const json& plan, const DesiredApply& options) {
  require_shape(plan);
  refuse_changed_file(plan);
  apply_planned(plan, options);
  auto request = recheck_request(plan, options.target);
  auto result = compare(request);
  require_converged(result.statements, request, result.sides);
}

void apply_desired(const json& plan, const DesiredApply& options, const DesiredState& desired) {
  require_shape(plan);
  if (plan["file"] != desired.file || plan["file_sha256"] != desired.file_sha256)
    throw Error(ExitCode::ambiguous,
                fmt::format("the plan was made from {} (sha256 {}), not from the loaded {} (sha256 {})",
                            plan["file"].get<std::string>(), plan["file_sha256"].get<std::string>(), desired.file,
                            desired.file_sha256),
                {k_new_plan_hint});
  apply_planned(plan, options);
  auto request = recheck_request(plan, options.target);
  auto result = diff_to_desired(options.target, desired, request.filter, request.diff);
  require_converged(result.statements, request, result.sides);
}

} // namespace hectic::schema
