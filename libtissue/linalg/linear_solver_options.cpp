#include "libtissue/linalg/linear_solver_options.hpp"

#include <array>
#include <cmath>
#include <utility>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

constexpr std::array<std::pair<std::string_view, LinearSolverKind>, 6> kKindNames = {{
    {"automatic", LinearSolverKind::automatic},
    {"cholmod", LinearSolverKind::cholmod},
    {"ldlt", LinearSolverKind::ldlt},
    {"lu", LinearSolverKind::lu},
    {"cg", LinearSolverKind::cg},
    {"amg", LinearSolverKind::amg},
}};

constexpr std::array<std::pair<std::string_view, CGPreconditioner>, 2> kPreconditionerNames = {{
    {"incomplete_cholesky", CGPreconditioner::incomplete_cholesky},
    {"jacobi", CGPreconditioner::jacobi},
}};

template <class Table>
auto parse_name(const Table& table, std::string_view name, const std::string& field) {
  std::string valid;
  for (const auto& [n, value] : table) {
    if (n == name) return value;
    valid += (valid.empty() ? "" : ", ") + std::string(n);
  }
  throw InputError(field, "unknown name '" + std::string(name) + "', valid names: " + valid);
}

template <class Table, class Value>
std::string name_of(const Table& table, Value value) {
  for (const auto& [n, v] : table)
    if (v == value) return std::string(n);
  return "unknown";
}

}  // namespace

void LinearSolverOptions::validate() const {
  require(direct_max_equations >= 0, "direct_max_equations",
          "must be non-negative, got " + std::to_string(direct_max_equations));
  require(std::isfinite(cg_tolerance) && cg_tolerance > 0 && cg_tolerance < 1, "cg_tolerance",
          "must lie in (0, 1), got " + std::to_string(cg_tolerance));
  require(cg_max_iterations >= 1, "cg_max_iterations",
          "must be at least 1, got " + std::to_string(cg_max_iterations));
}

LinearSolverKind parse_linear_solver_kind(std::string_view name) {
  return parse_name(kKindNames, name, "linear_solver");
}

std::string to_string(LinearSolverKind kind) {
  return name_of(kKindNames, kind);
}

CGPreconditioner parse_cg_preconditioner(std::string_view name) {
  return parse_name(kPreconditionerNames, name, "cg_preconditioner");
}

std::string to_string(CGPreconditioner p) {
  return name_of(kPreconditionerNames, p);
}

}  // namespace tissue
