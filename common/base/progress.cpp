#include "common/base/progress.hpp"

#include <unistd.h>

#include <exception>
#include <iostream>

#include <fmt/format.h>

namespace hectic::progress {

bool shown() { return ::isatty(STDERR_FILENO) == 1; }

Phase::Phase(std::string what)
    : m_what(std::move(what)), m_started(std::chrono::steady_clock::now()), m_exceptions(std::uncaught_exceptions()) {
  if (shown()) std::cerr << fmt::format("-> {} ...\n", m_what) << std::flush;
}

Phase::~Phase() {
  if (!shown()) return;
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - m_started;
  const bool failed = std::uncaught_exceptions() > m_exceptions;
  std::cerr << fmt::format("-> {} {} {:.1f} s\n", m_what, failed ? "failed after" : "done in", elapsed.count())
            << std::flush;
}

} // namespace hectic::progress
