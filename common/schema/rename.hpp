#pragma once
// Rename hints (README "migrator diff", --rename KIND:OLD=NEW): a drop + create that is really
// a rename becomes ALTER ... RENAME, and the model of the old side is renamed to match, so
// the rest of the diff sees one object.
#include <string>
#include <vector>

#include "common/schema/diff.hpp"

namespace hectic::schema {

// "table:public.users=people", "column:public.users.email=mail", "index:users_email=users_mail",
// "constraint:public.users.users_pkey=people_pkey", "type:mood=feeling", "enum-value:mood.sad=blue".
// Unqualified names are in public. Throws Error(unknown_argument) naming a malformed hint.
Rename parse_rename(const std::string& hint);

// Renames from (in place) per the hints that hold (old name in from, new name in to and not
// in from) and returns the RENAME statements; a hint that does not hold is an error naming it.
std::vector<Statement> apply_renames(Model& from, const Model& to, const std::vector<Rename>& renames);

} // namespace hectic::schema
