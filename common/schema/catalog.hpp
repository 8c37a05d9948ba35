#pragma once
// Reads a database into a schema::Model (README "migrator diff"): one query per object kind
// through pg_catalog and the pg_get_*def functions, with search_path pinned to pg_catalog so
// every name comes out schema-qualified.
#include "common/pg/pq.hpp"
#include "common/schema/model.hpp"

namespace hectic::schema {

// The model of the database behind connection. Sets search_path = pg_catalog on it. Throws
// Error(generic) naming the kind and object when the database holds a kind the engine does
// not diff (never a silent "no differences").
Model read_catalog(pq::Connection& connection, const Filter& filter);

} // namespace hectic::schema
