#pragma once
// The hectic SQL bundle compiled in from sql/ (see sql/CMakeLists.txt).
#include <string_view>
#include <vector>

namespace hectic::sql_bundle {

// One file of the bundle: its name ("version", "secret", ...) and its SQL text.
struct Part {
  std::string_view name;
  std::string_view sql;
};

// The bundle version (sql/HECTIC_VERSION).
std::string_view version();

// The parts in the order they must be applied.
const std::vector<Part>& parts();

} // namespace hectic::sql_bundle
