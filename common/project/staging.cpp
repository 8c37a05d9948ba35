#include "common/project/staging.hpp"

#include <map>
#include <sstream>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/pg/pq.hpp"
#include "common/base/process.hpp"

namespace hectic::staging {
namespace {

const log::Logger k_log{"db pull_staging"};

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::string join_quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) {
    if (!out.empty()) out += ' ';
    out += process::shell_quote(word);
  }
  return out;
}

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::vector<std::string> ssh_argv(const Config& config, const std::string& remote_command) {
  std::vector<std::string> args = config.ssh_options;
  // BatchMode: never prompt (a pipeline must fail, not hang); "--" ends ssh's own options.
  args.insert(args.end(), {"-o", "BatchMode=yes", "--", config.ssh_host, remote_command});
  return args;
}

// The host part of an ssh destination, for the header (never a password: ssh has none here).
std::string host_of(const std::string& destination) { return destination; }

} // namespace

Config Config::from_env() {
  Config config;
  config.ssh_host = env::require("STAGING_SSH_HOST");
  config.db_url = env::require("STAGING_DB_URL");
  config.tables = words(env::require("STAGING_DUMP_TABLES"));
  auto flags = env::get("STAGING_DUMP_FLAGS");
  if (!flags)
    throw Error(ExitCode::missing_argument, "environment variable STAGING_DUMP_FLAGS is not set",
                {"set it to the pg_dump flags, e.g. STAGING_DUMP_FLAGS='--data-only --column-inserts' (may be empty)"});
  config.dump_flags = words(*flags);
  if (config.tables.empty())
    throw Error(ExitCode::missing_argument, "environment variable STAGING_DUMP_TABLES lists no table");
  config.ssh_options = words(env::get_or("STAGING_SSH_OPTS", ""));
  config.remote_pg_dump = env::get_or("STAGING_PG_DUMP", "pg_dump");
  config.remote_psql = env::get_or("STAGING_PSQL", "psql");
  return config;
}

namespace {

// The quoted argv as a remote command, prefixed with the read of the password when there is one.
std::string remote_command(const std::vector<std::string>& argv, bool reads_password) {
  return (reads_password ? "IFS= read -r PGPASSWORD && export PGPASSWORD && exec " : "") + join_quoted(argv);
}

} // namespace

std::string remote_stdin(const Config& config) {
  std::map<std::string, std::string> child_env;
  pq::conninfo_for_child(config.db_url, child_env);
  auto password = child_env.find("PGPASSWORD");
  return password == child_env.end() ? "" : password->second + "\n";
}

std::string remote_dump_command(const Config& config) {
  std::map<std::string, std::string> child_env;
  std::vector<std::string> argv{config.remote_pg_dump};
  argv.insert(argv.end(), config.dump_flags.begin(), config.dump_flags.end());
  for (const auto& table : config.tables) argv.push_back("--table=" + table);
  argv.push_back("--dbname=" + pq::conninfo_for_child(config.db_url, child_env));
  return remote_command(argv, !child_env.empty());
}

std::string sequence_query(const std::vector<std::string>& tables) {
  // Names are matched as pg_dump -t would see a plain name: relname, or schema.relname; the
  // result is the regclass text (quoted as needed) and the owned sequence of its id column.
  std::string list;
  for (const auto& table : tables) list += (list.empty() ? "" : ", ") + sql_literal(table);
  // Plain joins through pg_depend (no pg_get_serial_sequence, which raises for a table without
  // an id column): the sequence owned (serial or identity) by the id column of each table.
  return fmt::format(
      "SELECT DISTINCT format('%I.%I', n.nspname, c.relname), format('%I.%I', sn.nspname, s.relname) "
      "FROM unnest(ARRAY[{}]::text[]) AS wanted(name) "
      "JOIN pg_class c ON c.relkind IN ('r', 'p') "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "AND (wanted.name = n.nspname || '.' || c.relname "
      "OR (wanted.name = c.relname AND pg_table_is_visible(c.oid))) "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped "
      "JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid "
      "AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
      "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
      "JOIN pg_namespace sn ON sn.oid = s.relnamespace "
      "ORDER BY 1",
      list);
}

std::string remote_sequence_command(const Config& config) {
  std::map<std::string, std::string> child_env;
  const std::string conninfo = pq::conninfo_for_child(config.db_url, child_env);
  return remote_command({config.remote_psql, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                         "--field-separator=|", "--dbname=" + conninfo, "-c", sequence_query(config.tables)},
                        !child_env.empty());
}

std::size_t pull(const Config& config, const std::filesystem::path& target) {
  auto ssh = process::find_program("ssh");
  process::Options options;
  options.timeout = std::nullopt; // the remote dump moves data: no bound, Ctrl-C still stops it
  options.stdin_data = remote_stdin(config);

  auto dump_command = remote_dump_command(config);
  k_log.info("dumping {} table(s) from {}", config.tables.size(), host_of(config.ssh_host));
  k_log.debug("remote command: {}", pq::redact(dump_command));
  auto dump = process::run(ssh, ssh_argv(config, dump_command), options);
  if (!dump.ok())
    throw Error(ExitCode::generic,
                fmt::format("pg_dump on {} failed ({}): {}", config.ssh_host, dump.describe(),
                            pq::redact(dump.err.substr(dump.err.size() > 2000 ? dump.err.size() - 2000 : 0))),
                {fmt::format("{} kept as it was", target.string())});
  if (dump.out.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(ExitCode::generic, fmt::format("pg_dump on {} returned an empty dump", config.ssh_host),
                {"check STAGING_DUMP_TABLES and STAGING_DUMP_FLAGS", fmt::format("{} kept as it was", target.string())});

  auto sequences = process::run(ssh, ssh_argv(config, remote_sequence_command(config)), options);
  if (!sequences.ok())
    throw Error(ExitCode::generic,
                fmt::format("sequence query on {} failed ({}): {}", config.ssh_host, sequences.describe(),
                            pq::redact(sequences.err)),
                {fmt::format("{} kept as it was", target.string())});

  std::string tables;
  for (const auto& t : config.tables) tables += (tables.empty() ? "" : " ") + t;
  std::string content = fmt::format(
      "-- Pulled from staging by `database pull_staging`\n"
      "-- source host: {}\n-- tables: {}\n-- pulled at: {}\n\n",
      config.ssh_host, tables, text::utc_now_text());
  content += dump.out;
  if (content.back() != '\n') content += '\n';
  std::string setvals;
  std::istringstream lines(sequences.out);
  for (std::string line; std::getline(lines, line);) {
    auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    auto table = line.substr(0, bar), sequence = line.substr(bar + 1);
    setvals += fmt::format("SELECT pg_catalog.setval({}, COALESCE((SELECT max(id) FROM {}), 0) + 1, false);\n",
                           sql_literal(sequence), table);
  }
  if (!setvals.empty()) content += "\n-- sequences follow the pulled ids\n" + setvals;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  // Staging rows are production data: a new file is private (an existing one keeps its mode).
  fs::write_file_atomic(target, content, {.mode = std::nullopt, .new_file_mode = 0600, .owner = std::nullopt, .follow_symlink = true});
  return content.size();
}

} // namespace hectic::staging
