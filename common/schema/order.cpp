// Dependency order: Kahn's algorithm over the keys asked for, ties broken by section (kind)
// then key, so the script reads in sections; a cycle (mutually recursive PL/pgSQL routines)
// is broken at its first member in that order.
#include <map>
#include <queue>

#include "common/schema/diff_detail.hpp"

namespace hectic::schema::detail {
namespace {

using Rank = std::pair<int, std::string>; // (kind, key)

Rank rank_of(const Model& model, const std::string& key) {
  auto it = model.objects.find(key);
  return {it == model.objects.end() ? 0 : static_cast<int>(it->second.kind), key};
}

std::set<std::string> needs_of(const Model& model, const std::string& key, const std::set<std::string>& keys) {
  std::set<std::string> needs;
  auto it = model.objects.find(key);
  if (it == model.objects.end()) return needs;
  for (const auto* deps : {&it->second.depends_on, &it->second.body_references})
    for (const auto& dep : *deps)
      if (dep != key && keys.count(dep)) needs.insert(dep);
  return needs;
}

} // namespace

std::vector<std::string> dependency_order(const Model& model, const std::set<std::string>& keys) {
  std::map<std::string, std::set<std::string>> waiting_on;  // key -> unmet needs
  std::map<std::string, std::vector<std::string>> needed_by;
  for (const auto& key : keys) {
    waiting_on[key] = needs_of(model, key, keys);
    for (const auto& need : waiting_on[key]) needed_by[need].push_back(key);
  }
  std::set<Rank> ready, blocked;
  for (const auto& [key, needs] : waiting_on) (needs.empty() ? ready : blocked).insert(rank_of(model, key));
  std::vector<std::string> order;
  while (!ready.empty() || !blocked.empty()) {
    if (ready.empty()) { // a cycle: take the first blocked one
      ready.insert(*blocked.begin());
      blocked.erase(blocked.begin());
    }
    auto next = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(next.second);
    for (const auto& dependent : needed_by[next.second]) {
      auto& needs = waiting_on[dependent];
      if (!needs.erase(next.second) || !needs.empty()) continue;
      auto rank = rank_of(model, dependent);
      if (blocked.erase(rank)) ready.insert(rank);
    }
  }
  return order;
}

} // namespace hectic::schema::detail
