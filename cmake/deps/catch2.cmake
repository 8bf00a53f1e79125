# Catch2 v2 (Debian: catch2): unit and verification tests.
if(TARGET Catch2::Catch2)
  return()
endif()
find_package(Catch2 2 REQUIRED)
include(Catch)
