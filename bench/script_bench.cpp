// Benchmark driver (bench/script.sh): runs one SQL file with the native engine over one
// connection, like `psql -X -q -v ON_ERROR_STOP=1 -f FILE` would. Built with -DHECTIC_BENCH=ON.
// Usage: script_bench CONNINFO FILE
#include <iostream>
#include <sstream>

#include "common/pg/pq.hpp"
#include "common/script/script.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: script_bench CONNINFO FILE\n";
    return 3;
  }
  try {
    hectic::pq::Connection connection(argv[1], "script_bench");
    std::ostringstream sink;
    hectic::script::Options options;
    options.out = &sink;
    hectic::script::native_runner(connection)->run_file(argv[2], options);
    return 0;
  } catch (const hectic::Error& e) {
    std::cerr << "script_bench: error: " << e.what() << "\n";
    return hectic::exit_status(e.code());
  }
}
