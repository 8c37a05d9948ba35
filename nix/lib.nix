# lib.hectic: the hectic SQL bundle as plain files, for consumers that apply it with psql
# (a NixOS module's services.postgresql.initialScript, a CI job without the binaries).
# Pure builtins (no nixpkgs), so it is system independent and evaluates offline.
#
# Every part is { name; path; sql; }: `path` a store path usable with `psql -f` or `\i`,
# `sql` its text. The order and the list of parts come from sql/CMakeLists.txt
# (HECTIC_BUNDLE_PARTS), and a part shipped as `<part>.sql.in` is configured the way CMake
# does it (@HECTIC_BUNDLE_VERSION@ replaced), so these files equal what the binaries embed.
{ sqlDir ? ../sql }:
let
  # "0.1.0\n" -> "0.1.0"
  trim = s: builtins.head (builtins.match "[[:space:]]*([^[:space:]]*)[[:space:]]*" s);

  bundleVersion = trim (builtins.readFile (sqlDir + "/HECTIC_VERSION"));

  # Line by line: whether `.` matches a newline differs between regex libraries (darwin).
  cmakeParts =
    let
      lines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile (sqlDir + "/CMakeLists.txt")));
      matches = builtins.filter (m: m != null)
        (map (builtins.match "[[:space:]]*set\\(HECTIC_BUNDLE_PARTS([^)]*)\\).*") lines);
    in
    if matches == [ ]
    then throw "lib.hectic: set(HECTIC_BUNDLE_PARTS ...) not found in sql/CMakeLists.txt"
    else builtins.filter (w: builtins.isString w && w != "") (builtins.split "[[:space:]]+" (builtins.head (builtins.head matches)));

  mkPart = name:
    let
      template = sqlDir + "/${name}.sql.in";
      plain = sqlDir + "/${name}.sql";
    in
    if builtins.pathExists template then
      let sql = builtins.replaceStrings [ "@HECTIC_BUNDLE_VERSION@" ] [ bundleVersion ] (builtins.readFile template);
      in { inherit name sql; path = builtins.toFile "hectic-${name}.sql" sql; }
    else
      { inherit name; path = plain; sql = builtins.readFile plain; };

  ordered = map mkPart cmakeParts;
  initSql = builtins.concatStringsSep "" (map (p: "\\i ${p.path}\n") ordered);
in
builtins.listToAttrs (map (p: { name = p.name; value = p; }) ordered) // {
  # The bundle version these files carry (sql/HECTIC_VERSION), e.g. "0.1.0".
  inherit bundleVersion;
  # The parts in the order they must be applied: version, secret, migration, inheritance, ...
  parts = ordered;
  # The same as a list of paths, for `map (p: "psql -f ${p}")` style consumers.
  paths = map (p: p.path) ordered;
  # One psql script that includes every part in order: `psql -v ON_ERROR_STOP=1 -f ${initScript}`,
  # or services.postgresql.initialScript = lib.hectic.initScript. initSql is its text.
  inherit initSql;
  initScript = builtins.toFile "hectic-bundle.sql" initSql;
}
