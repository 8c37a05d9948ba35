#pragma once
// The schema model (README "migrator diff"): a database's user objects read from pg_catalog,
// keyed by identity, each with the DDL that creates it and the objects it depends on. The
// diff (diff.hpp) compares two models; nothing here talks to a server.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hectic::schema {

// Object kinds, in the order the script's sections print them.
enum class Kind {
  schema, extension, type, sequence, table, constraint, index, view, function, trigger,
  event_trigger, policy, sequence_owner, default_privilege,
};

// "table", "index" ...: how the kind is named in messages, keys and JSON.
const char* kind_name(Kind kind);
// The kind kind_name() calls `name`; nullopt for another word.
std::optional<Kind> kind_from_name(std::string_view name);

// A table column.
struct Column {
  std::string name;
  std::string type;                     // format_type()
  std::optional<std::string> collation; // when not the type's default (qualified)
  std::optional<std::string> default_expr;
  bool not_null = false;
  char identity = 0;                    // 'a' ALWAYS, 'd' BY DEFAULT, 0 none
  std::optional<std::string> generated; // the expression of a STORED generated column
  bool local = true;                    // false: inherited only, created by the parent
  std::optional<std::string> comment;
  std::map<std::string, std::string> grants; // column privileges: grantee -> privilege list
  std::string identity_options;         // identity: "START WITH 1 INCREMENT BY 1 ... NO CYCLE"
  std::string identity_sequence;        // identity: its sequence (qualified), made by the column
  std::map<std::string, std::string> identity_sequence_grants; // GRANT ... ON SEQUENCE of it
  // Per-column settings (ALTER TABLE ... ALTER COLUMN ... SET ...); empty: the default.
  std::string storage;                  // SET STORAGE, when not the type's own ("EXTERNAL")
  std::string default_storage;          // the type's own storage ("EXTENDED"), not compared
  int statistics = -1;                  // SET STATISTICS (attstattarget), -1: the default
  std::string compression;              // SET COMPRESSION ("pglz", "lz4")
  std::string options;                  // SET (...) attribute options, "n_distinct=-0.5"
};

// What only a table has.
struct TableShape {
  std::vector<Column> columns;          // in attnum order
  std::vector<std::string> parents;     // INHERITS parents (qualified), not partition parents
  std::optional<std::string> partition_of;    // parent of a partition
  std::optional<std::string> partition_bound; // FOR VALUES ...
  std::optional<std::string> partition_key;   // PARTITION BY ... of a partitioned table
  std::string options;                  // reloptions and its TOAST table's, "fillfactor=70, toast.x=y"
  std::string replica_identity;         // "" (DEFAULT), "FULL", "NOTHING", "USING INDEX name"
  bool unlogged = false;
  bool row_security = false;
  bool force_row_security = false;
  double estimated_rows = 0;            // reltuples, for hazard notes
};

// One object. Equal models have equal definitions key by key.
struct Object {
  Kind kind = Kind::table;
  std::string key;          // "table:public.users", "function:public.f(integer)"
  std::string name;         // as DDL names it: public.users, public.f(integer)
  std::string table;        // owning table of a constraint, index, trigger, policy (qualified)
  std::string create_sql;   // the statement(s) that create it
  std::string drop_sql;     // the statement that drops it
  std::string definition;   // what is compared (create_sql unless a kind needs finer)
  std::string comment_target; // "TABLE public.users", for COMMENT ON; empty: no comments
  std::optional<std::string> comment;
  std::string grant_target;   // "TABLE public.users", for GRANT/REVOKE; empty: no privileges
  std::map<std::string, std::string> grants; // grantee ("PUBLIC" or a quoted role) -> privileges
  std::set<std::string> depends_on;          // keys of objects this one needs
  std::set<std::string> depends_on_columns;  // "table:public.t\ncolumn" this one reads
  std::set<std::string> body_references;     // PL/pgSQL routines: what the body names (ordering only)
  std::optional<TableShape> shape;           // tables
  std::vector<std::string> enum_labels;      // enum types
  std::vector<Column> view_columns;          // views: name, type, comment, grants
  std::string result_type;                   // routines: pg_get_function_result
  std::string arguments;                     // routines: pg_get_function_arguments (names, defaults)
  char routine_kind = 0;                     // routines: prokind (f, p, a, w)
  bool materialized = false;                 // views: a materialized view
  bool on_partitioned_table = false;         // indexes: CONCURRENTLY is not possible
  std::string version;                       // extensions
  std::string sequence_value;                // sequences: the current value (data: never compared)
  std::string owner;                         // with --owner: the owning role (quoted), else ""
  // Default privileges of no schema: what the objects get while there is no row (acldefault).
  std::map<std::string, std::string> built_in_grants;
  // Range types: their multirange type and constructor functions ("TYPE public.fm",
  // "FUNCTION public.fr(double precision,double precision)"), renamed aside along with them.
  std::vector<std::string> companions;
};

// A database's schema.
struct Model {
  std::map<std::string, Object> objects; // by key
  int server_version = 0;
  std::string server_version_text;
  bool privileges = true; // grants were read (not --no-privileges)
  std::string role;       // current_user of the read (quoted): the role that creates new objects
  // The hash of the normalised model (definitions, comments, grants; not DDL text order).
  std::string fingerprint() const;
};

// "FOR ROLE r [IN SCHEMA s] ON TABLES": the name of a default privileges object (objects is
// TABLES, SEQUENCES, FUNCTIONS, TYPES or SCHEMAS); its key is "default_privilege:" + name.
std::string default_privilege_name(const std::string& role, const std::string& schema, const std::string& objects);

// A column's compared parts as one string (type, collation, default, generation, NOT NULL,
// identity, settings).
std::string column_definition_key(const Column& column);

// Which schemas a catalog read covers (README "migrator diff": --schema, --exclude-schema).
struct Filter {
  std::vector<std::string> schemas;          // only these (empty: all but the excluded)
  std::vector<std::string> exclude_schemas;  // never these
  bool privileges = true;                    // --no-privileges clears it
  bool owner = false;                        // --owner: compare ownership too
};

} // namespace hectic::schema
