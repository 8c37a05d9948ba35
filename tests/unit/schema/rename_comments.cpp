// `-- @renamed from=OLD` hints found in SQL text by PostgreSQL's parser (no server).
#include <catch2/catch.hpp>

#include "common/schema/rename_comments.hpp"

using namespace hectic::schema;

namespace {

std::string describe(const Rename& r) {
  return r.kind + ":" + (r.table.empty() ? "" : r.table + ".") + r.from + "=" + r.to + (r.from_source ? "" : " (not from source)");
}

std::vector<std::string> hints(const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& r : renamed_comments(sql, "test.sql")) out.push_back(describe(r));
  return out;
}

} // namespace

TEST_CASE("a hint names the statement, column, constraint or enum label that follows it") {
  auto found = hints("\\set ON_ERROR_STOP 1\n"
                     "CREATE TABLE kept (id int);\n"
                     "-- @renamed from=users\n"
                     "CREATE TABLE app.\"People\" (\n"
                     "  id int,\n"
                     "  -- @renamed from=mail\n"
                     "  email text DEFAULT '-- @renamed is text here',\n"
                     "  -- @renamed from=users_mail_key\n"
                     "  CONSTRAINT people_email_key UNIQUE (email)\n"
                     ");\n"
                     "  -- @renamed from=users_idx\n"
                     "CREATE INDEX people_idx ON app.\"People\" (email);\n"
                     "CREATE TYPE mood AS ENUM ('happy',\n  -- @renamed from=sad\n  'blue');\n"
                     "-- @renamed from=old_money\nCREATE DOMAIN money2 AS numeric;\n");
  REQUIRE(found.size() == 6);
  CHECK(found[0] == "table:app.users=\"People\"");
  CHECK(found[1] == "column:app.\"People\".mail=email");
  CHECK(found[2] == "constraint:app.\"People\".users_mail_key=people_email_key");
  CHECK(found[3] == "index:app.users_idx=people_idx");
  CHECK(found[4] == "enum-value:public.mood.sad=blue");
  CHECK(found[5] == "type:public.old_money=money2");
}

TEST_CASE("no hints, a hint before nothing it can name, and text the parser rejects: nothing") {
  CHECK(hints("CREATE TABLE t (id int);\n").empty());
  CHECK(hints("-- @renamed from=x\nCREATE VIEW v AS SELECT 1;\n").empty());
  CHECK(hints("-- @renamed from=x\nCREATE TABLE (broken;\n").empty());
}

TEST_CASE("names are spelled as the catalog spells them: keywords other than unreserved ones quoted") {
  auto found = hints("-- @renamed from=accounts\nCREATE TABLE \"user\" (\n  -- @renamed from=label\n  name text,\n"
                     "  -- @renamed from=b\n  \"between\" int);\n");
  REQUIRE(found.size() == 3);
  CHECK(found[0] == "table:public.accounts=\"user\"");
  CHECK(found[1] == "column:public.\"user\".label=name");
  CHECK(found[2] == "column:public.\"user\".b=\"between\"");
}
