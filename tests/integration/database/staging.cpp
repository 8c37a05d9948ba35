// database pull_staging through a real sshd on 127.0.0.1 (started here) into PATCH_SQL.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "common/base/fs.hpp"
#include "common/pg/pgbin.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/sshd.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("pull_staging: dump with header and setval, quoting, atomic write, empty dump") {
  Sandbox sandbox;
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
  // The "staging" database: the example deployed (customers with ids from a sequence).
  auto deploy = sandbox.run("database", {"deploy"});
  INFO(deploy.err);
  REQUIRE(deploy.code == 0);
  auto init = sandbox.run("database", {"init", "--reuse"});
  auto url = exported(init.out, "PGURL");
  REQUIRE(url);
  // The ssh account reaches the staging socket like any local client.
  sandbox.run_program("chmod", {"0755", (sandbox.working_dir() / "sock").string()});

  auto ssh_dir = sandbox.path() / "ssh";
  stdfs::create_directories(ssh_dir);
  Sshd sshd(ssh_dir);

  auto patch_sql = sandbox.path() / "staging-data.sql";
  std::map<std::string, std::string> env{
      {"STAGING_SSH_HOST", sshd.destination()},
      {"STAGING_SSH_OPTS", sshd.ssh_options_text()},
      {"STAGING_DB_URL", *url},
      {"STAGING_DUMP_TABLES", "customer invoice"},
      {"STAGING_DUMP_FLAGS", "--data-only --column-inserts"},
      {"STAGING_PG_DUMP", hectic::pgbin::program("pg_dump").string()},
      {"STAGING_PSQL", hectic::pgbin::program("psql").string()},
      {"PATCH_SQL", patch_sql.string()}};
  auto pulled = sandbox.run("database", {"pull_staging"}, env);
  INFO(pulled.out << pulled.err);
  REQUIRE(pulled.code == 0);
  auto text = hectic::fs::read_file(patch_sql);
  CHECK(contains(text, "-- source host: " + sshd.destination()));
  CHECK(contains(text, "-- pulled at: "));
  CHECK(contains(text, " UTC"));
  CHECK(contains(text, "INSERT INTO public.customer"));
  CHECK(contains(text, "ada@example.com"));
  CHECK(contains(text, "setval('public.customer_id_seq', COALESCE((SELECT max(id) FROM public.customer), 0) + 1, false)"));
  CHECK(contains(text, "setval('public.invoice_id_seq'"));

  // The pulled file loads into a fresh deploy (no test data, then patch).
  auto fresh = sandbox.run("database", {"deploy", "-P"});
  REQUIRE(fresh.code == 0);
  auto patch = sandbox.run("database", {"patch"}, {{"DB_URL", *url}, {"PATCH_SQL", patch_sql.string()}});
  INFO(patch.err);
  CHECK(patch.code == 0);
  CHECK(sandbox.psql(*url, "SELECT count(*) FROM public.customer") == "2");
  sandbox.psql(*url, "INSERT INTO public.customer (email, name) VALUES ('next@example.com', 'Next')");

  // Table names and URLs reach the remote shell quoted: nothing in them runs there.
  auto marker = sandbox.path() / "pwned";
  auto before = hectic::fs::read_file(patch_sql);
  auto evil = env;
  evil["STAGING_DUMP_TABLES"] = "customer;touch${IFS}" + marker.string() + " $(touch${IFS}" + marker.string() +
                                ") `touch${IFS}" + marker.string() + "` it's\"x";
  auto injected = sandbox.run("database", {"pull_staging"}, evil);
  CHECK(injected.code == 1);
  CHECK(contains(injected.err, "pg_dump on " + sshd.destination() + " failed"));
  CHECK(contains(injected.err, "kept as it was"));
  CHECK_FALSE(stdfs::exists(marker));
  CHECK(hectic::fs::read_file(patch_sql) == before);
  auto evil_url = env;
  evil_url["STAGING_DB_URL"] = *url + "&application_name=$(touch " + marker.string() + ")';touch " + marker.string();
  // libpq may accept that URL (the text is just an application_name): the pull may succeed,
  // but nothing ran in the remote shell.
  auto injected_url = sandbox.run("database", {"pull_staging"}, evil_url);
  INFO(injected_url.err);
  CHECK_FALSE(stdfs::exists(marker));
  before = hectic::fs::read_file(patch_sql);

  // An empty dump is an error; the previous file survives; no temporary file is left.
  auto empty = env;
  empty["STAGING_PG_DUMP"] = "true";
  auto nothing = sandbox.run("database", {"pull_staging"}, empty);
  CHECK(nothing.code == 1);
  CHECK(contains(nothing.err, "returned an empty dump"));
  CHECK(hectic::fs::read_file(patch_sql) == before);
  for (const auto& entry : stdfs::directory_iterator(sandbox.path()))
    CHECK_FALSE(contains(entry.path().filename().string(), "staging-data.sql.tmp"));

  // A table without an id sequence (currency: a code key) gets no setval. (The fresh deploy
  // above made a new socket dir.)
  sandbox.run_program("chmod", {"0755", (sandbox.working_dir() / "sock").string()});
  auto by_code = env;
  by_code["STAGING_DUMP_TABLES"] = "currency";
  by_code["PATCH_SQL"] = (sandbox.path() / "currency.sql").string();
  auto currency = sandbox.run("database", {"pull_staging"}, by_code);
  INFO(currency.err);
  CHECK(currency.code == 0);
  auto currency_text = hectic::fs::read_file(sandbox.path() / "currency.sql");
  CHECK(contains(currency_text, "INSERT INTO public.currency"));
  CHECK_FALSE(contains(currency_text, "setval"));

  // A symlinked PATCH_SQL (a shared profile) is written where it points, its mode kept; a
  // missing parent directory is created.
  auto shared = sandbox.write("profiles/shared.sql", "-- old\n");
  stdfs::permissions(shared, stdfs::perms::owner_read | stdfs::perms::owner_write | stdfs::perms::group_read);
  auto link = sandbox.path() / "linked.sql";
  stdfs::create_symlink(shared, link);
  auto linked = env;
  linked["PATCH_SQL"] = link.string();
  auto through_link = sandbox.run("database", {"pull_staging"}, linked);
  INFO(through_link.err);
  CHECK(through_link.code == 0);
  CHECK(stdfs::is_symlink(link));
  CHECK(contains(hectic::fs::read_file(shared), "INSERT INTO public.customer"));
  CHECK((stdfs::status(shared).permissions() & stdfs::perms::all) ==
        (stdfs::perms::owner_read | stdfs::perms::owner_write | stdfs::perms::group_read));
  auto nested = env;
  nested["PATCH_SQL"] = (sandbox.path() / "new" / "profile" / "data.sql").string();
  CHECK(sandbox.run("database", {"pull_staging"}, nested).code == 0);
  CHECK(stdfs::exists(sandbox.path() / "new" / "profile" / "data.sql"));

  // ssh itself failing (nobody listens) is exit 1 with ssh's message.
  auto refused = env;
  refused["STAGING_SSH_OPTS"] = "-p 1 -o BatchMode=yes -o ConnectTimeout=5";
  auto down = sandbox.run("database", {"pull_staging"}, refused);
  CHECK(down.code == 1);
  CHECK(hectic::fs::read_file(patch_sql) == before);
}
