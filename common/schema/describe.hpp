#pragma once
// The diff in words (README "database diff"): one line per change between two models, as a
// reviewer says it ("table public.invoice: column total numeric(10,2) -> numeric(12,2)").
// Read from the models, not from the statements, so a line can say what was there before.
#include <string>
#include <vector>

#include "common/schema/model.hpp"

namespace hectic::schema {

// The changes that turn `from` into `to`, in section order (kinds as the script prints them),
// then by name; empty when the models are equal.
std::vector<std::string> describe_changes(const Model& from, const Model& to);

} // namespace hectic::schema
