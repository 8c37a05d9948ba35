#pragma once
// `database log`: the server log files of a cluster ($PG_WORKING_DIR/data/log), listed in
// order and selected by index, exact name or unique substring.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace hectic::serverlog {

// The regular files of dir, sorted by name (PostgreSQL names them by start time). Throws
// Error(generic) naming dir when it does not exist.
std::vector<std::filesystem::path> list(const std::filesystem::path& dir);

// "1  postgresql-2026-11-21_115000.log  (2.1 KiB)" lines, numbered from 1.
std::string format_list(const std::vector<std::filesystem::path>& files);

// Picks one file: a 1-based index, an exact file name, or a substring matching exactly one
// name. Throws Error(generic) with a hint for an unknown or ambiguous selector.
std::filesystem::path select(const std::vector<std::filesystem::path>& files, const std::string& selector);

// The files' contents, each preceded by a "==> NAME <==" header when there are several.
std::string concatenate(const std::vector<std::filesystem::path>& files);

// Writes the files to out back to back, byte for byte, one file in memory at a time: the
// piped output (`cat` of the files), with no header and no newline added.
void write_back_to_back(const std::vector<std::filesystem::path>& files, std::ostream& out);

} // namespace hectic::serverlog
