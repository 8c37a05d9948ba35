// psql's lexing rules, re-implemented as a small state machine. References:
// src/fe_utils/psqlscan.l (SQL side: quotes, dollar quotes, comments, parentheses, the
// BEGIN ... END tracking of SQL-standard function bodies, variable interpolation) and
// src/bin/psql/psqlscanslash.l (backslash command arguments).
#include "common/script/lexer.hpp"

#include "common/pg/quote.hpp"

#include <algorithm>
#include <cctype>

namespace hectic::script {

namespace {

bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_ident_start(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_ident_cont(int c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
// psql's variable_char: [A-Za-z\200-\377_0-9]
bool is_variable_char(int c) { return is_ident_start(c) || is_digit(c); }
// dolq_start / dolq_cont
bool is_dolq_start(int c) { return is_ident_start(c); }
bool is_dolq_cont(int c) { return is_ident_start(c) || is_digit(c); }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

} // namespace

Lexer::Lexer(std::string text) : m_text(std::move(text)) {
  m_line_starts.push_back(0);
  for (std::size_t i = 0; i < m_text.size(); ++i)
    if (m_text[i] == '\n') m_line_starts.push_back(i + 1);
  m_frames.push_back(Frame{});
}

int Lexer::peek(std::size_t ahead) const {
  for (std::size_t i = m_frames.size(); i-- > 0;) {
    const Frame& f = m_frames[i];
    const std::string& t = i == 0 ? m_text : f.text;
    std::size_t avail = t.size() > f.pos ? t.size() - f.pos : 0;
    if (ahead < avail) return static_cast<unsigned char>(t[f.pos + ahead]);
    ahead -= avail;
  }
  return -1;
}

void Lexer::pop_exhausted() {
  while (m_frames.size() > 1 && m_frames.back().pos >= m_frames.back().text.size()) m_frames.pop_back();
}

bool Lexer::in_base() const { return m_frames.size() == 1; }

std::size_t Lexer::src_pos() const {
  for (std::size_t i = m_frames.size(); i-- > 1;) {
    if (m_frames[i].pos < m_frames[i].text.size()) return m_frames[i].anchor;
  }
  return m_frames[0].pos;
}

bool Lexer::starts_with(std::string_view s) const {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (peek(i) != static_cast<unsigned char>(s[i])) return false;
  return true;
}

bool Lexer::expanding(std::string_view var) const {
  for (std::size_t i = 1; i < m_frames.size(); ++i)
    if (m_frames[i].var == var) return true;
  return false;
}

void Lexer::skip() {
  pop_exhausted();
  Frame& f = m_frames.back();
  const std::string& t = m_frames.size() == 1 ? m_text : f.text;
  if (f.pos < t.size()) ++f.pos;
  pop_exhausted();
}

void Lexer::emit(std::string_view s, std::size_t src, bool verbatim) {
  if (s.empty()) return;
  if (!m_stmt_has_content) {
    m_stmt_has_content = true;
    m_stmt_offset = src;
  }
  for (char c : s) {
    bool extend = false;
    if (!m_segments.empty()) {
      const SourceSegment& last = m_segments.back();
      if (last.verbatim && verbatim)
        extend = last.src + (m_stmt.size() - last.sent) == src;
      else if (!last.verbatim && !verbatim)
        extend = last.src == src;
    }
    if (!extend) m_segments.push_back(SourceSegment{m_stmt.size(), src, verbatim});
    m_stmt.push_back(c);
    if (verbatim) ++src;
  }
}

void Lexer::take() {
  int c = peek();
  if (c < 0) return;
  pop_exhausted();
  char ch = static_cast<char>(c);
  emit(std::string_view(&ch, 1), src_pos(), in_base());
  skip();
}

void Lexer::reset_statement() {
  m_stmt.clear();
  m_segments.clear();
  m_stmt_has_content = false;
  m_paren_depth = 0;
  m_begin_depth = 0;
  m_identifier_count = 0;
  std::fill(std::begin(m_identifiers), std::end(m_identifiers), 0);
  m_words.clear();
  m_compound = false;
}

LexItem Lexer::finish_statement(bool terminated) {
  LexItem item;
  item.kind = LexItem::Kind::statement;
  item.text = std::move(m_stmt);
  item.offset = m_stmt_offset;
  item.segments = std::move(m_segments);
  item.terminated = terminated;
  item.words = std::move(m_words);
  item.compound = m_compound;
  reset_statement();
  m_last_statement_end = m_frames[0].pos;
  return item;
}

std::string Lexer::read_name_after(std::size_t ahead, std::size_t& len) const {
  std::string name;
  len = 0;
  for (;;) {
    int c = peek(ahead + len);
    if (c < 0 || !is_variable_char(c)) break;
    name.push_back(static_cast<char>(c));
    ++len;
  }
  return name;
}

bool Lexer::interpolate(const VariableMap* vars, std::string& out, bool for_meta) {
  if (!vars) return false;
  int c1 = peek(1);
  std::size_t len = 0;
  if (c1 == '\'' || c1 == '"') {
    std::string name = read_name_after(2, len);
    if (len == 0 || peek(2 + len) != c1) return false;
    auto it = vars->find(name);
    if (it == vars->end()) return false;
    std::size_t src = src_pos();
    for (std::size_t i = 0; i < len + 3; ++i) skip();
    std::string quoted = c1 == '\'' ? pq::quote_literal(it->second) : pq::quote_identifier(it->second);
    if (for_meta)
      out += quoted;
    else
      emit(quoted, src, false);
    return true;
  }
  if (c1 == '{' && peek(2) == '?') {
    std::string name = read_name_after(3, len);
    if (len == 0 || peek(3 + len) != '}') return false;
    std::size_t src = src_pos();
    for (std::size_t i = 0; i < len + 4; ++i) skip();
    std::string_view value = vars->count(name) ? "TRUE" : "FALSE";
    if (for_meta)
      out += value;
    else
      emit(value, src, false);
    return true;
  }
  std::string name = read_name_after(1, len);
  if (len == 0) return false;
  auto it = vars->find(name);
  if (it == vars->end()) return false;
  if (for_meta) {
    for (std::size_t i = 0; i < len + 1; ++i) skip();
    out += it->second;
    return true;
  }
  if (expanding(name)) return false;
  std::size_t src = src_pos();
  for (std::size_t i = 0; i < len + 1; ++i) skip();
  // psql lexes the value as part of the script (it may hold quotes or ';').
  pop_exhausted();
  m_frames.push_back(Frame{it->second, 0, name, src});
  pop_exhausted();
  return true;
}

void Lexer::take_if_started() {
  if (m_stmt_has_content)
    take();
  else
    skip();
}

LexItem Lexer::next(const VariableMap* vars) {
  if (m_meta_pending) skip_meta_args();
  for (;;) {
    int c = peek();
    if (c < 0) return finish_input();
    if (c == ';') {
      take();
      if (m_paren_depth == 0 && m_begin_depth == 0) return finish_statement(true);
    } else if (c == '\\' && peek(1) != ';' && peek(1) != ':') {
      return start_meta();
    } else {
      lex_token(vars);
    }
  }
}

LexItem Lexer::finish_input() {
  if (m_stmt_has_content) return finish_statement(false);
  reset_statement();
  LexItem end;
  end.offset = m_text.size();
  return end;
}

LexItem Lexer::start_meta() {
  LexItem item;
  item.kind = LexItem::Kind::meta;
  item.offset = src_pos();
  skip();
  while (peek() >= 0 && !is_space(peek()) && peek() != '\\') {
    item.text.push_back(static_cast<char>(peek()));
    skip();
  }
  m_meta_pending = true;
  m_backquote = false;
  m_meta_rest_begin = m_meta_rest_end = m_frames[0].pos;
  return item;
}

void Lexer::lex_token(const VariableMap* vars) {
  int c = peek();
  if (is_space(c)) {
    take_if_started();
  } else if (c == '-' && peek(1) == '-') {
    // psql drops -- comments before a statement and keeps them inside one.
    while (peek() >= 0 && peek() != '\n') take_if_started();
  } else if (c == '/' && peek(1) == '*') {
    lex_block_comment();
  } else if (c == '\'' || c == '"') {
    lex_quoted(c);
  } else if (c == '$') {
    lex_dollar();
  } else if (is_digit(c)) {
    take();
    while (peek() >= 0 && (is_variable_char(peek()) || peek() == '.')) take();
  } else if (is_ident_start(c)) {
    lex_word();
  } else if (c == '(') {
    ++m_paren_depth;
    take();
  } else if (c == ')') {
    if (m_paren_depth > 0) --m_paren_depth;
    take();
  } else if (c == ':') {
    lex_colon(vars);
  } else if (c == '\\') {
    // "\;" and "\:" put the character itself into the query.
    if (peek(1) == ';') m_compound = true;
    skip();
    take();
  } else {
    take();
  }
}

void Lexer::lex_block_comment() {
  take();
  take();
  int depth = 1;
  while (depth > 0 && peek() >= 0) {
    if (peek() == '/' && peek(1) == '*') {
      take();
      take();
      ++depth;
    } else if (peek() == '*' && peek(1) == '/') {
      take();
      take();
      --depth;
    } else {
      take();
    }
  }
}

void Lexer::lex_quoted(int quote) {
  // A literal or a quoted identifier: a doubled quote stands for itself.
  take();
  while (peek() >= 0) {
    if (peek() == quote) {
      take();
      if (peek() != quote) return;
      take();
      continue;
    }
    take();
  }
}

void Lexer::lex_dollar() {
  if (is_digit(peek(1))) {
    // A parameter, $1.
    take();
    while (is_digit(peek())) take();
    return;
  }
  // $tag$ ... $tag$
  std::size_t n = 1;
  if (is_dolq_start(peek(1))) {
    n = 2;
    while (is_dolq_cont(peek(n))) ++n;
  }
  if (peek(n) != '$') {
    take();
    return;
  }
  std::string delim;
  for (std::size_t i = 0; i <= n; ++i) delim.push_back(static_cast<char>(peek(i)));
  for (std::size_t i = 0; i <= n; ++i) take();
  while (peek() >= 0) {
    if (peek() == '$' && starts_with(delim)) {
      for (std::size_t i = 0; i < delim.size(); ++i) take();
      return;
    }
    take();
  }
}

void Lexer::lex_word() {
  if (lex_string_prefix()) return;
  std::string word;
  while (peek() >= 0 && is_ident_cont(peek())) {
    word.push_back(lower(static_cast<char>(peek())));
    take();
  }
  track_function_body(word);
  if (m_paren_depth == 0 && m_words.size() < 24) m_words.push_back(word);
}

bool Lexer::lex_string_prefix() {
  int c = peek(), c1 = peek(1);
  if ((c == 'e' || c == 'E') && c1 == '\'') {
    lex_extended_string();
    return true;
  }
  if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && c1 == '\'') {
    take(); // the quote itself is lexed on the next round
    return true;
  }
  if ((c == 'u' || c == 'U') && c1 == '&' && (peek(2) == '\'' || peek(2) == '"')) {
    take();
    take();
    return true;
  }
  return false;
}

void Lexer::lex_extended_string() {
  take();
  take();
  while (peek() >= 0) {
    if (peek() == '\\') {
      take();
      if (peek() >= 0) take();
      continue;
    }
    if (peek() == '\'') {
      take();
      if (peek() != '\'') return;
      take();
      continue;
    }
    take();
  }
}

void Lexer::track_function_body(const std::string& word) {
  // psqlscan.l: track BEGIN ... END of CREATE [OR REPLACE] FUNCTION|PROCEDURE bodies
  // (SQL-standard bodies), so that their inner semicolons do not end the statement.
  if (m_identifier_count == 0) std::fill(std::begin(m_identifiers), std::end(m_identifiers), 0);
  if (word == "create" || word == "function" || word == "procedure" || word == "or" || word == "replace") {
    if (m_identifier_count < 4) m_identifiers[m_identifier_count] = word[0];
  }
  ++m_identifier_count;
  if (m_identifiers[0] == 'c' &&
      (m_identifiers[1] == 'f' || m_identifiers[1] == 'p' ||
       (m_identifiers[1] == 'o' && m_identifiers[2] == 'r' &&
        (m_identifiers[3] == 'f' || m_identifiers[3] == 'p'))) &&
      m_paren_depth == 0) {
    if (word == "begin")
      ++m_begin_depth;
    else if (word == "case") {
      if (m_begin_depth >= 1) ++m_begin_depth;
    } else if (word == "end") {
      if (m_begin_depth > 0) --m_begin_depth;
    }
  }
}

void Lexer::lex_colon(const VariableMap* vars) {
  if (peek(1) == ':') {
    // A :: cast, never a variable.
    take();
    take();
    return;
  }
  std::string unused;
  if (interpolate(vars, unused, false)) return;
  take();
}

void Lexer::skip_meta_args() { meta_args(nullptr); }

std::vector<std::string> Lexer::meta_args(const VariableMap* vars) {
  std::vector<std::string> args;
  if (!m_meta_pending) return args;
  m_meta_pending = false;
  for (;;) {
    // Skip blanks (not the newline: it ends the command).
    while (peek() >= 0 && peek() != '\n' && is_space(peek())) skip();
    int c = peek();
    if (c < 0 || c == '\n') break;
    if (c == '\\') {
      // "\\" separates two meta-commands on one line: consumed with this one.
      if (peek(1) == '\\') {
        skip();
        skip();
      }
      break;
    }
    args.push_back(meta_arg(vars));
  }
  m_meta_rest_end = m_frames[0].pos;
  return args;
}

std::string Lexer::meta_arg(const VariableMap* vars) {
  std::string arg;
  while (peek() >= 0 && !is_space(peek())) {
    int c = peek();
    if (c == '\\') break;
    if (c == '\'') {
      meta_single_quoted(arg);
      continue;
    }
    if (c == '"') {
      meta_double_quoted(arg);
      continue;
    }
    if (c == '`') {
      meta_backquoted(arg);
      continue;
    }
    if (c == ':' && peek(1) == ':') {
      arg += "::";
      skip();
      skip();
      continue;
    }
    if (c == ':' && interpolate(vars, arg, true)) continue;
    arg.push_back(static_cast<char>(c));
    skip();
  }
  return arg;
}

void Lexer::meta_single_quoted(std::string& arg) {
  skip();
  while (peek() >= 0 && peek() != '\n') {
    int q = peek();
    if (q == '\'') {
      skip();
      if (peek() != '\'') return;
      arg.push_back('\'');
      skip();
      continue;
    }
    if (q == '\\') {
      skip();
      if (peek() < 0) return;
      meta_escape(arg);
      continue;
    }
    arg.push_back(static_cast<char>(q));
    skip();
  }
}

void Lexer::meta_escape(std::string& arg) {
  int e = peek();
  switch (e) {
  case 'n': arg.push_back('\n'); skip(); return;
  case 't': arg.push_back('\t'); skip(); return;
  case 'b': arg.push_back('\b'); skip(); return;
  case 'r': arg.push_back('\r'); skip(); return;
  case 'f': arg.push_back('\f'); skip(); return;
  case 'x': {
    skip();
    int v = 0, n = 0;
    while (n < 2 && std::isxdigit(peek())) {
      v = v * 16 + (is_digit(peek()) ? peek() - '0' : (std::tolower(peek()) - 'a' + 10));
      skip();
      ++n;
    }
    arg.push_back(n == 0 ? 'x' : static_cast<char>(v));
    return;
  }
  default: break;
  }
  if (e >= '0' && e <= '7') {
    int v = 0, n = 0;
    while (n < 3 && peek() >= '0' && peek() <= '7') {
      v = v * 8 + (peek() - '0');
      skip();
      ++n;
    }
    arg.push_back(static_cast<char>(v));
    return;
  }
  arg.push_back(static_cast<char>(e));
  skip();
}

void Lexer::meta_double_quoted(std::string& arg) {
  arg.push_back('"');
  skip();
  while (peek() >= 0 && peek() != '\n') {
    int q = peek();
    arg.push_back(static_cast<char>(q));
    skip();
    if (q == '"') {
      if (peek() != '"') return;
      arg.push_back('"');
      skip();
    }
  }
}

void Lexer::meta_backquoted(std::string& arg) {
  m_backquote = true;
  arg.push_back('`');
  skip();
  while (peek() >= 0 && peek() != '\n' && peek() != '`') {
    arg.push_back(static_cast<char>(peek()));
    skip();
  }
  if (peek() == '`') {
    arg.push_back('`');
    skip();
  }
}

std::string_view Lexer::meta_rest() const {
  if (m_meta_rest_end < m_meta_rest_begin) return {};
  return std::string_view(m_text).substr(m_meta_rest_begin, m_meta_rest_end - m_meta_rest_begin);
}

std::string Lexer::copy_data() {
  // psql reads COPY data from the script, line by line, from the line after the one that
  // ended the COPY statement.
  m_frames.resize(1);
  std::size_t pos = m_text.find('\n', m_last_statement_end);
  pos = pos == std::string::npos ? m_text.size() : pos + 1;
  m_copy_data_offset = pos;
  std::string data;
  while (pos < m_text.size()) {
    std::size_t eol = m_text.find('\n', pos);
    std::size_t end = eol == std::string::npos ? m_text.size() : eol + 1;
    std::string_view line = std::string_view(m_text).substr(pos, end - pos);
    pos = end;
    if (line == "\\.\n" || line == "\\.\r\n" || line == "\\.") break;
    data.append(line);
    if (eol == std::string::npos) data.push_back('\n');
  }
  m_frames[0].pos = pos;
  m_last_statement_end = pos;
  return data;
}

int Lexer::line_of(std::size_t offset) const {
  auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
  return static_cast<int>(it - m_line_starts.begin());
}

int Lexer::column_of(std::size_t offset) const {
  int line = line_of(offset);
  std::size_t start = m_line_starts[static_cast<std::size_t>(line - 1)];
  int col = 1;
  for (std::size_t i = start; i < offset && i < m_text.size(); ++i)
    if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80) ++col;
  return col;
}

std::size_t Lexer::source_offset(const LexItem& item, std::size_t sent_byte) {
  if (item.segments.empty()) return item.offset;
  auto it = std::upper_bound(item.segments.begin(), item.segments.end(), sent_byte,
                             [](std::size_t b, const SourceSegment& s) { return b < s.sent; });
  if (it == item.segments.begin()) return item.offset;
  --it;
  return it->verbatim ? it->src + (sent_byte - it->sent) : it->src;
}

std::size_t Lexer::byte_of_char_position(std::string_view text, int position) {
  if (position <= 1) return 0;
  int chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++chars;
      if (chars == position) return i;
    }
  }
  return text.empty() ? 0 : text.size() - 1;
}

} // namespace hectic::script
