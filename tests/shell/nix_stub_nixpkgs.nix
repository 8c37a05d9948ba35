# A minimal stand-in for nixpkgs, for evaluating flake.nix offline (tests/shell/nix_parse.sh).
# It builds nothing: derivations are attribute sets with a fake outPath derived from their
# scripts, so the test can follow the wiring (which server a wrapper pins, what
# `.override { postgresql = ...; }` changes, which flags a check build gets). Only the
# functions and packages our nix files use are here; a name we use that real nixpkgs lacks
# still needs a look at the nixpkgs manual, this cannot tell.
let
  systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];

  lib = rec {
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    getExe = p: "${p}/bin/${p.meta.mainProgram}";
    optionals = c: l: if c then l else [ ];
    optionalString = c: s: if c then s else "";
    cmakeBool = name: value: "-D${name}:BOOL=${if value then "TRUE" else "FALSE"}";
    subtractLists = remove: list: builtins.filter (x: !(builtins.elem x remove)) list;
    assertMsg = cond: msg: cond || throw msg;
    concatStringsSep = builtins.concatStringsSep;
    escapeShellArgs = list: concatStringsSep " " (map (x: "'${x}'") list);
    makeBinPath = list: concatStringsSep ":" (map (p: "${p}/bin") list);
    fileContents = file: builtins.head (builtins.match "[[:space:]]*(.*[^[:space:]])[[:space:]]*" (builtins.readFile file));
    platforms.unix = [ "x86_64-linux" ];
    fileset = {
      toSource = { root, fileset }: assert builtins.isList fileset; root;
      unions = list: list;
      maybeMissing = path: path;
    };
  };

  fakePath = name: salt: "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" salt)}-${name}";

  pkgsFor = system:
    let
      pkgs = rec {
        inherit lib;

        stdenv = {
          hostPlatform = { inherit system; };
          mkDerivation = f:
            let
              attrs = if builtins.isFunction f then f self else f;
              name = attrs.name or "${attrs.pname}-${attrs.version}";
              self = attrs // {
                inherit name;
                doCheck = attrs.doCheck or false;
                outPath = fakePath name (builtins.toJSON {
                  phases = [ (attrs.installPhase or "") (attrs.checkPhase or "") ];
                  flags = attrs.cmakeFlags or [ ];
                });
              };
            in
            self;
        };
        stdenvNoCC = stdenv;

        # Packages a function asks for by name come from here, the rest from its defaults.
        callPackage = fn: args:
          let
            f = if builtins.isFunction fn then fn else import fn;
            result = f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // args);
          in
          result // { override = more: callPackage f (args // more); };

        runCommand = name: env: script: stdenv.mkDerivation (env // { inherit name; installPhase = script; });
        mkShell = attrs: stdenv.mkDerivation (attrs // { name = "shell"; });

        tool = name: { inherit name; outPath = fakePath name name; };
        mkPostgresql = name: {
          inherit name;
          outPath = fakePath name name;
          pkgs = { pg_cron = tool "pg_cron"; pgtap = tool "pgtap"; };
          withPackages = f: mkPostgresql "${name}-with-${concatNames (f (mkPostgresql name).pkgs)}";
        };
        concatNames = list: lib.concatStringsSep "-" (map (p: p.name) list);

        postgresql = postgresql_16;
        postgresql_16 = mkPostgresql "postgresql-16";
        postgresql_17 = mkPostgresql "postgresql-17";
        libpq = tool "libpq";
        cmake = tool "cmake";
        ninja = tool "ninja";
        pkg-config = tool "pkg-config";
        makeWrapper = tool "makeWrapper";
        boost = tool "boost";
        boost187 = tool "boost-1.87";
        cli11 = tool "cli11";
        fmt = tool "fmt";
        fmt_9 = tool "fmt-9";
        nlohmann_json = tool "nlohmann_json";
        openssl = tool "openssl";
        curl = tool "curl";
        busybox = tool "busybox";
        cacert = tool "cacert";
        # buildLayeredImage's arguments kept, so the test can look at the image's config.
        dockerTools.buildLayeredImage = attrs: attrs // { outPath = fakePath "${attrs.name}.tar.gz" (builtins.toJSON attrs.config); };
        libpg_query = tool "libpg_query";
        catch2 = tool "catch2";
        bash = tool "bash";
        which = tool "which";
        openssh = tool "openssh";
        less = tool "less";
        nix = tool "nix";
        zsh = tool "zsh";
        ccache = tool "ccache";
        gdb = tool "gdb";
        clang-tools = tool "clang-tools";
        nixpkgs-fmt = tool "nixpkgs-fmt";
      };
    in
    pkgs;
in
{
  inherit lib;
  legacyPackages = lib.genAttrs systems pkgsFor;
}
