"""Runs build/benchmarks/peer_block as a child process for the side-by-side scripts (febio_block.py,
mfem_block.py): wall time and peak memory measured the same way for every program, and peer_block's
machine-readable last line ("result: key=value ...") read into numbers."""

import os
import re
import subprocess
import time


def run_child(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, peak RSS bytes of the child from wait4, stdout + stderr, CPU seconds
    (user + system) of the child from wait4: beside the wall time it shows whether the child waited for a core)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited with {p.returncode}:\n{out[-3000:]}")
    return wall, usage.ru_maxrss * 1024, out, usage.ru_utime + usage.ru_stime


def run_peer_block(binary, *args):
    """peer_block with `args`: its result line (wall_s, solve_s, linear_s, peak_rss_bytes, newton,
    factorizations, equations, Rz_N, bulge_m) as numbers, plus the child's `process_s`, `process_rss`,
    `process_cpu_s` and the `command`."""
    cmd = [str(binary), *map(str, args)]
    wall, rss, out, cpu = run_child(cmd)
    line = next(l for l in out.splitlines() if l.startswith("result:"))
    r = {k: (int(v) if re.fullmatch(r"-?\d+", v) else float(v)) for k, v in re.findall(r"(\w+)=(\S+)", line)}
    r.update(process_s=wall, process_rss=rss, process_cpu_s=cpu, command=" ".join(cmd))
    return r
