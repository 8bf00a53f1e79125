// Running a sweep's cases into a study folder and collecting them: STUDY/cases/case_NNNN.h5 (one results
// file per case, resumed from its checkpoint after a kill, skipped once complete), STUDY/study.h5 (external
// links to every case and the table of parameters against outcomes) and STUDY/study.csv. docs/studies.md.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/progress.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/study/sweep.hpp"

namespace tissue {

/// State of a case in a study folder, read from its results file.
enum class CaseStatus {
  missing,      ///< no results file
  interrupted,  ///< a run was started (killed or interrupted): resumed from its checkpoint, else restarted
  failed,       ///< the run failed numerically (kept; delete the file to try again)
  completed     ///< the run completed and its outcomes are recorded
};
/// The status's name: "missing", "interrupted", "failed" or "completed".
std::string_view to_string(CaseStatus status);

/// The results file of case `index` in a study folder: STUDY/cases/case_NNNN.h5.
std::filesystem::path case_file(const std::filesystem::path& study, int index);
/// The status of a case results file (completed: meta status "completed" and /study/outcome_values written).
CaseStatus case_status(const std::filesystem::path& file);

/// What run_case did with one case.
struct CaseRun {
  int index = 0;                            ///< case number
  CaseStatus before = CaseStatus::missing;  ///< status found in the study folder
  CaseStatus after = CaseStatus::missing;   ///< status when it returned
  bool ran = false;                         ///< whether it computed (false: skipped, already done)
  bool resumed = false;                     ///< whether it continued from the case's checkpoint
  double seconds = 0;                       ///< wall time [s]
  std::string message;                      ///< why it failed ("" otherwise)
};

/// Builds the model of a case once and hands it out again while the cases ask for the same [model] and
/// [tissue] tables.
class ModelCache {
 public:
  /// The model of `spec`, built now unless the last one built was for the same spec.
  const Model& get(const ModelSpec& spec);

 private:
  std::string key_;
  std::unique_ptr<Model> model_;
};

/// Runs case `index` of `sweep` into `study` (created if needed): skips a completed or failed case, continues
/// an interrupted one from its checkpoint, else runs it afresh; then records its outcomes in the case file.
/// A case file written for another case text (the sweep or its base changed) is an InputError naming it.
/// NumericalError is caught (the case is "failed"); Cancelled propagates after the checkpoint is written.
CaseRun run_case(const Sweep& sweep, int index, const std::filesystem::path& study, const RunContext& ctx,
                 ModelCache& models);

/// The study's table: one row per case with its parameter values, status and outcomes.
struct StudyTable {
  std::vector<std::string> parameters;          ///< parameter keys (columns)
  std::vector<bool> numeric;                    ///< per parameter: SI numbers (else names such as "oil")
  std::vector<std::string> outcomes;            ///< outcome names (columns), in [outputs] order
  std::vector<int> cases;                       ///< case numbers (rows)
  std::vector<std::string> status;              ///< per row: the case's status
  std::vector<std::vector<SweepValue>> values;  ///< per row: one value per parameter
  std::vector<std::vector<Real>> results;       ///< per row: one value per outcome (NaN: not completed)
};

/// Reads the study table from the case files of `study` (outcomes chosen by the sweep's [outputs]).
StudyTable study_table(const Sweep& sweep, const std::filesystem::path& study);
/// Writes STUDY/study.h5 (an external link /cases/case_NNNN to each case file, /table with one dataset per
/// column) and STUDY/study.csv; returns the table.
StudyTable write_study(const Sweep& sweep, const std::filesystem::path& study);

}  // namespace tissue
