// Python bindings of libtissue/io: results sinks (HDF5 writer, in-memory) and the results reader.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind_common.hpp"
#include "libtissue/io/checkpoint_file.hpp"
#include "libtissue/io/memory_sink.hpp"
#include "libtissue/io/results_reader.hpp"
#include "libtissue/io/results_sink.hpp"
#include "libtissue/io/results_writer.hpp"

namespace tissue::python {

namespace {
std::string fmt(double v) {
  return py::str(py::float_(v));
}
}  // namespace

void bind_io(py::module_& m) {
  py::enum_<FieldCenter>(m, "FieldCenter", "Where the values of a field live.")
      .value("node", FieldCenter::node, "one row per node")
      .value("cell", FieldCenter::cell, "one row per cell");

  py::class_<SeriesValue>(m, "SeriesValue", "One quantity of a time-series row (SI value with its unit).")
      .def(py::init([](std::string group, std::string name, double value, std::string units) {
             return SeriesValue{std::move(group), std::move(name), value, std::move(units)};
           }),
           py::arg("group"), py::arg("name"), py::arg("value"), py::arg("units"),
           "e.g. SeriesValue('erector_spinae_right', 'peak_pressure', 1200.0, 'Pa').")
      .def_readwrite("group", &SeriesValue::group, "Region name or 'session'.")
      .def_readwrite("name", &SeriesValue::name, "Quantity name.")
      .def_readwrite("value", &SeriesValue::value, "Value in SI units.")
      .def_readwrite("units", &SeriesValue::units, "Unit string, e.g. 'Pa'.")
      .def("__repr__", [](const SeriesValue& v) {
        return "SeriesValue('" + v.group + "', '" + v.name + "', " + fmt(v.value) + ", '" + v.units + "')";
      });

  py::class_<EventRecord>(m, "EventRecord",
                          "A technique (or other event) acting on a region over [t0, t1] [s].")
      .def(py::init(&from_kwargs<EventRecord>))
      .def_readwrite("name", &EventRecord::name, "Event name, e.g. 'static_compression'.")
      .def_readwrite("region", &EventRecord::region, "Target region name ('' if none).")
      .def_readwrite("side", &EventRecord::side, "Body side.")
      .def_readwrite("t0", &EventRecord::t0, "Start time [s].")
      .def_readwrite("t1", &EventRecord::t1, "End time [s].")
      .def("__repr__", [](const EventRecord& e) {
        return "EventRecord('" + e.name + "', '" + e.region + "', t0=" + fmt(e.t0) + ", t1=" + fmt(e.t1) +
               ")";
      });

  py::class_<SafetyFlag>(m, "SafetyFlag", "A quantity that crossed a safety threshold.")
      .def(py::init(&from_kwargs<SafetyFlag>))
      .def_readwrite("kind", &SafetyFlag::kind, "e.g. 'pressure_on_bone'.")
      .def_readwrite("region", &SafetyFlag::region, "Region name ('' if global).")
      .def_readwrite("time", &SafetyFlag::time, "Time when raised [s].")
      .def_readwrite("value", &SafetyFlag::value, "Offending value [units].")
      .def_readwrite("threshold", &SafetyFlag::threshold, "Threshold that was crossed [units].")
      .def_readwrite("units", &SafetyFlag::units, "Unit of value and threshold.")
      .def("__repr__", [](const SafetyFlag& f) {
        return "SafetyFlag('" + f.kind + "', '" + f.region + "', t=" + fmt(f.time) +
               ", value=" + fmt(f.value) + ", threshold=" + fmt(f.threshold) + " " + f.units + ")";
      });

  py::class_<ResultsSink>(m, "ResultsSink",
                          "Destination of recorded results (abstract): ResultsWriter (HDF5) or MemorySink.")
      .def("write_meta", &ResultsSink::write_meta, py::arg("key"), py::arg("value"),
           "Sets a string metadata entry.")
      .def("write_mesh", &ResultsSink::write_mesh, py::arg("mesh"),
           "Records the mesh (once, before any field).")
      .def("write_field", &ResultsSink::write_field, py::arg("name"), py::arg("time"), py::arg("center"),
           py::arg("values"), py::arg("units"),
           "Records a field snapshot at `time` [s]: values (rows = nodes or cells, cols = components; 1-D = "
           "1 column).")
      .def(
          "append_series",
          [](ResultsSink& s, double time, const std::vector<SeriesValue>& values) {
            s.append_series(time, values);
          },
          py::arg("time"), py::arg("values"),
          "Appends one time-series row (list of SeriesValue) at `time` [s].")
      .def(
          "append_events",
          [](ResultsSink& s, const std::vector<EventRecord>& events) { s.append_events(events); },
          py::arg("events"), "Appends rows (list of EventRecord) to the event table.")
      .def(
          "append_flags", [](ResultsSink& s, const std::vector<SafetyFlag>& flags) { s.append_flags(flags); },
          py::arg("flags"), "Appends safety flags (list of SafetyFlag).")
      .def("flush", &ResultsSink::flush, "Makes everything written so far durable.");

  py::enum_<OpenMode>(m, "OpenMode", "How ResultsWriter opens its file.")
      .value("create_new", OpenMode::create_new, "fail (InputError) if the file exists")
      .value("overwrite", OpenMode::overwrite, "replace the file and its .xdmf companion");

  py::class_<ResultsWriter, ResultsSink>(
      m, "ResultsWriter",
      "Writes a run to an HDF5 file with an XDMF companion for ParaView; every "
      "write is flushed. Usable as a context manager (closes on exit).")
      .def(py::init<std::filesystem::path, OpenMode>(), py::arg("path"),
           py::arg_v("mode", OpenMode::create_new, "OpenMode.create_new"),
           "Creates the file; create_new raises InputError if it exists, overwrite replaces it.")
      .def("close", &ResultsWriter::close, "Flushes and closes the file; later writes raise.")
      .def_property_readonly("path", &ResultsWriter::path, "The HDF5 file path.")
      .def_property_readonly("xdmf_path", &ResultsWriter::xdmf_path, "The XDMF companion path.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](ResultsWriter& w, py::args) { w.close(); });

  py::class_<StateArchive>(
      m, "Checkpoint",
      "A run's state at a macro-step boundary (read_checkpoint); Simulation.resume continues it.")
      .def_property_readonly(
          "time", [](const StateArchive& a) { return a.scalar("state.time"); },
          "Simulated time of the state [s].");
  m.def("checkpoint_path", &checkpoint_path, py::arg("results"),
        "The checkpoint file beside a results file: run.h5 -> run.checkpoint.h5.");
  m.def("read_checkpoint", &read_checkpoint, py::arg("path"),
        "Reads a checkpoint (InputError naming the file if it is missing or not a checkpoint).");
  m.def("reopen_results_at", &reopen_results_at, py::arg("path"), py::arg("time"),
        "Reopens a results file for a resumed run: what it holds up to `time` [s] is kept, the rest dropped; "
        "returns a ResultsWriter that appends.");

  py::class_<SeriesTable::Column>(m, "SeriesColumn", "One series column: group, name, units.")
      .def_readonly("group", &SeriesTable::Column::group, "Group (region or 'session').")
      .def_readonly("name", &SeriesTable::Column::name, "Quantity name.")
      .def_readonly("units", &SeriesTable::Column::units, "Units.")
      .def("__repr__", [](const SeriesTable::Column& c) {
        return "SeriesColumn('" + c.group + "', '" + c.name + "', '" + c.units + "')";
      });

  py::class_<MemorySink::Snapshot>(m, "Snapshot", "One recorded field snapshot of a MemorySink.")
      .def_readonly("name", &MemorySink::Snapshot::name, "Field name.")
      .def_readonly("step", &MemorySink::Snapshot::step, "Snapshot index.")
      .def_readonly("time", &MemorySink::Snapshot::time, "Time [s].")
      .def_readonly("center", &MemorySink::Snapshot::center, "Centring.")
      .def_readonly("values", &MemorySink::Snapshot::values,
                    "Values, float64 (rows, components), read-only view.")
      .def_readonly("units", &MemorySink::Snapshot::units, "Units.")
      .def("__repr__", [](const MemorySink::Snapshot& s) {
        return "Snapshot('" + s.name + "', step=" + std::to_string(s.step) + ", t=" + fmt(s.time) + ", " +
               std::to_string(s.values.rows()) + "x" + std::to_string(s.values.cols()) + " " + s.units + ")";
      });

  py::class_<MemorySink, ResultsSink>(
      m, "MemorySink",
      "ResultsSink that keeps everything in memory (tests, notebooks). Accessors "
      "return copies, so they stay valid while the sink grows.")
      .def(py::init<>())
      .def_property_readonly(
          "meta",
          [](const MemorySink& s) {
            py::dict d;
            for (const auto& [k, v] : s.meta()) d[py::str(k)] = v;
            return d;
          },
          "Metadata entries (dict).")
      .def_property_readonly(
          "mesh",
          [](py::object self) -> py::object {
            const auto& mesh = self.cast<const MemorySink&>().mesh();
            if (!mesh) return py::none();
            return py::cast(&*mesh, py::return_value_policy::reference_internal, self);
          },
          "The mesh, or None if not written.")
      .def_property_readonly("snapshots", &MemorySink::snapshots, "All snapshots in write order (copies).")
      .def(
          "find_field",
          [](const MemorySink& s, std::string_view name, int step) -> std::optional<MemorySink::Snapshot> {
            if (const auto* p = s.find_field(name, step)) return *p;
            return std::nullopt;
          },
          py::arg("name"), py::arg("step"), "The snapshot of a field at a snapshot index (a copy), or None.")
      .def_property_readonly(
          "field_times", [](const MemorySink& s) { return copy_array(s.field_times()); },
          "Snapshot times [s].")
      .def_property_readonly(
          "series_time", [](const MemorySink& s) { return copy_array(s.series_time()); },
          "Series row times [s].")
      .def_property_readonly("series_columns", &MemorySink::series_columns,
                             "Series columns (group, name, units) in order of first appearance.")
      .def(
          "series",
          [](const MemorySink& s, std::string_view group, std::string_view name) {
            return copy_array(s.series(group, name));
          },
          py::arg("group"), py::arg("name"),
          "Values of one series (NaN where absent); InputError if unknown.")
      .def_property_readonly("events", &MemorySink::events, "Recorded events (copies).")
      .def_property_readonly("flags", &MemorySink::flags, "Recorded safety flags (copies).")
      .def("flush_count", &MemorySink::flush_count, "Number of flush() calls.");

  py::class_<SeriesData>(m, "SeriesData", "One time series read back: values [units] per /series/time row.")
      .def_property_readonly(
          "values",
          [](py::object self) {
            const auto& s = self.cast<const SeriesData&>();
            return readonly_view(s.values.data(), static_cast<py::ssize_t>(s.values.size()), 0, self);
          },
          "Values, float64 (T,), NaN where not recorded.")
      .def_readonly("units", &SeriesData::units, "Unit string.")
      .def("__len__", [](const SeriesData& s) { return s.values.size(); })
      .def("__repr__", [](const SeriesData& s) {
        return "SeriesData(" + std::to_string(s.values.size()) + " values, '" + s.units + "')";
      });

  py::class_<FieldData>(m, "FieldData", "One field snapshot read back.")
      .def_readonly("name", &FieldData::name, "Field name.")
      .def_readonly("step", &FieldData::step, "Snapshot index.")
      .def_readonly("time", &FieldData::time, "Time [s].")
      .def_readonly("center", &FieldData::center, "Centring.")
      .def_readonly("units", &FieldData::units, "Units.")
      .def_readonly("values", &FieldData::values, "Values, float64 (rows, components), read-only view.")
      .def("__repr__", [](const FieldData& s) {
        return "FieldData('" + s.name + "', step=" + std::to_string(s.step) + ", t=" + fmt(s.time) + ", " +
               std::to_string(s.values.rows()) + "x" + std::to_string(s.values.cols()) + " " + s.units + ")";
      });

  py::class_<ResultsReader>(m, "ResultsReader",
                            "Read-only access to a results file written by ResultsWriter (also while a run "
                            "is still writing it). Accessors raise InputError naming the file and object.")
      .def(py::init<const std::filesystem::path&>(), py::arg("path"),
           "Opens the file; InputError if missing.")
      .def_property_readonly("path", &ResultsReader::path, "The file path.")
      .def("meta", py::overload_cast<>(&ResultsReader::meta, py::const_),
           "All /meta attributes as strings (dict).")
      .def("meta", py::overload_cast<std::string_view>(&ResultsReader::meta, py::const_), py::arg("key"),
           "One /meta attribute as a string.")
      .def("series_groups", &ResultsReader::series_groups,
           "Series groups (regions, 'session') in write order.")
      .def("series_names", &ResultsReader::series_names, py::arg("group"),
           "Quantity names of a series group.")
      .def(
          "series_time", [](const ResultsReader& r) { return to_array(r.series_time()); },
          "Row times [s] (T,).")
      .def("series", &ResultsReader::series, py::arg("group"), py::arg("name"), "One series with its units.")
      .def("has_mesh", &ResultsReader::has_mesh, "True if the file holds a mesh.")
      .def("mesh", &ResultsReader::mesh, "The mesh: nodes, cells, regions, node and facet sets, fibres.")
      .def(
          "field_times", [](const ResultsReader& r) { return to_array(r.field_times()); },
          "Snapshot times [s].")
      .def("field_names", &ResultsReader::field_names, "Names of the recorded fields.")
      .def("field_steps", &ResultsReader::field_steps, py::arg("name"),
           "Snapshot indices at which a field was written.")
      .def("field", &ResultsReader::field, py::arg("name"), py::arg("step"), "One field snapshot.")
      .def("events", &ResultsReader::events, "The event table (list of EventRecord).")
      .def("flags", &ResultsReader::flags, "The safety flags (list of SafetyFlag).");
}

}  // namespace tissue::python
