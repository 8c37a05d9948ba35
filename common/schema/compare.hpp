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

} // namespace hectic::schema
