#include "common/migrate/bundle.hpp"

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "sql_bundle.hpp"

namespace hectic::bundle {
namespace {

const log::Logger k_log{"bundle"};

// pg_advisory_xact_lock key serialising bundle appliers ("hectic" + 'b').
constexpr long long k_bundle_lock_key = 0x6865637469630062LL;

std::optional<std::string> read_version(pq::Connection& connection) {
  auto exists = connection.exec("SELECT to_regclass('hectic.version') IS NOT NULL");
  if (exists.scalar() != "t") return std::nullopt;
  auto row = connection.exec("SELECT version FROM hectic.version WHERE name = 'hectic'");
  if (row.rows() == 0 || row.is_null(0, 0)) return std::nullopt;
  return row.get(0, 0);
}

Error mismatch(const std::string& recorded) {
  return Error(ExitCode::internal,
               fmt::format("hectic bundle version mismatch: database has {}, this build has {}",
                           recorded, version()),
               {"upgrade the database's hectic schema deliberately, or use a build of the "
                "matching version"});
}

} // namespace

std::string_view version() { return sql_bundle::version(); }

std::string full_sql() {
  std::string out = fmt::format("-- hectic bundle {}\n", version());
  for (const auto& part : sql_bundle::parts()) {
    out += fmt::format("\n-- ==== part: {} ====\n", part.name);
    out += part.sql;
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  return out;
}

std::optional<std::string> installed_version(pq::Connection& connection) {
  return read_version(connection);
}

void apply(pq::Connection& connection) {
  // Inside the caller's open transaction the caller commits or rolls back.
  std::optional<pq::Transaction> transaction;
  if (PQtransactionStatus(connection.native()) == PQTRANS_IDLE) {
    transaction.emplace(connection);
    // The parts' "already exists, skipping" notices are expected on every re-apply; in the
    // caller's transaction the setting is left alone.
    connection.exec("SET LOCAL client_min_messages = warning");
  }
  connection.exec(fmt::format("SELECT pg_advisory_xact_lock({})", k_bundle_lock_key));
  // Checked here first so the error names both versions whatever the SQL says.
  if (auto recorded = read_version(connection); recorded && *recorded != version())
    throw mismatch(*recorded);
  for (const auto& part : sql_bundle::parts()) {
    k_log.debug("applying bundle part {}", part.name);
    try {
      connection.exec(std::string(part.sql));
    } catch (const pq::SqlError& e) {
      throw pq::SqlError(fmt::format("hectic bundle part '{}' failed: {}", part.name, e.what()),
                         e.sqlstate(), e.detail(), e.hint(), e.position(), e.context());
    }
  }
  if (transaction) transaction->commit();
  k_log.debug("hectic bundle {} applied", version());
}

bool ensure(pq::Connection& connection) {
  auto r = connection.exec_params(
      "SELECT to_regclass('hectic.version') IS NOT NULL"
      "   AND to_regclass('hectic.secret') IS NOT NULL"
      "   AND to_regclass('hectic.migration') IS NOT NULL"
      "   AND to_regclass('hectic.migration_run') IS NOT NULL"
      "   AND to_regclass('hectic.created_at') IS NOT NULL"
      "   AND to_regclass('hectic.updated_at') IS NOT NULL"
      "   AND to_regclass('hectic.immutable') IS NOT NULL"
      "   AND (SELECT count(*) FROM pg_event_trigger WHERE evtname IN ("
      "        'hectic_enforce_created_at_inheritance', 'hectic_attach_updated_at_trigger',"
      "        'hectic_attach_immutable_triggers')) = 3",
      {});
  if (r.scalar() == "t") {
    auto recorded = read_version(connection);
    if (recorded && *recorded == version()) {
      k_log.debug("hectic bundle {} already complete", version());
      return false;
    }
  }
  apply(connection);
  return true;
}

void load_secrets(pq::Connection& connection, std::string_view dotenv_content) {
  connection.exec_params("SELECT hectic.load_secrets_from_env($1)",
                         {std::string(dotenv_content)});
}

} // namespace hectic::bundle
