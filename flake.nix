{
  description = "hectic: PostgreSQL development environments (postgres-init, postgres-cleanup, database, migrator, db-ops)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The packages of one package set; also the overlay's content (pkgs.hectic.*).
      hecticFor = pkgs:
        let
          # The runtime server by default: plain PostgreSQL 17 (pg_cron is preloaded only
          # when the server has it; override `postgresql` to get it, see README "Nix").
          postgresql = pkgs.postgresql_17;
          unwrapped = pkgs.callPackage ./nix/package.nix {
            inherit postgresql;
            # fmt 9 is what the sources are written against (fmt::runtime, <fmt/std.h>).
            fmt = pkgs.fmt_9 or pkgs.fmt;
            # Boost.Process v1 (<boost/process.hpp>); from Boost 1.88 that header is v2.
            boost = pkgs.boost187 or pkgs.boost186 or pkgs.boost;
          };
          tool = programs: pkgs.callPackage ./nix/wrapped.nix {
            inherit postgresql programs;
            hectic-unwrapped = unwrapped;
          };
        in {
          hectic-unwrapped = unwrapped;
          hectic = tool [ "database" "postgres-init" "postgres-cleanup" "migrator" "db-ops" ];
          database = tool [ "database" ];
          postgres-init = tool [ "postgres-init" ];
          postgres-cleanup = tool [ "postgres-cleanup" ];
          migrator = tool [ "migrator" ];
          db-ops = tool [ "db-ops" ];
          # `nix build .#watch-image && docker load < result`: `migrator watch` as a container
          # (README "migrator watch"). Runs as an unprivileged account, because the schema
          # engine starts a throw-away PostgreSQL for the schema file and PostgreSQL refuses
          # root; /bin/sh (busybox) runs the hooks; CA certificates for https S3 endpoints.
          watch-image = pkgs.dockerTools.buildLayeredImage {
            name = "hectic-migrator-watch";
            tag = unwrapped.version;
            contents = [ (tool [ "migrator" ]) pkgs.busybox pkgs.cacert ];
            extraCommands = ''
              mkdir -p etc tmp
              chmod 1777 tmp
              printf 'root:x:0:0::/root:/bin/sh\nwatch:x:1000:1000::/tmp:/bin/sh\n' > etc/passwd
              printf 'root:x:0:\nwatch:x:1000:\n' > etc/group
            '';
            config = {
              User = "1000:1000";
              Entrypoint = [ "/bin/migrator" "watch" ];
              Env = [
                "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
                "NIX_SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
                "HOME=/tmp"
                "HECTIC_CACHE_DIR=/tmp/hectic-cache"
              ];
            };
          };
        };
    in {
      # pkgs.hectic.database etc. for consumers that use an overlay.
      overlays.default = final: prev: { hectic = hecticFor final; };

      packages = forAllSystems (pkgs:
        let h = hecticFor pkgs; in h // { default = h.hectic; });

      apps = forAllSystems (pkgs:
        nixpkgs.lib.genAttrs [ "database" "postgres-init" "postgres-cleanup" "migrator" "db-ops" ] (name: {
          type = "app";
          program = nixpkgs.lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.${name};
        }));

      # For hacking on the suite: compilers and libraries of the build, a PostgreSQL with
      # pg_cron for the tests, and the tools the shell tests use.
      devShells = forAllSystems (pkgs:
        let
          unwrapped = self.packages.${pkgs.stdenv.hostPlatform.system}.hectic-unwrapped;
          pg = pkgs.postgresql_17.withPackages (ps: [ ps.pg_cron ps.pgtap ]);
        in {
          default = pkgs.mkShell {
            inputsFrom = [ (unwrapped.override { doCheck = true; }) ];
            packages = [ pg pkgs.ccache pkgs.gdb pkgs.clang-tools pkgs.nix pkgs.zsh pkgs.openssh ];
            shellHook = ''
              export PG_BIN_DIR=${pg}/bin
              echo "hectic dev shell: cmake -S . -B build -G Ninja && ninja -C build && ctest --test-dir build -j2" >&2
            '';
          };
        });

      # `nix flake check`: the whole test suite (ctest; the integration tests start real
      # PostgreSQL servers, which needs a build sandbox that lets PostgreSQL start: the
      # Linux sandbox does, with unix sockets under $TMPDIR), and the offline checks of the
      # .nix files and completions on their own.
      checks = forAllSystems (pkgs:
        let h = self.packages.${pkgs.stdenv.hostPlatform.system}; in {
          tests = h.hectic-unwrapped.override { doCheck = true; };
          nix-parse = pkgs.runCommand "hectic-nix-parse" { nativeBuildInputs = [ pkgs.nix ]; } ''
            export NIX_STATE_DIR=$TMPDIR/nix-state
            bash ${./tests/shell/nix_parse.sh} ${self} $TMPDIR
            touch $out
          '';
          # Against the built binaries: completed subcommands and options == their --help.
          completions = pkgs.runCommand "hectic-completions" { nativeBuildInputs = [ pkgs.bash pkgs.zsh ]; } ''
            bash ${./tests/shell/bash_completion.sh} ${self} ${h.hectic-unwrapped}
            bash ${./tests/shell/zsh_completion.sh} ${self} ${h.hectic-unwrapped}
            touch $out
          '';
          inherit (h) hectic;
        });

      # The hectic SQL bundle as paths for psql consumers (see nix/lib.nix):
      # lib.hectic.{version,secret,migration,inheritance}.{path,sql}, lib.hectic.parts (in
      # order), lib.hectic.paths, lib.hectic.initScript, lib.hectic.bundleVersion.
      lib.hectic = import ./nix/lib.nix { sqlDir = ./sql; };

      formatter = forAllSystems (pkgs: pkgs.nixpkgs-fmt);
    };
}
