#!/usr/bin/env bash
# Offline checks of the nix files (no nixpkgs, no network, any user):
#   1. every .nix file of the repository parses (nix-instantiate --parse; this also rejects
#      undefined variables);
#   2. lib.hectic (nix/lib.nix, also through flake.nix) evaluates, and its parts are the
#      bundle CMake builds: same names in the same order, same version, and the same SQL
#      text as the files CMake configured into the build dir;
#   3. the package functions take the arguments the README promises (.override { postgresql }).
# Usage: nix_parse.sh SOURCE_DIR BINARY_DIR. Exit 77 (skip) without nix-instantiate.
set -euo pipefail

src=$(cd "$1" && pwd)
bin=${2:-}
if ! command -v nix-instantiate >/dev/null 2>&1; then
    echo "skip: nix-instantiate not found (Debian: apt-get install nix-bin)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hectic-nix-parse.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# --store dummy:// needs no /nix; keep nix's state, cache and config away from $HOME and
# /nix/var so the test runs the same as root, as an unprivileged user and in a nix build.
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config
export NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_CONF_DIR=$tmp/etc
mkdir -p "$HOME" "$NIX_CONF_DIR"
nix_cmd() { nix-instantiate --store dummy:// "$@"; }

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# 1. Parse every .nix file (skipping build trees and VCS dirs).
mapfile -d '' files < <(find "$src" \
    \( -name .git -o -name 'build*' -o -name result -o -name _deps \) -prune -o \
    -name '*.nix' -type f -print0 | sort -z)
if ((${#files[@]} == 0)); then
    fail "no .nix file found under $src"
fi
for file in "${files[@]}"; do
    if out=$(nix_cmd --parse "$file" 2>&1 >/dev/null); then
        echo "ok: parses: ${file#"$src"/}"
    else
        fail "does not parse: ${file#"$src"/}"
        printf '%s\n' "$out" >&2
    fi
done
for expected in flake.nix nix/package.nix nix/wrapped.nix nix/lib.nix examples/nix-consumer/flake.nix; do
    [[ -f $src/$expected ]] || fail "missing $expected"
done

# nix-instantiate --eval --strict of FILE (a function of { src, bin, version, parts }) that
# must yield true; prints nix's output when it does not.
eval_true() {
    local what=$1 file=$2 out
    if out=$(nix_cmd --eval --strict --argstr src "$src" --argstr bin "$bin" \
        --argstr version "$version" --argstr parts "$parts" "$file" 2>&1) && [[ $out == true ]]; then
        echo "ok: $what"
    else
        fail "$what"
        printf '%s\n' "$out" >&2
    fi
}

# 2. lib.hectic against what CMake builds. The expected part list is read here with sed,
# independently of the regex nix/lib.nix uses.
version=$(tr -d '[:space:]' <"$src/sql/HECTIC_VERSION")
parts=$(sed -n 's/^[[:space:]]*set(HECTIC_BUNDLE_PARTS[[:space:]]*\([^)]*\)).*/\1/p' "$src/sql/CMakeLists.txt")
[[ -n $parts ]] || fail "HECTIC_BUNDLE_PARTS not found in sql/CMakeLists.txt"

cat >"$tmp/lib.nix" <<'NIX'
{ src, bin, version, parts }:
let
  h = import (/. + src + "/nix/lib.nix") { };
  names = builtins.filter (w: builtins.isString w && w != "") (builtins.split " +" parts);
  includes = builtins.filter builtins.isList (builtins.split "\\\\i /[^\n]*\\.sql\n" h.initSql);
in
  h.bundleVersion == version
  && map (p: p.name) h.parts == names
  && builtins.length h.paths == builtins.length names
  && builtins.all (n: h.${n}.name == n && builtins.isString h.${n}.sql && h.${n}.sql != "") names
  && builtins.all (p: builtins.match ".*\\.sql" (toString p.path) != null) h.parts
  && builtins.match ".*@HECTIC_BUNDLE_VERSION@.*" h.version.sql == null
  && builtins.length includes == builtins.length names
  && builtins.isString h.initScript
NIX
eval_true "lib.hectic: version $version, parts [ $parts ] in order, each with path and sql, initScript includes all" "$tmp/lib.nix"

cat >"$tmp/flake.nix" <<'NIX'
{ src, version, ... }:
let
  flake = import (/. + src + "/flake.nix");
  out = flake.outputs { self = out; nixpkgs = throw "nixpkgs is not available offline"; };
in
  out.lib.hectic.bundleVersion == version
  && builtins.isString flake.inputs.nixpkgs.url
  && builtins.isString flake.description
NIX
eval_true "flake.nix: outputs.lib.hectic evaluates without nixpkgs" "$tmp/flake.nix"

if [[ -n $bin && -d $bin/sql ]]; then
    cat >"$tmp/configured.nix" <<'NIX'
{ src, bin, parts, ... }:
let
  h = import (/. + src + "/nix/lib.nix") { };
  names = builtins.filter (w: builtins.isString w && w != "") (builtins.split " +" parts);
in
  builtins.all (n: h.${n}.sql == builtins.readFile (/. + bin + "/sql/${n}.sql")) names
NIX
    eval_true "lib.hectic: every part's SQL equals the file CMake configured in $bin/sql" "$tmp/configured.nix"
else
    echo "note: no CMake build dir with sql/ given; not comparing with the configured SQL"
fi

# 3. The package functions: build inputs, and `postgresql` overridable on the wrappers.
cat >"$tmp/args.nix" <<'NIX'
{ src, ... }:
let
  has = file: names: let args = builtins.functionArgs (import (/. + src + file)); in builtins.all (a: args ? ${a}) names;
in
  has "/nix/package.nix" [ "stdenv" "cmake" "ninja" "pkg-config" "libpq" "postgresql" "boost" "cli11" "fmt" "nlohmann_json" "openssl" "curl" "catch2" "doCheck" ]
  && has "/nix/wrapped.nix" [ "postgresql" "makeWrapper" "hectic-unwrapped" "programs" ]
NIX
eval_true "nix/package.nix and nix/wrapped.nix take the build inputs and an overridable postgresql" "$tmp/args.nix"

# 4. The flake's wiring, evaluated with a minimal stand-in for nixpkgs
# (tests/shell/nix_stub_nixpkgs.nix): the outputs exist, each wrapper pins the server it was
# given and `.override { postgresql = ...; }` swaps it, checks build with the tests on, and
# the example consumer flake's shellHook and NixOS module evaluate against our outputs.
cat >"$tmp/flake_eval.nix" <<'NIX'
{ src, version, ... }:
let
  root = /. + src;
  nixpkgs = import (root + "/tests/shell/nix_stub_nixpkgs.nix");
  flake = import (root + "/flake.nix");
  out = flake.outputs { self = out // { outPath = src; }; inherit nixpkgs; };
  sys = "x86_64-linux";
  p = out.packages.${sys};
  has = haystack: needle: builtins.match ".*${needle}.*" haystack != null;
  check = name: cond: if cond then true else throw "flake: ${name}";
  tools = [ "database" "postgres-init" "postgres-cleanup" "migrator" ];
  myPg = nixpkgs.legacyPackages.${sys}.postgresql_17.withPackages (ps: [ ps.pg_cron ]);
  overridden = p.database.override { postgresql = myPg; };

  consumer = import (root + "/examples/nix-consumer/flake.nix");
  consumerOut = consumer.outputs { self = consumerOut; inherit nixpkgs; hectic = out; };
  shell = consumerOut.devShells.${sys}.default;
  module = consumerOut.nixosModules.default { };
in
builtins.all (x: x) ([
  (check "packages per system" (builtins.attrNames out.packages == [ "aarch64-darwin" "aarch64-linux" "x86_64-darwin" "x86_64-linux" ]))
  (check "default is all four" (p.default.pname == "hectic" && builtins.all (t: has p.default.installPhase t) tools))
  (check "wrappers pin postgresql_17 by default" (has p.database.installPhase "--set-default PG_BIN_DIR [^ ]*postgresql-17/bin"))
  (check ".override { postgresql } swaps the server" (has overridden.installPhase "PG_BIN_DIR [^ ]*postgresql-17-with-pg_cron/bin" && !(has overridden.installPhase "postgresql-17/bin")))
  (check ".override keeps the program" (overridden.meta.mainProgram == "database"))
  (check "unwrapped: tests off, libpq, fmt 9, boost with Process v1" (builtins.elem "-DHECTIC_TESTS:BOOL=FALSE" p.hectic-unwrapped.cmakeFlags
     && builtins.elem "libpq" (map (x: x.name) p.hectic-unwrapped.buildInputs)
     && builtins.elem "fmt-9" (map (x: x.name) p.hectic-unwrapped.buildInputs)
     && builtins.elem "boost-1.87" (map (x: x.name) p.hectic-unwrapped.buildInputs)
     && p.hectic-unwrapped.version == version))
  (check "watch-image: migrator watch, unprivileged, with a shell for the hooks" (p.watch-image.config.Entrypoint == [ "/bin/migrator" "watch" ]
     && p.watch-image.config.User == "1000:1000"
     && builtins.elem "migrator" (map (x: x.meta.mainProgram or "") p.watch-image.contents)
     && builtins.elem "busybox" (map (x: x.name or "") p.watch-image.contents)
     && builtins.elem "curl" (map (x: x.name) p.hectic-unwrapped.buildInputs)))
  (check "checks.tests runs the suite" (out.checks.${sys}.tests.doCheck
     && builtins.elem "-DHECTIC_TESTS:BOOL=TRUE" out.checks.${sys}.tests.cmakeFlags
     && builtins.elem "catch2" (map (x: x.name) out.checks.${sys}.tests.buildInputs)
     && has out.checks.${sys}.tests.checkPhase "ctest"))
  (check "checks run the offline scripts" (has out.checks.${sys}.nix-parse.installPhase "nix_parse.sh"
     && has out.checks.${sys}.completions.installPhase "bash_completion.sh"))
  (check "devShell" (has out.devShells.${sys}.default.shellHook "PG_BIN_DIR"))
  (check "overlay" ((out.overlays.default nixpkgs.legacyPackages.${sys} { }).hectic.migrator.meta.mainProgram == "migrator"))
  (check "lib.hectic" (out.lib.hectic.bundleVersion == version))
  (check "consumer shellHook exports then evals postgres-init" (has shell.shellHook "export LOCAL_DIR=.*export PG_WORKING_DIR=.*eval \"[$][(]postgres-init[)]\""))
  (check "consumer tools use its server" (builtins.all (t: has t.installPhase "postgresql-17-with-pg_cron/bin") (builtins.filter (x: x ? installPhase) shell.packages)))
  (check "consumer NixOS module applies lib.hectic" (module.services.postgresql.initialScript == out.lib.hectic.initScript))
] ++ map (t: check "package ${t}" (p.${t}.meta.mainProgram == t
      && has p.${t}.installPhase "ln -s [$]libexec/[$]program"
      && p.${t}.pname == "hectic-${t}"
      && has out.apps.${sys}.${t}.program "/bin/${t}$")) tools)
NIX
eval_true "flake.nix evaluates with a stand-in nixpkgs: packages, override, checks, devShell, overlay, example consumer" "$tmp/flake_eval.nix"

if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all nix checks passed"
