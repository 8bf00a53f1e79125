# tissue_add_module(<name> SOURCES ... DEPENDS ...): one static library per module folder.
# Every module library is exported and collected into the umbrella target tissue::tissue.
set(TISSUE_MODULES "" CACHE INTERNAL "")
function(tissue_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  set(target tissue_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(tissue::${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target} PUBLIC ${ARG_DEPENDS} PRIVATE ${ARG_PRIVATE_DEPENDS} tissue_warnings)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  install(TARGETS ${target} EXPORT tissueTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(TISSUE_MODULES ${TISSUE_MODULES} ${target} CACHE INTERNAL "")
endfunction()

# Warning flags used by every target of the project (not exported to consumers).
add_library(tissue_warnings INTERFACE)
target_compile_options(tissue_warnings INTERFACE -Wall -Wextra -Wpedantic
  $<$<BOOL:${TISSUE_WARNINGS_AS_ERRORS}>:-Werror>)
install(TARGETS tissue_warnings EXPORT tissueTargets)
