#pragma once
// Text helpers shared by every layer: trimming, line splitting, UTC time stamps.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hectic::text {

// text without leading and trailing white space (space, tab, CR, LF, FF, VT).
std::string_view trim(std::string_view text);

// The lines of text without their '\n'; a final line without '\n' counts, a trailing '\n'
// adds no empty line.
std::vector<std::string_view> split_lines(std::string_view text);

// The first character of text that a POSIX shell still interprets inside double quotes ("$",
// "`", "\"", "\\") or a newline, spelled for a message ("newline" for '\n'); nullopt when none.
// pg_ctl hands the data dir and the log path to /bin/sh inside double quotes.
std::optional<std::string> shell_special_character(std::string_view text);

// The current UTC time through strftime(3) with this format.
std::string utc_now(const char* strftime_format);
// "2026-11-21T11-47-44Z": a UTC stamp usable in file names.
std::string utc_stamp_for_filename();
// "2026-11-21 11:47:44 UTC".
std::string utc_now_text();
// "2026-12-01T20:38:09Z" (ISO 8601 UTC, the form of every timestamp in JSON output) from a UTC
// time written "2026-12-01 20:38:09" (a trailing " UTC" allowed); other text comes back as is.
std::string iso8601_utc(std::string_view utc_text);
// "2026-12-01T20:38:09Z": now.
std::string utc_now_iso8601();
// "20261121114744": the migration directory stamp.
std::string utc_compact_stamp();

} // namespace hectic::text
