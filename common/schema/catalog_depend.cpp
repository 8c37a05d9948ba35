// The catalog reader's last steps: pg_depend (and PL/pgSQL bodies) into model dependencies,
// default privileges, and the refusal of kinds the engine does not diff.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base/error.hpp"
#include "common/schema/catalog_reader.hpp"
#include "common/schema/catalog_sql.hpp"
#include "common/schema/plpgsql_refs.hpp"

namespace hectic::schema::detail {
namespace {

// pg_depend rows name catalogs as regclass text; ours are the same names.
const std::string* key_of(const Reader& reader, const std::string& catalog, const std::string& oid) {
  auto it = reader.keys.find({catalog, oid});
  return it == reader.keys.end() ? nullptr : &it->second;
}

void add_depend_row(Reader& reader, const pq::Result& r, int i) {
  const auto* from = key_of(reader, r.get(i, 0), r.get(i, 1));
  const auto* to = key_of(reader, r.get(i, 3), r.get(i, 4));
  if (!from || !to || *from == *to) return;
  auto& object = reader.model.objects.at(*from);
  // A sequence's auto dependency on a column is OWNED BY (a sequence_owner step of its own).
  if (object.kind == Kind::sequence && r.get(i, 6) == "a") return;
  object.depends_on.insert(*to);
  if (r.get(i, 5) == "0" || r.get(i, 3) != "pg_class") return;
  auto column = reader.column_names.find({r.get(i, 4), r.get(i, 5)});
  if (column != reader.column_names.end()) object.depends_on_columns.insert(*to + "\n" + column->second);
}

// A name from a body, "s.f" or "f" (then public, where most bodies' names live), to keys.
const std::set<std::string>* resolve_plain_name(const Reader& reader, const std::string& name) {
  for (const auto& candidate : {name, "public." + name}) {
    auto it = reader.by_plain_name.find(candidate);
    if (it != reader.by_plain_name.end()) return &it->second;
  }
  return nullptr;
}

void add_body_dependencies(Reader& reader) {
  for (const auto& [key, body] : reader.plpgsql_bodies) {
    auto& object = reader.model.objects.at(key);
    for (const auto& name : plpgsql_references(body)) {
      const auto* targets = resolve_plain_name(reader, name);
      if (!targets) continue;
      for (const auto& target : *targets)
        if (target != key) object.body_references.insert(target);
    }
  }
}

const char* default_privilege_word(char objtype) {
  switch (objtype) {
  case 'r': return "TABLES";
  case 'S': return "SEQUENCES";
  case 'f': return "FUNCTIONS";
  case 'T': return "TYPES";
  default: return "SCHEMAS";
  }
}

} // namespace

void read_dependencies(Reader& reader) {
  auto r = reader.query_all(sql::depend);
  for (int i = 0; i < r.rows(); ++i) add_depend_row(reader, r, i);
  add_body_dependencies(reader);
  for (auto& [key, object] : reader.model.objects) {
    auto dot = object.name.find('.');
    if (object.kind != Kind::schema && object.kind != Kind::extension && object.kind != Kind::event_trigger &&
        dot != std::string::npos && reader.model.objects.count("schema:" + object.name.substr(0, dot)))
      object.depends_on.insert("schema:" + object.name.substr(0, dot));
  }
}

void read_default_privileges(Reader& reader) {
  if (!reader.privileges) return;
  auto r = reader.query(sql::default_privileges);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::default_privilege;
    const char* objects = default_privilege_word(r.get(i, 2)[0]);
    o.name = default_privilege_name(r.get(i, 0), r.is_null(i, 1) ? "" : r.get(i, 1), objects);
    o.key = "default_privilege:" + o.name;
    o.grant_target = objects;
    o.grants = grants_from_json(r.get(i, 3));
    o.built_in_grants = grants_from_json(r.get(i, 4));
    if (!r.is_null(i, 1)) o.depends_on.insert("schema:" + r.get(i, 1));
    reader.model.objects.emplace(o.key, std::move(o));
  }
}

void refuse_unsupported(Reader& reader) {
  auto r = reader.query(sql::unsupported);
  if (r.rows() == 0) return;
  std::vector<std::string> found;
  for (int i = 0; i < r.rows(); ++i) found.push_back(fmt::format("{} {}", r.get(i, 0), r.get(i, 1)));
  throw Error(ExitCode::generic,
              fmt::format("the database holds objects migrator diff does not handle yet: {}", fmt::join(found, ", ")),
              {"exclude their schema with --exclude-schema, or compare the rest with --schema"});
}

void read_owners(Reader& reader) {
  auto r = reader.query_all(sql::owners);
  for (int i = 0; i < r.rows(); ++i) {
    auto it = reader.keys.find({r.get(i, 0), r.get(i, 1)});
    if (it == reader.keys.end()) continue;
    auto object = reader.model.objects.find(it->second);
    if (object != reader.model.objects.end() && object->second.kind != Kind::extension) object->second.owner = r.get(i, 2);
  }
}

} // namespace hectic::schema::detail
