#include "libtissue/study/study.hpp"

#include <hdf5.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

#include "libtissue/io/checkpoint_file.hpp"
#include "libtissue/io/h5.hpp"
#include "libtissue/io/results_writer.hpp"
#include "libtissue/session/simulation.hpp"
#include "libtissue/study/outcomes.hpp"

namespace tissue {
namespace {

/// Where a case records its outcomes in its own results file.
constexpr const char* kNames = "/study/outcome_names";
constexpr const char* kValues = "/study/outcome_values";

/// A /meta attribute of a results file, or "" when it has none.
std::string meta(const H5File& f, std::string_view key) {
  return f.exists("/meta") && f.has_attr("/meta", key) ? f.string_attr("/meta", key) : "";
}

/// Refuses a case file whose session text is not the case's (the sweep or its base changed since).
void check_same_case(const std::filesystem::path& file, const std::string& text) {
  const H5File f = H5File::open_read(file);
  const std::string stored = meta(f, "session");
  if (!stored.empty() && stored != text)
    throw InputError(SourceLocation{file.string(), 0, 0}, "",
                     "was computed for another case (the sweep file or its base session changed since); "
                     "delete it to recompute it, or write the study to another folder (-o)");
}

/// Appends the outcomes of a completed run to its case file (the mark that the case is complete).
void record_outcomes(const std::filesystem::path& file, int index, const std::vector<Outcome>& outcomes) {
  H5File f = H5File::open_write(file);
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& o : outcomes) names.push_back(o.name), values.push_back(o.value);
  f.create_groups("/study");
  f.set_attr("/study", "case", static_cast<std::int64_t>(index));
  f.write_strings(kNames, names);
  f.write<double>(kValues, values, {values.size()});
  f.flush();
}

/// Runs or resumes the case's simulation; returns its summary (NumericalError, Cancelled propagate).
RunSummary simulate(Simulation& sim, const std::filesystem::path& file, bool& resumed) {
  const std::filesystem::path checkpoint = checkpoint_path(file);
  std::error_code ec;
  if (std::filesystem::exists(checkpoint, ec) &&
      (std::filesystem::exists(file, ec) || std::filesystem::exists(partial_results_path(file), ec))) {
    const StateArchive from = read_checkpoint(checkpoint);
    const auto writer = reopen_results_at(file, from.scalar("state.time"));
    resumed = true;
    RunSummary s = sim.resume(*writer, from);
    writer->close();
    return s;
  }
  std::filesystem::remove(checkpoint, ec);  // a stale one without its results cannot be resumed
  ResultsWriter writer(file, OpenMode::overwrite);
  RunSummary s = sim.run(writer);
  writer.close();
  return s;
}

/// The outcomes recorded in a completed case file, by name.
std::vector<Outcome> recorded_outcomes(const std::filesystem::path& file) {
  const H5File f = H5File::open_read(file);
  const auto names = f.read_strings(kNames);
  const auto values = f.read<double>(kValues);
  std::vector<Outcome> out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) out.push_back({names[i], values[i]});
  return out;
}

/// The table's outcome columns: the recorded names the sweep's [outputs] selects, in kind order.
std::vector<std::string> outcome_columns(const Sweep& s, const std::vector<std::vector<Outcome>>& rows) {
  std::vector<std::string> out;
  for (const auto& kind : s.collect)
    for (const auto& row : rows)
      for (const auto& o : row)
        if (o.name.substr(0, o.name.find('.')) == kind && outcome_selected(o.name, {kind}, s.muscles) &&
            std::find(out.begin(), out.end(), o.name) == out.end())
          out.push_back(o.name);
  return out;
}

/// A number for the CSV file (NaN as "nan", which pandas reads as missing).
std::string csv_number(Real v) {
  if (std::isnan(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

/// Writes the table as CSV: case, parameters (SI, or names), status, outcomes (SI).
void write_csv(const StudyTable& t, const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw InputError(SourceLocation{path.string(), 0, 0}, "", "cannot write the study table");
  out << "case";
  for (const auto& p : t.parameters) out << ',' << p;
  out << ",status";
  for (const auto& o : t.outcomes) out << ',' << o;
  out << '\n';
  for (std::size_t r = 0; r < t.cases.size(); ++r) {
    out << t.cases[r];
    for (std::size_t j = 0; j < t.parameters.size(); ++j)
      out << ',' << (t.numeric[j] ? csv_number(t.values[r][j].si) : t.values[r][j].text);
    out << ',' << t.status[r];
    for (Real v : t.results[r]) out << ',' << csv_number(v);
    out << '\n';
  }
}

/// Writes /table of study.h5: one dataset per column, the column order in its "columns" attribute.
void write_table(H5File& f, const Sweep& s, const StudyTable& t) {
  f.create_groups("/table");
  std::string columns = "case";
  std::vector<std::int64_t> ids(t.cases.begin(), t.cases.end());
  f.write<std::int64_t>("/table/case", ids, {ids.size()});
  for (std::size_t j = 0; j < t.parameters.size(); ++j) {
    const std::string path = "/table/" + t.parameters[j];
    std::vector<double> si;
    std::vector<std::string> text;
    for (const auto& row : t.values) si.push_back(row[j].si), text.push_back(row[j].text);
    if (t.numeric[j])
      f.write<double>(path, si, {si.size()});
    else
      f.write_strings(path, text);
    if (!s.parameters[j].dimension.empty()) f.set_attr(path, "units", s.parameters[j].dimension);
    columns += "," + t.parameters[j];
  }
  f.write_strings("/table/status", t.status);
  columns += ",status";
  for (std::size_t k = 0; k < t.outcomes.size(); ++k) {
    std::vector<double> col;
    for (const auto& row : t.results) col.push_back(row[k]);
    const std::string path = "/table/" + t.outcomes[k];
    f.write<double>(path, col, {col.size()});
    f.set_attr(path, "units", outcome_units(t.outcomes[k].substr(0, t.outcomes[k].find('.'))));
    columns += "," + t.outcomes[k];
  }
  f.set_attr("/table", "columns", columns);
}

/// Writes /cases/case_NNNN: an external link to the root of each case file that exists (relative to
/// study.h5).
void write_links(H5File& f, const std::filesystem::path& study, const StudyTable& t) {
  f.create_groups("/cases");
  for (int c : t.cases) {
    const std::filesystem::path file = case_file(study, c);
    if (!std::filesystem::exists(file)) continue;
    const std::string target = std::filesystem::relative(file, study).string();
    const std::string link = "/cases/" + file.stem().string();
    if (H5Lcreate_external(target.c_str(), "/", f.id(), link.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
      f.fail(link, "cannot create the external link to " + target);
  }
}

}  // namespace

std::string_view to_string(CaseStatus status) {
  switch (status) {
    case CaseStatus::missing:
      return "missing";
    case CaseStatus::interrupted:
      return "interrupted";
    case CaseStatus::failed:
      return "failed";
    case CaseStatus::completed:
      return "completed";
  }
  return "?";
}

std::filesystem::path case_file(const std::filesystem::path& study, int index) {
  char name[32];
  std::snprintf(name, sizeof name, "case_%04d.h5", index);
  return study / "cases" / name;
}

CaseStatus case_status(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    return std::filesystem::exists(partial_results_path(file), ec) ? CaseStatus::interrupted
                                                                   : CaseStatus::missing;
  try {
    const H5File f = H5File::open_read(file);
    const std::string status = meta(f, "status");
    if (status == "completed" && f.is_dataset(kValues)) return CaseStatus::completed;
    if (status == "failed") return CaseStatus::failed;
  } catch (const std::exception&) {  // truncated by a kill: restarted
  }
  return CaseStatus::interrupted;
}

const Model& ModelCache::get(const ModelSpec& spec) {
  std::string key = spec.resolution + "|" + spec.mesh_file + "|" + std::to_string(spec.mesh_length_scale);
  for (const auto& s : spec.fixed_sets) key += "|" + s;
  for (const auto& t : spec.tissue) key.append("|").append(t.field()).append("=").append(t.value);
  if (!model_ || key != key_) {
    model_ = std::make_unique<Model>(Model::from_spec(spec));
    key_ = key;
  }
  return *model_;
}

CaseRun run_case(const Sweep& sweep, int index, const std::filesystem::path& study, const RunContext& ctx,
                 ModelCache& models) {
  const auto start = std::chrono::steady_clock::now();
  CaseRun r;
  r.index = index;
  const std::filesystem::path file = case_file(study, index);
  std::filesystem::create_directories(file.parent_path());
  const SessionSpec spec = case_session(sweep, index);
  r.before = r.after = case_status(file);
  if (std::filesystem::exists(file)) check_same_case(file, spec.text);
  if (r.before == CaseStatus::completed || r.before == CaseStatus::failed) return r;
  r.ran = true;
  Simulation sim(models.get(spec.model), spec, ctx);
  sim.set_checkpoint_file(checkpoint_path(file));
  try {
    const RunSummary s = simulate(sim, file, r.resumed);
    std::error_code ec;
    std::filesystem::remove(checkpoint_path(file), ec);  // the run is complete
    record_outcomes(file, index, run_outcomes(s));
    r.after = CaseStatus::completed;
  } catch (const NumericalError& e) {
    r.after = CaseStatus::failed;
    r.message = e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

StudyTable study_table(const Sweep& sweep, const std::filesystem::path& study) {
  StudyTable t;
  for (const auto& p : sweep.parameters) {
    t.parameters.push_back(p.key);
    bool numeric = true;
    for (const auto& c : sweep.cases) numeric = numeric && std::isfinite(c.values[t.numeric.size()].si);
    t.numeric.push_back(numeric);
  }
  std::vector<std::vector<Outcome>> recorded;
  for (const auto& c : sweep.cases) {
    const std::filesystem::path file = case_file(study, c.index);
    const CaseStatus st = case_status(file);
    t.cases.push_back(c.index);
    t.status.emplace_back(to_string(st));
    t.values.push_back(c.values);
    recorded.push_back(st == CaseStatus::completed ? recorded_outcomes(file) : std::vector<Outcome>{});
  }
  t.outcomes = outcome_columns(sweep, recorded);
  for (const auto& row : recorded) {
    std::vector<Real> out(t.outcomes.size(), std::nan(""));
    for (const auto& o : row)
      if (auto it = std::find(t.outcomes.begin(), t.outcomes.end(), o.name); it != t.outcomes.end())
        out[static_cast<std::size_t>(it - t.outcomes.begin())] = o.value;
    t.results.push_back(std::move(out));
  }
  return t;
}

StudyTable write_study(const Sweep& sweep, const std::filesystem::path& study) {
  StudyTable t = study_table(sweep, study);
  const std::filesystem::path path = study / "study.h5", tmp = study / "study.h5.tmp";
  {
    H5File f = H5File::create(tmp, OpenMode::overwrite);
    f.create_groups("/meta");
    f.set_attr("/meta", "sweep", sweep.source);
    f.set_attr("/meta", "base", sweep.base.string());
    f.set_attr("/meta", "cases", static_cast<std::int64_t>(sweep.cases.size()));
    write_links(f, study, t);
    write_table(f, sweep, t);
    f.flush();
  }
  std::filesystem::rename(tmp, path);
  write_csv(t, study / "study.csv");
  return t;
}

}  // namespace tissue
