// The script lexer: psql's splitting and interpolation rules, no server.
#include <catch2/catch.hpp>

#include "common/script/lexer.hpp"

using hectic::script::Lexer;
using hectic::script::LexItem;
using hectic::script::VariableMap;

namespace {

// "S:<statement>" / "M:<name>[|arg]..." per item.
std::vector<std::string> split(const std::string& text, const VariableMap& vars = {}) {
  Lexer lexer(text);
  std::vector<std::string> items;
  for (;;) {
    LexItem item = lexer.next(&vars);
    if (item.kind == LexItem::Kind::end) break;
    if (item.kind == LexItem::Kind::statement) {
      items.push_back("S:" + item.text);
    } else {
      std::string s = "M:" + item.text;
      for (const auto& a : lexer.meta_args(&vars)) s += "|" + a;
      items.push_back(s);
    }
  }
  return items;
}

using V = std::vector<std::string>;

} // namespace

TEST_CASE("statements split at top-level semicolons, leading whitespace and -- comments dropped") {
  CHECK(split("select 1; select 2;\n") == V{"S:select 1;", "S:select 2;"});
  CHECK(split("  -- lead\n  select 1 -- inside\n  ;") == V{"S:select 1 -- inside\n  ;"});
  CHECK(split("select 1") == V{"S:select 1"});
  CHECK(split("select (1;2);") == V{"S:select (1;2);"});
  CHECK(split("") == V{});
  CHECK(split("  \n -- only a comment\n") == V{});
  CHECK(split(";;") == V{"S:;", "S:;"});
}

TEST_CASE("quotes: '' doubling, E'' backslash escapes, identifiers, B/X/N/U& prefixes") {
  CHECK(split("select 'a;b''c;';x;") == V{"S:select 'a;b''c;';", "S:x;"});
  CHECK(split("select E'\\';'; y;") == V{"S:select E'\\';';", "S:y;"});
  CHECK(split("select E'\\'';'; y;") == V{"S:select E'\\'';", "S:'; y;"});
  CHECK(split("select e'a\\\\';z;") == V{"S:select e'a\\\\';", "S:z;"});
  // Standard strings: a backslash does not escape the quote.
  CHECK(split("select 'a\\';b;") == V{"S:select 'a\\';", "S:b;"});
  CHECK(split("select \"a;\"\"b\";c;") == V{"S:select \"a;\"\"b\";", "S:c;"});
  CHECK(split("select X'1;', B'0;', N'n;', U&'d;', U&\"i;\";") ==
        V{"S:select X'1;', B'0;', N'n;', U&'d;', U&\"i;\";"});
  // An identifier ending in e is not an E'' prefix.
  CHECK(split("select thee'\\';x';") == V{"S:select thee'\\';", "S:x';"});
}

TEST_CASE("dollar quotes: any tag, semicolons inside, $$ inside $tag$, $1 parameters, identifiers with $") {
  CHECK(split("do $$ begin; end $$; x;") == V{"S:do $$ begin; end $$;", "S:x;"});
  CHECK(split("select $f$ a $$ ; $$ b $f$; x;") == V{"S:select $f$ a $$ ; $$ b $f$;", "S:x;"});
  CHECK(split("select $a$ $b$ ; $a$;") == V{"S:select $a$ $b$ ; $a$;"});
  CHECK(split("prepare p as select $1; x;") == V{"S:prepare p as select $1;", "S:x;"});
  CHECK(split("select a$b$c from t; x;") == V{"S:select a$b$c from t;", "S:x;"});
  CHECK(split("select $_x1$ ; $_x1$;") == V{"S:select $_x1$ ; $_x1$;"});
  // "$a$$b$": the closing delimiter may start right after a '$' of the body.
  CHECK(split("select $b$x$a$$b$; y;") == V{"S:select $b$x$a$$b$;", "S:y;"});
  // Unterminated: the rest of the input is the body.
  CHECK(split("select $$ ; x;") == V{"S:select $$ ; x;"});
}

TEST_CASE("comments: nested /* */, $$ and quotes inside comments, -- inside strings") {
  CHECK(split("select /* a /* b; */ c; */ 1; x;") == V{"S:select /* a /* b; */ c; */ 1;", "S:x;"});
  CHECK(split("select 1 /* $$ */; x;") == V{"S:select 1 /* $$ */;", "S:x;"});
  CHECK(split("select 1 -- $$ ' \"\n; x;") == V{"S:select 1 -- $$ ' \"\n;", "S:x;"});
  CHECK(split("select '--;'; x;") == V{"S:select '--;';", "S:x;"});
  CHECK(split("/* lead */ select 1;") == V{"S:/* lead */ select 1;"});
  CHECK(split("select 1 -/* c */ 2;") == V{"S:select 1 -/* c */ 2;"});
}

TEST_CASE("BEGIN ATOMIC bodies of SQL-standard functions keep their semicolons") {
  std::string f = "create or replace function f() returns int language sql begin atomic select 1; "
                  "select case when true then 2 end; end; select 3;";
  CHECK(split(f) == V{"S:create or replace function f() returns int language sql begin atomic "
                      "select 1; select case when true then 2 end; end;",
                      "S:select 3;"});
  CHECK(split("create procedure p() begin atomic insert into t values (1); end; x;") ==
        V{"S:create procedure p() begin atomic insert into t values (1); end;", "S:x;"});
  // A transaction BEGIN is an ordinary statement.
  CHECK(split("begin; select 1; end;") == V{"S:begin;", "S:select 1;", "S:end;"});
}

TEST_CASE("meta-commands run to the end of the line and may follow a statement") {
  CHECK(split("select 1; \\echo hi there\nselect 2;") == V{"S:select 1;", "M:echo|hi|there", "S:select 2;"});
  CHECK(split("\\set x 'a b' c\"d e\"f\n") == V{"M:set|x|a b|c\"d e\"f"});
  CHECK(split("\\set empty\n") == V{"M:set|empty"});
  CHECK(split("\\echo 'it''s' '\\t\\x41\\101\\n'\n") == V{"M:echo|it's|\tAA\n"});
  CHECK(split("\\echo a \\\\ select 1;") == V{"M:echo|a", "S:select 1;"});
  CHECK(split("\\echo a \\echo b\n") == V{"M:echo|a", "M:echo|b"});
  CHECK(split("\\.\n") == V{"M:."});
  // A statement may span a meta-command (psql keeps its query buffer).
  CHECK(split("select\n\\echo mid\n1;") == V{"M:echo|mid", "S:select\n\n1;"});
  // \; and \: put the character into the query.
  CHECK(split("select 1 \\; select 2;") == V{"S:select 1 ; select 2;"});
  CHECK(Lexer("select 1 \\; select 2;").next(nullptr).compound);
  CHECK_FALSE(Lexer("select ';';").next(nullptr).compound);
}

TEST_CASE("variables: :name :'name' :\"name\" :{?name}, never in quotes, comments or ::") {
  VariableMap vars{{"v", "it's"}, {"t", "my tab"}, {"n", "42"}, {"bs", "a\\b"}, {"q", "1; select 2"}};
  CHECK(split("select :n, :'v', :\"t\", :{?n}, :{?nope};", vars) ==
        V{"S:select 42, 'it''s', \"my tab\", TRUE, FALSE;"});
  CHECK(split("select :'v'::text, 1::int, :n::text;", vars) == V{"S:select 'it''s'::text, 1::int, 42::text;"});
  CHECK(split("select ':n', $$:n$$, \":n\", E':n' /* :n */ -- :n\n;", vars) ==
        V{"S:select ':n', $$:n$$, \":n\", E':n' /* :n */ -- :n\n;"});
  CHECK(split("select :undefined, :'undefined', :\"undefined\";", vars) ==
        V{"S:select :undefined, :'undefined', :\"undefined\";"});
  CHECK(split("select :'bs';", vars) == V{"S:select  E'a\\\\b';"});
  // The value of :name is lexed as SQL: its ';' ends a statement.
  CHECK(split("select :q;", vars) == V{"S:select 1;", "S:select 2;"});
  // No interpolation at all in an inactive branch.
  Lexer lexer("select :n;");
  CHECK(lexer.next(nullptr).text == "select :n;");
  // A variable is not expanded inside its own value.
  VariableMap self{{"x", ":x y"}};
  CHECK(split("select :x;", self) == V{"S:select :x y;"});
  // In meta-command arguments.
  CHECK(split("\\echo :n :'v' :\"t\" :{?n} :nope a::b\n", vars) ==
        V{"M:echo|42|'it''s'|\"my tab\"|TRUE|:nope|a::b"});
}

TEST_CASE("meta-command arguments: backquotes are flagged, the rest of the line is kept") {
  Lexer lexer("\\set x `date`\n\\gset p_\n");
  LexItem item = lexer.next(nullptr);
  REQUIRE(item.kind == LexItem::Kind::meta);
  CHECK(item.text == "set");
  VariableMap vars;
  CHECK(lexer.meta_args(&vars) == V{"x", "`date`"});
  CHECK(lexer.meta_had_backquote());
  item = lexer.next(nullptr);
  CHECK(item.text == "gset");
  CHECK(lexer.meta_args(&vars) == V{"p_"});
  CHECK(lexer.meta_rest() == " p_");
  CHECK(lexer.line_of(item.offset) == 2);
}

TEST_CASE("COPY data runs from the next line to the end-of-data line") {
  std::string text = "copy t from stdin;\n1\ta\n\\.\nselect 1;\n";
  Lexer lexer(text);
  LexItem item = lexer.next(nullptr);
  CHECK(item.text == "copy t from stdin;");
  CHECK(lexer.copy_data() == "1\ta\n");
  item = lexer.next(nullptr);
  CHECK(item.text == "select 1;");
  CHECK(lexer.line_of(item.offset) == 4);
  CHECK(lexer.next(nullptr).kind == LexItem::Kind::end);

  Lexer unterminated("copy t from stdin;\n1\n2");
  unterminated.next(nullptr);
  CHECK(unterminated.copy_data() == "1\n2\n");
  CHECK(unterminated.next(nullptr).kind == LexItem::Kind::end);
}

TEST_CASE("positions: lines, character columns, server positions mapped through interpolation") {
  std::string text = "select 1;\n\n  select 'é', :n,\n    nope;\n";
  VariableMap vars{{"n", "12345"}};
  Lexer lexer(text);
  lexer.next(&vars);
  LexItem item = lexer.next(&vars);
  CHECK(item.text == "select 'é', 12345,\n    nope;");
  CHECK(lexer.line_of(item.offset) == 3);
  CHECK(lexer.column_of(item.offset) == 3);
  // The server counts characters: "nope" is character 24 of the statement.
  std::size_t byte = Lexer::byte_of_char_position(item.text, 24);
  CHECK(item.text.substr(byte, 4) == "nope");
  std::size_t src = Lexer::source_offset(item, byte);
  CHECK(lexer.line_of(src) == 4);
  CHECK(lexer.column_of(src) == 5);
  // Inside the interpolated value: the position of the :n reference.
  std::size_t in_value = item.text.find("345");
  src = Lexer::source_offset(item, in_value);
  CHECK(text.substr(src, 2) == ":n");
  CHECK(lexer.column_of(src) == 15);
}

TEST_CASE("classification words: lower-cased, top level only") {
  Lexer lexer("CREATE INDEX CONCURRENTLY i ON t (Database);");
  LexItem item = lexer.next(nullptr);
  CHECK(item.words == V{"create", "index", "concurrently", "i", "on", "t"});
}
