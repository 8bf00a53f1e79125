# toml++ (Debian: libtomlplusplus-dev): session and parameter files.
if(TARGET tomlplusplus::tomlplusplus)
  return()
endif()
find_package(tomlplusplus REQUIRED)
