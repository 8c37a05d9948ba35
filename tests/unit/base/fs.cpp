// Filesystem helpers: removing a tree that another process is deleting at the same time; the
// atomic write (modes, owners through the fd, links refused or followed, no leftovers).
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"

namespace stdfs = std::filesystem;
using namespace hectic;

TEST_CASE("remove_tree succeeds while another deleter empties the same tree") {
  fs::TempDir dir("hectic-unit-fs");
  for (int round = 0; round < 20; ++round) {
    auto root = dir.path() / "working";
    for (int d = 0; d < 20; ++d) {
      auto sub = root / ".trash-data" / std::to_string(d);
      stdfs::create_directories(sub);
      for (int f = 0; f < 20; ++f) std::ofstream(sub / std::to_string(f)) << "x";
    }
    std::thread other([&] {
      std::error_code ignored;
      stdfs::remove_all(root / ".trash-data", ignored); // what `setsid -f rm -rf` does
    });
    std::error_code ec;
    fs::remove_tree(root, ec);
    other.join();
    INFO("round " << round);
    CHECK_FALSE(ec);
    CHECK_FALSE(stdfs::exists(root));
  }
  std::error_code ec;
  fs::remove_tree(dir.path() / "never-existed", ec);
  CHECK_FALSE(ec);
}

namespace {
fs::WriteOptions with_mode(mode_t mode) {
  fs::WriteOptions options;
  options.mode = mode;
  return options;
}
fs::WriteOptions refusing_links() {
  fs::WriteOptions options;
  options.follow_symlink = false;
  return options;
}
mode_t mode_of(const stdfs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
std::size_t entries(const stdfs::path& dir) {
  return static_cast<std::size_t>(std::distance(stdfs::directory_iterator(dir), stdfs::directory_iterator()));
}
} // namespace

TEST_CASE("write_file_atomic: new files get the mode asked for, existing ones keep theirs") {
  fs::TempDir dir("hectic-unit-fs");
  auto file = dir.path() / "a.conf";
  fs::write_file_atomic(file, "one\n", with_mode(0600));
  CHECK(fs::read_file(file) == "one\n");
  CHECK(mode_of(file) == 0600);
  ::chmod(file.c_str(), 0640);
  fs::write_file_atomic(file, "two\n");
  CHECK(fs::read_file(file) == "two\n");
  CHECK(mode_of(file) == 0640);
  CHECK(entries(dir.path()) == 1); // no temporary left behind
}

TEST_CASE("write_file_atomic: a link is refused when asked (its target untouched), else followed") {
  fs::TempDir dir("hectic-unit-fs");
  auto target = dir.path() / "target";
  fs::write_file_atomic(target, "precious\n", with_mode(0600));
  auto link = dir.path() / "server.conf";
  stdfs::create_symlink(target, link);
  try {
    fs::write_file_atomic(link, "taken\n", refusing_links());
    FAIL("a link was written through");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains(link.string()) && Catch::Contains("symbolic link"));
  }
  CHECK(fs::read_file(target) == "precious\n");
  CHECK(stdfs::is_symlink(link));

  fs::write_file_atomic(link, "shared\n"); // the default keeps the link and replaces its target
  CHECK(stdfs::is_symlink(link));
  CHECK(fs::read_file(target) == "shared\n");
  CHECK(mode_of(target) == 0600);
}

TEST_CASE("write_file_atomic: the temporary's name is unpredictable, so a planted one is never used") {
  fs::TempDir dir("hectic-unit-fs");
  auto victim = dir.path() / "victim";
  fs::write_file_atomic(victim, "precious\n");
  // The name the old code used: "<file>.tmp-<pid>".
  stdfs::create_symlink(victim, dir.path() / fmt::format("file.tmp-{}", ::getpid()));
  fs::write_file_atomic(dir.path() / "file", "new\n");
  CHECK(fs::read_file(dir.path() / "file") == "new\n");
  CHECK(fs::read_file(victim) == "precious\n");
}

TEST_CASE("write_file_atomic: an unwritable directory is an error naming the file") {
  try {
    fs::write_file_atomic("/nonexistent-hectic-dir/file", "x");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::generic);
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent-hectic-dir/file"));
  }
}

TEST_CASE("checked filesystem operations raise the project's error naming the path and the reason") {
  hectic::fs::TempDir dir("fs-checked");
  auto file = dir.path() / "plain-file";
  hectic::fs::write_file_atomic(file, "x");
  auto expect = [](auto&& operation, const std::string& text) {
    try {
      operation();
      FAIL("no error");
    } catch (const hectic::Error& e) {
      CHECK(e.code() == hectic::ExitCode::generic);
      CHECK_THAT(std::string(e.what()), Catch::Contains(text));
    }
  };
  expect([&] { hectic::fs::create_directories(file / "sub"); },
         "cannot create directory " + (file / "sub").string() + ": Not a directory");
  expect([&] { hectic::fs::rename(dir.path() / "missing", dir.path() / "other"); },
         "cannot rename " + (dir.path() / "missing").string() + " to " + (dir.path() / "other").string());
  expect([&] { hectic::fs::list_directory(dir.path() / "missing"); }, "cannot list directory");
  expect([&] { hectic::fs::set_permissions(dir.path() / "missing", std::filesystem::perms::owner_all); },
         "cannot change the mode of");
  hectic::fs::create_directories(dir.path() / "a" / "b");
  CHECK(hectic::fs::list_directory(dir.path()).size() == 2);
}
