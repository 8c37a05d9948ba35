#pragma once
// Per-thread output for commands that run several jobs at once in one process (`migrator
// --targets`): a thread can give its lines a prefix ("[eu-1] "). Then the logger prefixes every
// line it writes from that thread, and out()/err() collect that thread's stdout/stderr text into
// whole lines, each written with the prefix in one write under a process-wide lock, so lines of
// two jobs never interleave mid-line. Without a scope, out()/err() are std::cout/std::cerr.
#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace hectic::output {

// The calling thread's stdout and stderr (std::cout/std::cerr outside a LineScope).
std::ostream& out();
std::ostream& err();

// The calling thread's line prefix ("" outside a LineScope).
const std::string& line_prefix();

// Writes text to the FILE* whole lines at a time, each line prefixed with the thread's prefix
// (a text without a final newline gets one), under the lock shared with the LineScope streams.
void write_lines(std::FILE* file, std::string_view text);

// For the lifetime of the scope (not nestable), the calling thread's lines carry prefix and its
// out()/err() are line-buffered streams onto out_file (stdout; stderr when stdout must hold
// nothing else, as with --json) and stderr. A partial last line is written (with a newline)
// when the scope ends.
class LineScope {
public:
  explicit LineScope(std::string prefix, std::FILE* out_file = stdout);
  ~LineScope();
  LineScope(const LineScope&) = delete;
  LineScope& operator=(const LineScope&) = delete;

  struct Streams; // the line-buffered out/err of the scope

private:
  std::unique_ptr<Streams> m_streams;
};

} // namespace hectic::output
