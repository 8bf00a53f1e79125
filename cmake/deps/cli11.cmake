# CLI11 (Debian: libcli11-dev): command-line parsing for the tissue program.
if(TARGET CLI11::CLI11)
  return()
endif()
find_package(CLI11 REQUIRED)
