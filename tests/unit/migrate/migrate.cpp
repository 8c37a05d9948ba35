// The migrator's server-free parts: directory model, hashing, the no-transaction marker,
// history checks, target resolution, create, CI build ids.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <regex>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/migrate/migrate.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

void write(const stdfs::path& path, const std::string& text) {
  stdfs::create_directories(path.parent_path());
  fs::write_file_atomic(path, text);
}

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(fmt::format("2025010100000{}-m{}", i, i));
  return out;
}

template <typename F> ExitCode code_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ExitCode::ok;
}

template <typename F> std::string message_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_CASE("migration names have the shape of hectic.migration_name") {
  CHECK(migrate::is_migration_name("20250101000000-init"));
  CHECK(migrate::is_migration_name("20250101000000-two words"));
  CHECK_FALSE(migrate::is_migration_name("20250101000000-"));
  CHECK_FALSE(migrate::is_migration_name("2025010100000-short"));
  CHECK_FALSE(migrate::is_migration_name("2025010100000a-x"));
  CHECK_FALSE(migrate::is_migration_name("20250101000000_x"));
  CHECK_FALSE(migrate::is_migration_name("README"));
}

TEST_CASE("the directory lists migrations by name with their resolved files") {
  fs::TempDir tmp("migrate-unit");
  auto dir = tmp.path() / "migration";
  CHECK(migrate::load_directory(dir).empty()); // missing dir: nothing to do
  write(dir / "20250102000000-b" / "up.sql", "b");
  write(dir / "20250102000000-b" / "down.sql", "b");
  write(dir / "20250101000000-a" / "up" / "entrypoint.sql", "a");
  write(dir / "20250101000000-a" / "down" / "entrypoint.sql", "a");
  write(dir / "20250103000000-c" / "up.sql", "c");
  write(dir / "20250104000000-d" / "notes.txt", "");
  write(dir / "not-a-migration" / "up.sql", "x");
  write(dir / "20250105000000-file.sql", "x"); // a file, not a directory
  auto list = migrate::load_directory(dir);
  REQUIRE(list.size() == 4);
  CHECK(list[0].name == "20250101000000-a");
  CHECK(list[0].up == dir / "20250101000000-a" / "up" / "entrypoint.sql");
  CHECK(list[0].down == dir / "20250101000000-a" / "down" / "entrypoint.sql");
  CHECK(list[1].up == dir / "20250102000000-b" / "up.sql");
  CHECK(migrate::missing_note(list[1]).empty());
  CHECK(migrate::missing_note(list[2]) == "missing down.sql");
  CHECK(migrate::missing_note(list[3]) == "missing up.sql down.sql");

  write(tmp.path() / "plain-file", "");
  auto not_dir = [&] { migrate::load_directory(tmp.path() / "plain-file"); };
  CHECK(code_of(not_dir) == ExitCode::generic);
  CHECK_THAT(message_of(not_dir), Catch::Contains("plain-file") && Catch::Contains("not a directory"));
}

TEST_CASE("hashes are sha256 lowercase hex of the file bytes, as the shell migrator records") {
  CHECK(migrate::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(migrate::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The golden shell database records these hashes for its migration files.
  auto golden = std::filesystem::path(HECTIC_SOURCE_DIR) / "tests" / "golden" / "migrator" / "shell-0.1.0" / "migration";
  CHECK(migrate::hash_file(golden / "20250101000000-create-accounts" / "up.sql") ==
        "4f3809e3499a313b8cfd6a87361e4a8394640ef276de2bb3d1ee074900e50374");
  CHECK(migrate::hash_file(golden / "20250102000000-add-email" / "up.sql") ==
        "2f5abe667accefe30b9783c1ac0c29f00fa5be7ff2a1086f1c74052a8a6d63d6");
}

TEST_CASE("the no-transaction marker is the first line of a file") {
  fs::TempDir tmp("migrate-unit");
  auto check = [&](const std::string& text) {
    write(tmp.path() / "f.sql", text);
    return migrate::is_no_transaction(tmp.path() / "f.sql");
  };
  CHECK(check("-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n"));
  CHECK(check("--migrator:no-transaction\r\n"));
  CHECK(check("  -- migrator:   no-transaction  "));
  CHECK(check("\xEF\xBB\xBF-- migrator: no-transaction\n"));
  CHECK_FALSE(check("SELECT 1;\n-- migrator: no-transaction\n"));
  CHECK_FALSE(check("-- migrator: no-transactions\n"));
  CHECK_FALSE(check("-- no-transaction\n"));
  CHECK_FALSE(check(""));
}

TEST_CASE("history must be a prefix of the directory and changed applied files are found") {
  fs::TempDir tmp("migrate-unit");
  auto dir = tmp.path();
  write(dir / "20250101000000-a" / "up.sql", "a");
  write(dir / "20250102000000-b" / "up.sql", "b");
  write(dir / "20250103000000-c" / "up.sql", "c");
  auto files = migrate::load_directory(dir);
  using A = migrate::Applied;
  auto h = [](const char* s) { return migrate::sha256_hex(s); };

  auto ok = migrate::check_history(files, {A{"20250101000000-a", h("a"), ""}, A{"20250102000000-b", h("b"), ""}});
  CHECK(ok.ok());

  auto gap = migrate::check_history(files, {A{"20250101000000-a", h("a"), ""}, A{"20250103000000-c", h("c"), ""}});
  CHECK_FALSE(gap.prefix_ok);
  CHECK(gap.first_difference == 1);

  std::vector<A> unknown = {A{"20250101000000-a", h("a"), ""}, A{"20240101000000-old", h("x"), ""}};
  auto foreign = migrate::check_history(files, unknown);
  CHECK_FALSE(foreign.prefix_ok);
  auto report = migrate::describe_mismatch(files, unknown, foreign.first_difference);
  CHECK_THAT(report, Catch::StartsWith("Migration history mismatch at position 2: database has "
                                       "20240101000000-old, filesystem has 20250102000000-b"));
  CHECK_THAT(report, Catch::Contains("Database has:\n    1   20250101000000-a\n    2 > 20240101000000-old\n"));
  CHECK_THAT(report, Catch::Contains("Filesystem has:\n    1   20250101000000-a\n    2 > 20250102000000-b\n    3   20250103000000-c\n"));

  auto longer = migrate::check_history(files, {A{"20250101000000-a", h("a"), ""}, A{"20250102000000-b", h("b"), ""},
                                               A{"20250103000000-c", h("c"), ""}, A{"20250104000000-d", h("d"), ""}});
  CHECK_FALSE(longer.prefix_ok);
  CHECK(longer.first_difference == 3);

  auto tampered = migrate::check_history(files, {A{"20250101000000-a", h("a"), ""}, A{"20250102000000-b", h("B"), ""}});
  CHECK(tampered.prefix_ok);
  CHECK(tampered.tampered == std::vector<std::string>{"20250102000000-b"});
  CHECK_FALSE(tampered.ok());
}

TEST_CASE("migrate up/down/to resolve to a target position") {
  using migrate::Verb;
  auto n = names(5);
  std::optional<std::string> none;
  auto arg = [](const char* s) { return std::optional<std::string>(s); };
  CHECK(migrate::resolve_target(Verb::up, none, 0, n) == 1);
  CHECK(migrate::resolve_target(Verb::up, arg("2"), 1, n) == 3);
  CHECK(migrate::resolve_target(Verb::up, arg("all"), 1, n) == 5);
  CHECK(migrate::resolve_target(Verb::up, arg("latest"), 1, n) == 5);
  CHECK(migrate::resolve_target(Verb::up, arg("head"), 5, n) == 5);
  CHECK(migrate::resolve_target(Verb::up, arg("0"), 2, n) == 2);
  CHECK(migrate::resolve_target(Verb::down, none, 3, n) == 2);
  CHECK(migrate::resolve_target(Verb::down, arg("3"), 3, n) == 0);
  CHECK(migrate::resolve_target(Verb::down, arg("all"), 4, n) == 0);
  CHECK(migrate::resolve_target(Verb::to, arg(n[1].c_str()), 4, n) == 2);
  CHECK(migrate::resolve_target(Verb::to, arg(n[3].c_str()), 1, n) == 4);
  CHECK(migrate::resolve_target(Verb::to, arg("latest"), 1, n) == 5);
  CHECK(migrate::resolve_target(Verb::to, arg("head"), 1, n) == 5);
  CHECK(migrate::resolve_target(Verb::to, arg("last"), 1, n) == 5);

  auto too_many = [&] { migrate::resolve_target(Verb::up, arg("3"), 4, n); };
  CHECK(code_of(too_many) == ExitCode::generic);
  CHECK(message_of(too_many) == "cannot migrate up 3: only 1 pending migration");
  auto too_far_down = [&] { migrate::resolve_target(Verb::down, arg("4"), 2, n); };
  CHECK(code_of(too_far_down) == ExitCode::generic);
  CHECK(message_of(too_far_down) == "cannot migrate down 4: only 2 applied migrations");
  auto bad = [&] { migrate::resolve_target(Verb::up, arg("two"), 0, n); };
  CHECK(code_of(bad) == ExitCode::generic);
  CHECK_THAT(message_of(bad), Catch::Contains("'two'"));
  auto unknown = [&] { migrate::resolve_target(Verb::to, arg("20990101000000-nope"), 0, n); };
  CHECK(code_of(unknown) == ExitCode::generic);
  CHECK(message_of(unknown) == "unknown migration '20990101000000-nope' in migrate to");
  CHECK(code_of([&] { migrate::resolve_target(Verb::to, none, 0, n); }) == ExitCode::missing_argument);
}

TEST_CASE("create writes a timestamped directory whose templates never hash alike") {
  fs::TempDir tmp("migrate-unit");
  auto dir = tmp.path() / "db" / "migration";
  auto first = migrate::create(dir, "two words");
  auto name = first.filename().string();
  CHECK(std::regex_match(name, std::regex("[0-9]{14}-two words")));
  CHECK(migrate::is_migration_name(name));
  CHECK(stdfs::is_regular_file(first / "up.sql"));
  CHECK(stdfs::is_regular_file(first / "down.sql"));
  CHECK_THAT(fs::read_file(first / "up.sql"), Catch::Contains(name));
  CHECK_FALSE(migrate::is_no_transaction(first / "up.sql"));

  auto second = migrate::create(dir, "");
  CHECK(std::regex_match(second.filename().string(), std::regex("[0-9]{14}-[a-z]{6}")));
  CHECK(migrate::hash_file(first / "up.sql") != migrate::hash_file(second / "up.sql"));

  auto slash = [&] { migrate::create(dir, "a/b"); };
  CHECK(code_of(slash) == ExitCode::generic);
  CHECK_THAT(message_of(slash), Catch::Contains("'a/b'"));
}

TEST_CASE("create always sorts the new migration last, even within one second") {
  fs::TempDir tmp("migrate-unit");
  auto dir = tmp.path() / "migration";
  auto first = migrate::create(dir, "states");
  auto second = migrate::create(dir, "late"); // "late" < "states" had they shared a stamp
  CHECK(first.filename().string() < second.filename().string());
  CHECK(migrate::create(dir, "states").filename().string() > second.filename().string());

  // A stamp from the future (a clock skew, a colleague's branch): the next one follows it,
  // across a year's last second.
  stdfs::create_directories(dir / "29991231235959-future");
  CHECK(migrate::create(dir, "after").filename() == "30000101000000-after");
}

TEST_CASE("the CI build id comes from the first CI variable set") {
  const char* vars[] = {"CODEBUILD_BUILD_NUMBER", "BUILD_NUMBER", "BUILD_ID", "CI_JOB_ID", "GITHUB_RUN_ID"};
  for (auto* v : vars) ::unsetenv(v);
  CHECK(migrate::ci_build_id() == "local_run");
  ::setenv("GITHUB_RUN_ID", "gh-9", 1);
  CHECK(migrate::ci_build_id() == "gh-9");
  ::setenv("CI_JOB_ID", "gl-7", 1);
  CHECK(migrate::ci_build_id() == "gl-7");
  ::setenv("BUILD_ID", "jenkins-id", 1);
  ::setenv("BUILD_NUMBER", "", 1);
  CHECK(migrate::ci_build_id() == "jenkins-id");
  ::setenv("CODEBUILD_BUILD_NUMBER", "42", 1);
  CHECK(migrate::ci_build_id() == "42");
  for (auto* v : vars) ::unsetenv(v);
}

TEST_CASE("random names are pronounceable words") {
  for (int i = 0; i < 20; ++i)
    CHECK(std::regex_match(migrate::random_word(), std::regex("([bcdfghjklmnprstvz][aeiou]){3}")));
}
