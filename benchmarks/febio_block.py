#!/usr/bin/env python3
"""The peer block (../shared/benchmarks/peer-block.md) in FEBio 4 and in libtissue, side by side in one run.

    python3 benchmarks/febio_block.py [--size 28x28x14] [--threads 2] [--febio febio4] [--rounds 1]
                                      [--solvers cholmod[,amg]] [--tissue-first] [--json FILE]
                                      [--build build] [--work DIR]

For each round: `tissue export-feb --peer-block SIZE` writes the problem as an FEBio 4 file (the one
description of the problem, libtissue/mechanics/peer_block.hpp), `febio4 -i block.feb -silent` solves it (with
FEBio's bandwidth optimisation, `optimize_bw`, on: its skyline solver needs it),
then `peer_block --size SIZE --threads N --production` (libtissue's production setting of the peer problem:
BFGS steps on factorisations kept across steps, RESULTS.md) solves the same problem, once per linear solver
named in --solvers (cholmod, the default, and amg: CG with BoomerAMG, peer_block's --linear-tolerance of
amg_tolerance below). Each program runs as a child process: its wall time, CPU time and peak memory (the child's
maximum resident set, from wait4) are measured the same way; a CPU time well below a single-threaded program's
wall time says it waited for a core (a loaded or paused machine). --tissue-first runs libtissue before FEBio in
each round (for a long FEBio run started last on an idle machine); --json writes every figure to FILE as it
is measured, so a run that outlives its terminal leaves its results. FEBio's results
come from its log files (bulge_ux.txt, top_reaction.txt at the last step), libtissue's from peer_block's
result line. Prints a table per round, the median of the rounds and the ratios.

FEBio is not part of libtissue: build it from its public source for the measurement (docs/febio-export.md,
"Side by side"). Without an FEBio binary (--febio or febio4 on PATH) the script runs libtissue only and says
so. Exit code 0 when the reaction force and the bulge agree within 0.5 % (or FEBio is absent), 1 otherwise.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peer_block_run import run_child, run_peer_block  # noqa: E402


def last_step_rows(path):
    """The data rows of the last '*Step' block of an FEBio node_data log file: {node id: [values]}."""
    rows, current = {}, None
    for line in pathlib.Path(path).read_text().splitlines():
        if line.startswith("*Step"):
            current = {}
            rows = current
        elif line.startswith("*") or not line.strip():
            continue
        elif current is not None:
            parts = [p for p in re.split(r"[,\s]+", line.strip()) if p]
            current[int(parts[0])] = [float(x) for x in parts[1:]]
    return rows


def run_febio(febio, tissue, size, work):
    work.mkdir(parents=True, exist_ok=True)
    feb = work / "block.feb"
    subprocess.run([tissue, "export-feb", "--peer-block", size, "-o", str(feb)], check=True, capture_output=True)
    # FEBio's skyline solver (what a build without MKL has) needs its bandwidth optimisation: without it the
    # 28 x 28 x 14 block factorises a profile of about 2,500 per row (45 s a step here instead of a few).
    text = feb.read_text()
    if "<optimize_bw>" not in text:
        feb.write_text(text.replace('<solver type="solid">', '<solver type="solid">\n      <optimize_bw>1</optimize_bw>', 1))
    for f in ("bulge_ux.txt", "top_reaction.txt"):
        (work / f).unlink(missing_ok=True)
    (work / "block.log").unlink(missing_ok=True)
    wall, rss, out, cpu = run_child([febio, "-i", feb.name, "-silent"], cwd=work)
    log = (work / "block.log").read_text(errors="replace") if (work / "block.log").is_file() else out
    if "NORMALTERMINATION" not in log.replace(" ", ""):
        raise RuntimeError(f"FEBio did not terminate normally:\n{log[-3000:]}")
    bulge = last_step_rows(work / "bulge_ux.txt")
    reaction = last_step_rows(work / "top_reaction.txt")
    its = re.findall(r"Total number of equilibrium iterations\s*\.*\s*:\s*(\d+)", log)
    return {
        "wall": wall,
        "cpu": cpu,
        "rss": rss,
        "Rz": sum(v[2] for v in reaction.values()),
        "bulge_mm": next(iter(bulge.values()))[0],
        "iterations": int(its[-1]) if its else -1,
    }


# CG's relative tolerance per solve for peer_block --solver amg: the Newton steps are on a stale operator anyway,
# and Newton's own residual test decides the answer (28 block: 197 Newton iterations at 1e-10, 194 at 1e-3; RESULTS.md).
AMG_TOLERANCE = 1e-3


def run_libtissue(peer_block, size, threads, solver="cholmod"):
    extra = ["--solver", solver] + (["--linear-tolerance", AMG_TOLERANCE] if solver == "amg" else [])
    r = run_peer_block(peer_block, "--size", size, "--threads", threads, "--production", *extra)
    return {
        "solver": solver,
        "wall": r["process_s"],
        "cpu": r["process_cpu_s"],
        "rss": r["process_rss"],
        "Rz": r["Rz_N"],
        "bulge_mm": 1e3 * r["bulge_m"],
        "iterations": r["newton"],
        "factorizations": r["factorizations"],
        "command": r["command"],
    }


def report(label, r):
    """One line of a measured run."""
    tail = (f"{r['iterations']} Newton iterations, {r['factorizations']} factorisations" if "factorizations" in r
            else f"{r['iterations']} iterations")
    print(f"{label:22} {r['wall']:8.1f} s wall {r['cpu']:8.1f} s CPU {r['rss'] / 2**30:6.2f} GB  Rz {r['Rz']:.4f} N  "
          f"bulge {r['bulge_mm']:.4f} mm  {tail}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="28x28x14")
    ap.add_argument("--threads", type=int, default=2, help="libtissue threads")
    ap.add_argument("--febio", default=shutil.which("febio4"), help="the FEBio 4 binary (default: febio4 on PATH)")
    ap.add_argument("--rounds", type=int, default=1, help="alternating rounds (FEBio, then libtissue)")
    ap.add_argument("--solvers", default="cholmod", help="libtissue's linear solvers, comma-separated (cholmod, amg)")
    ap.add_argument("--tissue-first", action="store_true", help="run libtissue before FEBio in each round")
    ap.add_argument("--json", help="write the figures to this file after every run")
    ap.add_argument("--build", default=os.environ.get("TISSUE_BUILD_DIR", str(REPO / "build")))
    ap.add_argument("--work", default="/tmp/febio_block", help="folder for FEBio's files")
    args = ap.parse_args()
    solvers = [x for x in args.solvers.split(",") if x]
    bad = [x for x in solvers if x not in ("cholmod", "amg")]
    if bad or not solvers:
        ap.error(f"--solvers: expected cholmod and/or amg, got {args.solvers!r}")
    build = pathlib.Path(args.build)
    tissue, peer_block = str(build / "apps" / "tissue" / "tissue"), str(build / "benchmarks" / "peer_block")
    if not args.febio:
        print("no FEBio binary (febio4 not on PATH, no --febio): libtissue only")
    febio_runs, tissue_runs = [], {x: [] for x in solvers}

    def save():
        if args.json:
            pathlib.Path(args.json).write_text(json.dumps(
                {"size": args.size, "threads": args.threads, "febio": febio_runs, "libtissue": tissue_runs}, indent=1))

    def febio_round(k):
        febio_runs.append(run_febio(args.febio, tissue, args.size, pathlib.Path(args.work) / args.size))
        report(f"round {k + 1}: FEBio", febio_runs[-1])
        save()

    def tissue_round(k):
        for solver in solvers:
            tissue_runs[solver].append(run_libtissue(peer_block, args.size, args.threads, solver))
            report(f"round {k + 1}: libtissue {solver}", tissue_runs[solver][-1])
            save()

    for k in range(args.rounds):
        if args.tissue_first:
            tissue_round(k)
        if args.febio:
            febio_round(k)
        if not args.tissue_first:
            tissue_round(k)
    print(f"\npeer block {args.size}, {args.rounds} round(s); libtissue: "
          + "; ".join(runs[-1]["command"] for runs in tissue_runs.values()))
    if not febio_runs:
        for solver, runs in tissue_runs.items():
            print(f"libtissue {solver}: median wall {statistics.median(r['wall'] for r in runs):.1f} s, "
                  f"peak memory {max(r['rss'] for r in runs) / 2**30:.2f} GB")
        return 0
    fw = statistics.median(r["wall"] for r in febio_runs)
    fm = max(r["rss"] for r in febio_runs)
    f = febio_runs[-1]
    ok = True
    for solver, runs in tissue_runs.items():
        tw = statistics.median(r["wall"] for r in runs)
        tm = max(r["rss"] for r in runs)
        t = runs[-1]
        d_rz = abs(t["Rz"] - f["Rz"]) / abs(f["Rz"])
        d_bulge = abs(t["bulge_mm"] - f["bulge_mm"]) / abs(f["bulge_mm"])
        ok = ok and d_rz < 5e-3 and d_bulge < 5e-3
        print(f"\n{'':24} {'FEBio 4':>12} {'libtissue ' + solver:>18} {'ratio':>10}")
        print(f"{'median wall [s]':24} {fw:12.1f} {tw:18.1f} {fw / tw:9.2f}x")
        print(f"{'peak memory [GB]':24} {fm / 2**30:12.2f} {tm / 2**30:18.2f} {tm / fm:10.2f}")
        print(f"{'Rz top face [N]':24} {f['Rz']:12.4f} {t['Rz']:18.4f} {d_rz:10.2e}")
        print(f"{'bulge [mm]':24} {f['bulge_mm']:12.4f} {t['bulge_mm']:18.4f} {d_bulge:10.2e}")
    print("PASS: results agree within 0.5 %" if ok else "FAIL: results differ by more than 0.5 %")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
