# An example consumer project: `nix develop` here gives the four hectic tools, driving a
# PostgreSQL 17 with pg_cron, and a running throw-away cluster under ./focus/postgresql.
{
  description = "Example project using hectic in its dev shell";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    # In your project: hectic.url = "github:<owner>/hectic";
    hectic.url = "path:../..";
    hectic.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs = { self, nixpkgs, hectic }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in {
      devShells = forAllSystems (system: pkgs:
        let
          h = hectic.packages.${system};
          # The server the tools run: any PostgreSQL, here one with the pg_cron extension.
          postgresql = pkgs.postgresql_17.withPackages (ps: [ ps.pg_cron ]);
          tools = map (p: p.override { inherit postgresql; })
            [ h.database h.postgres-init h.postgres-cleanup h.migrator ];
        in {
          default = pkgs.mkShell {
            packages = tools ++ [ postgresql ];

            shellHook = ''
              export LOCAL_DIR="$PWD"
              export DATABASE_DIR="$LOCAL_DIR/db"
              export MIGRATION_DIR="$DATABASE_DIR/migration"
              export DATABASE_SOURCE="$DATABASE_DIR/src"
              export PG_WORKING_DIR="$LOCAL_DIR/focus/postgresql"
              export PG_DATABASE="example"
              export PG_URL_VAR="DB_URL"

              # Provision the cluster; exports POSTGRESQL_*, PGURL and DB_URL into this shell.
              eval "$(postgres-init)"
            '';
          };
        });

      # A NixOS machine that applies the hectic bundle with psql, without the tools.
      nixosModules.default = { ... }: {
        services.postgresql.enable = true;
        services.postgresql.initialScript = hectic.lib.hectic.initScript;
      };
    };
}
