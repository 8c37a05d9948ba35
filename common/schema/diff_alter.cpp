// In-place changes: what PostgreSQL can alter without a drop (alterable) and the statements
// that do it, table columns first among them (PostgreSQL manual, ALTER TABLE, ALTER TYPE).
#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "common/migrate/migrate.hpp"
#include "common/pg/quote.hpp"
#include "common/schema/ddl.hpp"
#include "common/schema/diff_detail.hpp"
#include "common/schema/names.hpp"

namespace hectic::schema::detail {
namespace {

bool labels_only_added(const std::vector<std::string>& old_labels, const std::vector<std::string>& new_labels) {
  size_t at = 0; // old labels appear in new in the same order
  for (const auto& label : new_labels)
    if (at < old_labels.size() && label == old_labels[at]) ++at;
  return at == old_labels.size();
}

bool view_columns_extend(const Object& a, const Object& b) {
  if (b.view_columns.size() < a.view_columns.size()) return false;
  return std::equal(a.view_columns.begin(), a.view_columns.end(), b.view_columns.begin(),
                    [](const Column& x, const Column& y) { return x.name == y.name && x.type == y.type; });
}

// The comments and column privileges of a kept view's columns (COMMENT ON COLUMN, GRANT (col)).
void alter_view_columns(Planner& p, const Object& a, const Object& b) {
  for (const auto& column : b.view_columns) {
    auto old_column = std::find_if(a.view_columns.begin(), a.view_columns.end(),
                                   [&](const Column& c) { return c.name == column.name; });
    Column before = old_column == a.view_columns.end() ? Column{} : *old_column;
    if (before.comment != column.comment)
      p.emit(b, '~', comment_sql("COLUMN " + b.name + "." + column.name, column.comment));
    auto grants = column_grants_after_table_revokes(before.grants, a.grants, b.grants);
    for (auto& s : column_grant_changes(b.name, column.name, grants, column.grants)) p.emit(b, '~', s);
  }
}

const Column* find_column(const TableShape& shape, const std::string& name) {
  auto it = std::find_if(shape.columns.begin(), shape.columns.end(), [&](const Column& c) { return c.name == name; });
  return it == shape.columns.end() ? nullptr : &*it;
}

// Does new_type hold less than old_type (shorter varchar, smaller integer, fewer digits)?
bool narrows(const std::string& old_type, const std::string& new_type) {
  static const std::vector<std::string> integers{"smallint", "integer", "bigint"};
  auto rank = [&](const std::string& t) { return std::find(integers.begin(), integers.end(), t) - integers.begin(); };
  if (rank(old_type) < 3 && rank(new_type) < 3) return rank(new_type) < rank(old_type);
  static const std::regex modifier(R"(^(.*)\((\d+)(?:,(\d+))?\)$)");
  std::smatch a, b;
  bool old_mod = std::regex_match(old_type, a, modifier);
  bool new_mod = std::regex_match(new_type, b, modifier);
  if (new_mod && !old_mod) return true; // text -> varchar(n), numeric -> numeric(p,s)
  if (!new_mod || a[1] != b[1]) return !old_mod ? false : new_mod;
  return std::stoi(b[2]) < std::stoi(a[2]) || (a[3].matched && b[3].matched && std::stoi(b[3]) < std::stoi(a[3]));
}

// The number after word in a sequence's options ("... MINVALUE 10 MAXVALUE 100 ..."), which
// the catalog query writes.
long long sequence_option(const std::string& options, const std::string& word) {
  auto at = options.find(" " + word + " ");
  return at == std::string::npos ? 0 : std::stoll(options.substr(at + word.size() + 2));
}

// ALTER SEQUENCE refuses a range that leaves the current value out (SQLSTATE 22023): then the
// sequence restarts at its START value, said as a hazard.
void alter_sequence(Planner& p, const Object& a, const Object& b) {
  if (sequence_unlogged(a) != sequence_unlogged(b))
    p.emit(b, '~', fmt::format("ALTER SEQUENCE {} SET {};", b.name, sequence_unlogged(b) ? "UNLOGGED" : "LOGGED"));
  if (sequence_options(a) == sequence_options(b)) return;
  std::string restart;
  std::vector<std::string> hazards;
  if (!a.sequence_value.empty()) {
    const long long value = std::stoll(a.sequence_value);
    const long long min = sequence_option(b.definition, "MINVALUE"), max = sequence_option(b.definition, "MAXVALUE");
    if (value < min || value > max) {
      restart = " RESTART";
      hazards.push_back(fmt::format("restarts the sequence at {}: its current value {} is outside {}..{}",
                                    sequence_option(b.definition, "START WITH"), value, min, max));
    }
  }
  p.emit(b, '~', fmt::format("ALTER SEQUENCE {} {}{};", b.name, sequence_options(b), restart), hazards);
}

struct TableAlter {
  Planner& p;
  const Object& a;
  const Object& b;

  void emit(const std::string& column, std::string clause, std::vector<std::string> hazards = {},
            bool transactional = true) {
    p.emit(b, '~', fmt::format("ALTER TABLE {} {};", b.name, clause), std::move(hazards), transactional);
    if (!column.empty()) p.out.back().object = "column:" + b.name.substr(0) + "." + column;
  }
  // Whole statements about a column (ALTER TABLE ONLY ..., SELECT setval ...).
  void emit_statement(const std::string& column, std::string sql) {
    p.emit(b, '~', std::move(sql));
    p.out.back().object = "column:" + b.name + "." + column;
  }
  void emit_settings(const Column& from, const Column& to) {
    for (auto& s : column_setting_changes(b.name, from, to)) emit_statement(to.name, std::move(s));
  }
  std::string rows() const { return rows_note(p.from, a.key); }
};

void add_column(TableAlter& t, const Column& column) {
  std::vector<std::string> hazards;
  if (column.not_null && !column.default_expr && !column.identity && !column.generated)
    hazards.push_back(fmt::format("fails on a non-empty table: NOT NULL column {} has no default ({})", column.name,
                                  t.rows()));
  if (column.generated)
    hazards.push_back(fmt::format("table rewrite: the generated column {} is computed for every row ({})",
                                  column.name, t.rows()));
  t.emit(column.name, "ADD COLUMN " + column_definition(column), hazards);
  t.emit_settings(Column{}, column);
}

void drop_column(TableAlter& t, const Column& column) {
  if (t.p.options.rename_before_drop) {
    auto aside = dropped_name(column.name, t.p.options.stamp);
    if (column.not_null) t.emit(column.name, fmt::format("ALTER COLUMN {} DROP NOT NULL", column.name));
    t.emit(column.name, fmt::format("RENAME COLUMN {} TO {}", column.name, aside));
    t.emit(column.name, fmt::format("DROP COLUMN {}", aside));
    t.p.out.back().cleanup = true;
    return;
  }
  t.emit(column.name, "DROP COLUMN " + column.name,
         {fmt::format("data loss: drops column {}.{} ({})", t.b.name, column.name, t.rows())});
}

bool done_early(const TableAlter& t, const Column& column, const char* step) {
  return t.p.early_column_steps.count(t.a.key + "\n" + column.name + "\n" + step) > 0;
}

void retype_column(TableAlter& t, const Column& old_column, const Column& column, bool via_text) {
  if (old_column.default_expr && !done_early(t, column, "default")) t.emit(column.name, fmt::format("ALTER COLUMN {} DROP DEFAULT", column.name));
  std::vector<std::string> hazards{fmt::format("table rewrite: {}.{} {} -> {} ({})", t.b.name, column.name,
                                               old_column.type, column.type, t.rows())};
  if (narrows(old_column.type, column.type))
    hazards.insert(hazards.begin(), fmt::format("data loss: {}.{} narrows from {} to {}; values that do not fit fail "
                                                "the statement", t.b.name, column.name, old_column.type, column.type));
  t.emit(column.name,
         fmt::format("ALTER COLUMN {} TYPE {}{} USING {}{}::{}", column.name, column.type,
                     column.collation ? " COLLATE " + *column.collation : "", column.name, via_text ? "::text" : "",
                     column.type),
         hazards);
  if (column.default_expr) t.emit(column.name, fmt::format("ALTER COLUMN {} SET DEFAULT {}", column.name, *column.default_expr));
}

void set_not_null(TableAlter& t, const Column& column) {
  if (!t.p.options.online) {
    t.emit(column.name, fmt::format("ALTER COLUMN {} SET NOT NULL", column.name),
           {fmt::format("validation scan: SET NOT NULL reads every row of {} under an exclusive lock ({}); --online "
                        "validates a NOT VALID check first", t.b.name, t.rows())});
    return;
  }
  // PostgreSQL skips the scan when a valid CHECK (col IS NOT NULL) proves it (ALTER TABLE, SET NOT NULL).
  auto check = pq::quote_identifier(unquote(column.name).substr(0, 50) + "_not_null");
  t.emit(column.name, fmt::format("ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID", check, column.name));
  t.emit(column.name, fmt::format("VALIDATE CONSTRAINT {}", check), {}, false);
  t.emit(column.name, fmt::format("ALTER COLUMN {} SET NOT NULL", column.name), {}, false);
  t.emit(column.name, fmt::format("DROP CONSTRAINT {}", check), {}, false);
}

// "SET START WITH 1 SET INCREMENT BY 1 ..." (ALTER TABLE ... ALTER COLUMN ... SET sequence_option).
std::string set_identity_options(const std::string& options) {
  static const std::regex k_option(R"((START WITH|INCREMENT BY|MINVALUE|MAXVALUE|CACHE) (-?[0-9]+)|(NO CYCLE|CYCLE))");
  std::string out;
  for (std::sregex_iterator it(options.begin(), options.end(), k_option), end; it != end; ++it)
    out += (out.empty() ? "SET " : " SET ") + it->str(0);
  return out;
}

// The sequence OWNED BY table.column in model (a serial column's), or null.
const Object* owned_sequence(const Model& model, const std::string& table, const std::string& column) {
  for (const auto& [key, object] : model.objects)
    if (object.kind == Kind::sequence_owner && object.table == table && object.definition == table + "." + column)
      return &object;
  return nullptr;
}

// Does the column trade its sequence (serial <-> identity)? Its last value is carried over, so
// that the new sequence does not hand out numbers the rows already have.
bool trades_sequence(const TableAlter& t, const Column& old_column, const Column& column) {
  bool had = old_column.identity || owned_sequence(t.p.from, t.a.name, old_column.name);
  bool has = column.identity || owned_sequence(t.p.to, t.b.name, column.name);
  return had && has && (old_column.identity != 0) != (column.identity != 0);
}

// The session setting that holds the old sequence's last value between phase 1 and the alter.
std::string carried_value_setting(const TableAlter& t, const Column& column) {
  return pq::quote_literal("hectic.sequence_" + migrate::sha256_hex(t.b.name + "\n" + column.name).substr(0, 16));
}

void stash_sequence_value(TableAlter& t, const Column& column) {
  t.emit_statement(column.name, fmt::format("SELECT set_config({}, coalesce(pg_sequence_last_value("
                                            "pg_get_serial_sequence({}, {}))::text, ''), false);",
                                            carried_value_setting(t, column), pq::quote_literal(t.a.name),
                                            pq::quote_literal(unquote(column.name))));
}

void restore_sequence_value(TableAlter& t, const Column& column) {
  const auto* owner = owned_sequence(t.p.to, t.b.name, column.name); // OWNED BY comes later: by name
  auto sequence = owner ? pq::quote_literal(owner->name)
                        : fmt::format("pg_get_serial_sequence({}, {})", pq::quote_literal(t.b.name),
                                      pq::quote_literal(unquote(column.name)));
  auto setting = carried_value_setting(t, column);
  t.emit_statement(column.name, fmt::format("SELECT setval({}, current_setting({})::bigint) WHERE current_setting({}) "
                                            "<> '';", sequence, setting, setting));
}

void change_identity(TableAlter& t, const Column& old_column, const Column& column) {
  if (old_column.identity == column.identity) {
    if (column.identity && old_column.identity_options != column.identity_options && !column.identity_options.empty())
      t.emit(column.name, fmt::format("ALTER COLUMN {} {}", column.name, set_identity_options(column.identity_options)));
    return;
  }
  const char* kind = column.identity == 'a' ? "ALWAYS" : "BY DEFAULT";
  if (!column.identity) {
    if (!done_early(t, column, "identity")) t.emit(column.name, fmt::format("ALTER COLUMN {} DROP IDENTITY", column.name));
  }
  else if (!old_column.identity) {
    // An identity column must be NOT NULL first (ALTER TABLE, ADD GENERATED ... AS IDENTITY).
    if (!old_column.not_null) t.emit(column.name, fmt::format("ALTER COLUMN {} SET NOT NULL", column.name));
    t.emit(column.name, fmt::format("ALTER COLUMN {} ADD{}", column.name, identity_clause(column)));
    if (trades_sequence(t, old_column, column)) restore_sequence_value(t, column);
  }
  else {
    t.emit(column.name, fmt::format("ALTER COLUMN {} SET GENERATED {}", column.name, kind));
    if (old_column.identity_options != column.identity_options && !column.identity_options.empty())
      t.emit(column.name, fmt::format("ALTER COLUMN {} {}", column.name, set_identity_options(column.identity_options)));
  }
}

// COMMENT ON COLUMN and column privileges; old_column is a blank Column for an added one.
void change_comment_and_grants(TableAlter& t, const Column& old_column, const Column& column) {
  if (old_column.comment != column.comment)
    t.p.emit(t.b, '~', comment_sql("COLUMN " + t.b.name + "." + column.name, column.comment));
  auto before = column_grants_after_table_revokes(old_column.grants, t.a.grants, t.b.grants);
  for (auto& s : column_grant_changes(t.b.name, column.name, before, column.grants)) t.p.emit(t.b, '~', s);
  if (!column.identity || column.identity_sequence.empty()) return;
  for (auto& s : grant_changes("SEQUENCE " + column.identity_sequence,
                               identity_sequence_grants_before(t.p, old_column, column), column.identity_sequence_grants))
    t.p.emit(t.b, '~', s);
}

void change_column(TableAlter& t, const Column& old_column, const Column& column) {
  if (old_column.generated && !column.generated) {
    // The stored values stay as plain data (ALTER TABLE ... DROP EXPRESSION, PostgreSQL 13+).
    t.emit(column.name, fmt::format("ALTER COLUMN {} DROP EXPRESSION", column.name));
    Column plain = old_column;
    plain.generated.reset();
    change_column(t, plain, column);
    return;
  }
  if (old_column.generated != column.generated) {
    t.emit(column.name, "DROP COLUMN " + column.name,
           {fmt::format("data loss: {}.{} is dropped and added again as {}; its values are replaced ({})", t.b.name,
                        column.name, column.generated ? "a generated column" : "a plain column", t.rows())});
    add_column(t, column);
    return;
  }
  bool forced = t.p.retyped_columns.count(t.a.key + "\n" + column.name) > 0;
  bool retyped = old_column.type != column.type || old_column.collation != column.collation;
  // Between two of our own types (enum to another enum) there is no cast: go through text.
  bool own_type = t.p.from.objects.count("type:" + old_column.type) || t.p.to.objects.count("type:" + column.type);
  Column settings = old_column;
  if (retyped || forced) {
    retype_column(t, old_column, column, forced || own_type);
    settings.storage.clear(); // a new type starts with its own storage and compression
    settings.compression.clear();
  }
  else if ((old_column.default_expr != column.default_expr || t.p.default_resets.count(t.a.key + "\n" + column.name)) &&
           column.default_expr) {
    t.emit(column.name, fmt::format("ALTER COLUMN {} SET DEFAULT {}", column.name, *column.default_expr));
    if (!column.identity && trades_sequence(t, old_column, column)) restore_sequence_value(t, column);
  }
  t.emit_settings(settings, column);
  if (!old_column.not_null && column.not_null && !column.identity) set_not_null(t, column);
  change_identity(t, old_column, column);
  if (old_column.not_null && !column.not_null) t.emit(column.name, fmt::format("ALTER COLUMN {} DROP NOT NULL", column.name));
  change_comment_and_grants(t, old_column, column);
}

// Is the index of REPLICA IDENTITY USING INDEX created by this diff? Then its creation sets it.
bool identity_index_made(const TableAlter& t) {
  const std::string& identity = t.b.shape->replica_identity;
  if (identity.rfind("USING INDEX ", 0) != 0) return false;
  auto index = identity.substr(std::string("USING INDEX ").size());
  auto schema = split_qualified(t.b.name).first;
  for (const auto& key : {"index:" + schema + "." + index, "constraint:" + t.b.name + "." + index})
    if (t.p.added.count(key) || t.p.recreated.count(key)) return true;
  return false;
}

// Does parent have column? A parent outside the diff (schema hectic) may: true.
bool may_have_column(const Model& model, const std::string& parent, const std::string& column) {
  auto it = model.objects.find("table:" + parent);
  return it == model.objects.end() || !it->second.shape || find_column(*it->second.shape, column);
}

bool is_new_parent(const TableAlter& t, const std::string& parent) {
  const auto& old_parents = t.a.shape->parents;
  return std::find(old_parents.begin(), old_parents.end(), parent) == old_parents.end();
}

// Is column, which the child only inherits, one that none of its old parents brings (so it
// comes with a new INHERIT, not with a parent's ADD COLUMN)?
bool from_new_parent(const TableAlter& t, const Column& column) {
  if (t.a.shape->partition_of || t.b.shape->partition_of) return false;
  const auto& parents = t.b.shape->parents;
  bool any_new = std::any_of(parents.begin(), parents.end(), [&](const auto& parent) { return is_new_parent(t, parent); });
  return any_new && std::none_of(parents.begin(), parents.end(), [&](const std::string& parent) {
    return !is_new_parent(t, parent) && may_have_column(t.p.to, parent, column.name);
  });
}

// A column of the child's own that it now also inherits stays its own (attislocal) after INHERIT;
// only a superuser can mark it inherited, as pg_upgrade does. Others keep it local: a notice.
void mark_inherited_only(TableAlter& t, const Column& column) {
  auto name = pq::quote_literal(unquote(column.name));
  auto table = pq::quote_literal(t.b.name);
  t.emit_statement(column.name, fmt::format(
      "DO $hectic$ BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN UPDATE "
      "pg_catalog.pg_attribute SET attislocal = false WHERE attrelid = {}::regclass AND attname = {}; ELSE RAISE "
      "NOTICE 'column %.% stays the table''s own as well as inherited (marking it inherited only needs a "
      "superuser)', {}, {}; END IF; END $hectic$;", table, name, table, name));
}

// INHERIT of the new parents. A column the child only inherits (the hectic bundle's created_at)
// is added through a scratch parent first, so that it ends up inherited, not the child's own.
void inherit_new_parents(TableAlter& t) {
  std::vector<const Column*> inherited, made_inherited;
  for (const auto& column : t.b.shape->columns) {
    if (column.local || !from_new_parent(t, column)) continue;
    const auto* old_column = find_column(*t.a.shape, column.name);
    if (!old_column) inherited.push_back(&column);
    else if (old_column->local) made_inherited.push_back(&column);
  }
  auto [schema, name] = split_qualified(t.b.name);
  auto scratch = schema + "." + pq::quote_identifier(unquote(name).substr(0, 40) + "_hectic_columns");
  if (!inherited.empty()) {
    t.p.emit(t.b, '~', fmt::format("CREATE TABLE {} ();", scratch));
    t.emit("", "INHERIT " + scratch);
    for (const auto* column : inherited) {
      Column plain = *column;
      plain.identity = 0;
      plain.generated.reset();
      t.p.emit(t.b, '~', fmt::format("ALTER TABLE {} ADD COLUMN {};", scratch, column_definition(plain)));
    }
  }
  for (const auto& parent : t.b.shape->parents)
    if (is_new_parent(t, parent)) t.emit("", "INHERIT " + parent);
  for (const auto* column : made_inherited) mark_inherited_only(t, *column);
  if (inherited.empty()) return;
  t.emit("", "NO INHERIT " + scratch);
  t.p.emit(t.b, '~', fmt::format("DROP TABLE {};", scratch));
  for (const auto* column : inherited) t.emit_settings(Column{}, *column);
}

// Is column (of the old table) inherited from a parent the table keeps? Then that parent's
// DROP COLUMN takes it.
bool inherited_from_kept_parent(const TableAlter& t, const Column& column) {
  const auto& parents = t.a.shape->parents;
  const auto& kept = t.b.shape->parents;
  if (t.a.shape->partition_of) return t.a.shape->partition_of == t.b.shape->partition_of;
  return std::any_of(parents.begin(), parents.end(), [&](const std::string& parent) {
    return std::find(kept.begin(), kept.end(), parent) != kept.end() && may_have_column(t.p.from, parent, column.name);
  });
}

// SET LOGGED / UNLOGGED in the order foreign keys allow (a logged table references only logged
// ones): a table becomes unlogged after the tables that reference it, logged after those it
// references. Each table once.
void change_persistence(Planner& p, const Object& a, const Object& b) {
  if (a.shape->unlogged == b.shape->unlogged || !p.early_column_steps.insert(a.key + "\n\npersistence").second) return;
  bool unlogging = b.shape->unlogged;
  for (const auto& [key, fk] : p.from.objects) {
    if (fk.kind != Kind::constraint || fk.definition.rfind("FOREIGN KEY", 0) != 0) continue;
    auto referencing = "table:" + fk.table;
    for (const auto& referenced : fk.depends_on) {
      if (referenced == referencing || referenced.rfind("table:", 0) != 0) continue;
      auto first = unlogging ? (referenced == a.key ? referencing : "") : (referencing == a.key ? referenced : "");
      if (!first.empty() && p.altered.count(first)) change_persistence(p, p.from.objects.at(first), p.to.objects.at(first));
    }
  }
  TableAlter t{p, a, b};
  t.emit("", unlogging ? "SET UNLOGGED" : "SET LOGGED",
         {fmt::format("table rewrite: changing persistence rewrites {} ({})", b.name, t.rows())});
}

void alter_table_options(TableAlter& t) {
  const auto& x = *t.a.shape;
  const auto& y = *t.b.shape;
  change_persistence(t.p, t.a, t.b);
  if (x.options != y.options) {
    if (!x.options.empty()) t.emit("", "RESET (" + option_names(x.options) + ")");
    if (!y.options.empty()) t.emit("", "SET (" + y.options + ")");
  }
  bool reset_early = t.p.early_column_steps.count(t.a.key + "\n\nreplica identity") > 0;
  if (x.replica_identity != y.replica_identity && !identity_index_made(t) && !(reset_early && y.replica_identity.empty()))
    t.emit("", "REPLICA IDENTITY " + (y.replica_identity.empty() ? "DEFAULT" : y.replica_identity));
  for (const auto& parent : x.parents)
    if (std::find(y.parents.begin(), y.parents.end(), parent) == y.parents.end()) t.emit("", "NO INHERIT " + parent);
  if (x.row_security != y.row_security) t.emit("", y.row_security ? "ENABLE ROW LEVEL SECURITY" : "DISABLE ROW LEVEL SECURITY");
  if (x.force_row_security != y.force_row_security)
    t.emit("", y.force_row_security ? "FORCE ROW LEVEL SECURITY" : "NO FORCE ROW LEVEL SECURITY");
}

// DETACH PARTITION leaves the table the indexes and constraints it had from its parent as its
// own; the model never saw them (they were the parent's), so they are dropped with the detach
// and the table's own, as the other side has them, are created after.
std::string detach_partition_sql(const std::string& parent, const std::string& table) {
  auto t = pq::quote_literal(table);
  return fmt::format(
      "DO $hectic$ DECLARE inherited_constraints text[]; inherited_indexes text[]; item text; BEGIN\n"
      "  SELECT array_agg(quote_ident(conname)) INTO inherited_constraints FROM pg_catalog.pg_constraint\n"
      "    WHERE conrelid = {0}::regclass AND (conparentid <> 0 OR NOT conislocal);\n"
      "  SELECT array_agg(indexrelid::regclass::text) INTO inherited_indexes FROM pg_catalog.pg_index i\n"
      "    JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = {0}::regclass AND c.relispartition\n"
      "    AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = "
      "i.indrelid);\n"
      "  ALTER TABLE {1} DETACH PARTITION {2};\n"
      "  FOREACH item IN ARRAY coalesce(inherited_constraints, '{{}}') LOOP\n"
      "    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %s', {0}::regclass, item);\n  END LOOP;\n"
      "  FOREACH item IN ARRAY coalesce(inherited_indexes, '{{}}') LOOP\n"
      "    EXECUTE 'DROP INDEX ' || item;\n  END LOOP;\n"
      "END $hectic$;", t, parent, table);
}

void alter_table(Planner& p, const Object& a, const Object& b) {
  TableAlter t{p, a, b};
  const auto& x = *a.shape;
  const auto& y = *b.shape;
  bool repartitioned = x.partition_of != y.partition_of || x.partition_bound != y.partition_bound;
  if (repartitioned && x.partition_of)
    p.emit(b, '~', detach_partition_sql(*x.partition_of, b.name));
  bool attaching = repartitioned && y.partition_of;
  alter_table_options(t);
  for (const auto& column : y.columns) {
    const auto* old_column = find_column(x, column.name);
    if (!old_column && (column.local || attaching)) {
      add_column(t, column);
      change_comment_and_grants(t, Column{}, column);
    }
    else if (!old_column && !from_new_parent(t, column)) t.emit_settings(Column{}, column); // a parent's ADD COLUMN
    else if (old_column && (column.local || old_column->local)) change_column(t, *old_column, column);
    else if (old_column) t.emit_settings(*old_column, column); // a partition's own settings
  }
  for (const auto& column : x.columns)
    if ((column.local || !inherited_from_kept_parent(t, column)) && !find_column(y, column.name))
      drop_column(t, column);
  inherit_new_parents(t);
  if (attaching)
    p.emit(b, '~', fmt::format("ALTER TABLE {} ATTACH PARTITION {} {};", *y.partition_of, b.name,
                               y.partition_bound.value_or("DEFAULT")),
           {fmt::format("validation scan: ATTACH PARTITION checks every row of {} against its bound ({})", b.name,
                        t.rows())});
}

void add_enum_values(Planner& p, const Object& a, const Object& b) {
  for (size_t i = 0; i < b.enum_labels.size(); ++i) {
    const auto& label = b.enum_labels[i];
    if (std::find(a.enum_labels.begin(), a.enum_labels.end(), label) != a.enum_labels.end()) continue;
    std::string where = i > 0 ? " AFTER " + pq::quote_literal(b.enum_labels[i - 1])
                        : b.enum_labels.size() > 1 ? " BEFORE " + pq::quote_literal(b.enum_labels[1]) : "";
    // A new value cannot be used in the transaction that adds it (ALTER TYPE, Notes): it commits first.
    p.emit(b, '~', fmt::format("ALTER TYPE {} ADD VALUE {}{};", b.name, pq::quote_literal(label), where), {}, false);
    p.out.back().before_transaction = true;
  }
}

std::string or_replace(const std::string& create_sql, const std::string& word) {
  return "CREATE OR REPLACE " + word + create_sql.substr(std::string("CREATE ").size() + word.size());
}

// The attributes of a composite type's "AS (street text, zip integer)", split at top-level
// commas; empty for other types.
std::vector<std::string> composite_attributes(const Object& type) {
  const auto& d = type.definition;
  if (!type.enum_labels.empty() || d.rfind("AS (", 0) != 0 || d.back() != ')') return {};
  std::vector<std::string> out(1);
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 4; i + 1 < d.size(); ++i) {
    char c = d[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '(' || c == ')')) depth += c == '(' ? 1 : -1;
    if (!quoted && depth == 0 && c == ',' && d[i + 1] == ' ') {
      out.emplace_back();
      ++i;
      continue;
    }
    out.back() += c;
  }
  return out;
}

// A composite type that only gains attributes at the end: ALTER TYPE ... ADD ATTRIBUTE keeps
// the values stored in columns of that type (a rebuild through text would not parse them).
bool attributes_only_added(const Object& a, const Object& b) {
  auto x = composite_attributes(a);
  auto y = composite_attributes(b);
  return !x.empty() && y.size() > x.size() && std::equal(x.begin(), x.end(), y.begin());
}

void alter_definition(Planner& p, const Object& a, const Object& b) {
  switch (b.kind) {
  case Kind::table: alter_table(p, a, b); break;
  case Kind::type:
    if (attributes_only_added(a, b)) {
      auto attributes = composite_attributes(b);
      for (auto i = composite_attributes(a).size(); i < attributes.size(); ++i)
        p.emit(b, '~', fmt::format("ALTER TYPE {} ADD ATTRIBUTE {};", b.name, attributes[i]));
    } else {
      add_enum_values(p, a, b);
    }
    break;
  case Kind::sequence: alter_sequence(p, a, b); break;
  case Kind::extension: p.emit(b, '~', fmt::format("ALTER EXTENSION {} UPDATE TO '{}';", b.name, b.version)); break;
  case Kind::constraint:
    p.emit(b, '~', fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {};", b.table, b.name),
           {fmt::format("validation scan: checks every row of {} ({})", b.table, rows_note(p.from, "table:" + b.table))});
    break;
  case Kind::view: p.emit(b, '~', or_replace(b.create_sql, "VIEW")); break;
  case Kind::function:
  case Kind::sequence_owner: p.emit(b, '~', b.create_sql); break;
  case Kind::default_privilege: emit_default_privileges(p, b, '~', a.grants, b.grants); return;
  default: break;
  }
}

} // namespace

void emit_early_column_steps(Planner& p, const Object& a, const Object& b) {
  TableAlter t{p, a, b};
  // An index that stops being the replica identity lets its columns' NOT NULL go (on a parent too).
  const auto& identity = a.shape->replica_identity;
  if (identity.rfind("USING INDEX ", 0) == 0 && identity != b.shape->replica_identity) {
    t.emit("", "REPLICA IDENTITY DEFAULT");
    p.early_column_steps.insert(a.key + "\n\nreplica identity");
  }
  for (const auto& old_column : a.shape->columns) {
    const auto* column = find_column(*b.shape, old_column.name);
    if (!column && old_column.local && old_column.default_expr) { // a dropped column lets its sequence go too
      t.emit(old_column.name, fmt::format("ALTER COLUMN {} DROP DEFAULT", old_column.name));
      continue;
    }
    if (!column || !(old_column.local || column->local) || old_column.generated != column->generated) continue;
    if (trades_sequence(t, old_column, *column)) stash_sequence_value(t, *column);
    auto step = a.key + "\n" + column->name + "\n";
    bool reset = p.default_resets.count(a.key + "\n" + column->name) > 0;
    if (old_column.default_expr && (old_column.default_expr != column->default_expr || reset)) {
      t.emit(column->name, fmt::format("ALTER COLUMN {} DROP DEFAULT", column->name));
      p.early_column_steps.insert(step + "default");
    }
    if (old_column.identity && !column->identity) {
      t.emit(column->name, fmt::format("ALTER COLUMN {} DROP IDENTITY", column->name));
      p.early_column_steps.insert(step + "identity");
    }
  }
}

bool alterable(const Object& a, const Object& b) {
  if (a.definition == b.definition) return true;
  switch (a.kind) {
  case Kind::table: // a partition changing parent or bound is detached and attached again
    return a.shape->partition_key == b.shape->partition_key && a.definition[0] == b.definition[0];
  case Kind::type:
    return (!a.enum_labels.empty() && labels_only_added(a.enum_labels, b.enum_labels)) || attributes_only_added(a, b);
  case Kind::sequence:
  case Kind::sequence_owner:
  case Kind::extension:
  case Kind::default_privilege: return true;
  case Kind::constraint: return a.definition == b.definition + " NOT VALID";
  case Kind::view: return !a.materialized && !b.materialized && view_columns_extend(a, b);
  case Kind::function:
    return a.routine_kind == b.routine_kind && a.routine_kind != 'a' && a.result_type == b.result_type &&
           a.arguments == b.arguments;
  default: return false;
  }
}

void emit_alter(Planner& p, const Object& a, const Object& b) {
  // Object privileges first: the column privileges that follow know what their REVOKEs took.
  if (a.grants != b.grants && !b.grant_target.empty() && b.kind != Kind::default_privilege)
    for (auto& s : grant_changes(b.grant_target, a.grants, b.grants)) p.emit(b, '~', std::move(s));
  if (a.definition != b.definition || a.version != b.version || a.shape || b.kind == Kind::default_privilege)
    alter_definition(p, a, b);
  if (b.kind == Kind::view) alter_view_columns(p, a, b);
  if (a.comment != b.comment && !b.comment_target.empty()) p.emit(b, '~', comment_sql(b.comment_target, b.comment));
}

} // namespace hectic::schema::detail
