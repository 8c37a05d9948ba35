// libFuzzer target for the script lexer: any input must lex to the end without crashing,
// hanging or producing positions outside the text.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/script/lexer.hpp"

using hectic::script::Lexer;
using hectic::script::LexItem;
using hectic::script::VariableMap;

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // Values that re-enter the lexer: quotes, ';', a self reference, a backslash.
  static const VariableMap vars{{"a", "x;'y"}, {"b", ":b :a"}, {"c", "$$"}, {"d", "\\echo d"}, {"e", ""}};
  Lexer lexer(text);
  std::size_t budget = 8 * size + 64;
  bool interpolate = size % 2 == 0;
  for (;;) {
    check(budget-- > 0);
    LexItem item = lexer.next(interpolate ? &vars : nullptr);
    if (item.kind == LexItem::Kind::end) break;
    check(item.offset <= text.size());
    check(lexer.line_of(item.offset) >= 1);
    check(lexer.column_of(item.offset) >= 1);
    if (item.kind == LexItem::Kind::meta) {
      auto args = lexer.meta_args(item.text.size() % 2 ? &vars : nullptr);
      (void)lexer.meta_rest();
      continue;
    }
    check(!item.text.empty());
    for (std::size_t b = 0; b < item.text.size(); b += 7) {
      std::size_t src = Lexer::source_offset(item, b);
      check(src <= text.size());
      check(lexer.line_of(src) >= 1);
    }
    std::size_t byte = Lexer::byte_of_char_position(item.text, static_cast<int>(item.text.size() % 50));
    check(byte <= item.text.size());
    if (item.words.size() > 1 && item.words[0] == "copy") {
      std::string data_lines = lexer.copy_data();
      check(data_lines.size() <= text.size() + text.size() / 1 + 1);
    }
  }
  return 0;
}
