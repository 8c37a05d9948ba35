// Dotenv sources and parsing rules (no server).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>

#include "common/project/dotenv.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "tests/unit/project/env_guard.hpp"

using namespace hectic;

using test::EnvGuard;

TEST_CASE("parse follows hectic.load_secrets_from_env rules") {
  auto pairs = dotenv::parse(
      "# comment\n\n  A = 1 \nB=\"two words\"\nC='x=y'\nD=$tag$not sql$tag$\nE=\"unbalanced'\n"
      "  # indented comment\nno equals sign\nF=\nG=a=b=c\r\n");
  REQUIRE(pairs.size() == 7);
  CHECK(pairs[0] == std::pair<std::string, std::string>{"A", "1"});
  CHECK(pairs[1].second == "two words");
  CHECK(pairs[2].second == "x=y");
  CHECK(pairs[3].second == "$tag$not sql$tag$");
  CHECK(pairs[4].second == "\"unbalanced'");
  CHECK(pairs[5] == std::pair<std::string, std::string>{"F", ""});
  CHECK(pairs[6].second == "a=b=c");
}

TEST_CASE("resolve: content, then file, then LOCAL_DIR/.env.ENVIRONMENT") {
  fs::TempDir dir("dotenv-test");
  auto file = dir.path() / "explicit.env";
  std::ofstream(file) << "K=file\n";
  std::ofstream(dir.path() / ".env.dev") << "K=environment\n";

  {
    EnvGuard env({{"HECTIC_DOTENV_CONTENT", "K=content"}, {"HECTIC_DOTENV_FILE", file.string()},
                  {"LOCAL_DIR", dir.path().string()}, {"ENVIRONMENT", "dev"}});
    auto source = dotenv::resolve(std::nullopt, dotenv::Mode::hydrate);
    REQUIRE(source);
    CHECK(source->description == "HECTIC_DOTENV_CONTENT");
    CHECK(source->content == "K=content");
  }
  {
    EnvGuard env({{"HECTIC_DOTENV_CONTENT", std::nullopt}, {"HECTIC_DOTENV_FILE", file.string()},
                  {"LOCAL_DIR", dir.path().string()}, {"ENVIRONMENT", "dev"}});
    CHECK(dotenv::resolve(std::nullopt, dotenv::Mode::hydrate)->content == "K=file\n");
  }
  {
    EnvGuard env({{"HECTIC_DOTENV_CONTENT", ""}, {"HECTIC_DOTENV_FILE", (dir.path() / "missing").string()},
                  {"LOCAL_DIR", dir.path().string()}, {"ENVIRONMENT", "dev"}});
    // hydrate: an unreadable HECTIC_DOTENV_FILE falls through to .env.$ENVIRONMENT
    CHECK(dotenv::resolve(std::nullopt, dotenv::Mode::hydrate)->content == "K=environment\n");
    // secrets load: it is an error naming the file (exit 3)
    try {
      dotenv::resolve(std::nullopt, dotenv::Mode::strict);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::missing_argument);
      CHECK(std::string(e.what()).find("missing") != std::string::npos);
    }
    // an explicit -f wins over HECTIC_DOTENV_FILE
    CHECK(dotenv::resolve(file, dotenv::Mode::strict)->content == "K=file\n");
  }
  {
    EnvGuard env({{"HECTIC_DOTENV_CONTENT", std::nullopt}, {"HECTIC_DOTENV_FILE", std::nullopt},
                  {"LOCAL_DIR", dir.path().string()}, {"ENVIRONMENT", "prod"}});
    CHECK_FALSE(dotenv::resolve(std::nullopt, dotenv::Mode::hydrate));
  }
}

TEST_CASE("export KEY=VALUE lines are read as KEY=VALUE") {
  auto pairs = dotenv::parse("export A=1\n  export\tB = two \nexport=kept\nexported=x\nexport  \n");
  REQUIRE(pairs.size() == 4);
  CHECK(pairs[0] == std::pair<std::string, std::string>{"A", "1"});
  CHECK(pairs[1] == std::pair<std::string, std::string>{"B", "two"});
  CHECK(pairs[2] == std::pair<std::string, std::string>{"export", "kept"}); // a key named export
  CHECK(pairs[3] == std::pair<std::string, std::string>{"exported", "x"});
}

TEST_CASE("resolve strips export before the content reaches the database function") {
  // hectic.load_secrets_from_env of bundle 0.1.0 would store the key "export A".
  EnvGuard env(std::map<std::string, std::optional<std::string>>{
      {"HECTIC_DOTENV_CONTENT", "export A=1\n# export B=2\nexport=kept\nC='export D=4'\n"}});
  auto source = dotenv::resolve(std::nullopt, dotenv::Mode::hydrate);
  REQUIRE(source);
  CHECK(source->content == "A=1\n# export B=2\nexport=kept\nC='export D=4'\n");
}
