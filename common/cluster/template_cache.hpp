#pragma once
// The pristine template cluster cached under HECTIC_CACHE_DIR/templates/<key>: its key, the
// cached server version that goes into the key, its copy into a new data dir and its storing.
#include <filesystem>
#include <optional>
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

// A pristine data dir copied into the cache for an init still under way: publish() renames it
// into place as the template once that init succeeded; dropped (removed) otherwise.
class StagedTemplate {
public:
  StagedTemplate() = default;
  StagedTemplate(std::filesystem::path staged, std::filesystem::path final_dir);
  StagedTemplate(StagedTemplate&& other) noexcept;
  StagedTemplate& operator=(StagedTemplate&& other) noexcept;
  ~StagedTemplate();

  // Renames the copy into place unless another init stored the same key first; only warns.
  void publish();

private:
  void drop();
  std::filesystem::path m_staged;
  std::filesystem::path m_final;
};

// Copies a pristine data dir into the cache for the template `key` (nothing when it exists or
// the copy fails: that only warns).
StagedTemplate stage_template(const Config& config, const std::filesystem::path& data_dir, const std::string& key);

// The cache work left once a fresh cluster answers: publish its staged template, mark its key
// used, prune the cache down to HECTIC_CACHE_MAX_KEYS keys, refill the spare pool. Dropped
// without commit() (the init failed), it leaves nothing in the cache.
class CacheUpdate {
public:
  CacheUpdate() = default;
  CacheUpdate(const Config& config, std::string key, std::filesystem::path working_dir, StagedTemplate staged);

  void commit();

private:
  std::optional<Config> m_config;
  std::string m_key;
  std::filesystem::path m_working_dir;
  StagedTemplate m_staged;
};

// Removes the templates and spare pools beyond the config.cache_max_keys most recently used
// keys, under the cache lock; never `keep`, nor a key a process holds (a copy, a filler).
void prune_templates(const Config& config, const std::string& keep);

} // namespace hectic::cluster::detail
