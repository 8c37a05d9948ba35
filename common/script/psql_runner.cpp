// The psql backend (SQL_RUNNER=psql, and the oracle the native runner is tested against): the
// script runs in a real psql -X -q -v ON_ERROR_STOP=1, and its failure becomes a ScriptError.
#include <iostream>
#include <optional>
#include <regex>

#include "common/base/log.hpp"
#include "common/base/output.hpp"
#include "common/base/process.hpp"
#include "common/base/text.hpp"
#include "common/pg/pgbin.hpp"
#include "common/script/script.hpp"

namespace hectic::script {

namespace {

const log::Logger k_log{"script"};

class PsqlRunner : public Runner {
public:
  explicit PsqlRunner(std::string conninfo) : m_conninfo(std::move(conninfo)) {}

  void run_file(const std::filesystem::path& file, const Options& options) override {
    run({"-f", file.string()}, {}, file, options);
  }

  void run_text(std::string_view sql, std::string_view name, const Options& options) override {
    run({"-f", "-"}, std::string(sql), std::string(name), options);
  }

private:
  // psql's arguments for one run. The command line shows in ps and in debug logs: the
  // password leaves the conninfo and travels in po's environment as PGPASSWORD.
  std::vector<std::string> arguments(const std::vector<std::string>& input, const Options& options,
                                     process::Options& po) const {
    const std::string conninfo = pq::conninfo_for_child(m_conninfo, po.env_set);
    std::vector<std::string> args = {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=default",
                                     "-At", "-d", conninfo};
    if (options.in_caller_transaction) args.push_back("--single-transaction");
    for (const auto& [k, v] : options.variables) {
      args.push_back("-v");
      args.push_back(k + "=" + v);
    }
    args.insert(args.end(), input.begin(), input.end());
    return args;
  }

  void run(std::vector<std::string> input, std::optional<std::string> stdin_data,
           const std::filesystem::path& shown, const Options& options) {
    if (options.in_caller_transaction)
      k_log.warn("SQL_RUNNER=psql: {} runs in its own session, outside the caller's transaction",
                 shown.string());
    process::Options po;
    std::vector<std::string> args = arguments(input, options, po);
    po.stdin_data = std::move(stdin_data);
    po.timeout = std::nullopt; // a script may move data: no bound, Ctrl-C still stops it
    process::Result result = process::run(pgbin::program("psql"), args, po);
    std::ostream& out = options.out ? *options.out : output::out();
    std::ostream& err = options.err ? *options.err : output::err();
    out << result.out;
    out.flush();
    if (result.ok()) {
      err << result.err;
      err.flush();
      return;
    }
    // psql:FILE:LINE: ERROR:  message
    static const std::regex k_where(R"(psql:(.*?):(\d+): (ERROR|FATAL|PANIC):)");
    std::smatch m;
    int line = 0;
    std::string text(text::trim(result.err));
    if (std::regex_search(text, m, k_where)) line = std::stoi(m[2]);
    if (text.empty()) text = fmt::format("psql {}", result.describe());
    throw ScriptError(fmt::format("{} failed (psql {}):\n{}", shown.string(), result.describe(), pq::redact(text)),
                      shown, line, 0, "", "");
  }

  std::string m_conninfo;
};

} // namespace

std::unique_ptr<Runner> psql_runner(std::string conninfo) {
  return std::make_unique<PsqlRunner>(std::move(conninfo));
}

} // namespace hectic::script
