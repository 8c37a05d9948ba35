// `-- @renamed from=OLD` hints. libpg_query gives each statement's span (a span starts right
// after the previous `;`, so it holds the comments before the statement) and the location of
// each column and constraint of a CREATE TABLE; a hint line names the element that follows it.
#include "common/schema/rename_comments.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/pg/quote.hpp"
#include "common/schema/pg_query_parse.hpp"

namespace hectic::schema {
namespace stdfs = std::filesystem;
using json = nlohmann::json;

namespace {

const log::Logger k_log("migrator diff");

using Parse = detail::SqlParse;

struct Hint {
  std::size_t offset; // of the comment line
  std::string from;
};

// psql meta-command lines (\ir, \set ...) blanked to spaces: offsets stay, the parser accepts it.
std::string without_meta_commands(std::string text) {
  std::size_t line = 0;
  while (line < text.size()) {
    auto end = text.find('\n', line);
    if (end == std::string::npos) end = text.size();
    auto first = text.find_first_not_of(" \t", line);
    if (first < end && text[first] == '\\') std::fill(text.begin() + line, text.begin() + end, ' ');
    line = end + 1;
  }
  return text;
}

bool parses(const std::string& sql) {
  Parse parse(sql);
  return parse.result.error == nullptr;
}

// A name as the catalog spells it (quote_ident): bare when it is lower case and no keyword
// but an unreserved one. Such a name is accepted both as a table name (which refuses
// reserved and type/function keywords) and as a function name (which refuses column-name
// keywords): PostgreSQL's grammar tells, no keyword list is kept here.
std::string catalog_spelling(const std::string& name) {
  static const std::regex k_plain("[a-z_][a-z0-9_$]*");
  bool bare = std::regex_match(name, k_plain) && parses("CREATE TABLE " + name + " ()") &&
              parses("CREATE FUNCTION " + name + "() RETURNS int LANGUAGE sql AS ''");
  return bare ? name : pq::quote_identifier(name);
}

std::vector<Hint> hint_lines(const std::string& text) {
  static const std::regex k_hint(R"((^|\n)[ \t]*--[ \t]*@renamed[ \t]+from=([^\s]+))");
  std::vector<Hint> hints;
  for (std::sregex_iterator it(text.begin(), text.end(), k_hint), end; it != end; ++it)
    hints.push_back({static_cast<std::size_t>(it->position(0)) + it->length(1), (*it)[2].str()});
  return hints;
}

// The first offset at or after `from` that is neither white space nor a comment.
std::size_t first_token(const std::string& text, std::size_t from) {
  while (from < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[from]))) ++from;
    else if (text.compare(from, 2, "--") == 0) from = std::min(text.find('\n', from), text.size());
    else if (text.compare(from, 2, "/*") == 0) from = std::min(text.find("*/", from) + 2, text.size());
    else break;
  }
  return from;
}

std::string names(const json& list) {
  std::string out;
  for (const auto& part : list) out += (out.empty() ? "" : ".") + catalog_spelling(part["String"]["sval"].get<std::string>());
  return out.find('.') == std::string::npos ? "public." + out : out;
}

std::string table_name(const json& range_var) {
  return catalog_spelling(range_var.value("schemaname", "public")) + "." + catalog_spelling(range_var.value("relname", ""));
}

std::string qualify(const std::string& old_name, const std::string& schema_of) {
  if (old_name.find('.') != std::string::npos) return old_name;
  return schema_of.substr(0, schema_of.find('.')) + "." + old_name;
}

// A hint inside CREATE TABLE: the column or named constraint that follows it.
std::optional<Rename> element_hint(const json& create, const Hint& hint) {
  for (const auto& element : create.value("tableElts", json::array())) {
    const json& node = element.contains("ColumnDef") ? element["ColumnDef"] : element.value("Constraint", json());
    if (!node.is_object() || node.value("location", -1) < static_cast<int>(hint.offset)) continue;
    auto table = table_name(create["relation"]);
    if (element.contains("ColumnDef"))
      return Rename{"column", table, hint.from, catalog_spelling(node.value("colname", "")), true};
    if (!node.contains("conname")) return std::nullopt;
    return Rename{"constraint", table, hint.from, catalog_spelling(node["conname"].get<std::string>()), true};
  }
  return std::nullopt;
}

// A hint inside CREATE TYPE ... AS ENUM: the label whose literal follows it.
std::optional<Rename> label_hint(const std::string& text, const json& create_enum, const Hint& hint) {
  auto quote = text.find('\'', hint.offset);
  if (quote == std::string::npos) return std::nullopt;
  auto close = text.find('\'', quote + 1);
  if (close == std::string::npos) return std::nullopt;
  return Rename{"enum-value", names(create_enum["typeName"]), hint.from, text.substr(quote + 1, close - quote - 1), true};
}

// A hint right before a statement: the table, index or type it creates.
std::optional<Rename> statement_hint(const std::string& type, const json& node, const Hint& hint) {
  if (type == "CreateStmt") {
    auto table = table_name(node["relation"]);
    return Rename{"table", "", qualify(hint.from, table), catalog_spelling(node["relation"].value("relname", "")), true};
  }
  if (type == "IndexStmt" && node.contains("idxname")) {
    auto table = table_name(node["relation"]);
    return Rename{"index", "", qualify(hint.from, table), catalog_spelling(node["idxname"].get<std::string>()), true};
  }
  const char* name_field = type == "CreateEnumStmt" ? "typeName" : type == "CreateDomainStmt" ? "domainname" : nullptr;
  if (name_field) {
    auto name = names(node[name_field]);
    return Rename{"type", "", qualify(hint.from, name), name.substr(name.rfind('.') + 1), true};
  }
  if (type == "CompositeTypeStmt") {
    auto name = table_name(node["typevar"]);
    return Rename{"type", "", qualify(hint.from, name), name.substr(name.find('.') + 1), true};
  }
  return std::nullopt;
}

std::optional<Rename> resolve(const std::string& text, const json& stmts, const Hint& hint) {
  for (const auto& raw : stmts) {
    auto start = raw.value("stmt_location", std::size_t{0});
    auto length = raw.value("stmt_len", std::size_t{0});
    if (hint.offset < start || (length != 0 && hint.offset >= start + length)) continue;
    const auto& [type, node] = *raw["stmt"].items().begin();
    if (hint.offset < first_token(text, start)) return statement_hint(type, node, hint);
    if (type == "CreateStmt") return element_hint(node, hint);
    if (type == "CreateEnumStmt") return label_hint(text, node, hint);
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace

std::vector<Rename> renamed_comments(const std::string& sql, const std::string& file) {
  auto hints = hint_lines(sql);
  if (hints.empty()) return {};
  auto text = without_meta_commands(sql);
  Parse parse(text);
  if (parse.result.error) {
    k_log.warn("{}: the -- @renamed hints are ignored: {} (at offset {})", file, parse.result.error->message,
               parse.result.error->cursorpos);
    return {};
  }
  auto stmts = json::parse(parse.result.parse_tree).value("stmts", json::array());
  std::vector<Rename> renames;
  for (const auto& hint : hints) {
    if (auto rename = resolve(text, stmts, hint)) renames.push_back(std::move(*rename));
    else k_log.warn("{}: -- @renamed from={} is not right before a table, column, constraint, index, type or enum "
                    "label; ignored", file, hint.from);
  }
  return renames;
}

std::vector<Rename> renamed_comments_of_source(const std::string& source) {
  std::error_code ec;
  std::vector<stdfs::path> files;
  if (stdfs::is_regular_file(source, ec)) files.push_back(source);
  else if (stdfs::exists(stdfs::path(source) / "entrypoint.sql", ec))
    for (const auto& entry : stdfs::recursive_directory_iterator(source))
      if (entry.is_regular_file() && entry.path().extension() == ".sql") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Rename> renames;
  for (const auto& file : files)
    for (auto& rename : renamed_comments(fs::read_file(file), file.string())) renames.push_back(std::move(rename));
  return renames;
}

} // namespace hectic::schema
