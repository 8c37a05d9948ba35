#pragma once
// The pristine template cluster cached under HECTIC_CACHE_DIR/templates/<key>: its key, the
// cached server version that goes into the key, its copy into a new data dir and its storing.
#include <filesystem>
#include <string>
#include <string_view>

#include "common/cluster/cluster.hpp"
#include "common/cluster/spares.hpp"

namespace hectic::cluster::detail {

// Template cache directory name for a server version, the init options and the database the
// template already holds (created offline when the template is made).
std::string template_key(std::string_view server_version, std::string_view superuser, std::string_view database);

// The server version for the template key, cached under HECTIC_CACHE_DIR/versions.
std::string cached_server_version(const Config& config);

// The pool of spare copies of the template `key`.
spares::Pool spare_pool(const Config& config, const std::string& key);

// Copies the cached template into data_dir; false (and no data_dir) when there is none.
bool copy_template(const Config& config, const std::filesystem::path& data_dir, const std::string& key);

// Stores a pristine data dir as the template `key`, unless it exists; failures only warn.
void store_template(const Config& config, const std::filesystem::path& data_dir, const std::string& key);

} // namespace hectic::cluster::detail
