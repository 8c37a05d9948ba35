#pragma once
// The lexer of the native script engine: psql's rules for splitting a script into SQL
// statements and backslash meta-commands (psqlscan.l, psqlscanslash.l), with psql variable
// interpolation. Pure: no I/O, no server. Interpolation happens while lexing, with the
// variables current at that point (a \set changes what later lines see), as psql does.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hectic::script {

// Variable values by name (psql variables).
using VariableMap = std::map<std::string, std::string>;

// Where a run of bytes of a statement's text came from: bytes [sent, next.sent) of the text
// start at source offset src; when verbatim is false they all map to src (an interpolated
// variable reference).
struct SourceSegment {
  std::size_t sent = 0;
  std::size_t src = 0;
  bool verbatim = true;
};

// One item of a script.
struct LexItem {
  enum class Kind { statement, meta, end };
  Kind kind = Kind::end;
  // statement: the text psql would send (leading whitespace and -- comments dropped, the
  // terminating ';' kept). meta: the command name without the backslash ("i", "set", ".").
  std::string text;
  // Source byte offset of the statement's first byte / of the backslash.
  std::size_t offset = 0;
  // statement: the mapping of text bytes back to the source.
  std::vector<SourceSegment> segments;
  // statement: it ended with a top-level ';' (false at end of input).
  bool terminated = false;
  // statement: lower-cased unquoted words at paren depth 0, the first few (for classifying).
  std::vector<std::string> words;
  // statement: holds "\;" (several commands sent as one query string).
  bool compound = false;
};

// Splits one script text. Call next() until it returns Kind::end; after a meta item call
// meta_args() (or not: next() then skips the arguments).
class Lexer {
public:
  explicit Lexer(std::string text);

  // The next statement or meta-command. vars == nullptr: no interpolation (an inactive \if
  // branch).
  LexItem next(const VariableMap* vars);

  // The arguments of the meta-command just returned, lexed like psql's OT_NORMAL options:
  // whitespace separated, '...' with backslash escapes, "..." kept with its quotes, :var,
  // :'var', :"var", :{?var} interpolated when vars is given. Stops at end of line or at a
  // backslash (\\ is consumed as a separator).
  std::vector<std::string> meta_args(const VariableMap* vars);
  // The rest of the meta-command's line, raw (for error messages).
  std::string_view meta_rest() const;
  // An argument contained `backquote` text (shell substitution: unsupported).
  bool meta_had_backquote() const { return m_backquote; }

  // After a COPY ... FROM STDIN statement: the data lines following the line of the
  // statement's end, up to a line "\." (consumed) or end of input. Every line ends with '\n'.
  std::string copy_data();
  // Source offset of the first data line of the last copy_data() call.
  std::size_t copy_data_offset() const { return m_copy_data_offset; }

  const std::string& text() const { return m_text; }
  // 1-based line and character column of a source offset.
  int line_of(std::size_t offset) const;
  int column_of(std::size_t offset) const;
  // The source offset of byte sent_byte of a statement's text.
  static std::size_t source_offset(const LexItem& item, std::size_t sent_byte);
  // Byte offset in text of the 1-based character position the server reports.
  static std::size_t byte_of_char_position(std::string_view text, int position);

private:
  // A stack of input frames: the script itself (frame 0) and pushed variable values (psql
  // lexes an interpolated :name value as SQL; a variable is not expanded inside itself).
  struct Frame {
    std::string text;
    std::size_t pos = 0;
    std::string var;     // the variable being expanded (frame > 0)
    std::size_t anchor = 0; // source offset of the :name reference
  };

  int peek(std::size_t ahead = 0) const; // -1 at end
  bool at_end() const { return peek() < 0; }
  std::size_t src_pos() const;          // source offset of the next char
  bool in_base() const;
  void pop_exhausted();
  // Appends the next char to the statement and advances.
  void take();
  void emit(std::string_view s, std::size_t src, bool verbatim);
  void skip();
  bool starts_with(std::string_view s) const;
  bool expanding(std::string_view var) const;
  void reset_statement();
  LexItem finish_statement(bool terminated);
  void skip_meta_args();

  // Steps of next().
  // Appends the next char once a statement has begun, else drops it (leading blanks and
  // -- comments are not part of the statement).
  void take_if_started();
  // The last statement (not ended by ';') or the end item.
  LexItem finish_input();
  // A meta-command: its name, up to a blank or a backslash; the arguments wait for meta_args().
  LexItem start_meta();
  // One token of a statement (anything but its ';' and a meta-command).
  void lex_token(const VariableMap* vars);
  // /* ... */, nested as in PostgreSQL.
  void lex_block_comment();
  // '...' or "...": a doubled quote stands for itself.
  void lex_quoted(int quote);
  // $1, a $tag$ ... $tag$ string, or a lone '$'.
  void lex_dollar();
  // A word (keyword or identifier), or the prefix of E'', B'', X'', N'', U&'' / U&"".
  void lex_word();
  // The prefix of a special string constant; false when the word is an ordinary one.
  bool lex_string_prefix();
  // E'...' with backslash escapes.
  void lex_extended_string();
  // psql's BEGIN ... END depth in SQL-standard function bodies.
  void track_function_body(const std::string& word);
  // A :: cast or a variable reference.
  void lex_colon(const VariableMap* vars);

  // Steps of meta_args(): one argument, and its quoted parts.
  std::string meta_arg(const VariableMap* vars);
  // '...': '' for a quote, backslash escapes as psql's (\n, \t, \b, \r, \f, \xHH, octal).
  void meta_single_quoted(std::string& arg);
  // One backslash escape inside '...' (the backslash already skipped).
  void meta_escape(std::string& arg);
  // "...": kept with its quotes.
  void meta_double_quoted(std::string& arg);
  // `...`: kept, and flagged (the runner refuses shell substitution).
  void meta_backquoted(std::string& arg);
  // Tries :name / :'name' / :"name" / :{?name} at the current position. Appends the result
  // to out (psql's interpolation) and returns true when it consumed something.
  bool interpolate(const VariableMap* vars, std::string& out, bool for_meta);
  std::string read_name_after(std::size_t ahead, std::size_t& len) const;

  std::string m_text;
  std::vector<std::size_t> m_line_starts;
  std::vector<Frame> m_frames;

  // Statement being accumulated.
  std::string m_stmt;
  std::vector<SourceSegment> m_segments;
  std::size_t m_stmt_offset = 0;
  bool m_stmt_has_content = false;
  int m_paren_depth = 0;
  int m_begin_depth = 0;
  int m_identifier_count = 0;
  char m_identifiers[4] = {0, 0, 0, 0};
  std::vector<std::string> m_words;
  bool m_compound = false;

  // Meta-command state.
  bool m_meta_pending = false; // meta returned, args not read yet
  std::size_t m_meta_rest_begin = 0, m_meta_rest_end = 0;
  bool m_backquote = false;
  // Position (source offset) where COPY data starts: the line after the last statement end.
  std::size_t m_last_statement_end = 0;
  std::size_t m_copy_data_offset = 0;
};

} // namespace hectic::script
