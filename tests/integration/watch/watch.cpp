// `migrator watch` against real stores — a directory and s3rver, a real S3-compatible server on
// 127.0.0.1 — and real clusters: every case of issue 15 point 1 runs once per store.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "common/base/fs.hpp"
#include "common/pg/conninfo.hpp"
#include "common/watch/store.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/s3rver.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

enum class Kind { dir, s3 };

// A cluster, a store holding versions under the prefix "app", and how migrator reaches both.
struct Env {
  test::Sandbox box;
  std::string url;
  std::optional<test::S3rver> s3;
  std::unique_ptr<watch::Store> store;
  std::vector<std::string> store_args;
  std::map<std::string, std::string> extra;

  explicit Env(Kind kind) {
    url = box.start_cluster();
    if (kind == Kind::dir) {
      auto root = box.path() / "store";
      stdfs::create_directories(root);
      store = std::make_unique<watch::DirStore>(root);
      store_args = {"--store", root.string(), "--path-prefix", "app"};
    } else {
      stdfs::create_directories(box.path() / "s3");
      s3.emplace(box.path() / "s3", "schemas");
      extra = s3->client_env();
      watch::S3Config config;
      config.bucket = "schemas";
      config.endpoint = s3->endpoint();
      config.access_key_id = config.secret_access_key = "S3RVER";
      store = std::make_unique<watch::S3Store>(config);
      store_args = {"--store", "s3://schemas/app"};
    }
  }

  void put(const std::string& key, const std::string& content) { store->put("app/" + key, content); }
  std::optional<std::string> get(const std::string& key) { return store->get("app/" + key); }

  std::vector<std::string> args(std::vector<std::string> more) const {
    std::vector<std::string> all = {"watch", "-u", url};
    all.insert(all.end(), store_args.begin(), store_args.end());
    all.insert(all.end(), more.begin(), more.end());
    return all;
  }
  test::Run watch(std::vector<std::string> more, std::map<std::string, std::string> env = {}) const {
    auto all_env = extra;
    all_env.insert(env.begin(), env.end());
    return box.run("migrator", args(std::move(more)), all_env);
  }
  std::string sql(const std::string& query) { return box.psql(url, query); }
  bool has_table(const std::string& name) { return sql("SELECT to_regclass('public." + name + "') IS NOT NULL") == "t"; }
  std::string read(const std::string& file) {
    std::error_code ec;
    auto path = box.path() / file;
    return stdfs::exists(path, ec) ? fs::read_file(path) : std::string();
  }
  std::string hook_writes(const std::string& file, const std::string& variable = "HECTIC_WATCH_VERSION") const {
    return "printf '%s\\n' \"$" + variable + "\" >> '" + (box.path() / file).string() + "'";
  }
};

// migrator watch in the background (its pid through a pid file: sh execs it), for the signals.
struct Background {
  const Env& env;
  stdfs::path pidfile;
  test::Run result;
  std::thread thread;

  Background(const Env& e, std::vector<std::string> more) : env(e), pidfile(e.box.path() / "watch.pid") {
    std::vector<std::string> argv = {"-c", "echo $$ > \"$0\"; exec \"$@\"", pidfile.string(),
                                     test::tool("migrator").string()};
    auto rest = env.args(std::move(more));
    argv.insert(argv.end(), rest.begin(), rest.end());
    thread = std::thread([this, argv] { result = env.box.run_program("/bin/sh", argv, env.extra, {}, 120); });
  }
  ~Background() {
    if (!thread.joinable()) return;
    if (int p = pid(); p > 0) ::kill(p, SIGKILL);
    thread.join();
  }
  int pid() const {
    for (int i = 0; i < 100; ++i) {
      try {
        auto text = fs::read_file(pidfile);
        if (!text.empty() && text.back() == '\n') return std::stoi(text);
      } catch (...) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }
  test::Run terminate() {
    ::kill(pid(), SIGTERM);
    thread.join();
    return result;
  }
};

// Waits up to seconds for done(); false when it never became true.
template <typename F> bool eventually(F done, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void new_version_is_applied_and_marked(Kind kind) {
  Env env(kind);
  env.put("v1/schema.sql", "CREATE TABLE widget (id int PRIMARY KEY, name text);\n");
  auto run = env.watch({"--once", "--on-apply-succeeded", env.hook_writes("succeeded"),
                        "--on-start", env.hook_writes("started", "HECTIC_WATCH_STORE")});
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(env.has_table("widget"));
  auto marker = env.get("v1/completed");
  REQUIRE(marker);
  CHECK(contains(*marker, "applied_at: 20"));
  CHECK(contains(*marker, "database: "));
  CHECK(contains(*marker, "fingerprint: "));
  CHECK(env.read("succeeded") == "v1\n");
  CHECK(!env.read("started").empty());
  // Marked now: a second pass changes nothing and fires no hook.
  auto again = env.watch({"--once", "--on-apply-succeeded", env.hook_writes("succeeded")});
  CHECK(again.code == 0);
  CHECK(env.read("succeeded") == "v1\n");
}

void marked_highest_version_does_nothing(Kind kind) {
  Env env(kind);
  env.put("v1/schema.sql", "CREATE TABLE old (id int);\n");
  env.put("v2/schema.sql", "CREATE TABLE widget (id int);\n");
  env.put("v2/completed", "done by hand\n");
  // A failing hook and one that outlives --hook-timeout are warnings, never the end.
  const auto started = std::chrono::steady_clock::now();
  auto run = env.watch({"--once", "--on-start", "sleep 20", "--hook-timeout", "500ms"});
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15));
  CHECK(contains(run.err, "hook --on-start timed out; the watcher goes on"));
  auto failing = env.watch({"--once", "--on-start", "echo no >&2; exit 3"});
  CHECK(failing.code == 0);
  CHECK(contains(failing.err, "--on-start> no"));
  CHECK(contains(failing.err, "hook --on-start exited with status 3; the watcher goes on"));
  CHECK_FALSE(env.has_table("widget"));
  CHECK_FALSE(env.has_table("old")); // only the highest version counts
  CHECK(env.get("v2/completed") == std::optional<std::string>("done by hand\n"));
  CHECK_FALSE(env.get("v1/completed"));
}

void versions_sort_as_strings(Kind kind) {
  Env env(kind);
  env.put("9/schema.sql", "CREATE TABLE nine (id int);\n");
  env.put("10/schema.sql", "CREATE TABLE ten (id int);\n");
  env.put("99-no-schema/notes.txt", "not a version: it has no schema.sql\n");
  env.put("2026-01-02/schema.sql", "CREATE TABLE dated (id int);\n");
  auto run = env.watch({"--once"});
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(env.has_table("nine")); // "9" > "2026-01-02" > "10" as strings
  CHECK_FALSE(env.has_table("ten"));
  CHECK_FALSE(env.has_table("dated"));
  CHECK(env.get("9/completed"));
}

void failing_schema_fires_hook_and_succeeds_once_fixed(Kind kind) {
  Env env(kind);
  env.sql("CREATE TABLE item (id int); INSERT INTO item VALUES (1), (1)");
  // Loads fine into an empty cluster, fails on this database: the rows are not unique.
  env.put("v1/schema.sql", "CREATE TABLE item (id int UNIQUE);\n");
  auto failed = env.watch({"--once", "--on-apply-failed", env.hook_writes("failed", "HECTIC_WATCH_ERROR"),
                           "--on-apply-succeeded", env.hook_writes("succeeded")});
  INFO(failed.out << failed.err);
  CHECK(failed.code == 1);
  CHECK(contains(failed.err, "version v1 failed (no marker written"));
  CHECK(contains(env.read("failed"), "could not create unique index"));
  CHECK_FALSE(env.get("v1/completed"));
  CHECK(env.read("succeeded").empty());
  CHECK(env.sql("SELECT count(*) FROM pg_constraint WHERE conrelid = 'item'::regclass") == "0");
  // Fixed in place: the next pass applies it.
  env.put("v1/schema.sql", "CREATE TABLE item (id int, note text);\n");
  auto fixed = env.watch({"--once", "--on-apply-succeeded", env.hook_writes("succeeded")});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.code == 0);
  CHECK(env.get("v1/completed"));
  CHECK(env.read("succeeded") == "v1\n");
  CHECK(env.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'note'") ==
        "1");
}

// A failing version in a running watcher is retried with backoff, not at every poll. The
// database is unreachable here, so that an attempt costs milliseconds and only the backoff
// spaces them.
void failing_version_backs_off(Kind kind) {
  Env env(kind);
  env.url = "postgresql://nobody@/db?host=" + (env.box.path() / "no-such-socket-dir").string();
  env.put("v1/schema.sql", "CREATE TABLE item (id int);\n");
  Background watcher(env, {"--interval", "100ms", "--on-apply-failed", env.hook_writes("failed")});
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto run = watcher.terminate();
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  const auto failed = env.read("failed");
  auto attempts = std::count(failed.begin(), failed.end(), '\n');
  // Every 100 ms would be ~30 in 3 s; retries 200 ms, 400 ms, 800 ms, 1.6 s later: about 5.
  CHECK(attempts >= 2);
  CHECK(attempts <= 6);
  CHECK(contains(run.err, "next in 200ms at the earliest"));
  CHECK(contains(run.err, "next in 400ms at the earliest"));
}

// The store is unreachable: the watcher stays up, and after 3 failed fetches in a row fires
// --on-fetch-error once; SIGTERM between polls exits 0.
void three_fetch_failures_fire_the_hook(Kind kind) {
  Env env(kind);
  if (kind == Kind::dir) {
    env.store_args = {"--store", (env.box.path() / "no-such-store").string()};
  } else {
    env.extra["AWS_ENDPOINT_URL"] = "http://127.0.0.1:" + std::to_string(test::free_tcp_port());
  }
  Background watcher(env, {"--interval", "100ms", "--on-fetch-error", env.hook_writes("fetch-error", "HECTIC_WATCH_ERROR")});
  REQUIRE(eventually([&] { return !env.read("fetch-error").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500)); // more failures: no second hook
  auto run = watcher.terminate();
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(contains(run.err, "(3 in a row)"));
  CHECK(contains(run.err, "(5 in a row)"));
  const auto hooked = env.read("fetch-error");
  CHECK(std::count(hooked.begin(), hooked.end(), '\n') == 1);
  CHECK(contains(env.read("fetch-error"), kind == Kind::dir ? "no-such-store" : "127.0.0.1"));
}

// SIGTERM while the apply waits (the test holds a lock the ALTER needs): cancelled, rolled
// back, no marker, exit 0 (with --once: 130, it did not do its one pass).
void sigterm_during_apply(Kind kind, bool once) {
  Env env(kind);
  env.sql("CREATE TABLE item (id int)");
  env.put("v1/schema.sql", "CREATE TABLE item (id int, note text);\nCREATE TABLE other (id int);\n");
  std::thread locker([&] {
    env.box.run_program("psql", {"-XAtq", "-d", env.url, "-c",
                                 "BEGIN; LOCK TABLE item IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;"},
                        {{"PGAPPNAME", "watch-test-locker"}}, {}, 90);
  });
  REQUIRE(eventually([&] {
    return env.sql("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                   "WHERE a.application_name = 'watch-test-locker' AND l.mode = 'AccessExclusiveLock' AND l.granted") != "0";
  }));
  Background watcher(env, once ? std::vector<std::string>{"--once"} : std::vector<std::string>{"--interval", "1m"});
  bool waiting = eventually([&] {
    return env.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrator diff' "
                   "AND wait_event_type = 'Lock' AND query ILIKE 'ALTER TABLE%'") != "0";
  }, 60);
  auto run = watcher.terminate();
  env.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'watch-test-locker'");
  locker.join();
  INFO(run.out << run.err);
  REQUIRE(waiting);
  CHECK(run.code == (once ? 130 : 0));
  CHECK(contains(run.err, "rolled back"));
  CHECK_FALSE(env.get("v1/completed"));
  CHECK_FALSE(env.has_table("other"));
  CHECK(env.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'item'") == "1");
  CHECK(eventually([&] {
    return env.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'migrator%'") == "0";
  }));
}

void sigterm_during_apply_changes_nothing(Kind kind) { sigterm_during_apply(kind, false); }

// A version failing in a running watcher does not hold back a new one: it is tried at once,
// whatever the backoff of the failed one.
void new_version_replaces_a_failing_one(Kind kind) {
  Env env(kind);
  env.sql("CREATE TABLE item (id int); INSERT INTO item VALUES (1), (1)");
  env.put("v1/schema.sql", "CREATE TABLE item (id int UNIQUE);\n");
  Background watcher(env, {"--interval", "300ms", "--on-apply-failed", env.hook_writes("failed")});
  REQUIRE(eventually([&] { return !env.read("failed").empty(); }));
  env.put("v2/schema.sql", "CREATE TABLE item (id int, note text);\n");
  bool applied = eventually([&] { return env.get("v2/completed").has_value(); }, 20);
  auto run = watcher.terminate();
  INFO(run.out << run.err);
  CHECK(applied);
  CHECK(run.code == 0);
  CHECK_FALSE(env.get("v1/completed"));
  CHECK(env.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'item'") == "2");
}

// Two watchers at once on one database: the version is applied once, both exit 0.
void two_watchers_apply_once(Kind kind) {
  Env env(kind);
  env.put("v1/schema.sql", "CREATE TABLE widget (id int);\nCREATE INDEX widget_id ON widget (id);\n");
  test::Run first, second;
  auto args = std::vector<std::string>{"--once", "--on-apply-succeeded", env.hook_writes("succeeded")};
  std::thread a([&] { first = env.watch(args); });
  std::thread b([&] { second = env.watch(args); });
  a.join();
  b.join();
  INFO(first.out << first.err << "\n----\n" << second.out << second.err);
  CHECK(first.code == 0);
  CHECK(second.code == 0);
  CHECK(env.read("succeeded") == "v1\n");
  CHECK(contains(first.err + second.err, "was applied meanwhile"));
  CHECK(env.has_table("widget"));
  CHECK(env.get("v1/completed"));
}

// More than 1000 objects: every ListObjectsV2 page (1000 keys each) is read; the highest
// version sits on the third page. The 2198 old objects are written as files — for S3 straight
// into s3rver's file store (a PUT costs ~100 ms on a loaded machine: 50 PUTs took 5.2 s); the
// new version is PUT through the store.
void pagination_past_1000_objects(Kind kind) {
  Env env(kind);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 1; i < 1100; ++i) {
    auto version = fmt::format("v{:04}", i);
    for (auto [file, content] : {std::pair{"schema.sql", "CREATE TABLE early (id int);\n"}, std::pair{"completed", "old\n"}}) {
      if (kind == Kind::s3) {
        env.s3->write_object("app/" + version + "/" + file, content);
      } else {
        auto path = env.box.path() / "store" / "app" / version / file;
        stdfs::create_directories(path.parent_path());
        std::ofstream(path) << content; // not the store's put: 2198 fsyncs would take seconds
      }
    }
  }
  env.put("v1100/schema.sql", "CREATE TABLE last_page (id int);\n");
  WARN("uploading 2199 objects took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
       << " ms");
  auto run = env.watch({"--once"}, {{"HECTIC_LOG", "info;migrator watch=debug"}});
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(env.has_table("last_page"));
  CHECK_FALSE(env.has_table("early"));
  CHECK(env.get("v1100/completed"));
  if (kind == Kind::s3) {
    CHECK(contains(run.err, "page 1 had 1000 keys, more follow"));
    CHECK(contains(run.err, "page 2 had 1000 keys, more follow"));
  }
}

} // namespace

#define BOTH_STORES(name, function)                                                                                    \
  TEST_CASE("dir store: " name) { function(Kind::dir); }                                                               \
  TEST_CASE("s3 store: " name) { function(Kind::s3); }

BOTH_STORES("a new version is applied and marked", new_version_is_applied_and_marked)
BOTH_STORES("a marked highest version does nothing", marked_highest_version_does_nothing)
BOTH_STORES("versions sort as strings", versions_sort_as_strings)
BOTH_STORES("a failing schema fires --on-apply-failed, writes no marker, succeeds once fixed",
            failing_schema_fires_hook_and_succeeds_once_fixed)
BOTH_STORES("a failing version is retried with backoff", failing_version_backs_off)
BOTH_STORES("three failed fetches fire --on-fetch-error and the watcher stays up", three_fetch_failures_fire_the_hook)
BOTH_STORES("SIGTERM during a long apply leaves the database unchanged", sigterm_during_apply_changes_nothing)
BOTH_STORES("two watchers on one database apply a version once", two_watchers_apply_once)
BOTH_STORES("a new version is applied at once while an older one backs off", new_version_replaces_a_failing_one)
BOTH_STORES("more than 1000 objects are listed across pages", pagination_past_1000_objects)

TEST_CASE("SIGTERM during the apply of --once rolls back and exits 130") { sigterm_during_apply(Kind::dir, true); }

TEST_CASE("no store and no database are missing arguments, a bad interval is named, --once fails on a bad store") {
  test::Sandbox box;
  auto no_store = box.run("migrator", {"watch", "-u", "postgresql:///x", "--once"});
  CHECK(no_store.code == 3);
  CHECK(contains(no_store.err, "migrator: error: no store: --store is not given and S3_BUCKET is not set"));
  auto no_db = box.run("migrator", {"watch", "--store", box.path().string(), "--once"});
  CHECK(no_db.code == 3);
  CHECK(contains(no_db.err, "no database: DB_URL (or -u) is not set"));
  auto bad = box.run("migrator", {"watch", "-u", "postgresql:///x", "--store", box.path().string(), "--interval", "1x"});
  CHECK(bad.code == 9);
  CHECK(contains(bad.err, "--interval: expected a duration such as 30s, 1m, 1h30m or 500ms, got '1x'"));
  auto unreachable = box.run("migrator", {"watch", "-u", "postgresql:///x", "--store", (box.path() / "none").string(),
                                          "--once", "--on-fetch-error", "echo hooked"});
  CHECK(unreachable.code == 1);
  CHECK(contains(unreachable.err, "fetch from " + (box.path() / "none").string() + " failed (1 in a row)"));
  CHECK(!contains(unreachable.err, "hooked"));
  auto no_keys = box.run("migrator", {"watch", "-u", "postgresql:///x", "--store", "s3://bucket/p", "--once"});
  CHECK(no_keys.code == 3);
  CHECK(contains(no_keys.err, "AWS_ACCESS_KEY_ID is not set"));
}

TEST_CASE("DB_HOST, DB_USER, DB_PASSWORD, DB_NAME reach the database, the password is never printed") {
  Env env(Kind::dir);
  auto keywords = pq::parse_conninfo(env.url);
  env.sql("CREATE ROLE watcher LOGIN PASSWORD 'sEcr3t-pw' SUPERUSER");
  env.put("v1/schema.sql", "CREATE TABLE widget (id int);\n");
  std::vector<std::string> args = {"watch"};
  args.insert(args.end(), env.store_args.begin(), env.store_args.end());
  args.push_back("--once");
  auto through_socket = env.box.run("migrator", args,
                                    {{"DB_HOST", keywords["host"]}, {"DB_PORT", keywords["port"]},
                                     {"DB_USER", "watcher"}, {"DB_PASSWORD", "sEcr3t-pw"},
                                     {"DB_NAME", keywords["dbname"]}, {"HECTIC_LOG", "debug"}});
  INFO(through_socket.out << through_socket.err);
  CHECK(through_socket.code == 0);
  CHECK(!contains(through_socket.out + through_socket.err, "sEcr3t-pw"));
  CHECK(env.has_table("widget"));
  auto marker = env.get("v1/completed");
  REQUIRE(marker);
  CHECK(!contains(*marker, "sEcr3t-pw"));
  CHECK(contains(*marker, "watcher@"));
}
