#pragma once
// Go-style durations (time.ParseDuration): `30s`, `1m`, `1h30m`, `500ms`, `1.5h` — a sequence
// of numbers each with a unit (ns, us, µs, ms, s, m, h). Used where a value is ours to wait
// (`migrator watch --interval`), not PostgreSQL's interval text (cli::duration()).
#include <chrono>
#include <string>
#include <string_view>

namespace hectic::duration {

// Parses text; throws Error(unknown_argument) naming what (an option) and the value when it is
// not a duration, is negative, or has no unit (except "0").
std::chrono::milliseconds parse_go(std::string_view text, std::string_view what);

// 90000ms -> "1m30s", 500ms -> "500ms" (for logs and messages).
std::string format(std::chrono::milliseconds value);

} // namespace hectic::duration
