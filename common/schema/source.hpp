#pragma once
// The sides of a diff (README "migrator diff", "Sources"): a live database by URL, or a desired
// state loaded into a throw-away cluster — a .sql file, a directory with entrypoint.sql (psql
// scripts, run by our engine), or a migration directory (migrate up all).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/pg/pq.hpp"
#include "common/schema/model.hpp"

namespace hectic::schema {

// What a source becomes once opened.
struct Side {
  std::string description; // "user@db on host:port" or the file, never a password
  std::string url;         // where it can be reached while the Sources live
  bool live = false;       // a URL given by the user (the only kind --apply may change)
};

// Opens sources; owns the throw-away cluster the file sources share (started on first use,
// stopped and removed with this object, also on SIGINT/SIGTERM).
class Sources {
public:
  Sources();
  ~Sources();
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;

  // A URL or conninfo is used as is; a path is loaded into a new database of the throw-away
  // cluster, after `roles` are created there (bare, NOLOGIN) and, with hook, the hectic bundle.
  // Throws Error(missing_argument) naming a source that is neither, Error(generic) when the
  // source fails to load (file:line and the server's message).
  Side open(const std::string& source, const std::vector<std::string>& roles, bool hook);

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// True when text is a connection URL (postgres://, postgresql://) or conninfo (key=value).
bool is_connection_string(const std::string& text);
// The login roles and groups of a live database (not pg_*), to recreate beside a file source.
std::vector<std::string> user_roles(pq::Connection& connection);
// The union of the user roles of the databases at urls, read on up to jobs threads (one file
// source shared by many databases may grant to the roles of any). A database that cannot be
// read is skipped: the run against it reports why.
std::vector<std::string> user_roles(const std::vector<std::string>& urls, std::size_t jobs);

} // namespace hectic::schema
