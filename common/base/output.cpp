#include "common/base/output.hpp"

#include <cstdio>
#include <iostream>
#include <mutex>
#include <streambuf>

namespace hectic::output {
namespace {

// One lock for every prefixed line of the process: a line is one fwrite under it.
std::mutex g_lines;

thread_local std::string t_prefix;
thread_local std::ostream* t_out = nullptr;
thread_local std::ostream* t_err = nullptr;

// Collects characters until a newline, then writes the prefixed line.
class LineBuffer : public std::streambuf {
public:
  LineBuffer(std::FILE* file, std::string prefix) : m_file(file), m_prefix(std::move(prefix)) {}
  ~LineBuffer() override { flush_partial(); }

  void flush_partial() {
    if (m_pending.empty()) return;
    m_pending += '\n';
    emit();
  }

protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    m_pending += traits_type::to_char_type(c);
    if (c == '\n') emit();
    return c;
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) {
      m_pending += s[i];
      if (s[i] == '\n') emit();
    }
    return n;
  }

private:
  void emit() {
    std::string line = m_prefix + m_pending;
    m_pending.clear();
    std::lock_guard lock(g_lines);
    std::fwrite(line.data(), 1, line.size(), m_file);
    std::fflush(m_file);
  }

  std::FILE* m_file;
  std::string m_prefix;
  std::string m_pending;
};

} // namespace

struct LineScope::Streams {
  LineBuffer out_buffer;
  LineBuffer err_buffer;
  std::ostream out;
  std::ostream err;
  Streams(const std::string& prefix, std::FILE* out_file)
      : out_buffer(out_file, prefix), err_buffer(stderr, prefix), out(&out_buffer), err(&err_buffer) {}
};

std::ostream& out() { return t_out ? *t_out : std::cout; }
std::ostream& err() { return t_err ? *t_err : std::cerr; }
const std::string& line_prefix() { return t_prefix; }

void write_lines(std::FILE* file, std::string_view text) {
  std::string lines;
  lines.reserve(text.size() + t_prefix.size());
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    lines += t_prefix;
    lines += line;
    lines += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::lock_guard lock(g_lines);
  std::fwrite(lines.data(), 1, lines.size(), file);
  std::fflush(file);
}

LineScope::LineScope(std::string prefix, std::FILE* out_file)
    : m_streams(std::make_unique<Streams>(prefix, out_file)) {
  t_prefix = std::move(prefix);
  t_out = &m_streams->out;
  t_err = &m_streams->err;
}

LineScope::~LineScope() {
  t_out = nullptr;
  t_err = nullptr;
  t_prefix.clear();
  m_streams->out_buffer.flush_partial();
  m_streams->err_buffer.flush_partial();
}

} // namespace hectic::output
