#include "common/cluster/conf.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;

std::vector<std::string> split_libraries(std::string_view text) {
  std::vector<std::string> libraries;
  while (true) {
    auto comma = text.find(',');
    auto item = text::trim(text.substr(0, comma));
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"')
      item = item.substr(1, item.size() - 2);
    if (!item.empty()) libraries.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return libraries;
}

stdfs::path library_file(const std::string& library, const stdfs::path& pkglib_dir) {
  std::string name = library;
  const std::string libdir = "$libdir/";
  if (name.rfind(libdir, 0) == 0) name = (pkglib_dir / name.substr(libdir.size())).string();
  stdfs::path path = name.find('/') == std::string::npos ? pkglib_dir / name : stdfs::path(name);
  // The server appends the shared-library suffix when the name has none.
  if (path.extension() != ".so") path += ".so";
  return path;
}

PreloadDecision decide_preload(std::string_view requested, bool explicit_request, const stdfs::path& pkglib_dir) {
  PreloadDecision decision;
  for (const auto& library : split_libraries(requested)) {
    auto file = library_file(library, pkglib_dir);
    std::error_code ec;
    if (stdfs::exists(file, ec)) {
      decision.kept.push_back(library);
      continue;
    }
    if (explicit_request)
      throw Error(ExitCode::missing_program,
                  fmt::format("preload library '{}' is not installed: {} does not exist", library, file.string()),
                  {"install it (Debian: postgresql-15-cron for pg_cron), or fix PG_SHARED_PRELOAD_LIBRARIES",
                   "PG_SHARED_PRELOAD_LIBRARIES= (empty) starts without preload libraries"});
    decision.missing.emplace_back(library, file);
  }
  return decision;
}

std::string conf_quote(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') quoted += "''";
    else if (c == '\\') quoted += "\\\\";
    else quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string render_runtime_conf(const RuntimeSettings& settings) {
  std::string signature = settings.signature;
  std::replace(signature.begin(), signature.end(), '\n', ' ');
  std::string text = fmt::format(
      "# Written by postgres-init on every start: edits here are overwritten.\n"
      "# hectic-signature: {}\n"
      "listen_addresses = ''\n"
      "port = {}\n"
      "unix_socket_directories = {}\n"
      "hba_file = {}\n"
      "ident_file = {}\n"
      "logging_collector = {}\n",
      signature, settings.port, conf_quote(settings.socket_dir.string()),
      conf_quote((settings.data_dir / "pg_hba.conf").string()),
      conf_quote((settings.data_dir / "pg_ident.conf").string()), settings.logging ? "on" : "off");
  if (!settings.preload.empty()) {
    std::string joined;
    for (const auto& library : settings.preload) joined += (joined.empty() ? "" : ",") + library;
    text += fmt::format("shared_preload_libraries = {}\n", conf_quote(joined));
    bool cron = std::any_of(settings.preload.begin(), settings.preload.end(),
                            [](const std::string& l) { return stdfs::path(l).stem() == "pg_cron"; });
    if (cron) {
      // pg_cron connects for its jobs; with no TCP listener it must use the socket dir.
      text += fmt::format("cron.database_name = {}\n", conf_quote(settings.cron_database));
      text += fmt::format("cron.host = {}\n", conf_quote(settings.socket_dir.string()));
    }
  }
  return text;
}

std::string runtime_signature(std::string_view runtime_conf) {
  const std::string_view prefix = "# hectic-signature: ";
  for (auto line : text::split_lines(runtime_conf))
    if (line.substr(0, prefix.size()) == prefix) return std::string(line.substr(prefix.size()));
  return {};
}

std::string render_base_conf() {
  return "\n"
         "# --- postgres-init: base settings of a throw-away development cluster ---\n"
         "max_connections = 100\n"
         "shared_buffers = 128MB\n"
         "# Throw-away clusters: no fsync (an OS crash can corrupt the data; postgres-init with\n"
         "# PG_REUSE then moves it aside and starts fresh). Commits still reach the kernel, so a\n"
         "# crashed server loses nothing.\n"
         "fsync = off\n"
         "log_destination = 'stderr'\n"
         "log_directory = 'log'\n"
         "log_filename = 'postgresql-%Y-%m-%d_%H%M%S.log'\n"
         "log_file_mode = 0640\n"
         "log_line_prefix = '%m [%p] %q%u@%d '\n";
}

std::string with_include_last(std::string_view conf) {
  const std::string_view comment = "# hectic: the settings postgres-init forces on every start";
  std::vector<std::string_view> kept;
  for (auto line : text::split_lines(conf)) {
    auto content = text::trim(line);
    if (content == k_include_line || content == comment) continue;
    kept.push_back(line);
  }
  while (!kept.empty() && text::trim(kept.back()).empty()) kept.pop_back();
  std::string text;
  for (auto line : kept) {
    text += line;
    text += '\n';
  }
  text += fmt::format("\n{}\n{}\n", comment, k_include_line);
  return text;
}

std::string render_hba_conf() {
  // replication: `database backup` runs pg_basebackup over the same socket.
  return "# Written by postgres-init: trust on the local socket, no TCP.\n"
         "# TYPE  DATABASE     USER  METHOD\n"
         "local   all          all   trust\n"
         "local   replication  all   trust\n";
}

} // namespace hectic::cluster::detail
