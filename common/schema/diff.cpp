// The diff's phases: classify every key, spread "must be rebuilt" to dependents, then emit
// (1) the drops that make room, (2) creates and alters in dependency order, (3) the rest of
// the drops in reverse dependency order.
#include "common/schema/diff.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/schema/diff_detail.hpp"
#include "common/schema/names.hpp"
#include "common/schema/rename.hpp"

namespace hectic::schema {
namespace detail {
namespace {

bool same_object(const Object& a, const Object& b) {
  if (a.definition != b.definition || a.comment != b.comment || a.grants != b.grants || a.version != b.version)
    return false;
  if (!a.shape || !b.shape) return true;
  const auto& x = *a.shape;
  const auto& y = *b.shape;
  auto columns = [](const TableShape& s) {
    std::map<std::string, std::string> out;
    for (const auto& c : s.columns)
      out[c.name] = column_definition_key(c) + (c.local ? "L" : "I") + c.comment.value_or("\x01") +
                    nlohmann::json(c.grants).dump();
    return out;
  };
  return columns(x) == columns(y) && x.parents == y.parents && x.row_security == y.row_security &&
         x.force_row_security == y.force_row_security;
}

void classify(Planner& p) {
  for (const auto& [key, object] : p.from.objects) {
    auto other = p.to.objects.find(key);
    if (other == p.to.objects.end()) {
      p.removed.insert(key);
      // OWNED BY NONE first: dropping the owning column would take the sequence with it.
      // Constraints go early too: a column's DROP NOT NULL needs its primary key gone. And
      // indexes: a new index on a partitioned table would adopt a matching partition index.
      if (object.kind == Kind::sequence_owner || object.kind == Kind::constraint || object.kind == Kind::index)
        p.early_drops.insert(key);
    }
    else if (!same_object(object, other->second))
      (alterable(object, other->second) ? p.altered : p.recreated).insert(key);
  }
  for (const auto& [key, object] : p.to.objects)
    if (!p.from.objects.count(key)) p.added.insert(key);
}

// Columns that disappear or change type, on tables kept on both sides.
void find_column_changes(Planner& p) {
  for (const auto& key : p.altered) {
    const auto& a = p.from.objects.at(key);
    const auto& b = p.to.objects.at(key);
    if (!a.shape) continue;
    for (const auto& column : a.shape->columns) {
      auto it = std::find_if(b.shape->columns.begin(), b.shape->columns.end(),
                             [&](const Column& c) { return c.name == column.name; });
      if (it == b.shape->columns.end()) p.dropped_columns.insert(key + "\n" + column.name);
      else if (it->type != column.type || it->collation != column.collation || it->generated != column.generated)
        p.retyped_columns.insert(key + "\n" + column.name);
    }
  }
}

bool reads_any(const Object& object, const std::set<std::string>& columns) {
  return std::any_of(object.depends_on_columns.begin(), object.depends_on_columns.end(),
                     [&](const std::string& c) { return columns.count(c) > 0; });
}

// A column whose type is a rebuilt type is converted in place (USING col::text::type) rather
// than the table rebuilt.
bool retype_columns_of(Planner& p, const Object& table, const std::string& type_key) {
  const auto& type_name = p.from.objects.at(type_key).name;
  bool any = false;
  for (const auto& column : table.shape->columns)
    if (column.type == type_name || column.type == type_name + "[]")
      any |= p.retyped_columns.insert(table.key + "\n" + column.name).second;
  return any;
}

// Columns whose default calls the rebuilt routine: their defaults are reset around the rebuild
// instead of the table being rebuilt (which would drop its rows). False when none does (a
// generated column or another use: the table must go first).
bool reset_defaults_of(Planner& p, const Object& table, const std::string& routine_key) {
  auto name = split_qualified(routine_name(p.from.objects.at(routine_key).name)).second;
  bool any = false;
  for (const auto& column : table.shape->columns) {
    if (column.generated && column.generated->find(name + "(") != std::string::npos) return false;
    if (column.default_expr && column.default_expr->find(name + "(") != std::string::npos) {
      p.default_resets.insert(table.key + "\n" + column.name);
      any = true;
    }
  }
  return any;
}

// Does object have to be dropped before the alters (and, if kept, created again)?
bool must_go_first(Planner& p, const Object& object) {
  bool changed = false;
  for (const auto& dep : object.depends_on) {
    if (!p.recreated.count(dep) && !p.early_drops.count(dep)) continue;
    if (p.removed.count(object.key)) return true; // going anyway: before what it needs goes
    const auto dep_kind = p.from.objects.at(dep).kind;
    if (object.shape && dep_kind == Kind::type) changed |= retype_columns_of(p, object, dep);
    else if (object.shape && dep_kind == Kind::function && reset_defaults_of(p, object, dep)) changed = true;
    else return true;
  }
  if (changed && !p.removed.count(object.key) && !p.recreated.count(object.key)) p.altered.insert(object.key);
  if (reads_any(object, p.dropped_columns)) return true;
  bool fragile = object.kind == Kind::view || object.kind == Kind::function || object.kind == Kind::trigger ||
                 object.kind == Kind::policy;
  return fragile && reads_any(object, p.retyped_columns);
}

void spread_rebuilds(Planner& p) {
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [key, object] : p.from.objects) {
      if (p.recreated.count(key) || p.early_drops.count(key) || !must_go_first(p, object)) continue;
      if (p.removed.count(key)) p.early_drops.insert(key);
      else {
        p.altered.erase(key);
        p.recreated.insert(key);
      }
      grew = true;
    }
  }
}

// A removed sequence whose users are all kept tables (their defaults dropped in phase 1) goes
// early, so that an identity column added in its place can take its name.
void free_sequences_early(Planner& p) {
  for (const auto& key : p.removed) {
    if (p.from.objects.at(key).kind != Kind::sequence) continue;
    bool only_tables = std::all_of(p.from.objects.begin(), p.from.objects.end(), [&](const auto& entry) {
      const auto& o = entry.second;
      return !o.depends_on.count(key) || o.kind == Kind::sequence_owner || p.altered.count(o.key);
    });
    if (only_tables) p.early_drops.insert(key);
  }
}

// keys in the order their drops must run (dependents first). A part of a dropped table
// (constraint, index, trigger, policy) goes with the table, so the table is ordered as needing
// what its parts need: a trigger's function is dropped after the table, not before.
std::vector<std::string> drop_order(const Planner& p, const std::set<std::string>& keys) {
  Model model = p.from;
  for (const auto& key : keys) {
    const auto& part = p.from.objects.at(key);
    auto table = model.objects.find("table:" + part.table);
    if (part.table.empty() || part.kind == Kind::sequence_owner || table == model.objects.end() || !keys.count(table->first))
      continue;
    for (const auto& dep : part.depends_on)
      if (dep != table->first) table->second.depends_on.insert(dep);
  }
  auto order = dependency_order(model, keys);
  return {order.rbegin(), order.rend()};
}

void emit_phases(Planner& p) {
  for (const auto& key : p.altered)
    if (p.from.objects.at(key).shape) emit_early_column_steps(p, p.from.objects.at(key), p.to.objects.at(key));
  std::set<std::string> first = p.recreated;
  first.insert(p.early_drops.begin(), p.early_drops.end());
  for (const auto& key : drop_order(p, first)) emit_drop(p, p.from.objects.at(key));
  std::set<std::string> build = p.added;
  build.insert(p.recreated.begin(), p.recreated.end());
  build.insert(p.altered.begin(), p.altered.end());
  for (const auto& key : dependency_order(p.to, build)) {
    if (p.altered.count(key)) emit_alter(p, p.from.objects.at(key), p.to.objects.at(key));
    else emit_create(p, p.to.objects.at(key));
  }
  std::set<std::string> last;
  for (const auto& key : p.removed)
    if (!p.early_drops.count(key)) last.insert(key);
  for (const auto& key : drop_order(p, last)) emit_drop(p, p.from.objects.at(key));
  for (const auto& key : p.aside_drops) emit_aside_drop(p, p.from.objects.at(key));
}

} // namespace

void Planner::emit(const Object& object, char action, std::string sql, std::vector<std::string> hazards,
                   bool transactional) {
  Statement statement;
  statement.sql = std::move(sql);
  statement.kind = object.kind;
  statement.object = object.key;
  statement.action = action;
  statement.destructive = std::any_of(hazards.begin(), hazards.end(),
                                      [](const std::string& h) { return h.rfind("data loss", 0) == 0; });
  statement.hazards = std::move(hazards);
  statement.transactional = transactional;
  out.push_back(std::move(statement));
}

} // namespace detail

namespace {

// How ALTER names an object that has an owner; "" for kinds without one.
std::string owned_object(const Object& o) {
  switch (o.kind) {
  case Kind::schema: return "SCHEMA " + o.name;
  case Kind::type: return (o.create_sql.rfind("CREATE DOMAIN", 0) == 0 ? "DOMAIN " : "TYPE ") + o.name;
  case Kind::sequence: return "SEQUENCE " + o.name;
  case Kind::table: return "TABLE " + o.name;
  case Kind::view: return (o.materialized ? "MATERIALIZED VIEW " : "VIEW ") + o.name;
  case Kind::function:
    return (o.routine_kind == 'p' ? "PROCEDURE " : o.routine_kind == 'a' ? "AGGREGATE " : "FUNCTION ") + o.name;
  case Kind::event_trigger: return "EVENT TRIGGER " + o.name;
  default: return "";
  }
}

// --owner: ALTER ... OWNER TO for what changes owner, and for what is created (or created
// again), which the applying role would otherwise own. Last: every object exists by then.
void emit_owners(detail::Planner& planner) {
  for (const auto& [key, object] : planner.to.objects) {
    auto target = owned_object(object);
    if (object.owner.empty() || target.empty()) continue;
    auto before = planner.from.objects.find(key);
    bool made = planner.added.count(key) || planner.recreated.count(key) || before == planner.from.objects.end();
    if (!made && before->second.owner == object.owner) continue;
    planner.emit(object, '~', fmt::format("ALTER {} OWNER TO {};", target, object.owner));
  }
}

} // namespace

std::vector<Statement> diff(const Model& original_from, const Model& to, const DiffOptions& options) {
  Model from = original_from;
  auto renames = apply_renames(from, to, options.renames);
  detail::Planner planner{from, to, options, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  detail::classify(planner);
  detail::find_column_changes(planner);
  detail::spread_rebuilds(planner);
  detail::free_sequences_early(planner);
  detail::emit_phases(planner);
  emit_owners(planner);
  renames.insert(renames.end(), planner.out.begin(), planner.out.end());
  return renames;
}

std::vector<std::string> column_order_differences(const Model& from, const Model& to) {
  std::vector<std::string> notes;
  for (const auto& [key, a] : from.objects) {
    auto it = to.objects.find(key);
    if (!a.shape || it == to.objects.end() || !it->second.shape) continue;
    // The order of the columns both sides have; added and dropped ones do not count.
    auto shared_order = [](const TableShape& shape, const TableShape& other) {
      std::vector<std::string> names;
      for (const auto& column : shape.columns)
        if (std::any_of(other.columns.begin(), other.columns.end(), [&](const Column& c) { return c.name == column.name; }))
          names.push_back(column.name);
      return names;
    };
    auto x = shared_order(*a.shape, *it->second.shape);
    auto y = shared_order(*it->second.shape, *a.shape);
    if (x != y)
      notes.push_back(fmt::format("column order of {} differs: ({}) and ({})", a.name, fmt::join(x, ", "), fmt::join(y, ", ")));
  }
  return notes;
}

std::string summary(const std::vector<Statement>& statements) {
  std::map<std::pair<char, std::string>, int> counts;
  int hazards = 0;
  for (const auto& s : statements) {
    if (s.cleanup) continue;
    ++counts[{s.action, s.object}];
    hazards += static_cast<int>(s.hazards.size());
  }
  if (counts.empty()) return "no differences";
  std::map<std::pair<char, std::string>, int> per_kind; // (action, kind) -> objects
  for (const auto& [action_object, _] : counts) {
    auto colon = action_object.second.find(':');
    ++per_kind[{action_object.first, action_object.second.substr(0, colon)}];
  }
  std::vector<std::string> parts;
  for (char action : {'+', '~', '-'})
    for (const auto& [key, n] : per_kind)
      if (key.first == action) parts.push_back(fmt::format("{}{} {}", action, n, key.second));
  parts.push_back(fmt::format("{} hazard{}", hazards, hazards == 1 ? "" : "s"));
  return fmt::format("{}", fmt::join(parts, ", "));
}

} // namespace hectic::schema
