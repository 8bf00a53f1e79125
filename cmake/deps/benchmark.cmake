# Google Benchmark (Debian: libbenchmark-dev): throughput benchmarks.
if(TARGET benchmark::benchmark)
  return()
endif()
find_package(benchmark REQUIRED)
