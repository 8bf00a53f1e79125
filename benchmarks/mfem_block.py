#!/usr/bin/env python3
"""The elastic peer block (../shared/benchmarks/peer-block.md) in MFEM and in libtissue, side by side in one run.

    python3 benchmarks/mfem_block.py [--size 28x28x14] [--depth 0.005] [--threads 2] [--rtol 1e-10]
                                     [--peer-block build/benchmarks/peer_block]

The problem: the 40 x 40 x 20 mm block, plain hex8 with 2x2x2 Gauss points, bottom fixed, top face
ux = uy = 0, uz = -depth, elastic (E = 10 kPa, nu = 0.45). At a small depth (default 0.05 um, 2.5e-6 strain) the
compressible neo-Hookean law of the peer problem and linear elasticity with the same Lame constants give the
same answer to about the strain (relative), so both codes solve the same linear problem:

* MFEM (PyMFEM, `pip install mfem`, serial): H1 order-1 vector space on `Mesh.MakeCartesian3D`,
  `ElasticityIntegrator(lambda, mu)` (2x2x2 Gauss on hex8), `FormLinearSystem`, and the serial solver the
  package offers without SuiteSparse or hypre: preconditioned CG with a symmetric Gauss-Seidel smoother
  (`GSSmoother`, as MFEM's example 2), relative tolerance --rtol.
* libtissue: `peer_block --material elastic --steps 1 --depth ... --production` (its
  quasi-static Newton solver with CHOLMOD, the path of every libtissue run: two Newton iterations, one
  factorisation), started as a child process after MFEM has finished.

Prints the wall time of the set-up, assembly and solve of each, the peak memory of each process, the
reaction force on the top face and the lateral bulge ux(40, 20, 10) mm, and their relative differences.
Exit code 0 when both results agree within 0.01 %, 1 otherwise.
"""

import argparse
import os
import pathlib
import resource
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peer_block_run import run_peer_block  # noqa: E402
E, NU = 1.0e4, 0.45  # Pa, -
LX, LY, LZ = 0.040, 0.040, 0.020  # m


def lame():
    return E * NU / ((1 + NU) * (1 - 2 * NU)), E / (2 * (1 + NU))


def bdr_attribute(mesh, axis, value):
    """The boundary attribute of MakeCartesian3D's face at coordinate `value` along `axis` (found, not assumed)."""
    for b in range(mesh.GetNBE()):
        v = np.array([mesh.GetVertexArray(i) for i in mesh.GetBdrElementVertices(b)])
        if np.allclose(v[:, axis], value, atol=1e-12):
            return mesh.GetBdrAttribute(b)
    raise RuntimeError(f"no boundary face at x[{axis}] = {value}")


def run_mfem(nx, ny, nz, depth, rtol):
    import mfem.ser as mfem

    t0 = time.perf_counter()
    mesh = mfem.Mesh.MakeCartesian3D(nx, ny, nz, mfem.Element.HEXAHEDRON, LX, LY, LZ)
    fec = mfem.H1_FECollection(1, 3)
    fes = mfem.FiniteElementSpace(mesh, fec, 3, mfem.Ordering.byNODES)
    bottom, top = bdr_attribute(mesh, 2, 0.0), bdr_attribute(mesh, 2, LZ)
    nattr = mesh.bdr_attributes.Max()
    ess = mfem.intArray([1 if a in (bottom, top) else 0 for a in range(1, nattr + 1)])
    ess_tdof = mfem.intArray()
    fes.GetEssentialTrueDofs(ess, ess_tdof)
    top_only = mfem.intArray([1 if a == top else 0 for a in range(1, nattr + 1)])
    top_z = mfem.intArray()
    fes.GetEssentialTrueDofs(top_only, top_z, 2)
    # Prescribed values: zero everywhere, uz = -depth on the top face.
    x = mfem.GridFunction(fes)
    x.Assign(0.0)
    xv = x.GetDataArray()
    xv[np.array(top_z.ToList(), dtype=int)] = -depth
    lam, mu = lame()
    lam_c, mu_c = mfem.ConstantCoefficient(lam), mfem.ConstantCoefficient(mu)
    t1 = time.perf_counter()
    a = mfem.BilinearForm(fes)
    a.AddDomainIntegrator(mfem.ElasticityIntegrator(lam_c, mu_c))
    a.Assemble()
    b = mfem.LinearForm(fes)
    b.Assign(0.0)
    A, B, X = mfem.OperatorPtr(), mfem.Vector(), mfem.Vector()
    a.FormLinearSystem(ess_tdof, x, b, A, X, B)
    t2 = time.perf_counter()
    Amat = A.AsSparseMatrix()
    smoother = mfem.GSSmoother(Amat)
    cg = mfem.CGSolver()
    cg.SetRelTol(rtol)
    cg.SetAbsTol(0.0)
    cg.SetMaxIter(100000)
    cg.SetPrintLevel(0)
    cg.SetPreconditioner(smoother)
    cg.SetOperator(Amat)
    cg.Mult(B, X)
    t3 = time.perf_counter()
    a.RecoverFEMSolution(X, b, x)
    iterations, converged = cg.GetNumIterations(), cg.GetConverged()
    # Reaction on the top face: the internal force K u of the unconstrained operator at the top's z dofs.
    k = mfem.BilinearForm(fes)
    k.AddDomainIntegrator(mfem.ElasticityIntegrator(lam_c, mu_c))
    k.Assemble()
    k.Finalize()
    f = mfem.Vector(fes.GetVSize())
    k.SpMat().Mult(x, f)
    Rz = float(np.sum(f.GetDataArray()[np.array(top_z.ToList(), dtype=int)]))
    # Bulge: ux of the vertex at (40, 20, 10) mm (vertex dof v has x component v under byNODES).
    verts = np.array([mesh.GetVertexArray(i) for i in range(mesh.GetNV())])
    v = int(np.argmin(np.linalg.norm(verts - np.array([LX, LY / 2, LZ / 2]), axis=1)))
    bulge = float(x.GetDataArray()[fes.DofToVDof(v, 0)])
    return {
        "setup_s": t1 - t0,
        "assembly_s": t2 - t1,
        "solve_s": t3 - t2,
        "total_s": t3 - t0,
        "equations": Amat.Height() - ess_tdof.Size(),
        "iterations": iterations,
        "converged": bool(converged),
        "Rz": Rz,
        "bulge": bulge,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def run_libtissue(binary, size, depth, threads):
    r = run_peer_block(binary, "--size", size, "--material", "elastic", "--steps", 1, "--depth",
                       f"{1e3 * depth:.9g}", "--threads", threads, "--production")
    return {
        "total_s": r["wall_s"],
        "solve_s": r["solve_s"],
        "linear_s": r["linear_s"],
        "equations": r["equations"],
        "newton": r["newton"],
        "Rz": r["Rz_N"],
        "bulge": r["bulge_m"],
        "peak_rss": r["peak_rss_bytes"],
        "command": r["command"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="28x28x14")
    ap.add_argument("--depth", type=float, default=5e-8, help="top displacement [m] (default 5e-8)")
    ap.add_argument("--threads", type=int, default=2, help="libtissue threads (MFEM serial is one thread)")
    ap.add_argument("--rtol", type=float, default=1e-10, help="MFEM CG relative tolerance")
    ap.add_argument("--peer-block", default=str(pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build"))
                                                 / "benchmarks" / "peer_block"))
    args = ap.parse_args()
    nx, ny, nz = (int(s) for s in args.size.split("x"))
    m = run_mfem(nx, ny, nz, args.depth, args.rtol)
    t = run_libtissue(args.peer_block, args.size, args.depth, args.threads)
    lam, mu = lame()
    print(f"elastic peer block {args.size}, depth {1e6 * args.depth:.3g} um, E = {E:g} Pa, nu = {NU} "
          f"(lambda {lam:.1f} Pa, mu {mu:.1f} Pa), hex8 2x2x2 Gauss, {t['equations']} free equations")
    print(f"{'':30} {'MFEM (PyMFEM, serial)':>24} {'libtissue':>20}")
    print(f"{'set-up [s]':30} {m['setup_s']:24.3f} {t['total_s'] - t['solve_s']:20.3f}")
    print(f"{'assembly + solve [s]':30} {m['assembly_s'] + m['solve_s']:24.3f} {t['solve_s']:20.3f}")
    print(f"{'  assembly [s]':30} {m['assembly_s']:24.3f} {t['solve_s'] - t['linear_s']:20.3f}")
    print(f"{'  linear solver [s]':30} {m['solve_s']:24.3f} {t['linear_s']:20.3f}")
    print(f"{'total [s]':30} {m['total_s']:24.3f} {t['total_s']:20.3f}")
    print(f"{'solver':30} {'PCG + GSSmoother, ' + str(m['iterations']) + ' it':>24} "
          f"{'CHOLMOD, ' + str(t['newton']) + ' Newton it':>20}")
    print(f"{'threads':30} {1:24d} {args.threads:20d}")
    print(f"{'peak memory (process) [MiB]':30} {m['peak_rss'] / 2**20:24.0f} {t['peak_rss'] / 2**20:20.0f}")
    print(f"{'Rz top face [N]':30} {m['Rz']:24.9g} {t['Rz']:20.9g}")
    print(f"{'bulge ux(40,20,10) [um]':30} {1e6 * m['bulge']:24.6g} {1e6 * t['bulge']:20.6g}")
    d_rz = abs(t["Rz"] - m["Rz"]) / abs(m["Rz"])
    d_bulge = abs(t["bulge"] - m["bulge"]) / abs(m["bulge"])
    print(f"ratio MFEM / libtissue: total {m['total_s'] / t['total_s']:.2f}, assembly + solve "
          f"{(m['assembly_s'] + m['solve_s']) / t['solve_s']:.2f}; relative differences: Rz {d_rz:.2e}, "
          f"bulge {d_bulge:.2e}")
    print(f"libtissue command: {t['command']}")
    ok = m["converged"] and d_rz < 1e-4 and d_bulge < 1e-4
    print("PASS: the two codes agree within 0.01 %" if ok else "FAIL: the results differ by more than 0.01 %")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
