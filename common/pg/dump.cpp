#include "common/pg/dump.hpp"

#include "common/base/process.hpp"
#include "common/pg/conninfo.hpp"
#include "common/pg/pgbin.hpp"

namespace hectic::pq {

std::string dump_schema(const std::string& url, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"--schema-only", "--no-password"};
  argv.insert(argv.end(), args.begin(), args.end());
  process::Options options;
  argv.push_back("--dbname=" + conninfo_for_child(url, options.env_set));
  options.timeout = std::nullopt; // a dump of a large schema: no bound, Ctrl-C still stops it
  return process::run_checked(pgbin::program("pg_dump"), argv, options).out;
}

} // namespace hectic::pq
