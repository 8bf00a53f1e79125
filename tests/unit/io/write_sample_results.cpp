// write_sample_results OUT.h5: writes a small results file (two-cell hex mesh, two snapshots of
// displacement [node vector, m] and tone [cell scalar, 1], a few series rows, an event and a flag).
// Used by tests/python/test_results_file.py. Values: displacement = 0.1 * t * X, tone[c] = 1 - 0.1 t (c+1).
#include <cstdio>
#include <exception>
#include <vector>

#include "libtissue/io/results_writer.hpp"
#include "sample_mesh.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.h5\n", argv[0]);
    return 2;
  }
  try {
    using namespace tissue;
    const Mesh mesh = testing::two_hex_mesh();
    ResultsWriter out(argv[1], OpenMode::overwrite);
    out.write_meta("session", "# sample session\nduration = \"1 s\"\n");
    out.write_mesh(mesh);
    for (double t : {0.0, 0.5}) {
      const Eigen::MatrixXd u = 0.1 * t * mesh.nodes;
      Eigen::MatrixXd tone(2, 1);
      tone << 1 - 0.1 * t, 1 - 0.2 * t;
      out.write_field("displacement", t, FieldCenter::node, u, "m");
      out.write_field("tone", t, FieldCenter::cell, tone, "1");
    }
    for (int i = 0; i < 3; ++i) {
      const double t = 0.25 * i;
      std::vector<SeriesValue> row{{"erector_spinae_right", "tone", 1 - 0.1 * t, "1"},
                                   {"session", "work", 2.0 * t, "J"}};
      if (i == 2) row.push_back({"erector_spinae_right", "temperature_max", 310.5, "K"});
      out.append_series(t, row);
    }
    const EventRecord ev{"deep_stroking", "erector_spinae_right", Side::right, 0.0, 0.5};
    out.append_events(std::span<const EventRecord>(&ev, 1));
    const SafetyFlag flag{"temperature_above_limit", "erector_spinae_right", 0.5, 316.5, 316.15, "K"};
    out.append_flags(std::span<const SafetyFlag>(&flag, 1));
    out.close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_sample_results: %s\n", e.what());
    return 1;
  }
  return 0;
}
