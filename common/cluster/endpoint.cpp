#include "common/cluster/cluster.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/pg/pq.hpp"

namespace hectic::cluster {

std::string Endpoint::shell_exports() const {
  std::string text;
  auto add = [&](std::string_view name, std::string_view value) {
    text += fmt::format("export {}={}\n", name, process::shell_quote(value));
  };
  add("POSTGRESQL_HOST", socket_dir);
  add("POSTGRESQL_PORT", std::to_string(port));
  add("POSTGRESQL_USER", user);
  add("POSTGRESQL_DATABASE", database);
  add("PGURL", url);
  if (url_var != "PGURL") add(url_var, url);
  return text;
}

std::string Endpoint::json() const {
  nlohmann::json object = {{"POSTGRESQL_HOST", socket_dir},
                           {"POSTGRESQL_PORT", std::to_string(port)},
                           {"POSTGRESQL_USER", user},
                           {"POSTGRESQL_DATABASE", database},
                           {"PGURL", url}};
  object[url_var] = url;
  return object.dump();
}

std::string Endpoint::url_for(const std::string& other) const {
  return pq::socket_url(user, other, socket_dir, port);
}

} // namespace hectic::cluster
