// The directory store, the ListObjectsV2 parser and the --store spec.
#include "common/watch/store.hpp"

#include <cctype>
#include <cstdlib>
#include <system_error>

#include <fmt/format.h>

#include "common/base/fs.hpp"

namespace hectic::watch {

namespace stdfs = std::filesystem;

DirStore::DirStore(stdfs::path root) : m_root(std::move(root)) {}

std::string DirStore::describe() const { return m_root.string(); }

stdfs::path DirStore::file(const std::string& key) const {
  // Keys come from the store's own listing or from our prefix; refuse a way out of the root.
  for (const auto& part : stdfs::path(key))
    if (part == "..") throw StoreError(fmt::format("key {} leaves the store directory {}", key, m_root.string()));
  return m_root / key;
}

std::vector<std::string> DirStore::list(const std::string& prefix) {
  std::error_code ec;
  if (!stdfs::is_directory(m_root, ec))
    throw StoreError(fmt::format("store directory {} does not exist or is not a directory", m_root.string()),
                     {"create it, or point --store at the directory holding the versions"});
  std::vector<std::string> keys;
  stdfs::recursive_directory_iterator it(m_root, stdfs::directory_options::follow_directory_symlink, ec);
  if (ec) throw StoreError(fmt::format("cannot list store directory {}: {}", m_root.string(), ec.message()));
  for (; it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw StoreError(fmt::format("cannot list store directory {}: {}", m_root.string(), ec.message()));
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    // write_file_atomic's temporaries (".NAME.tmp-...") are not objects.
    if (it->path().filename().string().starts_with(".")) continue;
    auto key = it->path().lexically_relative(m_root).generic_string();
    if (key.starts_with(prefix)) keys.push_back(std::move(key));
  }
  return keys;
}

std::optional<std::string> DirStore::get(const std::string& key) {
  auto path = file(key);
  std::error_code ec;
  if (!stdfs::exists(path, ec)) {
    if (!stdfs::is_directory(m_root, ec))
      throw StoreError(fmt::format("store directory {} does not exist or is not a directory", m_root.string()));
    return std::nullopt;
  }
  try {
    return fs::read_file(path);
  } catch (const std::exception& e) {
    throw StoreError(e.what());
  }
}

void DirStore::put(const std::string& key, const std::string& content) {
  auto path = file(key);
  try {
    stdfs::create_directories(path.parent_path());
    fs::write_file_atomic(path, content);
  } catch (const std::exception& e) {
    throw StoreError(fmt::format("cannot write {}: {}", path.string(), e.what()));
  }
}

namespace {

// The text of the first <tag>...</tag> at or after from, or nullopt; pos moves past it.
std::optional<std::string_view> element(std::string_view xml, std::string_view tag, std::size_t& pos) {
  const std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  auto start = xml.find(open, pos);
  if (start == std::string_view::npos) return std::nullopt;
  start += open.size();
  auto end = xml.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  pos = end + close.size();
  return xml.substr(start, end - start);
}

std::optional<std::string_view> first(std::string_view xml, std::string_view tag) {
  std::size_t pos = 0;
  return element(xml, tag, pos);
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

} // namespace

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    auto end = text.find(';', i);
    if (end == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    auto entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string digits(entity.substr(hex ? 2 : 1));
      char* rest = nullptr;
      unsigned long code = std::strtoul(digits.c_str(), &rest, hex ? 16 : 10);
      if (digits.empty() || *rest != '\0') {
        out += text.substr(i, end - i + 1);
      } else {
        append_utf8(out, code);
      }
    } else {
      out += text.substr(i, end - i + 1); // unknown: keep as is
    }
    i = end;
  }
  return out;
}

ListPage parse_list_objects_v2(const std::string& xml) {
  if (xml.find("<ListBucketResult") == std::string::npos) {
    auto code = first(xml, "Code"), message = first(xml, "Message");
    if (code)
      throw StoreError(fmt::format("S3 refused the listing: {}{}", xml_unescape(*code),
                                   message ? ": " + xml_unescape(*message) : ""));
    throw StoreError(fmt::format("not a ListObjectsV2 response: {}", xml.substr(0, 200)));
  }
  ListPage page;
  std::size_t pos = 0;
  while (auto contents = element(xml, "Contents", pos))
    if (auto key = first(*contents, "Key")) page.keys.push_back(xml_unescape(*key));
  auto truncated = first(xml, "IsTruncated");
  if (truncated && *truncated == "true") {
    auto token = first(xml, "NextContinuationToken");
    if (!token || token->empty()) throw StoreError("S3 listing is truncated but has no NextContinuationToken");
    page.next_token = xml_unescape(*token);
  }
  return page;
}

namespace {
bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}
std::string percent_encode(std::string_view text, bool keep_slash) {
  std::string out;
  for (unsigned char c : text) {
    if (unreserved(c) || (keep_slash && c == '/')) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}
} // namespace

std::string s3_escape_path(std::string_view key) { return percent_encode(key, true); }
std::string s3_escape_query(std::string_view value) { return percent_encode(value, false); }

std::unique_ptr<Store> open_store(const std::string& spec, std::string& prefix_out) {
  constexpr std::string_view scheme = "s3://";
  if (!spec.starts_with(scheme)) return std::make_unique<DirStore>(spec);
  auto rest = std::string_view(spec).substr(scheme.size());
  auto slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  if (bucket.empty())
    throw Error(ExitCode::missing_argument, fmt::format("--store {} names no bucket", spec),
                {"write --store s3://BUCKET/PREFIX, or set S3_BUCKET and --path-prefix"});
  if (slash != std::string_view::npos && slash + 1 < rest.size()) prefix_out = std::string(rest.substr(slash + 1));
  return std::make_unique<S3Store>(s3_config_from_env(bucket));
}

} // namespace hectic::watch
