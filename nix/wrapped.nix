# The installable tools: thin wrappers over hectic-unwrapped that pin the PostgreSQL server
# the tools drive (initdb, pg_ctl, postgres, pg_dump, psql, pg_basebackup). Overriding
# `postgresql` only re-runs this cheap wrapper, never the C++ build:
#
#   (pkgs.hectic.database.override {
#     postgresql = pkgs.postgresql_17.withPackages (ps: [ ps.pg_cron ]);
#   })
#
# PG_BIN_DIR is set with --set-default: a PG_BIN_DIR exported by the user still wins.
# `programs` selects what lands in $out/bin (one binary per package output, so two outputs
# overridden with different servers never collide in one profile); all the wrappers live
# in $out/libexec/hectic/bin and are on each wrapper's PATH, because `database` runs
# `postgres-init` and `migrator`.
{ lib
, stdenvNoCC
, makeWrapper
, hectic-unwrapped
, postgresql
, openssh
, less
, programs ? [ "database" "postgres-init" "postgres-cleanup" "migrator" "db-ops" ]
, mainProgram ? builtins.head programs
}:

let
  allPrograms = [ "database" "postgres-init" "postgres-cleanup" "migrator" "db-ops" ];
  unknown = lib.subtractLists allPrograms programs;
in
assert lib.assertMsg (unknown == [ ]) "hectic: unknown programs: ${toString unknown}";
stdenvNoCC.mkDerivation {
  pname = if programs == allPrograms then "hectic" else "hectic-${lib.concatStringsSep "-" programs}";
  inherit (hectic-unwrapped) version;

  dontUnpack = true;
  nativeBuildInputs = [ makeWrapper ];

  installPhase = ''
    runHook preInstall

    libexec=$out/libexec/hectic/bin
    mkdir -p $libexec $out/bin $out/share
    for program in ${lib.escapeShellArgs allPrograms}; do
      # ssh (pull_staging) and less (the default pager) come last on PATH: the user's win.
      makeWrapper ${hectic-unwrapped}/bin/$program $libexec/$program \
        --set-default PG_BIN_DIR ${postgresql}/bin \
        --prefix PATH : $libexec \
        --suffix PATH : ${lib.makeBinPath [ openssh less ]}
    done

    for program in ${lib.escapeShellArgs programs}; do
      ln -s $libexec/$program $out/bin/$program
      install -Dm644 ${hectic-unwrapped}/share/bash-completion/completions/$program \
        $out/share/bash-completion/completions/$program
      install -Dm644 ${hectic-unwrapped}/share/zsh/site-functions/_$program \
        $out/share/zsh/site-functions/_$program
    done

    # The bundle as plain files for `psql -f` (also exposed as lib.hectic in flake.nix).
    ln -s ${hectic-unwrapped}/share/hectic $out/share/hectic

    runHook postInstall
  '';

  passthru = {
    unwrapped = hectic-unwrapped;
    inherit postgresql;
  };

  meta = hectic-unwrapped.meta // {
    inherit mainProgram;
  };
}
