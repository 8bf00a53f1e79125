#include "libtissue/core/state_archive.hpp"

#include "libtissue/core/error.hpp"

namespace tissue {

void StateArchive::put(std::string_view key, std::span<const double> values) {
  numbers_[std::string(key)].assign(values.begin(), values.end());
}

void StateArchive::put_strings(std::string_view key, std::vector<std::string> values) {
  strings_[std::string(key)] = std::move(values);
}

const std::vector<double>& StateArchive::get(std::string_view key) const {
  const auto it = numbers_.find(key);
  if (it == numbers_.end())
    throw InputError(std::string(key),
                     "missing from the checkpoint (written by another version or cut short)");
  return it->second;
}

VectorX StateArchive::vector(std::string_view key) const {
  const auto& v = get(key);
  return Eigen::Map<const VectorX>(v.data(), static_cast<Index>(v.size()));
}

double StateArchive::scalar(std::string_view key) const {
  const auto& v = get(key);
  if (v.size() != 1)
    throw InputError(std::string(key),
                     "the checkpoint holds " + std::to_string(v.size()) + " values, not one");
  return v.front();
}

const std::vector<std::string>& StateArchive::strings(std::string_view key) const {
  const auto it = strings_.find(key);
  if (it == strings_.end())
    throw InputError(std::string(key),
                     "missing from the checkpoint (written by another version or cut short)");
  return it->second;
}

}  // namespace tissue
