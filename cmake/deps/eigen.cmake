# Eigen 3.4 (Debian: libeigen3-dev): dense and sparse linear algebra.
if(TARGET Eigen3::Eigen)
  return()
endif()
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
