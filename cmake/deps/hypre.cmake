# hypre (Debian: libhypre-dev, which brings OpenMPI): BoomerAMG-preconditioned CG, the `amg` linear solver
# for systems too large to factorise (docs/sessions.md, `linear_solver`). Optional: without it `amg` reports that it is missing.
if(TARGET tissue_hypre OR NOT TISSUE_WITH_HYPRE)
  return()
endif()
find_path(HYPRE_INCLUDE_DIR HYPRE.h PATH_SUFFIXES hypre)
find_library(HYPRE_LIBRARY HYPRE)
find_package(MPI QUIET COMPONENTS CXX)
if(NOT HYPRE_INCLUDE_DIR OR NOT HYPRE_LIBRARY OR NOT MPI_CXX_FOUND)
  message(STATUS "hypre or MPI not found: the amg linear solver is off (apt-get install libhypre-dev)")
  set(TISSUE_WITH_HYPRE OFF CACHE BOOL "BoomerAMG-preconditioned CG from hypre" FORCE)
  return()
endif()
add_library(tissue_hypre INTERFACE)
target_include_directories(tissue_hypre SYSTEM INTERFACE ${HYPRE_INCLUDE_DIR})
target_link_libraries(tissue_hypre INTERFACE ${HYPRE_LIBRARY} MPI::MPI_CXX)
# The C interface of MPI only in our code (no OpenMPI C++ bindings in mpi.h).
target_compile_definitions(tissue_hypre INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
install(TARGETS tissue_hypre EXPORT tissueTargets)
