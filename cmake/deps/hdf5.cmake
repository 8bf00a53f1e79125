# HDF5 C library (Debian: libhdf5-dev): results files.
if(TARGET hdf5::hdf5)
  return()
endif()
find_package(HDF5 REQUIRED COMPONENTS C)
