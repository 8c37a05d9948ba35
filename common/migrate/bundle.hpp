#pragma once
// The hectic SQL bundle (sql/, compiled in): applying it to a database, in order, idempotently.
// This is what `migrator init` does; `database hydrate` and `secrets load` call it too.
#include <optional>
#include <string>
#include <string_view>

#include "common/pg/pq.hpp"

namespace hectic::bundle {

// The bundle version compiled in (sql/HECTIC_VERSION).
std::string_view version();

// The whole bundle as one SQL text, parts in apply order with a header line each (what
// `migrator init --dry-run` prints; valid input for psql).
std::string full_sql();

// The bundle version a database records (hectic.version row 'hectic'); nullopt when the table
// or the row does not exist.
std::optional<std::string> installed_version(pq::Connection& connection);

// Applies every part in order inside one transaction (or inside the caller's open
// transaction), serialised against concurrent appliers by a transaction-level advisory lock.
// Idempotent: a database already at this version (including one initialised by the shell
// tools, bundle 0.1.0) only gains what is missing, such as the run-log table.
// Throws Error(internal) naming both versions when the database holds another version, and
// pq::SqlError (exit code generic) when a part fails.
void apply(pq::Connection& connection);

// apply() unless the database already holds this version with every table and event trigger
// of the bundle (the common case of `migrate` on a production database: no DDL, no CREATE
// privilege needed). Returns true when it applied.
bool ensure(pq::Connection& connection);

// Replaces hectic.secret with the pairs of a dotenv text (sent as a bound parameter, never
// spliced into SQL). The bundle must be applied.
void load_secrets(pq::Connection& connection, std::string_view dotenv_content);

} // namespace hectic::bundle
