#include "common/project/dbdiff.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "common/project/backup.hpp"
#include "common/cluster/cluster.hpp"
#include "common/project/deploy.hpp"
#include "common/project/generate.hpp"
#include "common/project/layout.hpp"
#include "common/schema/describe.hpp"
#include "common/schema/render.hpp"
#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/progress.hpp"
#include "common/pg/dump.hpp"
#include "common/pg/pq.hpp"
#include "common/base/process.hpp"
#include "common/base/text.hpp"

namespace hectic::dbdiff {
namespace stdfs = std::filesystem;
namespace {

const log::Logger k_log{"db diff"};
constexpr const char* k_db1 = "DB1 (backup + migrations)";
constexpr const char* k_db2 = "DB2 (sources)";

bool starts_with(std::string_view text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

struct Canonical {
  std::string text;                 // CREATE TABLE column lists sorted
  std::map<std::string, std::string> tables; // table -> its block as dumped
};

// Sorts the column lines of every CREATE TABLE block (pg_dump: "CREATE TABLE x (" ... ")").
Canonical canonical_columns(std::string_view dump) {
  Canonical result;
  auto lines = text::split_lines(dump);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line(lines[i]);
    if (starts_with(line, "CREATE TABLE ") && !line.empty() && line.back() == '(') {
      std::string name = line.substr(13, line.size() - 15);
      std::string block = line + "\n";
      std::vector<std::string> columns;
      std::size_t j = i + 1;
      for (; j < lines.size() && !starts_with(lines[j], ")"); ++j) {
        block += std::string(lines[j]) + "\n";
        std::string column(lines[j]);
        if (!column.empty() && column.back() == ',') column.pop_back();
        columns.push_back(column);
      }
      std::sort(columns.begin(), columns.end());
      result.text += line + "\n";
      for (const auto& c : columns) result.text += c + "\n";
      if (j < lines.size()) {
        result.text += std::string(lines[j]) + "\n";
        block += std::string(lines[j]) + "\n";
      }
      result.tables[name] = block;
      i = j;
      continue;
    }
    result.text += line + "\n";
  }
  return result;
}

stdfs::path migrator() { return layout::migrator_program(); }

std::string dump_schema(const std::string& url, const std::vector<std::string>& tables) {
  std::vector<std::string> args{"--no-owner", "--no-privileges"};
  for (const auto& t : tables) args.push_back("--table=" + t);
  return pq::dump_schema(url, args);
}

// The catalog's name of a --tables entry on this side (regclass text, quoted as needed), or
// nullopt when it names no table there. The user's text never becomes SQL text.
std::optional<std::string> resolve_table(pq::Connection& connection, const std::string& name) {
  try {
    auto result = connection.exec_params("SELECT to_regclass($1)::text", {name});
    if (result.rows() == 0 || result.is_null(0, 0)) return std::nullopt;
    return result.get(0, 0);
  } catch (const pq::SqlError&) {
    return std::nullopt; // not even a name (to_regclass raises on bad syntax)
  }
}

// Exit 5 naming the first --tables entry that is a table on neither side, before pg_dump
// would fail on it with a less helpful message.
void require_tables(const std::string& url1, const std::string& url2, const std::vector<std::string>& tables) {
  if (tables.empty()) return;
  pq::Connection c1(url1, "database diff"), c2(url2, "database diff");
  for (const auto& name : tables)
    if (!resolve_table(c1, name) && !resolve_table(c2, name))
      throw Error(ExitCode::no_such_table,
                  fmt::format("--tables: {} is a table in neither DB1 (backup + migrations) nor DB2 (sources)",
                              name));
}

// Columns of a table in name order, without the timestamps inherited from hectic.created_at /
// hectic.updated_at (they record when each side was built, not what it holds).
std::string row_lines(pq::Connection& connection, const std::string& name) {
  const auto table = resolve_table(connection, name);
  if (!table) return {};
  auto columns = connection.exec_params(
      "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attname) FROM pg_attribute a "
      "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
      "AND NOT (a.attinhcount > 0 AND a.attname IN (SELECT p.attname FROM pg_attribute p "
      "  WHERE p.attrelid IN (to_regclass('hectic.created_at'), to_regclass('hectic.updated_at')) AND p.attnum > 0))",
      {*table});
  if (columns.rows() == 0 || columns.is_null(0, 0)) return {};
  auto rows = connection.exec(fmt::format("SELECT ROW({})::text FROM {} ORDER BY 1", columns.get(0, 0), *table));
  std::string text;
  for (int r = 0; r < rows.rows(); ++r) text += rows.get(r, 0) + "\n";
  return text;
}

std::vector<std::string> immutable_tables(pq::Connection& connection) {
  auto result = connection.exec(
      "SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = to_regclass('hectic.immutable') ORDER BY 1");
  std::vector<std::string> tables;
  for (int r = 0; r < result.rows(); ++r) tables.push_back(result.get(r, 0));
  return tables;
}

bool has_hectic(pq::Connection& connection) {
  return connection.exec("SELECT to_regnamespace('hectic') IS NOT NULL").scalar() == "t";
}

// Keeps the server logs of a throw-away cluster for `diff log`.
void keep_logs(const stdfs::path& working_dir, const stdfs::path& into) noexcept {
  std::error_code ec;
  stdfs::remove_all(into, ec);
  stdfs::create_directories(into, ec);
  for (const auto& dir : {working_dir / "data" / "log", working_dir}) {
    if (!stdfs::is_directory(dir, ec)) continue;
    for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
      auto name = entry.path().filename().string();
      bool log_file = entry.is_regular_file(ec) && name.size() > 4 && name.substr(name.size() - 4) == ".log";
      if (log_file) stdfs::copy_file(entry.path(), into / name, stdfs::copy_options::overwrite_existing, ec);
    }
  }
}

void run_migrator(const std::vector<std::string>& args, const std::string& url, bool ignore_fail,
                  const stdfs::path& log_file) {
  std::vector<std::string> argv = args;
  argv.insert(argv.end(), {"--db-url", url, "--migration-dir", env::migration_dir().string()});
  process::Options options;
  options.output = process::Output::log_file;
  options.log_file = log_file;
  options.timeout = std::nullopt; // migrations move data: no bound, Ctrl-C still stops them
  auto result = process::run(migrator(), argv, options);
  if (result.ok()) return;
  std::string tail;
  try {
    auto text = fs::read_file(log_file);
    tail = text.substr(text.size() > 1500 ? text.size() - 1500 : 0);
  } catch (...) {
  }
  if (ignore_fail) {
    k_log.warn("migrator {} {} (--ignore-migration-fail): {}", args.front(), result.describe(), tail);
    return;
  }
  throw Error(ExitCode::generic, fmt::format("migrator {} failed on DB1 ({}): {}", args.front(), result.describe(), tail),
              {"fix the migration, or compare anyway with --ignore-migration-fail", "database diff log   # server logs"});
}

} // namespace

std::string normalize_dump(std::string_view dump) {
  std::string out;
  bool blank = false;
  for (std::string_view line : text::split_lines(dump)) {
    if (starts_with(line, "\\restrict") || starts_with(line, "\\unrestrict")) continue;
    if (starts_with(line, "-- Dumped from database version") || starts_with(line, "-- Dumped by pg_dump version"))
      continue;
    bool is_blank = line.find_first_not_of(" \t\r") == std::string::npos;
    if (is_blank && blank) continue;
    blank = is_blank;
    out += line;
    out += '\n';
  }
  return out;
}

std::optional<std::vector<std::string>> column_order_only(std::string_view a, std::string_view b) {
  if (a == b) return std::vector<std::string>{};
  auto ca = canonical_columns(a), cb = canonical_columns(b);
  if (ca.text != cb.text) return std::nullopt;
  std::vector<std::string> tables;
  for (const auto& [name, block] : ca.tables) {
    auto other = cb.tables.find(name);
    if (other != cb.tables.end() && other->second != block) tables.push_back(name);
  }
  return tables;
}

std::string unified_diff(std::string_view a, std::string_view b, const std::string& label_a,
                         const std::string& label_b) {
  if (a == b) return {};
  fs::TempDir dir("diff");
  auto fa = dir.path() / "a", fb = dir.path() / "b";
  fs::write_file_atomic(fa, a);
  fs::write_file_atomic(fb, b);
  auto result = process::run("diff", {"-u", "--label", label_a, "--label", label_b, fa.string(), fb.string()});
  if (result.exit_code == 0) return {};
  if (result.exit_code != 1) fail(ExitCode::generic, "diff {}: {}", result.describe(), result.err);
  return result.out;
}


namespace {

// The backup to restore for DB1; it must exist before any cluster starts.
stdfs::path existing_backup(const Options& options) {
  auto backup_path = options.backup ? *options.backup : layout::backup_dir();
  std::error_code ec;
  if (!stdfs::exists(backup_path, ec))
    throw Error(ExitCode::generic, fmt::format("backup {} does not exist", backup_path.string()),
                {"create one with: database backup, or pass BACKUP_PATH"});
  return backup_path;
}

// DB1: the backup restored, then every migration applied. Returns its URL.
std::string provision_db1(const stdfs::path& working_dir, const stdfs::path& backup_path, const Options& options) {
  auto config = cluster::Config::for_working_dir(working_dir);
  config.log_path.reset();
  auto endpoint = backup::restore_into(config, backup_path, options.archive);
  k_log.info("DB1: backup restored; applying all migrations");
  run_migrator({"migrate", "up", "all"}, endpoint.url, options.ignore_migration_fail,
               layout::diff_logs_dir() / "migrator-db1.log");
  return endpoint.url;
}

// DB2: a fresh cluster hydrated from the sources, then `migrator init`. Returns its URL.
std::string provision_db2(const stdfs::path& working_dir, const Options& options, const stdfs::path& hydrate_log) {
  auto config = cluster::Config::for_working_dir(working_dir);
  config.log_path.reset();
  config.reuse = false;
  auto endpoint = cluster::start(config);
  k_log.info("DB2: hydrating from sources");
  deploy::hydrate(endpoint.url, deploy::HydrateOptions{true, options.mock, {}, hydrate_log});
  run_migrator({"init"}, endpoint.url, false, layout::diff_logs_dir() / "migrator-db2.log");
  return endpoint.url;
}

// Both sides at once (each takes a cluster start); rethrows DB1's error, else DB2's, after
// logging DB2's when both failed.
std::pair<std::string, std::string> provision_both(const stdfs::path& dir1, const stdfs::path& dir2,
                                                   const stdfs::path& backup_path, const Options& options,
                                                   const stdfs::path& hydrate_log) {
  std::string url1, url2;
  std::exception_ptr error1, error2;
  std::thread side1([&] {
    try {
      url1 = provision_db1(dir1, backup_path, options);
    } catch (...) {
      error1 = std::current_exception();
    }
  });
  std::thread side2([&] {
    try {
      url2 = provision_db2(dir2, options, hydrate_log);
    } catch (...) {
      error2 = std::current_exception();
    }
  });
  side1.join();
  side2.join();
  if (error1 && error2) {
    try {
      std::rethrow_exception(error2);
    } catch (const std::exception& e) {
      k_log.error("DB2 failed too: {}", e.what());
    }
  }
  if (error1 || error2) std::rethrow_exception(error1 ? error1 : error2);
  return {url1, url2};
}

// The schema dumps: a column-order-only difference is noted, anything else is a unified diff.
void compare_schemas(const std::string& url1, const std::string& url2, const Options& options, Report& report) {
  auto schema1 = normalize_dump(dump_schema(url1, options.tables));
  auto schema2 = normalize_dump(dump_schema(url2, options.tables));
  if (schema1 == schema2) return;
  if (auto reordered = column_order_only(schema1, schema2)) {
    report.column_order_only = *reordered;
    std::string names;
    for (const auto& t : *reordered) names += (names.empty() ? "" : ", ") + t;
    report.text += fmt::format("-- column order differs only (not a schema change): {}\n", names);
  } else {
    report.schema_equal = false;
    report.text += unified_diff(schema1, schema2, "DB1 (backup + migrations)", "DB2 (sources)");
  }
}

// The rows of --tables, then of every table inheriting hectic.immutable (when a hectic
// schema exists) that --tables did not already cover.
void compare_data(const std::string& url1, const std::string& url2, const Options& options, Report& report) {
  pq::Connection c1(url1, "database diff"), c2(url2, "database diff");
  std::set<std::string> data_tables(options.tables.begin(), options.tables.end());
  bool hectic = has_hectic(c1) || has_hectic(c2);
  std::set<std::string> immutable;
  if (hectic) {
    for (auto& t : immutable_tables(c1)) immutable.insert(t);
    for (auto& t : immutable_tables(c2)) immutable.insert(t);
  }
  std::string data_text;
  auto compare_rows = [&](const std::string& table) {
    auto rows1 = row_lines(c1, table), rows2 = row_lines(c2, table);
    auto d = unified_diff(rows1, rows2, "DB1 " + table, "DB2 " + table);
    if (!d.empty()) {
      report.data_equal = false;
      data_text += d;
    }
  };
  if (!data_tables.empty()) {
    for (const auto& t : data_tables) compare_rows(t);
    if (!data_text.empty()) report.text += "--- TABLE DATA ---\n" + data_text;
    data_text.clear();
  }
  if (hectic) {
    for (const auto& t : immutable)
      if (!data_tables.count(t)) compare_rows(t);
    report.text += "--- IMMUTABLE TABLE DATA ---\n";
    report.text += data_text.empty() ? fmt::format("-- {} immutable table(s), no differences\n", immutable.size()) : data_text;
  }
}

// --generate: write the migration DB1 -> DB2, then prove it on DB1 (its up makes DB1 equal
// DB2 for the engine and for the dump comparison; its down returns to DB1's schema).
void generate_migration(const std::string& url1, const std::string& url2, const schema::Model& m1,
                        const schema::Model& m2, const std::vector<schema::Statement>& up,
                        const Options& options, Report& report) {
  generate::Request request{env::migration_dir(), *options.generate, options.allow_drop, k_db1, k_db2,
                            "database diff --generate"};
  if (up.empty()) {
    if (!report.schema_equal)
      throw Error(ExitCode::generic,
                  "the schema dumps differ but the schema engine sees no difference: nothing written",
                  {"the dump diff shows what differs; write that migration by hand: database migrator create "
                   "--name NAME"});
    k_log.notice("nothing to generate: the schema engine sees no difference between {} and {}", k_db1, k_db2);
    return;
  }
  auto generated = generate::plan(m1, m2, request);
  generate::write(generated, request);
  report.generated = generated.dir.string();
  k_log.notice("wrote {} (up: {}; down: {})", report.generated, schema::summary(generated.up),
               schema::summary(generated.down));
  const schema::Filter filter;
  generate::prove(url1, generated, request, m1, m2, filter, [&] {
    Report again;
    compare_schemas(url1, url2, options, again);
    if (!again.schema_equal)
      throw Error(ExitCode::generic,
                  fmt::format("after migrate up of {}, the schema dumps of {} and {} still differ:\n{}",
                              generated.dir.filename().string(), k_db1, k_db2, again.text),
                  {fmt::format("the files are kept: fix them by hand, or remove {}", report.generated)});
  });
}

// The engine's lines, --sql's script and --generate (not with --tables: the engine reads every
// schema). Without --sql/--generate a side the engine cannot read is a note, not an error: the
// dump diff stays what it was.
void engine_compare(const std::string& url1, const std::string& url2, const Options& options, Report& report) {
  const schema::Filter filter;
  schema::Model m1, m2;
  try {
    m1 = generate::read_model(url1, filter);
    m2 = generate::read_model(url2, filter);
  } catch (const Error& e) {
    if (options.sql || options.generate) throw;
    report.engine_note = e.what();
    return;
  }
  report.changes = schema::describe_changes(m1, m2);
  auto up = schema::diff(m1, m2, schema::DiffOptions{});
  if (options.sql) {
    schema::DiffSides sides;
    sides.from = k_db1;
    sides.to = k_db2;
    sides.from_version = m1.server_version_text;
    sides.to_version = m2.server_version_text;
    sides.from_fingerprint = m1.fingerprint();
    sides.to_fingerprint = m2.fingerprint();
    sides.notes = schema::column_order_differences(m1, m2);
    report.sql = schema::render_script(up, sides);
  }
  if (!options.generate) return;
  try {
    generate_migration(url1, url2, m1, m2, up, options, report);
  } catch (const Error&) {
    report.failure = std::current_exception(); // shown after the diff and the lines
  }
}

} // namespace

Report run(const Options& options) {
  auto backup_path = existing_backup(options);
  migrator(); // exit 127 before any cluster starts when it is missing
  auto focus = layout::scratch_parent();
  fs::create_directories(layout::diff_logs_dir());
  auto hydrate_log = layout::diff_logs_dir() / "hydrate.log";
  std::error_code ec;
  stdfs::remove(hydrate_log, ec);

  backup::ScratchDir dir1(focus / "postgresql-diff-db1", "diff");
  backup::ScratchDir dir2(focus / "postgresql-diff-db2", "diff");
  // The server logs survive the clusters, whatever happens, for `database diff log`.
  auto keep = [&] {
    keep_logs(dir1.path(), layout::diff_logs_dir() / "db1");
    keep_logs(dir2.path(), layout::diff_logs_dir() / "db2");
  };
  Report report;
  try {
    auto [url1, url2] = [&] {
      progress::Phase phase("provisioning DB1 (backup + migrations) and DB2 (sources)");
      return provision_both(dir1.path(), dir2.path(), backup_path, options, hydrate_log);
    }();
    progress::Phase phase("comparing DB1 and DB2");
    require_tables(url1, url2, options.tables);
    compare_schemas(url1, url2, options, report);
    compare_data(url1, url2, options, report);
    if (options.tables.empty()) engine_compare(url1, url2, options, report);
    if (report.equal())
      report.text = "-- no differences: DB1 (backup + migrations) equals DB2 (sources)\n" + report.text;
  } catch (...) {
    keep();
    throw;
  }
  keep();
  return report;
}

} // namespace hectic::dbdiff
