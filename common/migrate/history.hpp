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

// Logs a warning naming each migration before position that is not applied (a gap --force
// went past, as the shell migrator does, but said) and how to settle it.
void warn_left_behind(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                      std::size_t position);

// Where a run from current to target leaves the database, for the report: on the way down,
// back past migrations of a gap that were never applied. Never past the end of files.
std::size_t landing_position(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                             std::size_t current, std::size_t target);

} // namespace hectic::migrate
