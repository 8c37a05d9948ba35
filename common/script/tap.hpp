#pragma once
// Reads the TAP that pgTAP prints (`database test`): counts, plan and directives, so a plan
// that ran short or a bail-out fails the run, and a `# TODO` test does not.
#include <optional>
#include <string_view>

namespace hectic::tap {

struct Tally {
  int total = 0;               // top-level "ok"/"not ok" lines
  int failed = 0;              // "not ok" without a TODO directive
  std::optional<int> planned;  // the top-level "1..N" plan
  bool bailed_out = false;     // "Bail out!"
  bool ok() const { return failed == 0 && !bailed_out && (!planned || *planned == total); }
};

// Top-level lines only: indented lines are subtests, summarised by their parent's line.
Tally read(std::string_view output);

} // namespace hectic::tap
