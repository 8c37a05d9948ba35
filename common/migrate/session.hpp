#pragma once
// Internal to the migrate layer: the migration lock, a session-level advisory lock held on a
// dedicated connection for the whole run (the session itself is connect() in migrate.hpp).
#include <memory>

#include "common/migrate/migrate.hpp"
#include "common/pg/pq.hpp"

namespace hectic::migrate {

// The migration lock: pg_try_advisory_lock polled on its own autocommit connection, bounded
// by --lock-wait. Released when the connection closes (also when the process dies). Throws
// Error(generic) naming the holder when the wait times out.
class MigrationLock {
public:
  explicit MigrationLock(const Options& options);
  ~MigrationLock();
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

private:
  // " (held by pid ..., ..., connected since ... UTC)", or "" when unknown.
  std::string holder();

  std::unique_ptr<pq::Connection> m_connection;
};

} // namespace hectic::migrate
