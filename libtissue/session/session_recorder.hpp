// Recording part of a session run: meta data, mesh and events once; per-region statistics of the state after
// every macro step (peaks into the run summary), /series rows and /fields snapshots on their schedules. One
// stress pass per macro step serves all of them.
#pragma once

#include <vector>

#include "libtissue/io/results_sink.hpp"
#include "libtissue/session/session_problems.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/technique/protocol.hpp"

namespace tissue {

struct RunSummary;

/// Writes the results of one run through a ResultsSink and keeps the summary's peaks.
class SessionRecorder {
 public:
  /// Borrows the problems, the session, the protocol and the sink.
  SessionRecorder(const SessionProblems& problems, const SessionSpec& session, const Protocol& protocol,
                  ResultsSink& sink);
  /// Meta data (version, session text), the mesh and the protocol's events.
  void write_header();
  /// The body at rest (resting tone balanced): displacements are recorded relative to it.
  void set_rest(const VectorX& u_rest) { u_rest_ = u_rest; }
  /// The rest state displacements are measured from (for StepSources::displacement_reference).
  const VectorX& rest() const noexcept { return u_rest_; }
  /// Whether time t (end of a macro step) gets a series row (`last`: the run's last step).
  bool row_due(Real t, bool last) const;
  /// Whether time t gets a field snapshot.
  bool fields_due(Real t, bool last) const;
  /// Region statistics of the state at t: peaks into `summary`; with `row`, one /series row with the region
  /// statistics, the run's running totals (from `summary`), the macro step's tool values (`sources`), the
  /// technique block and the observers' values `observed`. Returns the cell stresses (for fields).
  CellStress record(Real t, const CoupledState& s, const VectorX& perfusion, const StepSources& sources,
                    int block, bool row, const std::vector<SeriesValue>& observed, RunSummary& summary);
  /// One /fields snapshot at t (displacement from the rest state, temperature, stresses, perfusion, tone).
  void write_fields(Real t, const CoupledState& s, const CellStress& cs, const VectorX& perfusion);
  /// Writes the recording schedule (next row, next snapshot) under "recorder.*" (a checkpoint).
  void save(StateArchive& a) const;
  /// Reads what save() wrote.
  void load(const StateArchive& a);

 private:
  const SessionProblems& problems_;
  const SessionSpec& session_;
  const Protocol& protocol_;
  ResultsSink& sink_;
  std::vector<std::vector<Index>> region_nodes_;
  VectorX u_rest_;
  Real next_series_ = 0, next_field_ = 0, last_field_ = -1;
};

}  // namespace tissue
