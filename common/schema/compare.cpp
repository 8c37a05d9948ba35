// compare(): the steps of `migrator diff`, sides opened live-first so that the roles of a live
// side exist in the throw-away cluster before a file source grants to them.
#include "common/schema/compare.hpp"

#include <set>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/pg/pq.hpp"
#include "common/schema/catalog.hpp"
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

void warn_on_major_mismatch(const Model& a, const Model& b) {
  if (a.server_version / 10000 != b.server_version / 10000)
    k_log.warn("the sides run different major versions (PostgreSQL {} and {}); definitions may print differently",
               a.server_version_text, b.server_version_text);
}

std::string remaining(const std::vector<Statement>& statements) {
  std::vector<std::string> sql;
  for (const auto& s : statements)
    if (!s.cleanup && sql.size() < 10) sql.push_back("  " + s.sql);
  return fmt::format("{}", fmt::join(sql, "\n"));
}

} // namespace

CompareResult compare(const CompareRequest& request) {
  if (request.apply && !is_connection_string(request.from))
    throw Error(ExitCode::missing_argument, fmt::format("--apply changes --from, which must be a database URL, not {}",
                                                        request.from));
  auto roles = live_roles(request);
  Sources sources;
  auto from = sources.open(request.from, roles, request.hook);
  auto to = sources.open(request.to, roles, request.hook);
  auto a = read_side(from, request.filter);
  auto b = read_side(to, request.filter);
  warn_on_major_mismatch(a, b);
  CompareResult result;
  result.statements = diff(a, b, request.diff);
  result.sides = {from.description, to.description, a.server_version_text, b.server_version_text,
                  a.fingerprint(), b.fingerprint()};
  if (!request.apply || result.statements.empty()) return result;
  apply(from.url, result.statements, request.apply_options);
  result.applied = true;
  auto left = diff(read_side(from, request.filter), b, DiffOptions{});
  if (request.diff.rename_before_drop) // what was renamed aside is kept on purpose
    std::erase_if(left, [&](const Statement& s) { return s.sql.find("_dropped_" + request.diff.stamp) != std::string::npos; });
  if (!left.empty())
    throw Error(ExitCode::generic, fmt::format("after --apply, {} still differs from {} ({}):\n{}", from.description,
                                               to.description, summary(left), remaining(left)));
  return result;
}

} // namespace hectic::schema
