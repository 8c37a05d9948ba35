// The ListObjectsV2 parser, XML unescaping, S3 URL escaping, the --store spec and the backoff.
#include <catch2/catch.hpp>

#include "common/watch/store.hpp"
#include "common/watch/watcher.hpp"

using namespace hectic;
using namespace hectic::watch;
using std::chrono::milliseconds;

TEST_CASE("a truncated ListObjectsV2 page gives its keys, unescaped, and the next token") {
  const std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bk</Name><Prefix>app/</Prefix>)"
      R"(<NextContinuationToken>1QEX+d9m/20l&amp;aVT==</NextContinuationToken><KeyCount>2</KeyCount>)"
      R"(<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>)"
      R"(<Contents><Key>app/v1/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#38;&#x26;.sql</Key><Size>5</Size></Contents>)"
      R"(<Contents><Key>app/v2/schema.sql</Key><ETag>&quot;5d41&quot;</ETag></Contents></ListBucketResult>)";
  auto page = parse_list_objects_v2(xml);
  REQUIRE(page.keys.size() == 2);
  CHECK(page.keys[0] == "app/v1/a&b <c> \"d\" 'e' &&.sql");
  CHECK(page.keys[1] == "app/v2/schema.sql");
  REQUIRE(page.next_token);
  CHECK(*page.next_token == "1QEX+d9m/20l&aVT==");
}

TEST_CASE("the last page has no token, an empty listing no keys") {
  auto last = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents></ListBucketResult>");
  CHECK(last.keys == std::vector<std::string>{"k"});
  CHECK_FALSE(last.next_token);
  auto empty = parse_list_objects_v2("<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>");
  CHECK(empty.keys.empty());
}

TEST_CASE("an S3 error document or garbage is a StoreError naming it") {
  try {
    parse_list_objects_v2("<Error><Code>NoSuchBucket</Code><Message>The bucket does not exist</Message></Error>");
    FAIL("accepted");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()) == "S3 refused the listing: NoSuchBucket: The bucket does not exist");
  }
  CHECK_THROWS_AS(parse_list_objects_v2("<html>proxy</html>"), StoreError);
  CHECK_THROWS_AS(parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
                  StoreError);
}

TEST_CASE("xml_unescape keeps what is not an entity") {
  CHECK(xml_unescape("a & b") == "a & b");
  CHECK(xml_unescape("&unknown;") == "&unknown;");
  CHECK(xml_unescape("&#xE9;") == "\xC3\xA9");
  CHECK(xml_unescape("&#bad;") == "&#bad;");
}

TEST_CASE("keys and query values are percent-encoded for S3") {
  CHECK(s3_escape_path("app/v 1/a&b+c.sql") == "app/v%201/a%26b%2Bc.sql");
  CHECK(s3_escape_query("1QEX+d9m/20l=") == "1QEX%2Bd9m%2F20l%3D");
  CHECK(s3_escape_query("app/") == "app%2F");
}

TEST_CASE("a --store of s3://BUCKET/PREFIX is S3, anything else a directory") {
  std::string prefix;
  auto dir = open_store("/srv/schemas", prefix);
  CHECK(dir->describe() == "/srv/schemas");
  CHECK(prefix.empty());
  CHECK_THROWS_AS(open_store("s3:///p", prefix), Error);
}

TEST_CASE("a failing version backs off, doubling up to the cap") {
  const milliseconds minute(60'000), cap(30 * 60'000);
  CHECK(Watcher::backoff(minute, cap, 1) == milliseconds(120'000));
  CHECK(Watcher::backoff(minute, cap, 2) == milliseconds(240'000));
  CHECK(Watcher::backoff(minute, cap, 10) == cap);
  CHECK(Watcher::backoff(milliseconds(200), cap, 3) == milliseconds(1'600));
  CHECK(Watcher::backoff(milliseconds(3'600'000), cap, 1) == milliseconds(3'600'000)); // interval above the cap
}
