#pragma once
// Internal to the migrate layer: acting on the comparison of hectic.migration with the
// directory (check_history and read_history are in migrate.hpp).
#include <cstddef>
#include <vector>

#include "common/migrate/migrate.hpp"

namespace hectic::migrate {

// Throws Error(ambiguous) for a history mismatch, a missing or a changed applied up file;
// with force it logs a warning for each and returns.
void enforce_history(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                     const HistoryCheck& check, bool force);

// Where the database stands in the directory: the number of migrations of the applied prefix
// (with --force past a mismatch: up to the last applied one found in the directory).
std::size_t current_position(const std::vector<Migration>& files,
                             const std::vector<Applied>& applied, const HistoryCheck& check);

} // namespace hectic::migrate
