#pragma once
// The configuration files postgres-init writes into a data dir: the settings forced on every
// start (hectic.runtime.conf and its include line), the base settings of a fresh init,
// pg_hba.conf, and the choice of preload libraries.
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hectic::cluster::detail {

// The file (inside data/) holding the settings forced on every start.
inline constexpr const char* k_runtime_conf = "hectic.runtime.conf";
// The line that makes postgresql.conf read k_runtime_conf last.
inline constexpr const char* k_include_line = "include 'hectic.runtime.conf'";

// Comma-separated library list, trimmed, empty entries dropped.
std::vector<std::string> split_libraries(std::string_view text);
// Where the server would load a preload library from: "$libdir/x", "/abs/x.so" or "x".
std::filesystem::path library_file(const std::string& library, const std::filesystem::path& pkglib_dir);

// Which requested preload libraries the server has (in pkglib_dir). A missing one is dropped
// (reported in `missing`) when the list is only the default; when explicit it is
// Error(missing_program) naming it.
struct PreloadDecision {
  std::vector<std::string> kept;
  std::vector<std::pair<std::string, std::filesystem::path>> missing; // library, file looked for
};
// Checks each library of `requested` against pkglib_dir (see PreloadDecision).
PreloadDecision decide_preload(std::string_view requested, bool explicit_request,
                               const std::filesystem::path& pkglib_dir);

// A postgresql.conf string literal: 'it''s'.
std::string conf_quote(std::string_view value);

// The settings forced on every start (README.md, "postgres-init").
struct RuntimeSettings {
  std::filesystem::path data_dir;
  std::filesystem::path socket_dir;
  int port = 5432;
  bool logging = true;
  std::vector<std::string> preload; // already checked against the server's pkglibdir
  std::string cron_database;        // PG_DATABASE (pg_cron runs its jobs there)
  std::string signature;            // the request that produced these settings (fast path)
};

// The content of hectic.runtime.conf.
std::string render_runtime_conf(const RuntimeSettings& settings);
// The signature line recorded in a runtime conf, or "" when none.
std::string runtime_signature(std::string_view runtime_conf);
// The base settings appended to initdb's postgresql.conf on a fresh init (no PG_CONF_FILE).
std::string render_base_conf();
// conf with k_include_line as its last setting line (added, or moved to the end).
std::string with_include_last(std::string_view conf);
// pg_hba.conf: trust on the local socket, nothing else.
std::string render_hba_conf();

} // namespace hectic::cluster::detail
