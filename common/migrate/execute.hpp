#pragma once
// Internal to the migrate layer: the steps of a run (which files to run, in which direction)
// and running them with the run log around them.
#include <cstddef>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "common/migrate/migrate.hpp"
#include "common/migrate/run_log.hpp"

namespace hectic::migrate {

// One migration file to run in a direction.
struct Step {
  const Migration* migration;
  bool up;
  std::filesystem::path file;
  std::string hash; // up: recorded in hectic.migration
  bool no_transaction;
};

// The steps from position current to target (up: the unapplied migrations of files[current,
// target); down: the applied ones of files[target, current), last first). Throws
// Error(generic) for a migration without the file the direction needs.
std::vector<Step> plan_steps(const std::vector<Migration>& files,
                             const std::vector<Applied>& applied, std::size_t current,
                             std::size_t target);

// Runs steps with the run log around them; shared by migrate and apply. Throws
// Error(migration_failed) when a migration fails, Error(interrupted) after a signal.
RunResult run_steps(pq::Connection& connection, const Options& options,
                    const std::vector<Migration>& files, std::size_t current, std::size_t target,
                    const std::vector<Step>& steps, RunLog& log);

// The message of e with its hints (one "\nhint: ..." line each), as the run log records it.
std::string describe_failure(const std::exception& e);

} // namespace hectic::migrate
