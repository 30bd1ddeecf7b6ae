"""Whole-process timing shared by the benchmarks: commands run interleaved (A B A B …), medians, peak memory.

Each run is one fresh process under ``/usr/bin/time`` (GNU time, public): wall seconds, CPU seconds
(user + system, every thread) and the peak resident memory of the process. A ``setup`` callable runs
before each run and is not timed (e.g. deleting the store a fresh ingest writes). Ratios A/B are
taken pair by pair (A's run i against B's run i), so a change in the machine's speed during the
benchmark moves both sides of a pair alike; the median of those ratios is reported.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TIME = "/usr/bin/time"
THREADS = os.cpu_count() or 1
BIN = Path(sys.executable).parent / "bilateral"


@dataclass
class Case:
    """One command to time: a label, its argv, and what to do (untimed) before each run."""

    label: str
    argv: Sequence[str]
    setup: Callable[[], None] | None = None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    stdout_to: str = os.devnull  # where the command's output goes (a file: the cost of writing it is timed)


def run_once(case: Case) -> None:
    """One run of ``case`` in a fresh process; appends its wall, CPU and peak memory."""
    if case.setup is not None:
        case.setup()
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t, open(case.stdout_to, "wb") as out:
        proc = subprocess.run([TIME, "-o", t.name, "-f", "%e %U %S %M", *case.argv], stdout=out,
                              stderr=subprocess.PIPE, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{case.label}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
        wall, user, sys_s, kb = t.read().split()[-4:]
    case.wall.append(float(wall))
    case.cpu.append(float(user) + float(sys_s))
    case.peak_mb.append(float(kb) / 1024)


def interleave(cases: Sequence[Case], runs: int, warmup: int = 1) -> None:
    """``warmup`` untimed rounds, then ``runs`` rounds of every case in turn (A B C, A B C, …)."""
    for _ in range(warmup):
        for c in cases:
            run_once(c)
            c.wall.pop(), c.cpu.pop(), c.peak_mb.pop()
    for _ in range(runs):
        for c in cases:
            run_once(c)


def ratio(a: Case, b: Case, what: str = "wall") -> float:
    """Median of the paired ratios A/B of ``what`` (wall, cpu or peak_mb)."""
    xs, ys = getattr(a, what), getattr(b, what)
    return statistics.median(x / y for x, y in zip(xs, ys, strict=True))


def load() -> str:
    """The machine's load average (1, 5, 15 min) as text, to print beside the figures."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {THREADS} cores"


def table(cases: Sequence[Case]) -> str:
    """Markdown rows: label, wall median (min–max), CPU median, peak MiB median."""
    lines = ["| command | wall s, median (min–max) | CPU s, median | peak MiB, median |", "|---|---:|---:|---:|"]
    for c in cases:
        lines.append(f"| {c.label} | {statistics.median(c.wall):.2f} ({min(c.wall):.2f}–{max(c.wall):.2f}) | "
                     f"{statistics.median(c.cpu):.2f} | {statistics.median(c.peak_mb):,.0f} |")
    return "\n".join(lines)


def remove(*paths: Path) -> Callable[[], None]:
    """A setup that deletes ``paths`` (and a DuckDB file's ``.wal``) before a run."""
    def go() -> None:
        for p in paths:
            for q in (p, Path(f"{p}.wal")):
                q.unlink(missing_ok=True)
    return go


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a benchmark starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready_store(path: Path | None, folder: Path) -> Path:
    """A loaded store to serve: a copy of ``path``, or a new one in ``folder`` with the embedded release."""
    dst = folder / "serve.duckdb"
    if path is not None:
        shutil.copyfile(path, dst)
    else:
        subprocess.run([sys.executable, "-c", f"from bilateral.api import open_store; open_store({str(dst)!r}).close()"],
                       check=True)
    return dst
