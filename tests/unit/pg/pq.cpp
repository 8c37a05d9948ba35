#include <catch2/catch.hpp>

#include "common/pg/pq.hpp"

using namespace hectic;

TEST_CASE("redact hides passwords in every form") {
  CHECK(pq::redact("postgresql://alice:s3cret@db.example/app") == "postgresql://alice:***@db.example/app");
  CHECK(pq::redact("postgres://alice:p%40ss@h:5432/app?sslmode=require") ==
        "postgres://alice:***@h:5432/app?sslmode=require");
  CHECK(pq::redact("postgresql://h/app?user=a&password=hunter2&sslmode=x") ==
        "postgresql://h/app?user=a&password=***&sslmode=x");
  CHECK(pq::redact("host=h password=hunter2 dbname=x") == "host=h password=*** dbname=x");
  CHECK(pq::redact("host=h password = 'a b\\' c' dbname=x") == "host=h password = *** dbname=x");
  CHECK(pq::redact("postgresql://alice@/app?host=/tmp") == "postgresql://alice@/app?host=/tmp");
  for (auto text : {pq::redact("postgresql://u:hunter2@h/d"), pq::redact("password=hunter2"),
                    pq::redact("postgresql://h/d?password=hunter2")})
    CHECK(text.find("hunter2") == std::string::npos);
}

TEST_CASE("socket URLs escape what needs escaping and parse back") {
  auto url = pq::socket_url("postgres", "testdb", "/tmp/a b/sock", 5432);
  CHECK(url == "postgresql://postgres@/testdb?host=/tmp/a%20b/sock&port=5432");
  auto keywords = pq::parse_conninfo(url);
  CHECK(keywords["host"] == "/tmp/a b/sock");
  CHECK(keywords["port"] == "5432");
  CHECK(keywords["dbname"] == "testdb");
  CHECK(keywords["user"] == "postgres");
  auto odd = pq::parse_conninfo(pq::socket_url("us/er", "d?b&x", "/s", 1));
  CHECK(odd["user"] == "us/er");
  CHECK(odd["dbname"] == "d?b&x");
}

TEST_CASE("conninfo building quotes values") {
  auto text = pq::build_conninfo({{"host", "/tmp/x"}, {"dbname", "it's"}, {"password", "a\\b"}});
  auto keywords = pq::parse_conninfo(text);
  CHECK(keywords["dbname"] == "it's");
  CHECK(keywords["password"] == "a\\b");
}

TEST_CASE("an unparseable connection string is an error that does not leak the password") {
  try {
    pq::parse_conninfo("postgresql://u:hunter2@h/d?bogus_option=1");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("invalid connection string"));
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
}
