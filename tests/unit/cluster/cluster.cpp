// The cluster unit without a server: pidfile parsing, forced settings, failure classification,
// preload decisions, the tree copy, Config from the environment, the exports.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/cluster/cluster.hpp"
#include "common/cluster/detail.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"

namespace stdfs = std::filesystem;
using namespace hectic;
using namespace hectic::cluster;

namespace {

// Sets (or unsets, for nullopt) environment variables for one scope.
class ScopedEnv {
public:
  ScopedEnv(std::initializer_list<std::pair<const char*, std::optional<std::string>>> values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name);
      m_saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) ::setenv(name, value->c_str(), 1);
      else ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    for (auto it = m_saved.rbegin(); it != m_saved.rend(); ++it) {
      if (it->second) ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else ::unsetenv(it->first.c_str());
    }
  }

private:
  std::vector<std::pair<std::string, std::optional<std::string>>> m_saved;
};

ExitCode code_of(const std::function<void()>& action, std::string* message = nullptr) {
  try {
    action();
  } catch (const Error& error) {
    if (message) *message = error.what();
    return error.code();
  }
  return ExitCode::ok;
}

void write(const stdfs::path& path, const std::string& content) {
  stdfs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

} // namespace

TEST_CASE("postmaster.pid is parsed line by line") {
  auto pidfile = detail::parse_pidfile("4242\n/tmp/x/data\n1795262002\n5999\n/tmp/x/sock\n\n  10953229         4\nready   \n");
  REQUIRE(pidfile);
  CHECK(pidfile->pid == 4242);
  CHECK(pidfile->data_dir == "/tmp/x/data");
  CHECK(pidfile->port == 5999);
  CHECK(pidfile->socket_dir == "/tmp/x/sock");
  CHECK(pidfile->status == "ready");

  auto starting = detail::parse_pidfile("17\n/d\n");
  REQUIRE(starting);
  CHECK(starting->pid == 17);
  CHECK(starting->port == 0);
  CHECK(starting->status.empty());

  CHECK_FALSE(detail::parse_pidfile(""));
  CHECK_FALSE(detail::parse_pidfile("abc\n/d\n"));
  CHECK_FALSE(detail::parse_pidfile("0\n"));
  CHECK_FALSE(detail::parse_pidfile("-5\n"));
}

TEST_CASE("server state: none, stale (dead pid, live non-postgres pid, garbage)") {
  fs::TempDir dir("hectic-unit-cluster");
  auto data = dir.path() / "data";
  stdfs::create_directories(data);
  CHECK(detail::server_state(data) == detail::ServerState::none);

  // Our own pid is alive but is not a postgres: a recycled pid must not count as a server.
  write(data / "postmaster.pid", fmt::format("{}\n{}\n0\n5432\n/s\n\n0 0\nready\n", ::getpid(), data.string()));
  CHECK(detail::process_alive(::getpid()));
  CHECK_FALSE(detail::is_postgres_process(::getpid()));
  CHECK(detail::server_state(data) == detail::ServerState::stale);

  write(data / "postmaster.pid", "999999999\n");
  CHECK_FALSE(detail::process_alive(999999999));
  CHECK(detail::server_state(data) == detail::ServerState::stale);

  write(data / "postmaster.pid", "");
  CHECK(detail::server_state(data) == detail::ServerState::stale);
}

TEST_CASE("socket probe tells a listener from a leftover socket file") {
  fs::TempDir dir("hectic-unit-cluster");
  auto path = detail::socket_file(dir.path(), 5999);
  CHECK(path.filename() == ".s.PGSQL.5999");
  CHECK_FALSE(detail::socket_listening(path));

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  CHECK_FALSE(detail::socket_listening(path)); // bound, not listening: refused
  REQUIRE(::listen(fd, 4) == 0);
  CHECK(detail::socket_listening(path));
  ::close(fd);
  CHECK_FALSE(detail::socket_listening(path)); // the file stays, nobody listens
}

TEST_CASE("preload libraries: split, located, decided") {
  CHECK(detail::split_libraries("") == std::vector<std::string>{});
  CHECK(detail::split_libraries(" pg_cron , pg_stat_statements,,") ==
        std::vector<std::string>{"pg_cron", "pg_stat_statements"});
  CHECK(detail::split_libraries("\"quoted\"") == std::vector<std::string>{"quoted"});

  CHECK(detail::library_file("pg_cron", "/lib/pg") == "/lib/pg/pg_cron.so");
  CHECK(detail::library_file("$libdir/pg_cron", "/lib/pg") == "/lib/pg/pg_cron.so");
  CHECK(detail::library_file("/opt/x/auto.so", "/lib/pg") == "/opt/x/auto.so");

  fs::TempDir dir("hectic-unit-cluster");
  write(dir.path() / "pg_cron.so", "");
  auto kept = detail::decide_preload("pg_cron", false, dir.path());
  CHECK(kept.kept == std::vector<std::string>{"pg_cron"});
  CHECK(kept.missing.empty());

  // Default and missing: dropped, reported.
  auto dropped = detail::decide_preload("pg_cron", false, dir.path() / "empty");
  CHECK(dropped.kept.empty());
  REQUIRE(dropped.missing.size() == 1);
  CHECK(dropped.missing[0].first == "pg_cron");

  // Explicit and missing: 127 naming it.
  std::string message;
  CHECK(code_of([&] { detail::decide_preload("pg_cron,pg_crom", true, dir.path()); }, &message) ==
        ExitCode::missing_program);
  CHECK_THAT(message, Catch::Contains("'pg_crom'") && Catch::Contains("pg_crom.so"));
}

TEST_CASE("runtime settings: every forced setting, cron only with pg_cron, signature") {
  detail::RuntimeSettings settings;
  settings.data_dir = "/w/it's/data";
  settings.socket_dir = "/w/it's/sock";
  settings.port = 6543;
  settings.logging = false;
  settings.cron_database = "app";
  settings.signature = "v1 port=6543\nnewline";
  auto text = detail::render_runtime_conf(settings);
  CHECK_THAT(text, Catch::Contains("listen_addresses = ''\n"));
  CHECK_THAT(text, Catch::Contains("port = 6543\n"));
  CHECK_THAT(text, Catch::Contains("unix_socket_directories = '/w/it''s/sock'\n"));
  CHECK_THAT(text, Catch::Contains("hba_file = '/w/it''s/data/pg_hba.conf'\n"));
  CHECK_THAT(text, Catch::Contains("ident_file = '/w/it''s/data/pg_ident.conf'\n"));
  CHECK_THAT(text, Catch::Contains("logging_collector = off\n"));
  CHECK_THAT(text, !Catch::Contains("shared_preload_libraries"));
  CHECK_THAT(text, !Catch::Contains("cron."));
  CHECK(detail::runtime_signature(text) == "v1 port=6543 newline");

  settings.logging = true;
  settings.preload = {"pg_stat_statements"};
  text = detail::render_runtime_conf(settings);
  CHECK_THAT(text, Catch::Contains("logging_collector = on\n"));
  CHECK_THAT(text, Catch::Contains("shared_preload_libraries = 'pg_stat_statements'\n"));
  CHECK_THAT(text, !Catch::Contains("cron."));

  settings.preload = {"pg_stat_statements", "pg_cron"};
  text = detail::render_runtime_conf(settings);
  CHECK_THAT(text, Catch::Contains("shared_preload_libraries = 'pg_stat_statements,pg_cron'\n"));
  CHECK_THAT(text, Catch::Contains("cron.database_name = 'app'\n"));
  CHECK_THAT(text, Catch::Contains("cron.host = '/w/it''s/sock'\n"));

  CHECK(detail::conf_quote("a\\b") == "'a\\\\b'");
  CHECK(detail::runtime_signature("port = 1\n").empty());
}

TEST_CASE("the include of the runtime settings is always the last setting") {
  auto once = detail::with_include_last("port = 1\nshared_buffers = 1MB\n\n\n");
  CHECK(once == "port = 1\nshared_buffers = 1MB\n\n# hectic: the settings postgres-init forces on every start\n"
                "include 'hectic.runtime.conf'\n");
  // Idempotent, and moved to the end when a user appended after it.
  CHECK(detail::with_include_last(once) == once);
  auto moved = detail::with_include_last(once + "port = 7\n");
  CHECK_THAT(moved, Catch::EndsWith("port = 7\n\n# hectic: the settings postgres-init forces on every start\n"
                                    "include 'hectic.runtime.conf'\n"));
  CHECK(std::count(moved.begin(), moved.end(), '\n') == 7);
  CHECK_THAT(detail::render_hba_conf(), Catch::Contains("local   all          all   trust"));
  CHECK_THAT(detail::render_hba_conf(), Catch::Contains("local   replication  all   trust"));
  CHECK_THAT(detail::render_hba_conf(), !Catch::Contains("host "));
  CHECK_THAT(detail::render_base_conf(), Catch::Contains("log_directory = 'log'"));
}

TEST_CASE("start failures: damaged data versus configuration") {
  // Damage: what PostgreSQL 15 says when its own data cannot be read.
  CHECK(detail::log_shows_damage("PANIC:  could not read file \"global/pg_control\": read 0 of 296"));
  CHECK(detail::log_shows_damage(
      "FATAL:  database files are incompatible with server\nDETAIL:  The database cluster was initialized with "
      "PG_CONTROL_VERSION 0 (0x00000000), but the server was compiled with PG_CONTROL_VERSION 1300"));
  CHECK(detail::log_shows_damage("FATAL:  incorrect checksum in control file"));
  CHECK(detail::log_shows_damage("LOG:  invalid primary checkpoint record\nPANIC:  could not locate a valid checkpoint record"));
  CHECK(detail::log_shows_damage("FATAL:  could not open file \"global/1262\": No such file or directory"));
  // Configuration: reported, never "healed".
  CHECK_FALSE(detail::log_shows_damage("FATAL:  could not access file \"pg_crom\": No such file or directory"));
  CHECK_FALSE(detail::log_shows_damage("FATAL:  invalid value for parameter \"port\": \"x\""));
  CHECK_FALSE(detail::log_shows_damage("LOG:  could not bind Unix address \"/s/.s.PGSQL.5432\": Address already in use"));
  CHECK_FALSE(detail::log_shows_damage("FATAL:  lock file \"postmaster.pid\" already exists"));
  CHECK_FALSE(detail::log_shows_damage(
      "FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by "
      "PostgreSQL version 14, which is not compatible with this version 15.20."));

  CHECK(detail::tail_lines("a\n\nb\nc\n", 2) == std::vector<std::string>{"b", "c"});
  CHECK(detail::tail_lines("", 3).empty());
}

TEST_CASE("template key names the server version, the init options and the database") {
  auto key = detail::template_key("15.20", "postgres", "testdb");
  CHECK(key == "pg15.20-postgres-utf8-nolocale-trust-db_testdb-v2");
  CHECK(detail::template_key("15.20", "a b/c", "testdb") == "pg15.20-a_b_c-utf8-nolocale-trust-db_testdb-v2");
  CHECK(detail::template_key("16.1", "postgres", "testdb") != key);
  CHECK(detail::template_key("15.20", "postgres", "other") != key);
  // Names that must be cleaned keep apart by a hash of the real name.
  auto spaced = detail::template_key("15.20", "postgres", "a b");
  auto underscored = detail::template_key("15.20", "postgres", "a_b");
  CHECK(spaced != underscored);
  CHECK(spaced.find('/') == std::string::npos);
  CHECK(detail::template_key("15.20", "postgres", "a/../b").find('/') == std::string::npos);
}

TEST_CASE("copy_tree keeps modes, symlinks and content, and makes zero runs holes") {
  fs::TempDir dir("hectic-unit-cluster");
  auto from = dir.path() / "from";
  stdfs::create_directories(from / "sub" / "deeper");
  ::chmod(from.c_str(), 0700);
  write(from / "small", "hello");
  ::chmod((from / "small").c_str(), 0600);
  std::string big(1 << 20, '\0');
  big.replace(0, 5, "start");
  big.replace(big.size() - 3, 3, "end");
  write(from / "sub" / "sparse", big);
  write(from / "sub" / "deeper" / "empty", "");
  stdfs::create_symlink("../small", from / "sub" / "link");

  auto to = dir.path() / "to";
  detail::copy_tree(from, to);
  CHECK(fs::read_file(to / "small") == "hello");
  CHECK(fs::read_file(to / "sub" / "sparse") == big);
  CHECK(stdfs::file_size(to / "sub" / "deeper" / "empty") == 0);
  CHECK(stdfs::read_symlink(to / "sub" / "link") == "../small");
  struct stat st {};
  REQUIRE(::stat(to.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  REQUIRE(::stat((to / "small").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  REQUIRE(::stat((to / "sub" / "sparse").c_str(), &st) == 0);
  CHECK(st.st_blocks * 512 < static_cast<long>(big.size()) / 2); // the zeros were not written

  // The target must not exist: a copy never merges into old data.
  CHECK(code_of([&] { detail::copy_tree(from, to); }) == ExitCode::generic);
  CHECK(code_of([&] { detail::copy_tree(from / "small", dir.path() / "x"); }) == ExitCode::generic);
}

TEST_CASE("untraversable parents are found for an account") {
  fs::TempDir dir("hectic-unit-cluster");
  auto closed = dir.path() / "closed";
  stdfs::create_directories(closed / "inner");
  ::chmod(dir.path().c_str(), 0755);
  ::chmod(closed.c_str(), 0700);
  // An account that owns nothing here and is in no group of ours.
  uid_t other_uid = ::geteuid() == 4242 ? 4243 : 4242;
  gid_t other_gid = 4242;
  auto blocked = detail::untraversable_parent(closed / "inner" / "pg", other_uid, other_gid, {});
  REQUIRE(blocked);
  CHECK(*blocked == closed);
  CHECK_FALSE(detail::untraversable_parent(dir.path() / "open" / "pg", other_uid, other_gid, {}));
  CHECK_FALSE(detail::untraversable_parent(closed / "inner" / "pg", ::geteuid(), ::getegid(), {}));
}

TEST_CASE("Config from the environment: defaults, overrides, errors with exit codes") {
  ScopedEnv clean{{"PG_WORKING_DIR", std::nullopt}, {"LOCAL_DIR", std::nullopt}, {"PG_DATABASE", std::nullopt},
                  {"PG_PORT", std::nullopt}, {"PG_URL_VAR", std::nullopt}, {"PG_LOG_PATH", std::nullopt},
                  {"PG_CONF_FILE", std::nullopt}, {"PG_SHARED_PRELOAD_LIBRARIES", std::nullopt},
                  {"PG_DISABLE_LOGGING", std::nullopt}, {"PG_REUSE", std::nullopt}, {"PG_INIT_CACHE", std::nullopt},
                  {"PG_RUN_AS", std::nullopt}, {"HECTIC_CACHE_DIR", "/tmp/hectic-unit-cache"}};
  std::string message;
  CHECK(code_of([] { Config::from_env(); }, &message) == ExitCode::missing_argument);
  CHECK_THAT(message, Catch::Contains("PG_WORKING_DIR") && Catch::Contains("LOCAL_DIR"));

  {
    ScopedEnv local{{"LOCAL_DIR", "/proj"}};
    auto config = Config::from_env();
    CHECK(config.working_dir == "/proj/focus/postgresql");
    CHECK(config.data_dir() == "/proj/focus/postgresql/data");
    CHECK(config.socket_dir() == "/proj/focus/postgresql/sock");
    CHECK(config.database == "testdb");
    CHECK(config.port == 5432);
    CHECK(config.url_var == "PGURL");
    CHECK(config.preload_libraries == "pg_cron");
    CHECK_FALSE(config.preload_explicit);
    CHECK(config.logging);
    CHECK_FALSE(config.reuse);
    CHECK(config.template_cache);
    CHECK(config.cache_dir == "/tmp/hectic-unit-cache");
    CHECK(config.run_as.has_value() == (::geteuid() == 0));
  }
  {
    ScopedEnv set{{"PG_WORKING_DIR", "/w"}, {"LOCAL_DIR", "/proj"}, {"PG_DATABASE", "app"}, {"PG_PORT", "6000"},
                  {"PG_URL_VAR", "DB_URL"}, {"PG_SHARED_PRELOAD_LIBRARIES", ""}, {"PG_DISABLE_LOGGING", "1"},
                  {"PG_REUSE", "yes"}, {"PG_INIT_CACHE", "0"}, {"PG_LOG_PATH", "/logs"}};
    auto config = Config::from_env();
    CHECK(config.working_dir == "/w");
    CHECK(config.database == "app");
    CHECK(config.port == 6000);
    CHECK(config.url_var == "DB_URL");
    CHECK(config.preload_libraries.empty());
    CHECK(config.preload_explicit);
    CHECK_FALSE(config.logging);
    CHECK(config.reuse);
    CHECK_FALSE(config.template_cache);
    CHECK(config.log_path == stdfs::path("/logs"));
  }
  for (const char* falsy : {"", "0", "false", "NO"}) {
    ScopedEnv set{{"LOCAL_DIR", "/proj"}, {"PG_REUSE", falsy}};
    CHECK_FALSE(Config::from_env().reuse);
  }
  {
    ScopedEnv bad{{"LOCAL_DIR", "/proj"}, {"PG_URL_VAR", "1BAD-NAME"}};
    CHECK(code_of([] { Config::from_env(); }, &message) == ExitCode::missing_argument);
    CHECK_THAT(message, Catch::Contains("PG_URL_VAR") && Catch::Contains("1BAD-NAME"));
  }
  for (const char* port : {"abc", "0", "70000", "54 32"}) {
    ScopedEnv bad{{"LOCAL_DIR", "/proj"}, {"PG_PORT", port}};
    CHECK(code_of([] { Config::from_env(); }, &message) == ExitCode::missing_argument);
    CHECK_THAT(message, Catch::Contains("PG_PORT"));
  }
  if (::geteuid() == 0) {
    ScopedEnv bad{{"LOCAL_DIR", "/proj"}, {"PG_RUN_AS", "no-such-account-hectic"}};
    CHECK(code_of([] { Config::from_env(); }, &message) == ExitCode::missing_argument);
    CHECK_THAT(message, Catch::Contains("PG_RUN_AS") && Catch::Contains("no-such-account-hectic"));
    ScopedEnv root{{"PG_RUN_AS", "root"}};
    CHECK(code_of([] { Config::from_env(); }, &message) == ExitCode::missing_argument);
    CHECK_THAT(message, Catch::Contains("root"));
  }
}

TEST_CASE("exports: shell lines that eval back, JSON with the same names") {
  Endpoint endpoint;
  endpoint.socket_dir = "/tmp/it's here/sock";
  endpoint.port = 5433;
  endpoint.user = "postgres";
  endpoint.database = "app";
  endpoint.url = "postgresql://postgres@/app?host=%2Ftmp&port=5433";
  endpoint.url_var = "DB_URL";
  auto text = endpoint.shell_exports();
  CHECK_THAT(text, Catch::Contains("export POSTGRESQL_HOST='/tmp/it'\\''s here/sock'\n"));
  CHECK_THAT(text, Catch::Contains("export POSTGRESQL_PORT='5433'\n"));
  CHECK_THAT(text, Catch::Contains("export POSTGRESQL_USER='postgres'\n"));
  CHECK_THAT(text, Catch::Contains("export POSTGRESQL_DATABASE='app'\n"));
  CHECK_THAT(text, Catch::Contains("export PGURL='postgresql://postgres@/app?host=%2Ftmp&port=5433'\n"));
  CHECK_THAT(text, Catch::Contains("export DB_URL='postgresql://postgres@/app?host=%2Ftmp&port=5433'\n"));

  auto json = nlohmann::json::parse(endpoint.json());
  CHECK(json["POSTGRESQL_HOST"] == "/tmp/it's here/sock");
  CHECK(json["POSTGRESQL_PORT"] == "5433");
  CHECK(json["PGURL"] == endpoint.url);
  CHECK(json["DB_URL"] == endpoint.url);

  endpoint.url_var = "PGURL";
  auto plain = endpoint.shell_exports();
  CHECK(std::count(plain.begin(), plain.end(), '\n') == 5);
  CHECK_THAT(endpoint.url_for("other"), Catch::Contains("/other?"));
}
