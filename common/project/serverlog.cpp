#include "common/project/serverlog.hpp"

#include <algorithm>
#include <charconv>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"

namespace hectic::serverlog {

std::vector<std::filesystem::path> list(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw Error(ExitCode::generic, fmt::format("log directory {} does not exist", dir.string()),
                {"start the cluster with logging on (PG_DISABLE_LOGGING unset): database init"});
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string format_list(const std::vector<std::filesystem::path>& files) {
  std::string out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    auto size = std::filesystem::file_size(files[i], ec);
    out += fmt::format("{:>3}  {}  ({} bytes)\n", i + 1, files[i].filename().string(), ec ? 0 : size);
  }
  return out;
}

std::filesystem::path select(const std::vector<std::filesystem::path>& files, const std::string& selector) {
  int index = 0;
  auto [end, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), index);
  const bool numeric = ec == std::errc() && end == selector.data() + selector.size();
  // A number is an index when one exists; otherwise it is part of a name (a date: 1121).
  if (numeric && index >= 1 && static_cast<std::size_t>(index) <= files.size()) return files[index - 1];
  for (const auto& file : files)
    if (file.filename() == selector) return file;
  std::vector<std::filesystem::path> matches;
  for (const auto& file : files)
    if (file.filename().string().find(selector) != std::string::npos) matches.push_back(file);
  if (matches.size() == 1) return matches.front();
  if (matches.empty() && numeric)
    throw Error(ExitCode::generic,
                fmt::format("log index {} is out of range (1..{}) and no log file name contains it", selector,
                            files.size()),
                {"database log list   # numbers the log files"});
  if (matches.empty())
    throw Error(ExitCode::generic, fmt::format("no log file matches '{}'", selector),
                {"database log list   # numbers the log files"});
  std::string names;
  for (const auto& m : matches) names += (names.empty() ? "" : ", ") + m.filename().string();
  throw Error(ExitCode::generic,
              fmt::format("log selector '{}' is ambiguous: it matches {}", selector, names),
              {"give an index or a longer part of the name (database log list)"});
}

std::string concatenate(const std::vector<std::filesystem::path>& files) {
  std::string out;
  for (const auto& file : files) {
    if (files.size() > 1) out += fmt::format("==> {} <==\n", file.filename().string());
    out += fs::read_file(file);
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  return out;
}

void write_back_to_back(const std::vector<std::filesystem::path>& files, std::ostream& out) {
  for (const auto& file : files) out << fs::read_file(file);
  out.flush();
}

} // namespace hectic::serverlog
