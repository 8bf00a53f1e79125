#include <catch2/catch.hpp>

#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/core/progress.hpp"

using namespace tissue;

TEST_CASE("InputError names file, line, column and field", "[core]") {
  const InputError e(SourceLocation{"session.toml", 41, 9}, "technique[3].force",
                     "must be positive, got -30 N");
  CHECK(std::string(e.what()) == "session.toml:41:9: technique[3].force: must be positive, got -30 N");
  CHECK(e.field() == "technique[3].force");
  const InputError plain("threads", "must be at least 1");
  CHECK(std::string(plain.what()) == "threads: must be at least 1");
}

TEST_CASE("RunContext lets the callee choose the threads by default and rejects a negative count", "[core]") {
  RunContext ctx;
  CHECK(ctx.threads == 0);
  CHECK_NOTHROW(ctx.validate());
  ctx.threads = -1;
  CHECK_THROWS_WITH(ctx.validate(), Catch::Contains("threads") && Catch::Contains("0 (the callee chooses)"));
}

TEST_CASE("parallel_for visits every index exactly once", "[core]") {
  for (int threads : {1, 2}) {
    std::vector<int> hits(1000, 0);
    parallel_for(1000, threads, [&](Index i, int) { hits[static_cast<size_t>(i)] += 1; });
    for (int h : hits) REQUIRE(h == 1);
  }
}
