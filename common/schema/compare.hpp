#pragma once
// `migrator diff` as one call (README "migrator diff"): open both sides, read their models,
// diff, and with apply change the first side and check that nothing is left.
#include <optional>
#include <string>
#include <vector>

#include "common/schema/apply.hpp"
#include "common/schema/diff.hpp"
#include "common/schema/render.hpp"

namespace hectic::schema {

struct CompareRequest {
  std::string from; // URL, .sql file, entrypoint directory or migration directory
  std::string to;
  Filter filter;
  DiffOptions diff;
  bool hook = false;  // load the hectic bundle into file sources first
  bool apply = false; // change `from` (a URL) to match `to`
  // --target-schema / --source-schema: compare schema from_schema of `from` with schema
  // to_schema of `to`, whose objects are taken as if they lived in from_schema (empty: all).
  std::string from_schema;
  std::string to_schema;
  ApplyOptions apply_options;
};

struct CompareResult {
  std::vector<Statement> statements; // what was (or would be) run against `from`
  DiffSides sides;
  bool applied = false;
};

// Throws Error(missing_argument) for a bad source, Error(ambiguous) when --apply is refused,
// Error(generic) when the sides cannot be read or, after apply, differences remain (named).
CompareResult compare(const CompareRequest& request);

// Warns when the models come from different PostgreSQL major versions (definitions may print
// differently).
void warn_on_major_mismatch(const Model& a, const Model& b);

// After an apply: throws Error(generic) "after --apply, FROM still differs from TO", naming
// the statements left (the first ten), unless `left` holds only what --rename-before-drop kept
// aside on purpose (names with _dropped_<stamp>).
void require_converged(std::vector<Statement> left, const CompareRequest& request, const DiffSides& sides);

} // namespace hectic::schema
