// S3Store: ListObjectsV2, GetObject and PutObject over libcurl, signed by libcurl itself
// (CURLOPT_AWS_SIGV4, https://curl.se/libcurl/c/CURLOPT_AWS_SIGV4.html), path-style URLs.
#include <curl/curl.h>

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "common/base/env.hpp"
#include "common/base/log.hpp"
#include "common/migrate/migrate.hpp"
#include "common/watch/store.hpp"

namespace hectic::watch {
namespace {

const log::Logger k_log("migrator watch");

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Response {
  long status = 0;
  std::string body;
};

size_t collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Feeds the PUT body.
struct Upload {
  const std::string* data;
  size_t offset = 0;
};
size_t feed(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::copy_n(upload->data->data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

// The message of an S3 <Error> body ("NoSuchBucket: The specified bucket does not exist").
std::string s3_error(const Response& response) {
  auto tag = [&](std::string_view name) -> std::string {
    auto open = fmt::format("<{}>", name), close = fmt::format("</{}>", name);
    auto start = response.body.find(open);
    if (start == std::string::npos) return {};
    start += open.size();
    auto end = response.body.find(close, start);
    return end == std::string::npos ? std::string() : xml_unescape(response.body.substr(start, end - start));
  };
  auto code = tag("Code"), message = tag("Message");
  if (code.empty()) return fmt::format("HTTP {}", response.status);
  return fmt::format("HTTP {} {}{}", response.status, code, message.empty() ? "" : ": " + message);
}

} // namespace

S3Config s3_config_from_env(std::string bucket) {
  S3Config config;
  config.bucket = std::move(bucket);
  if (auto endpoint = env::get("AWS_ENDPOINT_URL"); endpoint && !endpoint->empty()) config.endpoint = *endpoint;
  while (config.endpoint.ends_with('/')) config.endpoint.pop_back();
  if (auto region = env::get("AWS_DEFAULT_REGION"); region && !region->empty()) config.region = *region;
  else if (auto r = env::get("AWS_REGION"); r && !r->empty()) config.region = *r;
  for (auto [name, field] : {std::pair{"AWS_ACCESS_KEY_ID", &config.access_key_id},
                             std::pair{"AWS_SECRET_ACCESS_KEY", &config.secret_access_key}}) {
    auto value = env::get(name);
    if (!value || value->empty())
      throw Error(ExitCode::missing_argument, fmt::format("{} is not set (needed for the S3 store)", name),
                  {"export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"});
    *field = *value;
  }
  config.session_token = env::get_or("AWS_SESSION_TOKEN", "");
  return config;
}

S3Store::S3Store(S3Config config) : m_config(std::move(config)) { global_init(); }

S3Store::~S3Store() = default;

std::string S3Store::describe() const { return fmt::format("s3://{} at {}", m_config.bucket, m_config.endpoint); }

namespace {

// One signed request. path_and_query: "/KEY" or "?list-type=2..." (already escaped, the query
// in sorted order, as SigV4's canonical request wants it whether or not curl sorts it).
Response request(const S3Config& config, const char* method, const std::string& path_and_query,
                 const std::string* body) {
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) throw StoreError("cannot initialise libcurl");
  auto url = fmt::format("{}/{}{}", config.endpoint, s3_escape_path(config.bucket), path_and_query);
  k_log.debug("{} {}", method, url);
  Response response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::unique_ptr<curl_slist, ListDeleter> headers;
  auto add_header = [&](const std::string& header) {
    auto* list = curl_slist_append(headers.get(), header.c_str());
    if (!list) throw StoreError("out of memory building an S3 request");
    (void)headers.release();
    headers.reset(list);
  };
  // S3 wants the payload hash as a header, and it is part of what is signed (curl signs every
  // x-amz-* header it is given).
  add_header("x-amz-content-sha256: " + migrate::sha256_hex(body ? *body : std::string()));
  if (!config.session_token.empty()) add_header("x-amz-security-token: " + config.session_token);
  Upload upload{body};
  auto* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, config.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  const auto sigv4 = fmt::format("aws:amz:{}:s3", config.region);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, config.access_key_id.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, config.secret_access_key.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  if (body) {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, feed);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body->size()));
    // No "Expect:" header to skip the 100-continue round trip: curl 7.88 signs it (empty) but
    // does not send it, so S3 would compute another signature (tests/integration/watch/sigv4.cpp).
    add_header("Content-Type: application/octet-stream");
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (auto code = curl_easy_perform(h); code != CURLE_OK)
    throw StoreError(fmt::format("{} {}: {}", method, url, error_buffer[0] ? error_buffer : curl_easy_strerror(code)),
                     {"check AWS_ENDPOINT_URL and that the store is reachable"});
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

} // namespace

std::vector<std::string> S3Store::list(const std::string& prefix) {
  std::vector<std::string> keys;
  std::optional<std::string> token;
  for (int page_number = 1;; ++page_number) {
    // Parameters in sorted order: continuation-token, list-type, max-keys, prefix.
    std::string query = "?";
    if (token) query += "continuation-token=" + s3_escape_query(*token) + "&";
    query += fmt::format("list-type=2&max-keys={}&prefix={}", m_config.max_keys, s3_escape_query(prefix));
    auto response = request(m_config, "GET", "/" + query, nullptr);
    if (response.status != 200)
      throw StoreError(fmt::format("listing s3://{}/{} failed: {}", m_config.bucket, prefix, s3_error(response)));
    auto page = parse_list_objects_v2(response.body);
    keys.insert(keys.end(), std::make_move_iterator(page.keys.begin()), std::make_move_iterator(page.keys.end()));
    if (!page.next_token) break;
    token = std::move(page.next_token);
    k_log.debug("listing s3://{}/{}: page {} had {} keys, more follow", m_config.bucket, prefix, page_number,
                page.keys.size());
  }
  return keys;
}

std::optional<std::string> S3Store::get(const std::string& key) {
  auto response = request(m_config, "GET", "/" + s3_escape_path(key), nullptr);
  if (response.status == 404 && response.body.find("NoSuchBucket") == std::string::npos) return std::nullopt;
  if (response.status != 200)
    throw StoreError(fmt::format("reading s3://{}/{} failed: {}", m_config.bucket, key, s3_error(response)));
  return std::move(response.body);
}

void S3Store::put(const std::string& key, const std::string& content) {
  auto response = request(m_config, "PUT", "/" + s3_escape_path(key), &content);
  if (response.status != 200)
    throw StoreError(fmt::format("writing s3://{}/{} failed: {}", m_config.bucket, key, s3_error(response)));
}

} // namespace hectic::watch
