// Small RAII layer over the HDF5 C API: handles, files, groups, attributes, whole datasets and
// chunked extendible datasets. Errors name the file and the object path.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tissue {

/// How a writer treats an existing file: refuse to touch it, or replace it.
enum class OpenMode { create_new, overwrite };

/// Owning HDF5 identifier (file, group, dataset, attribute, dataspace, type, property list).
/// Closes the object (decrements its reference count) on destruction. Move-only.
class H5Id {
 public:
  /// Empty (invalid) handle.
  H5Id() = default;
  /// Takes ownership of id (a negative id is stored as invalid).
  explicit H5Id(hid_t id) : id_(id < 0 ? H5I_INVALID_HID : id) {}
  /// Closes the object.
  ~H5Id() { reset(); }
  /// Moves ownership.
  H5Id(H5Id&& other) noexcept : id_(other.release()) {}
  /// Moves ownership, closing what this handle held.
  H5Id& operator=(H5Id&& other) noexcept;
  /// Not copyable.
  H5Id(const H5Id&) = delete;
  /// Not copy-assignable.
  H5Id& operator=(const H5Id&) = delete;

  /// The raw identifier.
  hid_t get() const noexcept { return id_; }
  /// True when the handle holds an object.
  bool valid() const noexcept { return id_ >= 0; }
  /// Closes the held object now.
  void reset() noexcept;
  /// Gives up ownership and returns the identifier.
  hid_t release() noexcept {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Native HDF5 memory type of an arithmetic C++ type (double, float, int32, int64, uint8).
template <class T>
hid_t h5_native_type();
/// Native type of double.
template <>
inline hid_t h5_native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
/// Native type of float.
template <>
inline hid_t h5_native_type<float>() {
  return H5T_NATIVE_FLOAT;
}
/// Native type of std::int32_t.
template <>
inline hid_t h5_native_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
/// Native type of std::int64_t.
template <>
inline hid_t h5_native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
/// Native type of std::uint8_t.
template <>
inline hid_t h5_native_type<std::uint8_t>() {
  return H5T_NATIVE_UINT8;
}

/// A variable-length UTF-8 string type (used for string attributes and string datasets).
H5Id h5_string_type();

/// Dataset dimensions.
using H5Dims = std::vector<hsize_t>;

/// An open HDF5 file. Object paths are absolute ("/mesh/nodes"). File locking is disabled so
/// that a reader can open a file that a running simulation is still writing. Move-only.
class H5File {
 public:
  /// Creates a file for writing. create_new throws InputError if it exists; overwrite truncates it.
  static H5File create(const std::filesystem::path& path, OpenMode mode);
  /// Opens an existing file read-only; throws InputError if it is missing or not HDF5.
  static H5File open_read(const std::filesystem::path& path);
  /// Opens an existing file for reading and writing; throws InputError if it is missing or not HDF5.
  static H5File open_write(const std::filesystem::path& path);

  /// The file path as given.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// The raw file identifier.
  hid_t id() const noexcept { return file_.get(); }
  /// Writes all buffered data and metadata to disk (H5Fflush, global scope).
  void flush() const;
  /// Closes the file (further calls fail).
  void close() noexcept { file_.reset(); }

  /// True if every component of the path exists (the root "/" always exists).
  bool exists(std::string_view obj) const;
  /// True if the path names a group.
  bool is_group(std::string_view obj) const;
  /// True if the path names a dataset.
  bool is_dataset(std::string_view obj) const;
  /// Creates a group and any missing parents (like mkdir -p); links keep their creation order.
  void create_groups(std::string_view group);
  /// Names of a group's children, in creation order when the group tracks it, else by name.
  std::vector<std::string> children(std::string_view group) const;
  /// Opens a group or dataset by path; throws InputError naming file and path if absent.
  H5Id open_object(std::string_view obj) const;

  /// Sets (replaces) a string attribute on a group or dataset.
  void set_attr(std::string_view obj, std::string_view key, std::string_view value);
  /// Sets (replaces) a double attribute.
  void set_attr(std::string_view obj, std::string_view key, double value);
  /// Sets (replaces) an int64 attribute.
  void set_attr(std::string_view obj, std::string_view key, std::int64_t value);
  /// True if the object carries the attribute.
  bool has_attr(std::string_view obj, std::string_view key) const;
  /// Names of the object's attributes (by name).
  std::vector<std::string> attr_names(std::string_view obj) const;
  /// Reads a string attribute (variable or fixed length); throws InputError if missing.
  std::string string_attr(std::string_view obj, std::string_view key) const;
  /// Reads a numeric scalar attribute as double; throws InputError if missing.
  double double_attr(std::string_view obj, std::string_view key) const;

  /// Creates a dataset with the given dims (row-major data) and writes it whole.
  template <class T>
  void write(std::string_view path, std::span<const T> data, const H5Dims& dims) {
    write_raw(path, h5_native_type<T>(), data.data(), data.size(), dims);
  }
  /// Creates a 1-D variable-length string dataset.
  void write_strings(std::string_view path, std::span<const std::string> values);
  /// Dimensions of a dataset.
  H5Dims shape(std::string_view path) const;
  /// Reads a whole numeric dataset (converted to T) in row-major order; dims receives its shape.
  template <class T>
  std::vector<T> read(std::string_view path, H5Dims* dims = nullptr) const {
    const H5Dims d = shape(path);
    hsize_t n = 1;
    for (hsize_t x : d) n *= x;
    std::vector<T> out(static_cast<size_t>(n));
    read_raw(path, h5_native_type<T>(), out.data(), out.size());
    if (dims) *dims = d;
    return out;
  }
  /// Reads a 1-D string dataset (variable or fixed length).
  std::vector<std::string> read_strings(std::string_view path) const;

  /// Throws std::runtime_error "HDF5 error in '<file>' at '<obj>': what (HDF5 detail)".
  [[noreturn]] void fail(std::string_view obj, std::string_view what) const;

 private:
  H5File(H5Id file, std::filesystem::path path) : file_(std::move(file)), path_(std::move(path)) {}
  void write_raw(std::string_view path, hid_t type, const void* data, size_t n, const H5Dims& dims);
  void read_raw(std::string_view path, hid_t type, void* data, size_t n) const;

  H5Id file_;
  std::filesystem::path path_;
};

/// Element type of an extendible dataset.
enum class H5Elem { f64, i32, i64, str };

/// A chunked dataset that grows along its first dimension: 1-D (cols == 0) or 2-D (rows x cols).
/// Holds the file by pointer: the H5File must outlive it.
class H5Extendible {
 public:
  /// Empty handle.
  H5Extendible() = default;
  /// Creates an empty extendible dataset (cols == 0: 1-D) with chunks of chunk_rows rows.
  static H5Extendible create(H5File& file, std::string_view path, H5Elem elem, hsize_t cols = 0,
                             hsize_t chunk_rows = 256);
  /// Opens an existing extendible dataset for appending.
  static H5Extendible open(H5File& file, std::string_view path);

  /// Appends rows of doubles (size = n_rows * max(cols, 1)); valid for f64 datasets.
  void append(std::span<const double> values);
  /// Appends rows of int32 values; valid for i32 datasets.
  void append(std::span<const std::int32_t> values);
  /// Appends rows of int64 values; valid for i64 datasets.
  void append(std::span<const std::int64_t> values);
  /// Appends strings (1-D string datasets only).
  void append(std::span<const std::string> values);
  /// Number of rows.
  hsize_t rows() const noexcept { return rows_; }
  /// Number of columns (0 for a 1-D dataset).
  hsize_t cols() const noexcept { return cols_; }
  /// Dataset path.
  const std::string& path() const noexcept { return path_; }
  /// The raw dataset identifier.
  hid_t id() const noexcept { return dset_.get(); }

 private:
  void append_raw(H5Elem elem, hid_t mem_type, const void* data, size_t n);

  H5File* file_ = nullptr;
  H5Id dset_;
  std::string path_;
  H5Elem elem_ = H5Elem::f64;
  hsize_t cols_ = 0;
  hsize_t rows_ = 0;
};

}  // namespace tissue
