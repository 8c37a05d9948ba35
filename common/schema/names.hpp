#pragma once
// SQL names as the catalog prints them (quote_ident: quoted only when needed).
#include <string>
#include <utility>

namespace hectic::schema {

// "public.users" -> ("public", "users"); quoted parts stay quoted; no dot: ("", name).
std::pair<std::string, std::string> split_qualified(const std::string& name);
// The unquoted text of an identifier ("Mixed""Case" -> Mixed"Case; users -> users).
std::string unquote(const std::string& identifier);
// "public.f(integer, text)" -> "public.f"; and -> "(integer, text)".
std::string routine_name(const std::string& signature);
std::string routine_arguments(const std::string& signature);
// <name>_dropped_<stamp> (or _<suffix>) as a quoted identifier of at most 63 bytes: the base name
// is cut, never the suffix (NAMEDATALEN - 1, PostgreSQL manual "Identifiers and Key Words").
std::string dropped_name(const std::string& qualified_or_plain, const std::string& stamp);

} // namespace hectic::schema
