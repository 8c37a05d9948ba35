// Text helpers: trim, split_lines, the shell-special character check, UTC stamps.
#include <catch2/catch.hpp>

#include <regex>

#include "common/base/text.hpp"

using namespace hectic;

TEST_CASE("trim removes white space at both ends only") {
  CHECK(text::trim("  a b \t\r\n") == "a b");
  CHECK(text::trim("\f\v") == "");
  CHECK(text::trim("") == "");
  CHECK(text::trim("x") == "x");
}

TEST_CASE("split_lines: a trailing newline adds no empty line") {
  using V = std::vector<std::string_view>;
  CHECK(text::split_lines("a\nb\n") == V{"a", "b"});
  CHECK(text::split_lines("a\n\nb") == V{"a", "", "b"});
  CHECK(text::split_lines("") == V{});
  CHECK(text::split_lines("\n") == V{""});
}

TEST_CASE("shell_special_character names what /bin/sh interprets inside double quotes") {
  CHECK_FALSE(text::shell_special_character("/tmp/a b/c's-dir"));
  CHECK(text::shell_special_character("/tmp/$(touch x)") == "$");
  CHECK(text::shell_special_character("/tmp/`id`") == "`");
  CHECK(text::shell_special_character("/tmp/a\"b") == "\"");
  CHECK(text::shell_special_character("/tmp/a\\b") == "\\");
  CHECK(text::shell_special_character("/tmp/a\nb") == "newline");
}

TEST_CASE("UTC stamps have their documented shapes") {
  CHECK(std::regex_match(text::utc_stamp_for_filename(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)")));
  CHECK(std::regex_match(text::utc_now_text(), std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)")));
  CHECK(std::regex_match(text::utc_compact_stamp(), std::regex(R"(\d{14})")));
}

TEST_CASE("iso8601_utc: the JSON form of a UTC time, other text unchanged") {
  CHECK(hectic::text::iso8601_utc("2026-12-01 20:38:09") == "2026-12-01T20:38:09Z");
  CHECK(hectic::text::iso8601_utc("2026-12-01 20:38:09 UTC") == "2026-12-01T20:38:09Z");
  CHECK(hectic::text::iso8601_utc("") == "");
  CHECK(hectic::text::iso8601_utc("yesterday") == "yesterday");
  auto now = hectic::text::utc_now_iso8601();
  CHECK(now.size() == 20);
  CHECK(now[10] == 'T');
  CHECK(now.back() == 'Z');
}
