#include "libtissue/io/h5.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

// Silences HDF5's automatic error printing for the lifetime of the object; our code reports
// errors itself (with the file and object path) through exceptions.
class Quiet {
 public:
  Quiet() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Quiet() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

herr_t walk_first(unsigned n, const H5E_error2_t* err, void* out) {
  if (n == 0 && err && err->desc) *static_cast<std::string*>(out) = err->desc;
  return 0;
}

// Most specific message of the current HDF5 error stack, or "".
std::string h5_detail() {
  std::string out;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_first, &out);
  H5Eclear2(H5E_DEFAULT);
  return out;
}

// Little-endian file type matching a native memory type.
hid_t file_type_for(hid_t mem) {
  const size_t size = H5Tget_size(mem);
  if (H5Tget_class(mem) == H5T_FLOAT) return size == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  const bool is_signed = H5Tget_sign(mem) == H5T_SGN_2;
  switch (size) {
    case 1:
      return is_signed ? H5T_STD_I8LE : H5T_STD_U8LE;
    case 4:
      return is_signed ? H5T_STD_I32LE : H5T_STD_U32LE;
    default:
      return is_signed ? H5T_STD_I64LE : H5T_STD_U64LE;
  }
}

H5Id fapl_without_locking() {
  H5Id fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_file_locking(fapl.get(), 0, 1);
  return fapl;
}

H5Id scalar_space() {
  return H5Id(H5Screate(H5S_SCALAR));
}

std::string str(std::string_view s) {
  return std::string(s);
}

// Reads a string of a (scalar or 1-D) attribute/dataset with a vlen or fixed-length string type.
template <class ReadFn>
std::vector<std::string> read_string_values(hid_t file_type, hid_t space, size_t n, ReadFn&& read) {
  std::vector<std::string> out(n);
  if (n == 0) return out;
  if (H5Tis_variable_str(file_type) > 0) {
    H5Id mem = h5_string_type();
    std::vector<char*> buf(n, nullptr);
    if (read(mem.get(), static_cast<void*>(buf.data())) < 0) throw std::runtime_error("read");
    for (size_t i = 0; i < n; ++i) out[i] = buf[i] ? buf[i] : "";
    H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, buf.data());
  } else {
    const size_t size = H5Tget_size(file_type);
    H5Id mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), size);
    std::vector<char> buf(n * size + 1, '\0');
    if (read(mem.get(), static_cast<void*>(buf.data())) < 0) throw std::runtime_error("read");
    for (size_t i = 0; i < n; ++i) {
      const char* p = buf.data() + i * size;
      out[i] = std::string(p, strnlen(p, size));
    }
  }
  return out;
}

}  // namespace

H5Id& H5Id::operator=(H5Id&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.release();
  }
  return *this;
}

void H5Id::reset() noexcept {
  if (id_ >= 0) {
    Quiet q;
    H5Idec_ref(id_);
  }
  id_ = H5I_INVALID_HID;
}

H5Id h5_string_type() {
  H5Id t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

// ---------------------------------------------------------------------------------------------
// H5File

H5File H5File::create(const std::filesystem::path& path, OpenMode mode) {
  Quiet q;
  std::error_code ec;
  if (mode == OpenMode::create_new && std::filesystem::exists(path, ec))
    throw InputError(SourceLocation{path.string(), 0, 0}, "",
                     "results file already exists; refusing to overwrite it (replace it with "
                     "`tissue run --overwrite`, overwrite=True in Python, OpenMode::overwrite in C++)");
  const SourceLocation at{path.string(), 0, 0};
  if (path.empty()) throw InputError(at, "", "the results file needs a name");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(at, "", "is a folder; the results file needs a file name such as run.h5");
  if (const auto dir = path.parent_path(); !dir.empty() && !std::filesystem::is_directory(dir, ec))
    throw InputError(at, "",
                     "cannot create the results file: the folder '" + dir.string() + "' does not exist");
  H5Id fapl = fapl_without_locking();
  const unsigned flags = mode == OpenMode::create_new ? H5F_ACC_EXCL : H5F_ACC_TRUNC;
  H5Id file(H5Fcreate(path.c_str(), flags, H5P_DEFAULT, fapl.get()));
  if (!file.valid()) {
    const std::string detail = h5_detail();
    throw std::runtime_error("HDF5 error: cannot create results file '" + path.string() + "'" +
                             (detail.empty() ? "" : " (" + detail + ")"));
  }
  return H5File(std::move(file), path);
}

H5File H5File::open_read(const std::filesystem::path& path) {
  Quiet q;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw InputError(SourceLocation{path.string(), 0, 0}, "", "no such results file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(SourceLocation{path.string(), 0, 0}, "", "not an HDF5 file");
  H5Id fapl = fapl_without_locking();
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file.valid()) {
    const std::string detail = h5_detail();
    throw InputError(SourceLocation{path.string(), 0, 0}, "",
                     "cannot open HDF5 file for reading; is it truncated or still being written?" +
                         (detail.empty() ? "" : " (" + detail + ")"));
  }
  return H5File(std::move(file), path);
}

H5File H5File::open_write(const std::filesystem::path& path) {
  Quiet q;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(SourceLocation{path.string(), 0, 0}, "", "no such HDF5 file");
  H5Id fapl = fapl_without_locking();
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()));
  if (!file.valid()) {
    const std::string detail = h5_detail();
    throw InputError(SourceLocation{path.string(), 0, 0}, "",
                     "cannot open HDF5 file for writing" + (detail.empty() ? "" : " (" + detail + ")"));
  }
  return H5File(std::move(file), path);
}

void H5File::fail(std::string_view obj, std::string_view what) const {
  const std::string detail = h5_detail();
  throw std::runtime_error("HDF5 error in '" + path_.string() + "' at '" + str(obj) + "': " + str(what) +
                           (detail.empty() ? "" : " (" + detail + ")"));
}

void H5File::flush() const {
  Quiet q;
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0) fail("/", "cannot flush file");
}

bool H5File::exists(std::string_view obj) const {
  Quiet q;
  if (obj.empty() || obj == "/") return true;
  std::string prefix;
  size_t pos = obj.front() == '/' ? 1 : 0;
  while (pos <= obj.size()) {
    size_t next = obj.find('/', pos);
    if (next == std::string_view::npos) next = obj.size();
    prefix += '/';
    prefix.append(obj.substr(pos, next - pos));
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    pos = next + 1;
  }
  return H5Oexists_by_name(file_.get(), prefix.c_str(), H5P_DEFAULT) > 0;
}

bool H5File::is_group(std::string_view obj) const {
  if (!exists(obj)) return false;
  Quiet q;
  H5O_info_t info;
  if (H5Oget_info_by_name(file_.get(), str(obj).c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

bool H5File::is_dataset(std::string_view obj) const {
  if (!exists(obj)) return false;
  Quiet q;
  H5O_info_t info;
  if (H5Oget_info_by_name(file_.get(), str(obj).c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_DATASET;
}

void H5File::create_groups(std::string_view group) {
  Quiet q;
  std::string prefix;
  size_t pos = !group.empty() && group.front() == '/' ? 1 : 0;
  while (pos < group.size()) {
    size_t next = group.find('/', pos);
    if (next == std::string_view::npos) next = group.size();
    prefix += '/';
    prefix.append(group.substr(pos, next - pos));
    pos = next + 1;
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) > 0) continue;
    H5Id gcpl(H5Pcreate(H5P_GROUP_CREATE));
    H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Id g(H5Gcreate2(file_.get(), prefix.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
    if (!g.valid()) fail(prefix, "cannot create group");
  }
}

H5Id H5File::open_object(std::string_view obj) const {
  if (!exists(obj))
    throw InputError(SourceLocation{path_.string(), 0, 0}, str(obj), "no such group or dataset");
  Quiet q;
  H5Id o(H5Oopen(file_.get(), str(obj).c_str(), H5P_DEFAULT));
  if (!o.valid()) fail(obj, "cannot open object");
  return o;
}

namespace {
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> H5File::children(std::string_view group) const {
  H5Id g = open_object(group);
  Quiet q;
  H5Id gcpl(H5Gget_create_plist(g.get()));
  unsigned flags = 0;
  if (gcpl.valid()) H5Pget_link_creation_order(gcpl.get(), &flags);
  const H5_index_t index = (flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Literate(g.get(), index, H5_ITER_INC, &idx, collect_name, &names) < 0)
    fail(group, "cannot list group");
  return names;
}

namespace {
// Opens the attribute key of obj for writing, deleting an older one.
H5Id recreate_attr(H5File& f, std::string_view obj, std::string_view key, hid_t type) {
  H5Id o = f.open_object(obj);
  const std::string k(key);
  if (H5Aexists(o.get(), k.c_str()) > 0 && H5Adelete(o.get(), k.c_str()) < 0)
    f.fail(obj, "cannot replace attribute '" + k + "'");
  H5Id space = scalar_space();
  H5Id a(H5Acreate2(o.get(), k.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!a.valid()) f.fail(obj, "cannot create attribute '" + k + "'");
  return a;
}
}  // namespace

void H5File::set_attr(std::string_view obj, std::string_view key, std::string_view value) {
  Quiet q;
  H5Id type = h5_string_type();
  H5Id a = recreate_attr(*this, obj, key, type.get());
  const std::string v(value);
  const char* p = v.c_str();
  if (H5Awrite(a.get(), type.get(), &p) < 0) fail(obj, "cannot write attribute '" + str(key) + "'");
}

void H5File::set_attr(std::string_view obj, std::string_view key, double value) {
  Quiet q;
  H5Id a = recreate_attr(*this, obj, key, H5T_IEEE_F64LE);
  if (H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    fail(obj, "cannot write attribute '" + str(key) + "'");
}

void H5File::set_attr(std::string_view obj, std::string_view key, std::int64_t value) {
  Quiet q;
  H5Id a = recreate_attr(*this, obj, key, H5T_STD_I64LE);
  if (H5Awrite(a.get(), H5T_NATIVE_INT64, &value) < 0) fail(obj, "cannot write attribute '" + str(key) + "'");
}

bool H5File::has_attr(std::string_view obj, std::string_view key) const {
  if (!exists(obj)) return false;
  H5Id o = open_object(obj);
  Quiet q;
  return H5Aexists(o.get(), str(key).c_str()) > 0;
}

namespace {
herr_t collect_attr(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> H5File::attr_names(std::string_view obj) const {
  H5Id o = open_object(obj);
  Quiet q;
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Aiterate2(o.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &names) < 0)
    fail(obj, "cannot list attributes");
  return names;
}

namespace {
H5Id open_attr(const H5File& f, std::string_view obj, std::string_view key) {
  H5Id o = f.open_object(obj);
  const std::string k(key);
  if (H5Aexists(o.get(), k.c_str()) <= 0)
    throw InputError(SourceLocation{f.path().string(), 0, 0}, str(obj), "missing attribute '" + k + "'");
  H5Id a(H5Aopen(o.get(), k.c_str(), H5P_DEFAULT));
  if (!a.valid()) f.fail(obj, "cannot open attribute '" + k + "'");
  return a;
}
}  // namespace

std::string H5File::string_attr(std::string_view obj, std::string_view key) const {
  Quiet q;
  H5Id a = open_attr(*this, obj, key);
  H5Id ftype(H5Aget_type(a.get()));
  H5Id space(H5Aget_space(a.get()));
  if (H5Tget_class(ftype.get()) != H5T_STRING) fail(obj, "attribute '" + str(key) + "' is not a string");
  try {
    return read_string_values(ftype.get(), space.get(), 1,
                              [&](hid_t mem, void* buf) { return H5Aread(a.get(), mem, buf); })[0];
  } catch (const std::runtime_error&) {
    fail(obj, "cannot read attribute '" + str(key) + "'");
  }
}

double H5File::double_attr(std::string_view obj, std::string_view key) const {
  Quiet q;
  H5Id a = open_attr(*this, obj, key);
  double v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(obj, "cannot read attribute '" + str(key) + "'");
  return v;
}

void H5File::write_raw(std::string_view path, hid_t type, const void* data, size_t n, const H5Dims& dims) {
  Quiet q;
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  if (total != n)
    fail(path, "data size " + std::to_string(n) + " does not match the dimensions (" + std::to_string(total) +
                   " values)");
  H5Id space(dims.empty() ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Id dset(H5Dcreate2(file_.get(), str(path).c_str(), file_type_for(type), space.get(), H5P_DEFAULT,
                       H5P_DEFAULT, H5P_DEFAULT));
  if (!dset.valid()) fail(path, "cannot create dataset");
  if (n > 0 && H5Dwrite(dset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(path, "cannot write dataset");
}

void H5File::write_strings(std::string_view path, std::span<const std::string> values) {
  Quiet q;
  H5Id type = h5_string_type();
  const hsize_t n = values.size();
  H5Id space(H5Screate_simple(1, &n, nullptr));
  H5Id dset(H5Dcreate2(file_.get(), str(path).c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT));
  if (!dset.valid()) fail(path, "cannot create dataset");
  std::vector<const char*> ptrs;
  for (const auto& s : values) ptrs.push_back(s.c_str());
  if (n > 0 && H5Dwrite(dset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail(path, "cannot write dataset");
}

H5Dims H5File::shape(std::string_view path) const {
  H5Id d = open_object(path);
  Quiet q;
  H5Id space(H5Dget_space(d.get()));
  if (!space.valid()) fail(path, "not a dataset");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  H5Dims dims(static_cast<size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

void H5File::read_raw(std::string_view path, hid_t type, void* data, size_t n) const {
  H5Id d = open_object(path);
  Quiet q;
  if (n > 0 && H5Dread(d.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(path, "cannot read dataset");
}

std::vector<std::string> H5File::read_strings(std::string_view path) const {
  const H5Dims dims = shape(path);
  H5Id d = open_object(path);
  Quiet q;
  size_t n = 1;
  for (hsize_t x : dims) n *= static_cast<size_t>(x);
  H5Id ftype(H5Dget_type(d.get()));
  H5Id space(H5Dget_space(d.get()));
  if (H5Tget_class(ftype.get()) != H5T_STRING) fail(path, "not a string dataset");
  try {
    return read_string_values(ftype.get(), space.get(), n, [&](hid_t mem, void* buf) {
      return H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    });
  } catch (const std::runtime_error&) {
    fail(path, "cannot read dataset");
  }
}

// ---------------------------------------------------------------------------------------------
// H5Extendible

H5Extendible H5Extendible::create(H5File& file, std::string_view path, H5Elem elem, hsize_t cols,
                                  hsize_t chunk_rows) {
  Quiet q;
  H5Extendible x;
  x.file_ = &file;
  x.path_ = str(path);
  x.elem_ = elem;
  x.cols_ = cols;
  const int rank = cols == 0 ? 1 : 2;
  const hsize_t dims[2] = {0, cols};
  const hsize_t maxdims[2] = {H5S_UNLIMITED, cols};
  const hsize_t chunk[2] = {std::max<hsize_t>(chunk_rows, 1), std::max<hsize_t>(cols, 1)};
  H5Id space(H5Screate_simple(rank, dims, maxdims));
  H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(dcpl.get(), rank, chunk);
  H5Id str_type;
  hid_t ftype = H5T_IEEE_F64LE;
  switch (elem) {
    case H5Elem::f64:
      ftype = H5T_IEEE_F64LE;
      break;
    case H5Elem::i32:
      ftype = H5T_STD_I32LE;
      break;
    case H5Elem::i64:
      ftype = H5T_STD_I64LE;
      break;
    case H5Elem::str:
      if (cols != 0) file.fail(path, "string datasets must be 1-D");
      str_type = h5_string_type();
      ftype = str_type.get();
      break;
  }
  x.dset_ =
      H5Id(H5Dcreate2(file.id(), x.path_.c_str(), ftype, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!x.dset_.valid()) file.fail(path, "cannot create extendible dataset");
  return x;
}

H5Extendible H5Extendible::open(H5File& file, std::string_view path) {
  H5Extendible x;
  x.dset_ = file.open_object(path);
  Quiet q;
  x.file_ = &file;
  x.path_ = str(path);
  const H5Dims dims = file.shape(path);
  if (dims.empty() || dims.size() > 2) file.fail(path, "not a 1-D or 2-D dataset");
  x.rows_ = dims[0];
  x.cols_ = dims.size() == 2 ? dims[1] : 0;
  H5Id type(H5Dget_type(x.dset_.get()));
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT:
      x.elem_ = H5Elem::f64;
      break;
    case H5T_STRING:
      x.elem_ = H5Elem::str;
      break;
    case H5T_INTEGER:
      x.elem_ = H5Tget_size(type.get()) == 4 ? H5Elem::i32 : H5Elem::i64;
      break;
    default:
      file.fail(path, "unsupported element type");
  }
  return x;
}

void H5Extendible::append_raw(H5Elem elem, hid_t mem_type, const void* data, size_t n) {
  Quiet q;
  if (!file_) throw std::logic_error("H5Extendible: append on an empty handle");
  if (elem != elem_) file_->fail(path_, "appending values of the wrong element type");
  const hsize_t width = std::max<hsize_t>(cols_, 1);
  if (n % width != 0)
    file_->fail(path_, "appending " + std::to_string(n) + " values to a dataset with " +
                           std::to_string(width) + " columns");
  const hsize_t new_rows = n / width;
  if (new_rows == 0) return;
  const hsize_t total[2] = {rows_ + new_rows, cols_};
  if (H5Dset_extent(dset_.get(), total) < 0) file_->fail(path_, "cannot extend dataset");
  H5Id fspace(H5Dget_space(dset_.get()));
  const hsize_t start[2] = {rows_, 0};
  const hsize_t count[2] = {new_rows, cols_};
  if (H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0)
    file_->fail(path_, "cannot select rows");
  const hsize_t mcount = static_cast<hsize_t>(n);
  H5Id mspace(H5Screate_simple(1, &mcount, nullptr));
  if (H5Dwrite(dset_.get(), mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, data) < 0)
    file_->fail(path_, "cannot append rows");
  rows_ += new_rows;
}

void H5Extendible::append(std::span<const double> values) {
  append_raw(H5Elem::f64, H5T_NATIVE_DOUBLE, values.data(), values.size());
}

void H5Extendible::append(std::span<const std::int32_t> values) {
  append_raw(H5Elem::i32, H5T_NATIVE_INT32, values.data(), values.size());
}

void H5Extendible::append(std::span<const std::int64_t> values) {
  append_raw(H5Elem::i64, H5T_NATIVE_INT64, values.data(), values.size());
}

void H5Extendible::append(std::span<const std::string> values) {
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& s : values) ptrs.push_back(s.c_str());
  H5Id type = h5_string_type();
  append_raw(H5Elem::str, type.get(), ptrs.data(), ptrs.size());
}

}  // namespace tissue
