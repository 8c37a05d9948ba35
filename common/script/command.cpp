// Meta-commands in the native runner (psql's src/bin/psql/command.c) and the \if stack
// (conditional.c): \i, \set, \unset, \echo and friends run here; the rest of psql's commands
// are refused with a hint to run the script through psql.
#include <iostream>

#include "common/script/runner_detail.hpp"

namespace hectic::script::detail {

namespace {

// psql meta-commands we do not run natively: named in the error with the fallback.
bool is_psql_command(std::string_view name) {
  static const char* const k_names[] = {
      "a", "bind", "c", "connect", "C", "cd", "conninfo", "copy", "copyright", "crosstabview",
      "d", "da", "dA", "db", "dc", "dC", "dd", "dD", "ddp", "dE", "des", "det", "deu", "dew",
      "df", "dF", "dg", "di", "dl", "dL", "dm", "dn", "do", "dO", "dp", "dP", "drds", "dRp",
      "dRs", "ds", "dS", "dt", "dT", "du", "dv", "dx", "dX", "dy", "e", "edit", "ef", "encoding",
      "errverbose", "ev", "f", "g", "gdesc", "getenv", "gexec", "gset", "gx", "h", "help", "H",
      "html", "ir", "l", "list", "lo_export", "lo_import", "lo_list", "lo_unlink", "o", "out",
      "p", "print", "password", "prompt", "pset", "q", "quit", "r", "reset", "s", "setenv", "sf",
      "sv", "t", "T", "timing", "w", "write", "watch", "x", "z", "!", "?"};
  for (const char* n : k_names)
    if (name == n) return true;
  return false;
}

} // namespace

void Execution::meta(Source& source, const LexItem& item, std::vector<CondEntry>& cond) {
  const std::string& name = item.text;
  Lexer& lexer = source.lexer;
  if (name == "if" || name == "elif" || name == "else" || name == "endif") {
    conditional(source, item, cond);
    return;
  }
  if (!active(cond)) {
    lexer.meta_args(nullptr);
    return;
  }
  // Output must follow the statements before it.
  flush(source);
  std::vector<std::string> args = lexer.meta_args(&m_vars);
  std::string shown = "\\" + name + std::string(lexer.meta_rest());
  if (lexer.meta_had_backquote())
    meta_error(source, item.offset,
               fmt::format("backquote (shell command) substitution in \\{} is not supported by the native runner", name),
               shown, true);
  if (name == "i" || name == "include" || name == "ir" || name == "include_relative") {
    if (args.empty()) meta_error(source, item.offset, fmt::format("\\{}: missing required argument", name), shown, false);
    warn_extra(source, item, args, 1);
    include(source, item, args[0], name == "ir" || name == "include_relative");
  } else if (name == "set") {
    set_command(source, item, args, shown);
  } else if (name == "unset") {
    unset_command(source, item, args, shown);
  } else if (name == "echo" || name == "qecho" || name == "warn") {
    echo_command(name, args);
  } else if (name == "restrict" || name == "unrestrict") {
    // pg_dump's guard against a malicious server: psql would refuse meta-commands between
    // the two; we run none that could harm anyway.
    if (args.empty()) meta_error(source, item.offset, fmt::format("\\{}: missing required argument", name), shown, false);
  } else if (is_psql_command(name)) {
    meta_error(source, item.offset, fmt::format("unsupported meta-command \\{} in the native runner", name), shown, true);
  } else {
    // psql does not know it either (its `\?` lists what it knows): no SQL_RUNNER=psql hint.
    try {
      meta_error(source, item.offset, fmt::format("invalid meta-command \\{}", name), shown, false);
    } catch (ScriptError& error) {
      error.with_hint(fmt::format("psql has no \\{} either: a typo? `psql -c '\\?'` lists its meta-commands", name));
      throw;
    }
  }
}

void Execution::set_command(const Source& source, const LexItem& item, const std::vector<std::string>& args,
                            const std::string& shown) {
  if (args.empty()) {
    for (const auto& [k, v] : m_vars) m_out << k << " = '" << v << "'\n";
    return;
  }
  if (!valid_variable_name(args[0]))
    meta_error(source, item.offset, fmt::format("\\set: invalid variable name \"{}\"", args[0]), shown, false);
  std::string value;
  for (std::size_t i = 1; i < args.size(); ++i) value += args[i];
  check_special(source, item, args[0], value, shown);
  m_vars[args[0]] = value;
}

void Execution::unset_command(const Source& source, const LexItem& item, const std::vector<std::string>& args,
                              const std::string& shown) {
  if (args.empty()) meta_error(source, item.offset, "\\unset: missing required argument", shown, false);
  warn_extra(source, item, args, 1);
  if (args[0] == "ON_ERROR_STOP") return;
  m_vars.erase(args[0]);
}

void Execution::echo_command(const std::string& name, const std::vector<std::string>& args) {
  bool newline = true;
  std::size_t first = 0;
  if (!args.empty() && args[0] == "-n") {
    newline = false;
    first = 1;
  }
  std::ostream& stream = name == "warn" ? m_err : m_out;
  for (std::size_t i = first; i < args.size(); ++i) {
    if (i > first) stream << ' ';
    stream << args[i];
  }
  if (newline) stream << '\n';
  stream.flush();
}

void Execution::warn_extra(const Source& source, const LexItem& item, const std::vector<std::string>& args,
                           std::size_t used) {
  for (std::size_t i = used; i < args.size(); ++i)
    m_err << where(source, item.offset) << ": \\" << item.text << ": extra argument \"" << args[i] << "\" ignored\n";
}

bool Execution::evaluate_condition(Source& source, const LexItem& item) {
  const std::string& name = item.text;
  Lexer& lexer = source.lexer;
  std::vector<std::string> args = lexer.meta_args(&m_vars);
  std::string expr;
  for (const auto& a : args) expr += (expr.empty() ? "" : " ") + a;
  auto value = parse_bool(expr);
  if (!value)
    meta_error(source, item.offset,
               fmt::format("\\{}: unrecognized value \"{}\" for \"\\{} expression\": Boolean expected", name, expr, name),
               "\\" + name + std::string(lexer.meta_rest()), false);
  return *value;
}

void Execution::conditional(Source& source, const LexItem& item, std::vector<CondEntry>& cond) {
  const std::string& name = item.text;
  Lexer& lexer = source.lexer;
  if (name == "if") {
    if (active(cond)) {
      flush(source);
      cond.push_back({evaluate_condition(source, item) ? Cond::if_true : Cond::if_false, item.offset});
    } else {
      lexer.meta_args(nullptr);
      cond.push_back({Cond::ignored, item.offset});
    }
    return;
  }
  if (cond.empty())
    meta_error(source, item.offset, fmt::format("\\{}: no matching \\if", name), "\\" + name, false);
  CondEntry& top = cond.back();
  if (name == "elif") {
    switch (top.state) {
    case Cond::if_true: top.state = Cond::ignored; lexer.meta_args(nullptr); break;
    case Cond::if_false: flush(source); top.state = evaluate_condition(source, item) ? Cond::if_true : Cond::if_false; break;
    case Cond::ignored: lexer.meta_args(nullptr); break;
    default: meta_error(source, item.offset, "\\elif: cannot occur after \\else", "\\elif", false);
    }
    return;
  }
  lexer.meta_args(nullptr);
  if (name == "else") {
    switch (top.state) {
    case Cond::if_true: top.state = Cond::else_false; break;
    case Cond::if_false: top.state = Cond::else_true; break;
    case Cond::ignored: top.state = Cond::else_false; break;
    default: meta_error(source, item.offset, "\\else: cannot occur after \\else", "\\else", false);
    }
    return;
  }
  cond.pop_back(); // endif
}

} // namespace hectic::script::detail
