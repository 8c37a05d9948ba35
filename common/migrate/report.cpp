// What the migrator reports without changing anything: status, the schema fingerprint, the
// text of a plan, the run log.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "common/base/text.hpp"
#include "common/migrate/bundle.hpp"
#include "common/migrate/migrate.hpp"

namespace hectic::migrate {
using nlohmann::json;

Status status(const Options& options) {
  const auto files = load_directory(options.migration_dir);
  auto connection = connect(options);
  Status out;
  out.initialised = pq::relation_exists(*connection, "hectic.migration");
  out.bundle_version = bundle::installed_version(*connection);
  const auto applied = read_history(*connection);
  out.history = check_history(files, applied);
  std::set<std::string> applied_names;
  for (const auto& a : applied) {
    applied_names.insert(a.name);
    Entry entry{a.name, {}, a.hash, a.applied_at};
    auto it = std::find_if(files.begin(), files.end(), [&](const Migration& m) { return m.name == a.name; });
    if (it == files.end()) {
      entry.missing = true;
    } else if (it->up) {
      entry.hash = hash_file(*it->up);
      entry.drifted = entry.hash != a.hash;
    } else {
      entry.drifted = true;
    }
    out.applied.push_back(entry);
  }
  for (const auto& m : files) {
    if (applied_names.count(m.name)) continue;
    out.pending.push_back(Entry{m.name, m.up ? hash_file(*m.up) : std::string(), {}, {}});
  }
  return out;
}

json to_json(const Status& status) {
  json applied = json::array(), pending = json::array(), drifted = json::array(),
       missing = json::array();
  for (const auto& e : status.applied) {
    applied.push_back({{"name", e.name}, {"hash", e.recorded}, {"applied_at", text::iso8601_utc(e.applied_at)},
                       {"current_hash", e.hash.empty() ? json(nullptr) : json(e.hash)},
                       {"drifted", e.drifted}, {"missing", e.missing}});
    if (e.drifted) drifted.push_back(e.name);
    if (e.missing) missing.push_back(e.name);
  }
  for (const auto& e : status.pending)
    pending.push_back({{"name", e.name}, {"hash", e.hash.empty() ? json(nullptr) : json(e.hash)}});
  return json{{"initialised", status.initialised},
              {"bundle_version", status.bundle_version ? json(*status.bundle_version) : json(nullptr)},
              {"history_ok", status.history.prefix_ok},
              {"applied", applied},
              {"pending", pending},
              {"drifted", drifted},
              {"missing", missing}};
}

std::string to_text(const Status& status) {
  std::string out;
  if (!status.initialised) out += "hectic schema not initialised (run `migrator init`)\n";
  for (const auto& e : status.applied) {
    const char* state = e.missing ? "missing" : e.drifted ? "drifted" : "applied";
    out += fmt::format("{:<8} {}  {}  {}\n", state, e.name, e.recorded.substr(0, 12), e.applied_at);
  }
  for (const auto& e : status.pending)
    out += fmt::format("{:<8} {}  {}\n", "pending", e.name,
                       e.hash.empty() ? std::string("(no up.sql)") : e.hash.substr(0, 12));
  std::size_t drifted = 0;
  for (const auto& e : status.applied) drifted += e.drifted ? 1 : 0;
  out += fmt::format("{} applied, {} pending, {} drifted{}\n", status.applied.size(),
                     status.pending.size(), drifted,
                     status.history.prefix_ok ? "" : "; history does not match the directory");
  return out;
}

std::string schema_fingerprint(pq::Connection& connection) {
  // A canonical, ordered description of the user objects; system schemas are left out.
  static const std::string k_query = R"sql(
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%'
), items AS (
  SELECT 'schema ' || nspname AS item FROM ns
  UNION ALL
  SELECT format('rel %s.%s %s %s', ns.nspname, c.relname, c.relkind, c.relpersistence)
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
  UNION ALL
  SELECT format('col %s.%s.%s %s %s %s %s', ns.nspname, c.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull,
                coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text || a.attgenerated::text)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
  UNION ALL
  SELECT format('con %s %s %s %s', ns.nspname, coalesce(c.relname, t.typname, ''), o.conname,
                pg_get_constraintdef(o.oid))
  FROM pg_constraint o JOIN ns ON ns.oid = o.connamespace
  LEFT JOIN pg_class c ON c.oid = o.conrelid LEFT JOIN pg_type t ON t.oid = o.contypid
  UNION ALL
  SELECT format('idx %s', pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('trg %s %s', pg_get_triggerdef(t.oid), t.tgenabled)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
  WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('view %s.%s %s', ns.nspname, c.relname, pg_get_viewdef(c.oid))
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('fn %s.%s(%s) %s %s %s', ns.nspname, p.proname,
                pg_get_function_identity_arguments(p.oid), p.prokind,
                pg_get_function_result(p.oid), md5(coalesce(p.prosrc, '')))
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
  SELECT format('type %s.%s %s', ns.nspname, t.typname, t.typtype)
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.typtype IN ('d', 'e', 'r', 'm') OR (t.typtype = 'c' AND EXISTS (
    SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
  UNION ALL
  SELECT format('enum %s %s %s', t.typname, e.enumsortorder, e.enumlabel)
  FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN ns ON ns.oid = t.typnamespace
  UNION ALL
  SELECT format('evt %s %s %s %s %s', evtname, evtevent, evtfoid::regprocedure, evtenabled,
                coalesce(array_to_string(evttags, ','), ''))
  FROM pg_event_trigger
  UNION ALL
  SELECT format('ext %s %s', extname, extversion) FROM pg_extension
  UNION ALL
  SELECT format('policy %s %s %s', pol.polrelid::regclass, pol.polname,
                coalesce(pg_get_expr(pol.polqual, pol.polrelid), ''))
  FROM pg_policy pol
)
SELECT coalesce(string_agg(item, E'\n' ORDER BY item COLLATE "C"), '') FROM items
)sql";
  return sha256_hex(connection.exec(k_query).scalar());
}

std::string plan_to_text(const json& plan) {
  std::string out = fmt::format("Migration plan for {}\n", plan.value("database", std::string("?")));
  out += fmt::format("Created:            {}\n", plan.value("created_at", std::string("?")));
  out += fmt::format("Schema fingerprint: {}\n", plan.value("schema_fingerprint", std::string("?")));
  out += fmt::format("Plan fingerprint:   {}\n", plan.value("fingerprint", std::string("?")));
  out += fmt::format("Applied: {} migration{}\n", plan["applied"].size(),
                     plan["applied"].size() == 1 ? "" : "s");
  const auto& pending = plan["pending"];
  if (pending.empty()) {
    out += "Pending: none (the database is up to date)\n";
  } else {
    out += fmt::format("Pending: {} migration{} to apply, in order:\n", pending.size(),
                       pending.size() == 1 ? "" : "s");
    for (const auto& p : pending)
      out += fmt::format("  + {}  sha256:{}{}\n", p.value("name", std::string()),
                         p.value("hash", std::string()),
                         p.value("no_transaction", false) ? "  (no-transaction)" : "");
  }
  return out;
}

json run_log(const Options& options, int limit) {
  auto connection = connect(options);
  json runs = json::array();
  if (!pq::relation_exists(*connection, "hectic.migration_run")) return runs;
  auto r = connection->exec_params(
      "SELECT row_to_json(x)::text FROM ("
      "  SELECT id, build_id, command, status,"
      "         to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS started_at,"
      "         to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS finished_at,"
      "         round(extract(epoch FROM finished_at - started_at)::numeric, 3)::float8 AS seconds,"
      "         migrations, error, run_by"
      "  FROM hectic.migration_run ORDER BY id DESC LIMIT $1) AS x",
      {std::to_string(limit)});
  for (int i = 0; i < r.rows(); ++i) {
    auto run = json::parse(r.get(i, 0));
    for (const char* key : {"started_at", "finished_at"})
      if (run.contains(key) && run[key].is_string()) run[key] = text::iso8601_utc(run[key].get<std::string>());
    runs.push_back(std::move(run));
  }
  return runs;
}

std::string run_log_to_text(const json& runs) {
  if (runs.empty()) return "no migrator runs recorded\n";
  std::string out = fmt::format("{:>5}  {:<20}  {:>8}  {:<11}  {:<14}  {:<24}  {}\n", "ID",
                                "STARTED (UTC)", "SECONDS", "STATUS", "BUILD", "COMMAND",
                                "MIGRATIONS");
  for (const auto& run : runs) {
    auto text = [&](const char* key) {
      return run.contains(key) && run[key].is_string() ? run[key].get<std::string>() : std::string("-");
    };
    std::string seconds = run.contains("seconds") && run["seconds"].is_number()
                              ? fmt::format("{:.3f}", run["seconds"].get<double>())
                              : "-";
    out += fmt::format("{:>5}  {:<20}  {:>8}  {:<11}  {:<14}  {:<24}  {}\n",
                       run.value("id", 0LL), text("started_at"), seconds, text("status"),
                       text("build_id"), text("command"), run["migrations"].size());
    for (const auto& m : run["migrations"]) out += fmt::format("       {}\n", m.get<std::string>());
    if (run.contains("error") && run["error"].is_string())
      out += fmt::format("       error: {}\n", run["error"].get<std::string>());
  }
  return out;
}

} // namespace hectic::migrate
