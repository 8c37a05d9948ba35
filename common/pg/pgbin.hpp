#pragma once
// PostgreSQL binary discovery: PG_BIN_DIR (authoritative when set and non-empty), PATH,
// `pg_config --bindir`, then the newest /usr/lib/postgresql/*/bin.
#include <filesystem>
#include <string>

namespace hectic::pgbin {

// The directory holding initdb/pg_ctl/pg_dump... Throws Error(missing_program) naming initdb
// when none is found.
std::filesystem::path bin_dir();

// The absolute path of a PostgreSQL program (initdb, pg_ctl, postgres, pg_dump, psql,
// pg_basebackup, ...). Throws Error(missing_program) naming it.
std::filesystem::path program(const std::string& name);

// `postgres --version` major.minor text, e.g. "15.20" (cached per bin dir).
std::string server_version();

// The server's pkglibdir (`pg_config --pkglibdir`, else <bindir>/../lib): where preload
// libraries like pg_cron.so live.
std::filesystem::path pkglib_dir();

} // namespace hectic::pgbin
