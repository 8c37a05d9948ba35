#pragma once
// Rename hints written in a SQL source (README "migrator diff", rename hints): a line
// `-- @renamed from=OLD` right before a CREATE TABLE, CREATE INDEX or CREATE TYPE / DOMAIN
// statement, before a column or named constraint inside CREATE TABLE, or before a label of an
// enum says that the object was OLD before. Found with PostgreSQL's parser (libpg_query).
#include <string>
#include <vector>

#include "common/schema/diff.hpp"

namespace hectic::schema {

// The hints of one SQL text (psql meta-command lines are skipped); `file` names it in warnings
// (a hint before anything else, a text the parser rejects). Each is marked from_source.
std::vector<Rename> renamed_comments(const std::string& sql, const std::string& file);
// The hints of a source: a .sql file, or the .sql files under a directory with entrypoint.sql
// (none for URLs and migration directories, whose down files would contradict their up files).
std::vector<Rename> renamed_comments_of_source(const std::string& source);

} // namespace hectic::schema
