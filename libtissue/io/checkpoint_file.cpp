#include "libtissue/io/checkpoint_file.hpp"

#include <algorithm>
#include <cmath>

#include "libtissue/core/error.hpp"
#include "libtissue/io/h5.hpp"
#include "libtissue/io/results_reader.hpp"

namespace tissue {
namespace {

constexpr std::string_view kFormat = "libtissue-checkpoint";

/// Copies the parts of `in` up to time t into `out` (a fresh writer).
void copy_until(const ResultsReader& in, ResultsWriter& out, double t) {
  const double tol = 1e-9 * std::max(1.0, std::abs(t));
  for (const auto& [k, v] : in.meta())
    if (k != "tissue_version" && k != "unit_system" && k != "format" && k != "format_version")
      out.write_meta(k, v);
  if (in.has_mesh()) out.write_mesh(in.mesh());
  const auto events = in.events();
  if (!events.empty()) out.append_events(events);
  // Series: row by row, every column (NaN where a quantity was not recorded).
  const auto times = in.series_time();
  std::vector<std::pair<SeriesValue, std::vector<double>>> columns;
  for (const auto& g : in.series_groups())
    for (const auto& n : in.series_names(g)) {
      SeriesData d = in.series(g, n);
      columns.push_back({SeriesValue{g, n, 0.0, d.units}, std::move(d.values)});
    }
  std::vector<SeriesValue> row;
  for (size_t i = 0; i < times.size() && times[i] <= t + tol; ++i) {
    row.clear();
    for (const auto& [c, values] : columns) {
      if (i >= values.size() || std::isnan(values[i])) continue;
      SeriesValue v = c;
      v.value = values[i];
      row.push_back(v);
    }
    out.append_series(times[i], row);
  }
  // Fields: every snapshot up to t, in snapshot order.
  const auto field_times = in.field_times();
  const auto names = in.field_names();
  for (int step = 0; step < static_cast<int>(field_times.size()); ++step) {
    if (field_times[static_cast<size_t>(step)] > t + tol) break;
    for (const auto& n : names) {
      const auto steps = in.field_steps(n);
      if (std::find(steps.begin(), steps.end(), step) == steps.end()) continue;
      const FieldData f = in.field(n, step);
      out.write_field(f.name, f.time, f.center, f.values, f.units);
    }
  }
  std::vector<SafetyFlag> flags = in.flags();
  std::erase_if(flags, [&](const SafetyFlag& f) { return f.time > t + tol; });
  if (!flags.empty()) out.append_flags(flags);
  out.flush();
}

}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& results) {
  std::filesystem::path p = results;
  p.replace_extension(".checkpoint.h5");
  return p;
}

std::filesystem::path partial_results_path(const std::filesystem::path& results) {
  std::filesystem::path p = results;
  p += ".partial";
  return p;
}

void write_checkpoint(const std::filesystem::path& path, const StateArchive& archive) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    H5File f = H5File::create(tmp, OpenMode::overwrite);
    f.create_groups("/numbers");
    f.create_groups("/strings");
    f.set_attr("/", "format", kFormat);
    for (const auto& [k, v] : archive.numbers())
      f.write<double>("/numbers/" + k, v, H5Dims{static_cast<hsize_t>(v.size())});
    for (const auto& [k, v] : archive.string_lists()) f.write_strings("/strings/" + k, v);
    f.flush();
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    throw InputError(SourceLocation{path.string(), 0, 0}, "", "cannot write the checkpoint: " + ec.message());
}

StateArchive read_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw InputError(
        SourceLocation{path.string(), 0, 0}, "",
        "no checkpoint to resume from (a run writes one every [run] checkpoint_every, and when it "
        "fails or is interrupted)");
  const H5File f = H5File::open_read(path);
  if (!f.has_attr("/", "format") || f.string_attr("/", "format") != kFormat)
    throw InputError(SourceLocation{path.string(), 0, 0}, "", "not a libtissue checkpoint");
  StateArchive a;
  for (const auto& k : f.children("/numbers"))
    a.put(k, std::span<const double>(f.read<double>("/numbers/" + k)));
  for (const auto& k : f.children("/strings")) a.put_strings(k, f.read_strings("/strings/" + k));
  return a;
}

std::unique_ptr<ResultsWriter> reopen_results_at(const std::filesystem::path& path, double t) {
  const std::filesystem::path partial = partial_results_path(path);
  std::error_code ec;
  if (!std::filesystem::exists(partial, ec)) {  // else: a copy was cut short; its source is still there
    if (!std::filesystem::exists(path, ec))
      throw InputError(SourceLocation{path.string(), 0, 0}, "", "no results file to resume");
    std::filesystem::rename(path, partial);
  }
  auto out = std::make_unique<ResultsWriter>(path, OpenMode::overwrite);
  {
    const ResultsReader in(partial);
    copy_until(in, *out, t);
  }
  std::filesystem::remove(partial, ec);
  return out;
}

}  // namespace tissue
