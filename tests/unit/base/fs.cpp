// Filesystem helpers: removing a tree that another process is deleting at the same time.
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

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
