// The S3 requests carry a valid AWS Signature Version 4, as real S3 checks it: s3rver does not
// verify V4 signatures, so a one-request HTTP server on 127.0.0.1 captures what S3Store sends
// and the test recomputes the signature from the AWS documentation's algorithm
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). A checker
// only: the signing itself is libcurl's.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/watch/store.hpp"

using namespace hectic;

namespace {

std::string hex(const unsigned char* data, unsigned int size) {
  std::string out;
  for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}
std::string sha256(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return hex(digest, size);
}
std::string hmac(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &size);
  return std::string(reinterpret_cast<char*>(digest), size);
}
std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}
std::string trim(const std::string& text) {
  auto start = text.find_first_not_of(" \t"), end = text.find_last_not_of(" \t\r");
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}
// AWS's URI encoding of a query component, after decoding what was sent.
std::string aws_encode(const std::string& sent) {
  std::string decoded;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i] == '%' && i + 2 < sent.size()) {
      decoded += static_cast<char>(std::stoi(sent.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += sent[i];
    }
  }
  std::string out;
  for (unsigned char c : decoded)
    out += std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ? std::string(1, static_cast<char>(c))
                                                                             : fmt::format("%{:02X}", c);
  return out;
}

struct Request {
  std::string method, path, query, body;
  std::map<std::string, std::string> headers; // lowercase names
};

// Accepts one connection per reply on 127.0.0.1, keeps each request, answers 200 with the reply.
class Capture {
public:
  explicit Capture(std::vector<std::string> replies) : m_replies(std::move(replies)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(m_fd, 4) == 0);
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] {
      for (const auto& reply : m_replies) m_raw.push_back(serve(reply));
    });
  }
  ~Capture() {
    if (m_thread.joinable()) m_thread.join();
    ::close(m_fd);
  }
  std::string endpoint() const { return fmt::format("http://127.0.0.1:{}", m_port); }
  std::vector<Request> requests() {
    m_thread.join();
    std::vector<Request> out;
    for (const auto& raw : m_raw) out.push_back(parse(raw));
    return out;
  }

private:
  static std::string serve_one(int fd, const std::string& reply) {
    std::string raw;
    int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return raw;
    char buffer[65536];
    for (;;) {
      auto header_end = raw.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        auto headers = lower(raw.substr(0, header_end));
        std::size_t length = 0;
        if (auto at = headers.find("content-length:"); at != std::string::npos)
          length = std::stoul(headers.substr(at + 15));
        if (raw.size() >= header_end + 4 + length) break;
      }
      auto n = ::read(client, buffer, sizeof buffer);
      if (n <= 0) break;
      raw.append(buffer, static_cast<std::size_t>(n));
    }
    auto response =
        fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", reply.size(), reply);
    [[maybe_unused]] auto written = ::write(client, response.data(), response.size());
    ::close(client);
    return raw;
  }
  std::string serve(const std::string& reply) { return serve_one(m_fd, reply); }
  static Request parse(const std::string& raw) {
    Request r;
    auto header_end = raw.find("\r\n\r\n");
    r.body = raw.substr(header_end + 4);
    auto line_end = raw.find("\r\n");
    auto request_line = raw.substr(0, line_end);
    auto sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
    r.method = request_line.substr(0, sp1);
    auto target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    std::size_t pos = line_end + 2;
    while (pos < header_end) {
      auto end = raw.find("\r\n", pos);
      auto line = raw.substr(pos, end - pos);
      auto colon = line.find(':');
      r.headers[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
      pos = end + 2;
    }
    return r;
  }

  std::vector<std::string> m_replies;
  int m_fd = -1;
  int m_port = 0;
  std::vector<std::string> m_raw;
  std::thread m_thread;
};

// Recomputes the signature of r with secret; checks the payload hash header too.
void check_signature(const Request& r, const std::string& secret) {
  std::string all;
  for (const auto& [name, value] : r.headers) all += name + ": " + value + "\n";
  INFO(r.method << " " << r.path << "?" << r.query << "\n" << all);
  REQUIRE(r.headers.contains("authorization"));
  const auto& auth = r.headers.at("authorization");
  REQUIRE(auth.starts_with("AWS4-HMAC-SHA256 "));
  std::map<std::string, std::string> parts;
  for (auto rest = auth.substr(17); !rest.empty();) {
    auto comma = rest.find(',');
    auto part = trim(rest.substr(0, comma));
    auto eq = part.find('=');
    parts[part.substr(0, eq)] = part.substr(eq + 1);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  std::vector<std::string> signed_headers;
  for (auto list = parts.at("SignedHeaders"); !list.empty();) {
    auto semi = list.find(';');
    signed_headers.push_back(list.substr(0, semi));
    list = semi == std::string::npos ? "" : list.substr(semi + 1);
  }
  for (const char* needed : {"host", "x-amz-content-sha256", "x-amz-date"})
    CHECK(std::find(signed_headers.begin(), signed_headers.end(), needed) != signed_headers.end());
  CHECK(r.headers.at("x-amz-content-sha256") == sha256(r.body));
  std::vector<std::pair<std::string, std::string>> query;
  for (auto rest = r.query; !rest.empty();) {
    auto amp = rest.find('&');
    auto item = rest.substr(0, amp);
    auto eq = item.find('=');
    query.emplace_back(aws_encode(item.substr(0, eq)), eq == std::string::npos ? "" : aws_encode(item.substr(eq + 1)));
    rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
  }
  std::sort(query.begin(), query.end());
  std::string canonical_query, canonical_headers;
  for (const auto& [k, v] : query) canonical_query += (canonical_query.empty() ? "" : "&") + k + "=" + v;
  for (const auto& h : signed_headers) canonical_headers += h + ":" + r.headers.at(h) + "\n";
  auto signed_list = parts.at("SignedHeaders");
  auto canonical = fmt::format("{}\n{}\n{}\n{}\n{}\n{}", r.method, r.path, canonical_query, canonical_headers, signed_list,
                               sha256(r.body));
  auto credential = parts.at("Credential"); // KEY/DATE/REGION/s3/aws4_request
  auto scope = credential.substr(credential.find('/') + 1);
  auto to_sign = fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", r.headers.at("x-amz-date"), scope, sha256(canonical));
  std::string key = "AWS4" + secret;
  for (auto rest = scope; !rest.empty();) {
    auto slash = rest.find('/');
    key = hmac(key, rest.substr(0, slash));
    rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  auto signature = hmac(key, to_sign);
  CHECK(parts.at("Signature") == hex(reinterpret_cast<const unsigned char*>(signature.data()),
                                     static_cast<unsigned int>(signature.size())));
  CHECK(credential.starts_with("AKIDEXAMPLE/"));
  CHECK(credential.ends_with("/eu-west-1/s3/aws4_request"));
}

watch::S3Config config(const std::string& endpoint) {
  watch::S3Config c;
  c.bucket = "schemas";
  c.endpoint = endpoint;
  c.region = "eu-west-1";
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.session_token = "FQoGZXIvYXdzE+token/with=signs";
  return c;
}

} // namespace

TEST_CASE("ListObjectsV2 pages, with a continuation token, are signed as S3 checks them") {
  Capture capture({"<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>1QEX+d9m/20l=</NextContinuationToken>"
                   "<Contents><Key>app/v 1/schema.sql</Key></Contents></ListBucketResult>",
                   "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>app/v2/schema.sql</Key></Contents>"
                   "</ListBucketResult>"});
  watch::S3Store store(config(capture.endpoint()));
  std::vector<std::string> keys;
  std::thread client([&] { keys = store.list("app/"); });
  auto requests = capture.requests();
  client.join();
  CHECK(keys == std::vector<std::string>{"app/v 1/schema.sql", "app/v2/schema.sql"});
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].path == "/schemas/");
  CHECK(requests[0].query == "list-type=2&max-keys=1000&prefix=app%2F");
  CHECK(requests[1].query == "continuation-token=1QEX%2Bd9m%2F20l%3D&list-type=2&max-keys=1000&prefix=app%2F");
  CHECK(requests[0].headers.at("x-amz-security-token") == "FQoGZXIvYXdzE+token/with=signs");
  for (const auto& request : requests) check_signature(request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
}

TEST_CASE("PutObject and GetObject are signed as S3 checks them") {
  {
    Capture capture({""});
    watch::S3Store store(config(capture.endpoint()));
    std::thread client([&] { store.put("app/v 1/a&b+c.sql", "CREATE TABLE t (id int);\n"); });
    auto requests = capture.requests();
    client.join();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "PUT");
    CHECK(requests[0].path == "/schemas/app/v%201/a%26b%2Bc.sql");
    CHECK(requests[0].body == "CREATE TABLE t (id int);\n");
    check_signature(requests[0], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  }
  {
    Capture capture({"body"});
    watch::S3Store store(config(capture.endpoint()));
    std::optional<std::string> got;
    std::thread client([&] { got = store.get("app/v1/schema.sql"); });
    auto requests = capture.requests();
    client.join();
    CHECK(got == std::optional<std::string>("body"));
    REQUIRE(requests.size() == 1);
    check_signature(requests[0], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  }
}
