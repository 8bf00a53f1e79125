# TISSUE_SANITIZE: every target of the project (library, tests, fuzzers) is compiled and linked with
# AddressSanitizer and UndefinedBehaviorSanitizer; any UB report aborts (-fno-sanitize-recover=all).
# TISSUE_BUILD_FUZZERS (clang only) implies it; tests/fuzz/CMakeLists.txt adds libFuzzer's coverage
# instrumentation to the parser sources and builds the fuzzers with -fsanitize=fuzzer.
if(TISSUE_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TISSUE_BUILD_FUZZERS needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(TISSUE_SANITIZE ON CACHE BOOL "" FORCE)
endif()
if(TISSUE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
