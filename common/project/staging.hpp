#pragma once
// `database pull_staging`: real rows from the staging database into PATCH_SQL, through
// `ssh STAGING_SSH_HOST pg_dump ...`. Every word of the remote command is shell-quoted for the
// remote shell, so table names, URLs and flags can never run anything there.
#include <filesystem>
#include <string>
#include <vector>

namespace hectic::staging {

struct Config {
  std::string ssh_host;                 // STAGING_SSH_HOST
  std::string db_url;                   // STAGING_DB_URL
  std::vector<std::string> tables;      // STAGING_DUMP_TABLES (blank-separated)
  std::vector<std::string> dump_flags;  // STAGING_DUMP_FLAGS (blank-separated, may be empty)
  std::vector<std::string> ssh_options; // STAGING_SSH_OPTS (new: e.g. "-F ./ssh_config -p 2222")
  std::string remote_pg_dump = "pg_dump"; // STAGING_PG_DUMP (new: the program on the remote host)
  std::string remote_psql = "psql";       // STAGING_PSQL (new)

  // Reads the environment; throws Error(missing_argument) naming the first missing STAGING_*
  // variable (STAGING_SSH_HOST, STAGING_DB_URL, STAGING_DUMP_TABLES, STAGING_DUMP_FLAGS).
  static Config from_env();
};

// What the remote commands read on stdin: the password of db_url and a newline, or nothing. The
// command lines show in ps on both hosts, so a password never is part of them.
std::string remote_stdin(const Config& config);

// The remote shell command running pg_dump (every word quoted).
std::string remote_dump_command(const Config& config);

// The SQL that lists "table|sequence" for each listed table whose id column owns a sequence.
std::string sequence_query(const std::vector<std::string>& tables);

// The remote shell command running that query with psql (every word quoted).
std::string remote_sequence_command(const Config& config);

// Dumps over ssh and writes target atomically: header (source host, UTC time), the dump, one
// setval per table whose id owns a sequence. The previous file survives any failure; an empty
// dump is Error(generic). Returns the size written.
std::size_t pull(const Config& config, const std::filesystem::path& target);

} // namespace hectic::staging
