# hectic-unwrapped: the CMake project (the five binaries, the SQL bundle under
# share/hectic/sql, bash and zsh completions), built with cmake + ninja. It links libpq
# only; which PostgreSQL server the tools drive at run time is chosen by nix/wrapped.nix
# (PG_BIN_DIR), so changing the server never rebuilds this.
#
# `doCheck = true` (see `checks` in flake.nix) builds and runs the whole test suite with
# ctest. The integration tests start real PostgreSQL servers (unix sockets in $TMPDIR, no
# TCP): that needs a build sandbox in which PostgreSQL may start (the Linux nix sandbox
# does; on darwin use `sandbox = relaxed` or run `scripts/test.sh` instead).
{ lib
, stdenv
, cmake
, ninja
, pkg-config
, libpq ? postgresql
, postgresql
, boost
, cli11
, fmt
, nlohmann_json
, openssl
, curl
, libpg_query
, catch2
, bash
, which
, doCheck ? false
# The server the test suite starts (pg_cron included: the tools preload it by default).
, checkPostgresql ? postgresql.withPackages (ps: [ ps.pg_cron ])
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "hectic-unwrapped";
  version = lib.fileContents ../sql/HECTIC_VERSION;

  # Only what the build reads: editing README.md or bench/ does not rebuild.
  src = lib.fileset.toSource {
    root = ./..;
    fileset = lib.fileset.unions [
      ../CMakeLists.txt
      ../common
      ../tools
      ../sql
      ../completions
      ../tests
      # tests may run the example project shipped in the repository
      (lib.fileset.maybeMissing ../examples)
    ];
  };

  strictDeps = true;

  nativeBuildInputs = [ cmake ninja pkg-config ];

  # curl: libcurl for `migrator watch`'s S3 store (SigV4 signing built in).
  buildInputs = [ libpq boost cli11 fmt nlohmann_json openssl curl libpg_query ]
    ++ lib.optionals finalAttrs.doCheck [ catch2 ];

  cmakeFlags = [
    (lib.cmakeBool "HECTIC_TESTS" finalAttrs.doCheck)
  ];

  inherit doCheck;

  nativeCheckInputs = [ checkPostgresql bash which ];

  # ctest instead of the ninja hook's `ninja test`: parallel, with failure output. Tests that
  # need something the sandbox lacks (nix-instantiate, zsh, sshd) exit 77 and count as
  # skipped. PG_BIN_DIR points the suite at checkPostgresql (found on PATH here rather than
  # interpolated, so a build without checks does not depend on that server).
  checkPhase = ''
    runHook preCheck
    export HOME=$TMPDIR
    export PG_BIN_DIR=$(dirname "$(command -v initdb)")
    ctest --output-on-failure --timeout 600 -j $NIX_BUILD_CORES
    runHook postCheck
  '';

  meta = {
    description = "PostgreSQL development environment toolkit: postgres-init, postgres-cleanup, database, migrator, db-ops";
    platforms = lib.platforms.unix;
  };
})
