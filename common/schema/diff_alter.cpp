// In-place changes: what PostgreSQL can alter without a drop (alterable) and the statements
// that do it, table columns first among them (PostgreSQL manual, ALTER TABLE, ALTER TYPE).
#include <algorithm>
#include <regex>

#include <fmt/format.h>

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
  p.emit(b, '~', fmt::format("ALTER SEQUENCE {} {}{};", b.name, b.definition, restart), hazards);
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
  if (retyped || forced) retype_column(t, old_column, column, forced || own_type);
  else if ((old_column.default_expr != column.default_expr || t.p.default_resets.count(t.a.key + "\n" + column.name)) &&
           column.default_expr)
    t.emit(column.name, fmt::format("ALTER COLUMN {} SET DEFAULT {}", column.name, *column.default_expr));
  if (!old_column.not_null && column.not_null && !column.identity) set_not_null(t, column);
  change_identity(t, old_column, column);
  if (old_column.not_null && !column.not_null) t.emit(column.name, fmt::format("ALTER COLUMN {} DROP NOT NULL", column.name));
  change_comment_and_grants(t, old_column, column);
}

void alter_table_options(TableAlter& t) {
  const auto& x = *t.a.shape;
  const auto& y = *t.b.shape;
  if (x.unlogged != y.unlogged)
    t.emit("", y.unlogged ? "SET UNLOGGED" : "SET LOGGED",
           {fmt::format("table rewrite: changing persistence rewrites {} ({})", t.b.name, t.rows())});
  if (x.options != y.options) {
    if (!x.options.empty()) t.emit("", "RESET (" + std::regex_replace(x.options, std::regex("=[^,]*"), "") + ")");
    if (!y.options.empty()) t.emit("", "SET (" + y.options + ")");
  }
  for (const auto& parent : y.parents)
    if (std::find(x.parents.begin(), x.parents.end(), parent) == x.parents.end()) t.emit("", "INHERIT " + parent);
  for (const auto& parent : x.parents)
    if (std::find(y.parents.begin(), y.parents.end(), parent) == y.parents.end()) t.emit("", "NO INHERIT " + parent);
  if (x.row_security != y.row_security) t.emit("", y.row_security ? "ENABLE ROW LEVEL SECURITY" : "DISABLE ROW LEVEL SECURITY");
  if (x.force_row_security != y.force_row_security)
    t.emit("", y.force_row_security ? "FORCE ROW LEVEL SECURITY" : "NO FORCE ROW LEVEL SECURITY");
}

void alter_table(Planner& p, const Object& a, const Object& b) {
  TableAlter t{p, a, b};
  alter_table_options(t);
  for (const auto& column : b.shape->columns) {
    const auto* old_column = find_column(*a.shape, column.name);
    if (!old_column && column.local) {
      add_column(t, column);
      change_comment_and_grants(t, Column{}, column);
    }
    else if (old_column && (column.local || old_column->local)) change_column(t, *old_column, column);
  }
  for (const auto& column : a.shape->columns)
    if (column.local && !find_column(*b.shape, column.name)) drop_column(t, column);
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
  for (const auto& old_column : a.shape->columns) {
    const auto* column = find_column(*b.shape, old_column.name);
    if (!column && old_column.local && old_column.default_expr) { // a dropped column lets its sequence go too
      t.emit(old_column.name, fmt::format("ALTER COLUMN {} DROP DEFAULT", old_column.name));
      continue;
    }
    if (!column || !(old_column.local || column->local) || old_column.generated != column->generated) continue;
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
  case Kind::table:
    return a.shape->partition_of == b.shape->partition_of && a.shape->partition_bound == b.shape->partition_bound &&
           a.shape->partition_key == b.shape->partition_key && a.definition[0] == b.definition[0];
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
