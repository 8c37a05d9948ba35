#include "common/cluster/cluster.hpp"

#include <exception>
#include <system_error>

#include "common/base/fs.hpp"
#include "common/base/interrupt.hpp"
#include "common/cluster/internal.hpp"

namespace hectic::cluster {

struct TempCluster::Impl {
  Endpoint endpoint;
  std::unique_ptr<interrupt::CleanupGuard> guard; // stops and removes, once
};

TempCluster::TempCluster(Config config) : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.reuse = false;
  m_impl->guard = std::make_unique<interrupt::CleanupGuard>([working_dir = m_config.working_dir] {
    try {
      stop(working_dir);
    } catch (const std::exception& error) {
      detail::logger().warn("could not stop the temporary cluster in {}: {}", working_dir.string(), error.what());
    }
    std::error_code ec;
    fs::remove_tree(working_dir, ec);
  });
  try {
    // A signal's cleanup waits until the start is over: it never races a server coming up.
    interrupt::Critical starting;
    m_impl->endpoint = start(m_config);
  } catch (...) {
    m_impl->guard->run();
    throw;
  }
}

TempCluster::~TempCluster() {
  if (m_impl) m_impl->guard->run();
}

const Endpoint& TempCluster::endpoint() const { return m_impl->endpoint; }

} // namespace hectic::cluster
