// compare(): the steps of `migrator diff`, sides opened live-first so that the roles of a live
// side exist in the throw-away cluster before a file source grants to them.
#include "common/schema/compare.hpp"

#include <set>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/base/fs.hpp"
#include "common/pg/conninfo.hpp"
#include "common/pg/dump.hpp"
#include "common/pg/pq.hpp"
#include "common/pg/quote.hpp"
#include "common/schema/catalog.hpp"
#include "common/schema/rename_comments.hpp"
#include "common/schema/source.hpp"

namespace hectic::schema {
namespace {

const log::Logger k_log("migrator diff");

std::vector<std::string> live_roles(const CompareRequest& request) {
  std::set<std::string> roles;
  for (const auto* source : {&request.from, &request.to}) {
    if (!is_connection_string(*source)) continue;
    pq::Connection connection(*source, "migrator diff");
    for (auto& role : user_roles(connection)) roles.insert(std::move(role));
  }
  return {roles.begin(), roles.end()};
}

Model read_side(Side& side, const Filter& filter) {
  pq::Connection connection(side.url, "migrator diff");
  if (side.live) side.description = connection.describe();
  return read_catalog(connection, filter);
}

std::string remaining(const std::vector<Statement>& statements) {
  std::vector<std::string> sql;
  for (const auto& s : statements)
    if (!s.cleanup && sql.size() < 10) sql.push_back("  " + s.sql);
  return fmt::format("{}", fmt::join(sql, "\n"));
}

void require_schema(const Side& side, const std::string& name) {
  pq::Connection connection(side.url, "migrator diff");
  if (connection.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", {name}).rows() == 0)
    throw Error(ExitCode::generic, fmt::format("schema {} not found in {}", name, side.description),
                {"check --source-schema / --target-schema (SOURCE_DB_SCHEMA / TARGET_DB_SCHEMA)"});
}

// The `to` side with schema to_schema renamed to from_schema, in a database of the throw-away
// cluster: a live source is copied there first (pg_dump of that schema), never renamed in place.
Side open_mapped(Sources& sources, const CompareRequest& request, const std::vector<std::string>& roles) {
  if (request.to_schema == request.from_schema) {
    auto side = sources.open(request.to, roles, request.hook);
    require_schema(side, request.to_schema);
    return side;
  }
  std::optional<fs::TempDir> dump_dir;
  std::string source = request.to;
  std::string description = request.to;
  if (is_connection_string(request.to)) {
    Side live{pq::redact(request.to), request.to, true};
    { pq::Connection connection(request.to, "migrator diff"); live.description = connection.describe(); }
    require_schema(live, request.to_schema);
    description = live.description;
    dump_dir.emplace("hectic-sync");
    source = (dump_dir->path() / "source.sql").string();
    fs::write_file_atomic(source, pq::dump_schema(request.to, {"--schema=" + request.to_schema, "--no-owner"}), {});
  }
  auto side = sources.open(source, roles, request.hook);
  if (!is_connection_string(request.to)) require_schema(side, request.to_schema);
  side.description = description;
  pq::Connection connection(side.url, "migrator diff");
  // A fresh database has an empty public schema; it would block renaming another one to it.
  connection.exec("DROP SCHEMA IF EXISTS " + pq::quote_identifier(request.from_schema));
  connection.exec(fmt::format("ALTER SCHEMA {} RENAME TO {}", pq::quote_identifier(request.to_schema),
                              pq::quote_identifier(request.from_schema)));
  return side;
}

} // namespace

CompareResult compare(const CompareRequest& request) {
  if (request.apply && !is_connection_string(request.from))
    throw Error(ExitCode::missing_argument, fmt::format("--apply changes --from, which must be a database URL, not {}",
                                                        request.from));
  auto roles = live_roles(request);
  Sources sources;
  auto from = sources.open(request.from, roles, request.hook);
  auto to = request.to_schema.empty() ? sources.open(request.to, roles, request.hook)
                                      : open_mapped(sources, request, roles);
  Filter filter = request.filter;
  if (!request.from_schema.empty()) {
    require_schema(from, request.from_schema);
    filter.schemas = {request.from_schema};
  }
  auto a = read_side(from, filter);
  auto b = read_side(to, filter);
  warn_on_major_mismatch(a, b);
  CompareResult result;
  auto options = request.diff;
  if (request.to_schema.empty())
    for (auto& hint : renamed_comments_of_source(request.to)) options.renames.push_back(std::move(hint));
  result.statements = diff(a, b, options);
  result.sides = {from.description, to.description, a.server_version_text, b.server_version_text,
                  a.fingerprint(), b.fingerprint(), column_order_differences(a, b)};
  for (const auto& note : result.sides.notes) k_log.info("{} (a diff does not reorder columns)", note);
  if (!request.apply || result.statements.empty()) return result;
  apply(from.url, result.statements, request.apply_options);
  result.applied = true;
  require_converged(diff(read_side(from, filter), b, DiffOptions{}), request, result.sides);
  return result;
}

void warn_on_major_mismatch(const Model& a, const Model& b) {
  if (a.server_version / 10000 != b.server_version / 10000)
    k_log.warn("the sides run different major versions (PostgreSQL {} and {}); definitions may print differently",
               a.server_version_text, b.server_version_text);
}

void require_converged(std::vector<Statement> left, const CompareRequest& request, const DiffSides& sides) {
  if (request.diff.rename_before_drop) // what was renamed aside is kept on purpose
    std::erase_if(left, [&](const Statement& s) { return s.sql.find("_dropped_" + request.diff.stamp) != std::string::npos; });
  if (!left.empty())
    throw Error(ExitCode::generic, fmt::format("after --apply, {} still differs from {} ({}):\n{}", sides.from,
                                               sides.to, summary(left), remaining(left)));
}

} // namespace hectic::schema
