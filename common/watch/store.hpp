#pragma once
// Where `migrator watch` finds schema versions (README "migrator watch"): a local directory or
// an S3 bucket (or an S3-compatible server), as keys with '/' separators.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/error.hpp"

namespace hectic::watch {

// A store could not be read or written (unreachable, refused, a file system error): the watcher
// counts these as fetch failures and keeps going.
class StoreError : public Error {
public:
  explicit StoreError(std::string message, std::vector<std::string> hints = {})
      : Error(ExitCode::generic, std::move(message), std::move(hints)) {}
};

// A flat key space: list, read and write whole objects. Every method throws StoreError.
class Store {
public:
  virtual ~Store() = default;
  // "s3://bucket/prefix at http://endpoint" or the directory (never a secret).
  virtual std::string describe() const = 0;
  // Every key that starts with prefix, in no particular order (all pages).
  virtual std::vector<std::string> list(const std::string& prefix) = 0;
  // The object's content, or nullopt when there is no such key.
  virtual std::optional<std::string> get(const std::string& key) = 0;
  // Creates or replaces the object (atomically: readers see the old or the new content).
  virtual void put(const std::string& key, const std::string& content) = 0;
};

// A directory: key a/b/c is the file DIR/a/b/c.
class DirStore final : public Store {
public:
  explicit DirStore(std::filesystem::path root);
  std::string describe() const override;
  std::vector<std::string> list(const std::string& prefix) override;
  std::optional<std::string> get(const std::string& key) override;
  void put(const std::string& key, const std::string& content) override;

private:
  std::filesystem::path file(const std::string& key) const;
  std::filesystem::path m_root;
};

// Where and how to reach an S3 bucket; credentials from the AWS variables (s3_config_from_env).
struct S3Config {
  std::string bucket;
  std::string endpoint = "https://s3.amazonaws.com"; // AWS_ENDPOINT_URL, without a trailing '/'
  std::string region = "us-east-1";                  // AWS_DEFAULT_REGION (else AWS_REGION)
  std::string access_key_id;                         // AWS_ACCESS_KEY_ID
  std::string secret_access_key;                     // AWS_SECRET_ACCESS_KEY
  std::string session_token;                         // AWS_SESSION_TOKEN (temporary credentials)
  long timeout_seconds = 30;                         // per request
  int max_keys = 1000;                               // per ListObjectsV2 page
};

// The endpoint, region and credentials from the environment; throws Error(missing_argument)
// naming AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY when one is unset.
S3Config s3_config_from_env(std::string bucket);

// S3 over libcurl (SigV4 signed by libcurl, CURLOPT_AWS_SIGV4), path-style URLs
// (ENDPOINT/BUCKET/KEY), so S3-compatible servers (MinIO, s3rver, Ceph) work as they are.
class S3Store final : public Store {
public:
  explicit S3Store(S3Config config);
  ~S3Store() override;
  std::string describe() const override;
  std::vector<std::string> list(const std::string& prefix) override;
  std::optional<std::string> get(const std::string& key) override;
  void put(const std::string& key, const std::string& content) override;

private:
  S3Config m_config;
};

// One page of a ListObjectsV2 response (parse_list_objects_v2).
struct ListPage {
  std::vector<std::string> keys;              // XML-unescaped
  std::optional<std::string> next_token;      // NextContinuationToken when IsTruncated is true
};

// Parses a ListObjectsV2 response body; throws StoreError when it is not one (an <Error>
// document names its Code and Message).
ListPage parse_list_objects_v2(const std::string& xml);

// &amp; &lt; &gt; &quot; &apos; and numeric references (&#38; &#x26;) decoded.
std::string xml_unescape(std::string_view text);

// Percent-encodes a key for the URL path (RFC 3986 unreserved kept, '/' kept).
std::string s3_escape_path(std::string_view key);
// Percent-encodes a query value (everything but unreserved characters).
std::string s3_escape_query(std::string_view value);

// What --store means: "s3://BUCKET[/PREFIX]" is S3 (prefix returned in prefix_out when not
// empty), anything else a directory. Throws Error(missing_argument) for s3:// without a bucket.
std::unique_ptr<Store> open_store(const std::string& spec, std::string& prefix_out);

} // namespace hectic::watch
