// Postmaster identity without a server: a process that is not postgres, a dead pid and a
// nonsense pid are never "the postmaster of" a data dir (the positive cases, with real
// servers, are in tests/integration/postgres-init/security.cpp).
#include <unistd.h>

#include <catch2/catch.hpp>

#include "common/base/fs.hpp"
#include "common/cluster/detail.hpp"

using namespace hectic;

TEST_CASE("is_postmaster_of refuses processes that are not this data dir's postmaster") {
  fs::TempDir dir("hectic-unit-postmaster");
  CHECK_FALSE(cluster::detail::is_postmaster_of(::getpid(), dir.path()));
  CHECK_FALSE(cluster::detail::is_postmaster_of(1, dir.path()));
  CHECK_FALSE(cluster::detail::is_postmaster_of(0, dir.path()));
  CHECK_FALSE(cluster::detail::is_postmaster_of(-1, dir.path()));
  CHECK_FALSE(cluster::detail::is_postmaster_of(999999999, dir.path()));
}
