// Python bindings of libtissue/mesh: Mesh with NumPy views, regions, sets, generators, Gmsh reader.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind_common.hpp"
#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/mesh/lumbar_hip.hpp"
#include "libtissue/mesh/mesh.hpp"
#include "libtissue/mesh/msh_reader.hpp"

namespace tissue::python {

namespace {

/// A list of references into a vector member, each keeping `owner` alive.
template <class T>
py::list reference_list(const std::vector<T>& items, py::handle owner) {
  py::list out;
  for (const T& item : items) out.append(py::cast(&item, py::return_value_policy::reference_internal, owner));
  return out;
}

}  // namespace

void bind_mesh(py::module_& m) {
  py::enum_<CellType>(m, "CellType", "Cell shape (VTK/Gmsh node order).")
      .value("hex8", CellType::hex8, "8-node hexahedron")
      .value("tet4", CellType::tet4, "4-node tetrahedron");
  m.def("nodes_per_cell", &nodes_per_cell, py::arg("cell_type"), "Number of nodes of a cell type (8 or 4).");

  py::enum_<TissueKind>(m, "TissueKind", "What kind of tissue a region is made of.")
      .value("skin", TissueKind::skin)
      .value("fat", TissueKind::fat)
      .value("fascia", TissueKind::fascia)
      .value("muscle", TissueKind::muscle)
      .value("other", TissueKind::other);

  py::enum_<Side>(m, "Side", "Body side of a region (patient's left or right), or none.")
      .value("none", Side::none)
      .value("left", Side::left)
      .value("right", Side::right);

  py::class_<Region>(m, "Region", "One tagged region of the mesh (a tissue layer or a muscle).")
      .def(py::init([](std::string name, TissueKind kind, Side side) {
             return Region{std::move(name), kind, side};
           }),
           py::arg("name"), py::arg_v("kind", TissueKind::other, "TissueKind.other"),
           py::arg_v("side", Side::none, "Side.none"), "A region.")
      .def_readwrite("name", &Region::name, "Unique name, e.g. 'erector_spinae_right'.")
      .def_readwrite("kind", &Region::kind, "Tissue family.")
      .def_readwrite("side", &Region::side, "Body side.")
      .def("__repr__", [](const Region& r) {
        return "Region('" + r.name + "', " + std::string(to_string(r.kind)) + ", " +
               std::string(to_string(r.side)) + ")";
      });

  py::class_<RegionTable>(m, "RegionTable", "Region name <-> id table; ids are dense and 0-based.")
      .def(py::init<>())
      .def("add", &RegionTable::add, py::arg("region"),
           "Adds a region and returns its id; InputError on a duplicate.")
      .def("find", &RegionTable::find, py::arg("name"), "Id of a named region, or None.")
      .def("id", &RegionTable::id, py::arg("name"),
           "Id of a named region; InputError listing the known regions.")
      .def("__getitem__", &RegionTable::operator[], py::arg("id"),
           py::return_value_policy::reference_internal, "The region with this id.")
      .def("__len__", &RegionTable::size)
      .def(
          "__iter__", [](const RegionTable& t) { return py::make_iterator(t.all().begin(), t.all().end()); },
          py::keep_alive<0, 1>())
      .def("all", &RegionTable::all, "All regions in id order (copies).")
      .def_property_readonly(
          "names",
          [](const RegionTable& t) {
            std::vector<std::string> names;
            for (const auto& r : t.all()) names.push_back(r.name);
            return names;
          },
          "Region names in id order.");

  py::class_<NodeSet>(m, "NodeSet", "A named set of nodes (e.g. 'bone_vertebrae').")
      .def_readonly("name", &NodeSet::name, "Set name.")
      .def_property_readonly(
          "nodes",
          [](py::object self) {
            const auto& s = self.cast<const NodeSet&>();
            return readonly_view(s.nodes.data(), static_cast<py::ssize_t>(s.nodes.size()), 0, self);
          },
          "Sorted unique node ids, int32 (n,), read-only view.")
      .def("__len__", [](const NodeSet& s) { return s.nodes.size(); })
      .def("__repr__", [](const NodeSet& s) {
        return "NodeSet('" + s.name + "', " + std::to_string(s.nodes.size()) + " nodes)";
      });

  py::class_<FacetSet>(m, "FacetSet",
                       "A named set of boundary facets (e.g. 'skin'), oriented with outward normals.")
      .def_readonly("name", &FacetSet::name, "Set name.")
      .def_property_readonly(
          "nodes",
          [](py::object self) {
            const auto& s = self.cast<const FacetSet&>();
            return readonly_view(s.nodes.empty() ? nullptr : s.nodes.front().data(),
                                 static_cast<py::ssize_t>(s.nodes.size()), 4, self);
          },
          "Facet corner nodes, int32 (F, 4); triangles have -1 in the last column. Read-only view.")
      .def_property_readonly(
          "cell",
          [](py::object self) {
            const auto& s = self.cast<const FacetSet&>();
            return readonly_view(s.cell.data(), static_cast<py::ssize_t>(s.cell.size()), 0, self);
          },
          "Owning cell of each facet, int32 (F,). Read-only view.")
      .def("size", &FacetSet::size, "Number of facets.")
      .def("__len__", &FacetSet::size)
      .def("__repr__", [](const FacetSet& s) {
        return "FacetSet('" + s.name + "', " + std::to_string(s.size()) + " facets)";
      });

  py::class_<Mesh>(m, "Mesh",
                   "Unstructured mesh of one cell type, coordinates in metres.\n\n"
                   "Array properties are read-only NumPy views of the C++ memory that keep the mesh alive; "
                   "use numpy.array(mesh.nodes) for a copy.")
      .def(py::init<>())
      .def_readonly("cell_type", &Mesh::cell_type, "Shape of every cell.")
      .def_property_readonly(
          "nodes",
          [](py::object self) {
            const auto& s = self.cast<const Mesh&>();
            return readonly_view(s.nodes.data(), s.nodes.rows(), 3, self);
          },
          "Node coordinates [m], float64 (N, 3).")
      .def_property_readonly(
          "cells",
          [](py::object self) {
            const auto& s = self.cast<const Mesh&>();
            return readonly_view(s.cells.data(), s.cells.rows(), s.cells.cols(), self);
          },
          "Cell node ids, int32 (E, 8) for hex8 or (E, 4) for tet4.")
      .def_property_readonly(
          "region",
          [](py::object self) {
            const auto& s = self.cast<const Mesh&>();
            return readonly_view(s.region.data(), static_cast<py::ssize_t>(s.region.size()), 0, self);
          },
          "Region id of each cell, int32 (E,).")
      .def_property_readonly(
          "fibres",
          [](py::object self) {
            const auto& s = self.cast<const Mesh&>();
            return readonly_view(s.fibres.data(), s.fibres.rows(), 3, self);
          },
          "Unit fibre direction per cell, float64 (E, 3); zero rows have no fibres.")
      .def_readonly("regions", &Mesh::regions, "Region names and kinds (RegionTable).")
      .def_property_readonly(
          "node_sets",
          [](py::object self) { return reference_list(self.cast<const Mesh&>().node_sets, self); },
          "Named node sets (list of NodeSet; 'bone_*' are fixed to bone).")
      .def_property_readonly(
          "facet_sets",
          [](py::object self) { return reference_list(self.cast<const Mesh&>().facet_sets, self); },
          "Named facet sets (list of FacetSet; 'skin' is the skin surface).")
      .def("n_nodes", &Mesh::n_nodes, "Number of nodes.")
      .def("n_cells", &Mesh::n_cells, "Number of cells.")
      .def("cell_size", &Mesh::cell_size, "Nodes per cell (8 or 4).")
      .def("node_set", &Mesh::node_set, py::arg("name"), py::return_value_policy::reference_internal,
           "The named node set; InputError naming the known sets if absent.")
      .def("facet_set", &Mesh::facet_set, py::arg("name"), py::return_value_policy::reference_internal,
           "The named facet set; InputError naming the known sets if absent.")
      .def("find_node_set", &Mesh::find_node_set, py::arg("name"),
           py::return_value_policy::reference_internal, "The named node set, or None.")
      .def("find_facet_set", &Mesh::find_facet_set, py::arg("name"),
           py::return_value_policy::reference_internal, "The named facet set, or None.")
      .def(
          "cells_in_region",
          [](const Mesh& s, int region_id) { return to_array(s.cells_in_region(region_id)); },
          py::arg("region_id"), "Ids of the cells in a region, int32 (k,).")
      .def(
          "validate", &Mesh::validate,
          "Checks sizes, index ranges, region ids, unit fibres and element quality; InputError on a problem.")
      .def(
          "copy", [](const Mesh& s) { return Mesh(s); }, "A deep copy.")
      .def("__copy__", [](const Mesh& s) { return Mesh(s); })
      .def(
          "__deepcopy__", [](const Mesh& s, py::dict) { return Mesh(s); }, py::arg("memo"))
      .def("__repr__", [](const Mesh& s) {
        return "Mesh(" + std::string(s.cell_type == CellType::hex8 ? "hex8" : "tet4") + ", " +
               std::to_string(s.n_nodes()) + " nodes, " + std::to_string(s.n_cells()) + " cells, " +
               std::to_string(s.regions.size()) + " regions)";
      });

  py::class_<BoxMeshOptions>(m, "BoxMeshOptions",
                             "Options of make_box_mesh(): box [lo, hi] [m] with nx x ny x nz divisions.\n"
                             "Keyword arguments set the fields of the defaults, e.g. BoxMeshOptions(nx=4).")
      .def(py::init(&from_kwargs<BoxMeshOptions>))
      .def_readwrite("lo", &BoxMeshOptions::lo, "Lower corner [m].")
      .def_readwrite("hi", &BoxMeshOptions::hi, "Upper corner [m].")
      .def_readwrite("nx", &BoxMeshOptions::nx, "Divisions along x (>= 1).")
      .def_readwrite("ny", &BoxMeshOptions::ny, "Divisions along y (>= 1).")
      .def_readwrite("nz", &BoxMeshOptions::nz, "Divisions along z (>= 1).")
      .def_readwrite("cell_type", &BoxMeshOptions::cell_type, "hex8, or tet4 (6 tets per hex).")
      .def_readwrite("region", &BoxMeshOptions::region, "Name of the single region.")
      .def_readwrite("kind", &BoxMeshOptions::kind, "Tissue kind of the region.")
      .def_readwrite("side", &BoxMeshOptions::side, "Body side of the region.")
      .def_readwrite("fibre", &BoxMeshOptions::fibre, "Fibre direction of every cell (zero: none).");
  m.def("make_box_mesh", &make_box_mesh, py::arg("options"),
        "Builds a box mesh with one region and facet/node sets 'xmin' ... 'zmax'.");
  m.def(
      "make_box_mesh", [](const py::kwargs& kw) { return make_box_mesh(from_kwargs<BoxMeshOptions>(kw)); },
      "make_box_mesh(**fields of BoxMeshOptions), e.g. make_box_mesh(hi=(0.1, 0.1, 0.05), nx=4, ny=4, "
      "nz=2).");

  py::enum_<Resolution>(m, "Resolution",
                        "Mesh resolution of the default model ('coarse', 'default', 'fine').")
      .value("coarse", Resolution::coarse, "~1.5 cm in-plane, < 5,000 cells")
      .value("standard", Resolution::standard, "~0.5 cm in-plane, 30,000-60,000 cells ('default')")
      .value("fine", Resolution::fine, "~0.25 cm in-plane, > 200,000 cells");
  m.def("parse_resolution", &parse_resolution, py::arg("name"),
        "Parses 'coarse', 'default' (or 'standard') or 'fine'; InputError otherwise.");

  py::class_<LumbarHipDimensions>(
      m, "LumbarHipDimensions", "Geometry of the lumbar-hip block [m, rad]; see data/model/lumbar_hip.toml.")
      .def(py::init(&LumbarHipDimensions::defaults), "The built-in values.")
      .def_static("defaults", &LumbarHipDimensions::defaults, "The built-in values.")
      .def_static("from_file", &LumbarHipDimensions::from_file, py::arg("path"), "Reads a dimensions file.")
      .def_static("from_string", &LumbarHipDimensions::from_string, py::arg("toml_text"), py::arg("label"),
                  "Parses dimensions from TOML text.")
      .def_static(
          "default_toml", [] { return std::string(LumbarHipDimensions::default_toml()); },
          "The embedded TOML text of data/model/lumbar_hip.toml.")
      .def("validate", &LumbarHipDimensions::validate, "InputError naming the first bad field.")
      .def_readwrite("skin_thickness", &LumbarHipDimensions::skin_thickness, "Skin layer [m].")
      .def_readwrite("fat_thickness", &LumbarHipDimensions::fat_thickness, "Subcutaneous fat layer [m].")
      .def_readwrite("fascia_thickness", &LumbarHipDimensions::fascia_thickness, "Deep fascia layer [m].")
      .def_readwrite("muscle_thickness", &LumbarHipDimensions::muscle_thickness, "Muscle layer [m].")
      .def_readwrite("half_width", &LumbarHipDimensions::half_width,
                     "Block spans x in [-half_width, half_width] [m].")
      .def_readwrite("height", &LumbarHipDimensions::height, "Block spans y in [0, height] [m].");

  m.def("generate_lumbar_hip", &generate_lumbar_hip, py::arg("resolution"),
        py::arg_v("dims", LumbarHipDimensions::defaults(), "LumbarHipDimensions.defaults()"),
        "Generates the default lumbar-hip model mesh (skin, fat, fascia and eight muscle regions).");
  m.def(
      "generate_lumbar_hip",
      [](std::string_view resolution, const LumbarHipDimensions& dims) {
        return generate_lumbar_hip(parse_resolution(resolution), dims);
      },
      py::arg("resolution"),
      py::arg_v("dims", LumbarHipDimensions::defaults(), "LumbarHipDimensions.defaults()"),
      "generate_lumbar_hip('coarse' | 'default' | 'fine', dims).");

  py::class_<MshReadOptions>(m, "MshReadOptions",
                             "Options of read_msh(): length_scale (file units -> m), fibre of muscle cells.")
      .def(py::init(&from_kwargs<MshReadOptions>))
      .def_readwrite("length_scale", &MshReadOptions::length_scale,
                     "Factor from file units to metres (1e-3 for mm).")
      .def_readwrite("fibre", &MshReadOptions::fibre, "Fibre direction given to every muscle cell.");
  m.def("read_msh", &read_msh, py::arg("path"), py::arg_v("options", MshReadOptions{}, "MshReadOptions()"),
        "Reads a Gmsh .msh 4.1 file (ASCII or binary) with physical groups as regions and sets.");
  m.def("parse_msh", &parse_msh, py::arg("content"), py::arg("label"),
        py::arg_v("options", MshReadOptions{}, "MshReadOptions()"),
        "Parses .msh 4.1 content held in memory; `label` names the source in errors.");
}

}  // namespace tissue::python
