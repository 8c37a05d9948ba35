// SQL quoting without a connection (pg/quote), no server.
#include <catch2/catch.hpp>

#include "common/pg/quote.hpp"

TEST_CASE("quote_literal and quote_identifier follow libpq") {
  CHECK(hectic::pq::quote_literal("a'b") == "'a''b'");
  CHECK(hectic::pq::quote_literal("a\\b") == " E'a\\\\b'");
  CHECK(hectic::pq::quote_identifier("a\"b") == "\"a\"\"b\"");
}
