// The engine's lines (schema::describe_changes) and the generated migration files
// (generate::migration_text), on hand-made models and statements: no server.
#include <catch2/catch.hpp>

#include "common/base/error.hpp"
#include "common/project/generate.hpp"
#include "common/schema/describe.hpp"

using namespace hectic;

namespace {

schema::Column column(const std::string& name, const std::string& type) {
  schema::Column c;
  c.name = name;
  c.type = type;
  return c;
}

schema::Object table(const std::string& name, std::vector<schema::Column> columns) {
  schema::Object o;
  o.kind = schema::Kind::table;
  o.name = name;
  o.key = "table:" + name;
  o.definition = "r logged";
  schema::TableShape shape;
  shape.columns = std::move(columns);
  o.shape = shape;
  return o;
}

schema::Object index(const std::string& name, const std::string& on) {
  schema::Object o;
  o.kind = schema::Kind::index;
  o.name = name;
  o.table = on;
  o.key = "index:" + name;
  o.definition = "btree (due)";
  return o;
}

void add(schema::Model& model, schema::Object object) { model.objects[object.key] = std::move(object); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("describe_changes: one line per change, in the engine's words") {
  schema::Model a, b;
  add(a, table("public.invoice", {column("id", "bigint"), column("total", "numeric(10,2)"), column("note", "text")}));
  auto invoice = table("public.invoice", {column("id", "bigint"), column("total", "numeric(12,2)"), column("due", "date")});
  invoice.shape->columns[0].not_null = true;
  invoice.shape->columns[0].default_expr = "nextval('s')";
  invoice.comment = "bills";
  add(b, invoice);
  add(b, index("public.invoice_due_idx", "public.invoice"));
  add(a, table("public.old", {column("id", "bigint")}));

  auto lines = schema::describe_changes(a, b);
  std::vector<std::string> expected{
      "table public.invoice: column due added (date)",
      "table public.invoice: column note dropped",
      "table public.invoice: column id default none -> nextval('s')",
      "table public.invoice: column id NOT NULL set",
      "table public.invoice: column total numeric(10,2) -> numeric(12,2)",
      "table public.invoice: comment none -> bills",
      "table public.old: dropped",
      "index public.invoice_due_idx: created",
  };
  CHECK(lines == expected);
  CHECK(schema::describe_changes(a, a).empty());

  // An enum: its labels are its definition, said once.
  schema::Model e1, e2;
  schema::Object state;
  state.kind = schema::Kind::type;
  state.name = "public.state";
  state.key = "type:public.state";
  state.enum_labels = {"open", "paid"};
  state.definition = "ENUM ('open', 'paid')";
  add(e1, state);
  state.enum_labels.push_back("late");
  state.definition = "ENUM ('open', 'paid', 'late')";
  add(e2, state);
  CHECK(schema::describe_changes(e1, e2) == std::vector<std::string>{"type public.state: value 'late' added"});
}

TEST_CASE("migration_text: header with hazards, no-transaction only when a step needs it") {
  generate::Request request{"migration", "add-due", false, "DB1", "DB2", "database diff --generate"};
  schema::Statement add_column;
  add_column.sql = "ALTER TABLE public.invoice ADD COLUMN due date;";
  add_column.object = "column:public.invoice.due";
  schema::Statement drop;
  drop.sql = "ALTER TABLE public.invoice DROP COLUMN note;";
  drop.object = "column:public.invoice.note";
  drop.hazards = {"data loss: drops column public.invoice.note (about 3 rows)"};
  drop.destructive = true;

  auto up = generate::migration_text({add_column}, "20261202000000-add-due", true, request);
  CHECK(up.rfind("-- migration 20261202000000-add-due: up\n", 0) == 0);
  CHECK(contains(up, "\n-- from: DB1\n-- to:   DB2\n"));
  CHECK(contains(up, "-- hazards: none\n"));
  CHECK(contains(up, "\nSET LOCAL check_function_bodies = off;\nALTER TABLE public.invoice ADD COLUMN due date;\n"));

  auto down = generate::migration_text({drop}, "20261202000000-add-due", false, request);
  CHECK(down.rfind("-- migration 20261202000000-add-due: down\n", 0) == 0);
  CHECK(contains(down, "\n-- from: DB2\n-- to:   DB1\n"));
  CHECK(contains(down, "-- hazards:\n--   data loss: drops column public.invoice.note (about 3 rows)\n"));
  CHECK(contains(down, "-- hazard: data loss: drops column public.invoice.note (about 3 rows)\n"
                       "ALTER TABLE public.invoice DROP COLUMN note;\n"));

  // An enum value a later statement uses commits first: the file is a no-transaction one.
  schema::Statement value;
  value.sql = "ALTER TYPE public.state ADD VALUE 'late';";
  value.object = "type:public.state";
  value.transactional = false;
  value.before_transaction = true;
  auto outside = generate::migration_text({add_column, value}, "20261202000000-late", true, request);
  CHECK(outside.rfind("-- migrator: no-transaction\n-- migration 20261202000000-late: up\n", 0) == 0);
  CHECK(outside.find("ALTER TYPE public.state ADD VALUE 'late';") < outside.find("ADD COLUMN due date"));
  CHECK_FALSE(contains(outside, "SET LOCAL"));
}

TEST_CASE("plan: destructive statements of up are refused without allow_drop, naming them") {
  schema::Model a, b;
  add(a, table("public.invoice", {column("id", "bigint"), column("note", "text")}));
  add(b, table("public.invoice", {column("id", "bigint")}));
  generate::Request request{"migration", "drop-note", false, "DB1", "DB2", "test"};
  try {
    generate::plan(a, b, request);
    FAIL("plan did not refuse");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::ambiguous);
    CHECK(contains(e.what(), "nothing written"));
    CHECK(contains(e.what(), "DROP COLUMN note"));
  }
  request.allow_drop = true;
  auto generated = generate::plan(a, b, request);
  CHECK(generated.up.size() == 1);
  CHECK_FALSE(generated.down.empty()); // the way back adds it again (not refused: up adds nothing)
  // The reverse: up only adds, so no --allow-drop is needed although down drops.
  request.allow_drop = false;
  CHECK_NOTHROW(generate::plan(b, a, request));
}
