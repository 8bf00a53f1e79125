# OpenMP (GCC's libgomp): threaded element loops.
if(TARGET OpenMP::OpenMP_CXX OR NOT TISSUE_WITH_OPENMP)
  return()
endif()
find_package(OpenMP REQUIRED COMPONENTS CXX)
