// The standard outputs every Simulation attaches unless the session switches them off ([outputs]): the
// tone law with the resting tone of each muscle, elastography, the virtual myotonometer over each muscle,
// tone statistics and the safety monitor; and the per-muscle report of the run summary. See
// docs/sessions.md ([outputs], [patient]) and docs/results-format.md (series names).
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "libtissue/observe/elastography.hpp"
#include "libtissue/observe/myotonometer.hpp"
#include "libtissue/observe/safety_monitor.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/technique/protocol.hpp"
#include "libtissue/tone/tone_law.hpp"

namespace tissue {

struct SessionStep;

/// Tone and elasticity of one muscle at one instant (NaN where not measured).
struct MuscleState {
  static constexpr Real nan = std::numeric_limits<Real>::quiet_NaN();
  Real time = nan;                  ///< when it was taken [s]
  Real tone = nan;                  ///< volume-mean tone [-]
  Real shear_modulus = nan;         ///< elastography shear modulus along the fibres [Pa]
  Real shear_modulus_across = nan;  ///< elastography shear modulus across the fibres [Pa]
  Real shear_wave_speed = nan;      ///< shear-wave speed along the fibres [m/s]
  Real myoton_frequency = nan;      ///< myotonometer F [Hz]
  Real myoton_stiffness = nan;      ///< myotonometer S [N/m]
  Real myoton_decrement = nan;      ///< myotonometer D [-]
  Real temperature_mean = nan;      ///< volume-mean temperature [K]
};

/// One muscle before the session, right after its last technique and at the end of the recovery.
struct MuscleReport {
  std::string region;         ///< muscle region name
  Real resting_tone = 0;      ///< resting tone a_rest of the muscle [-]
  MuscleState before;         ///< at t = 0
  MuscleState after_session;  ///< at the end of the last technique (t = 0 if there is none)
  Real peak_temperature = 0;  ///< largest nodal temperature over the run [K]
  MuscleState end;            ///< at the end of the run (end of the follow-up)
};

/// Builds and owns the standard outputs of one run. Simulation attaches it in its constructor (through
/// add_observer and set_tone_update) unless session.outputs.standard is false.
class StandardOutputs {
 public:
  /// Checks the [outputs] and [patient] settings against the model (InputError naming file:line and
  /// field, e.g. "patient.hypertonic: unknown muscle 'x'") and prepares the observers.
  StandardOutputs(const Model& model, const SessionSpec& session, const Protocol& protocol);
  /// Before the first macro step: sets `tone` (#cells x n_qp) to the resting tone of each muscle (0
  /// elsewhere).
  void set_resting_tone(const SessionStep& step, VectorX& tone);
  /// At t = 0 (after the resting tone is balanced): records the baseline temperature of the tone law,
  /// takes the first readings and appends the t = 0 series.
  void begin(const SessionStep& step, std::vector<SeriesValue>& series, std::vector<SafetyFlag>& flags);
  /// How the stepper integrates tone (after begin()): the standard law, the resting tone and the shift that
  /// measures each point's warmth from its own temperature at t = 0 (mapped onto the law's base); nullptr
  /// when outputs.tone is off (tone held at the resting tone). `law` replaces the standard law if given.
  const ToneCoupling* tone_coupling(const ToneLaw* law = nullptr);
  /// The observers after a macro step: safety every step, elastography and tone statistics on series rows,
  /// the myotonometer on its schedule (held in between).
  void observe(const SessionStep& step, std::vector<SeriesValue>& series, std::vector<SafetyFlag>& flags);
  /// Per-muscle report so far (muscle regions in region order).
  const std::vector<MuscleReport>& report() const { return report_; }
  /// Whether the tone law is integrated (outputs.tone).
  bool integrates_tone() const { return spec_.tone; }
  /// The resting tone per quadrature point (#cells x n_qp).
  const VectorX& resting_tone() const { return rest_; }
  /// The myotonometer sites (one per measured muscle, named by the muscle).
  const std::vector<MyotonSite>& myoton_sites() const { return sites_; }
  /// End time of the last technique [s] (0 without techniques).
  Real session_end() const { return t_after_; }
  /// Writes what the outputs carry from step to step (readings held, report, safety dose) under "outputs.*".
  void save(StateArchive& a) const;
  /// Reads what save() wrote (after begin(), which sets what does not change).
  void load(const StateArchive& a);

 private:
  void take(const SessionStep& step, bool record, bool myoton, std::vector<SeriesValue>& series,
            std::vector<SafetyFlag>& flags);
  const Model& model_;
  OutputSpec spec_;
  RestingTone resting_;
  std::unique_ptr<ToneLaw> law_;
  Elastography elastography_;
  std::unique_ptr<Myotonometer> myoton_;
  SafetyOptions safety_options_;
  std::unique_ptr<SafetyMonitor> safety_;
  std::vector<MyotonSite> sites_;
  std::vector<int> site_region_;     // region id of each site
  std::vector<MyotonReading> held_;  // latest reading per site
  VectorX rest_, T_shift_;  // per quadrature point: resting tone, temperature shift of the tone stimulus
  ToneCoupling coupling_;
  Real t_after_ = 0, t_end_ = 0, next_myoton_ = 0;
  std::vector<MuscleReport> report_;
  std::vector<int> report_region_;
};

}  // namespace tissue
