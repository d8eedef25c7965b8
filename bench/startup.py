"""Command-line start-up benchmark: cold starts of the commonest commands beside ``python -c pass``.

Each command runs as a fresh process (as a user or a script runs it), several times in turn, and
the wall time of each run is kept; the baseline, an interpreter that does nothing, runs in the
same rounds so that machine load touches both alike. Printed: the median and range of each, and
the median minus the baseline's. ``--explain`` adds the slowest imports of each command
(``python -X importtime``).

The product's own modules are compiled first (``compileall``, as pip does when it installs a
copy): an editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile them
from source in every run, which no installed copy does. ``--no-compile`` removes their compiled
files first and measures that case.

Usage: ``.venv/bin/python bench/startup.py [--runs N] [--explain] [--no-compile]``. The last
line is machine-readable.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
APP = "from ketamine_cds.entrypoints.cli.app import main; main()"
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    # The floor under every dose command: typer, pydantic's models (as typer's option parsing
    # and the protocol schema load them) and PyYAML, nothing else. pint is not among them: the
    # dose path reads its units without it (docs/adr/0140).
    "libraries": [
        sys.executable,
        "-c",
        "import typer, yaml; from pydantic import BaseModel, TypeAdapter",
    ],
    "--help": [sys.executable, "-c", APP, "--help"],
    "plan": [
        sys.executable,
        "-c",
        APP,
        "plan",
        "--protocol",
        "cancer-continuous",
        "--weight-kg",
        "70",
    ],
    "check": [
        sys.executable,
        "-c",
        APP,
        "check",
        "--protocol",
        "cancer-continuous",
        "--weight-kg",
        "70",
        "--rate-mg-per-h",
        "7",
    ],
    "pk models": [sys.executable, "-c", APP, "pk", "models"],
}


def run_once(argv: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode not in (0, 3):
        message = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"{' '.join(argv[3:]) or argv}: exit {done.returncode} {message}")
    return elapsed


def slowest_imports(argv: list[str], count: int = 8) -> list[tuple[float, str]]:
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], capture_output=True, check=False
    )
    rows = []
    for line in done.stderr.decode(errors="replace").splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line.split("|"))
            if cumulative.isdigit():
                rows.append((int(cumulative) / 1e6, name))
    top = [r for r in rows if not r[1].startswith(" ")]
    return sorted(top, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-compile", action="store_true")
    args = parser.parse_args()
    spec = importlib.util.find_spec("ketamine_cds")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if args.no_compile:
            for cache in Path(folder).rglob("__pycache__"):
                shutil.rmtree(cache)
        else:
            compileall.compile_dir(folder, quiet=1)
    for argv in COMMANDS.values():  # warm the file system cache and the compiled-file caches
        run_once(argv)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            times[name].append(run_once(argv))
    base = statistics.median(times["python -c pass"])
    header = (
        f"python {sys.version.split()[0]}; {args.runs} runs of each, interleaved; "
        f"machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"product modules {'not ' if args.no_compile else ''}precompiled"
    )
    lines = [header]
    medians = {}
    for name, values in times.items():
        med = statistics.median(values)
        medians[name] = med
        extra = "" if name == "python -c pass" else f"; {med - base:.3f} s above the baseline"
        lines.append(
            f"{name:22s} median {med:.3f} s (range {min(values):.3f}-{max(values):.3f}){extra}"
        )
        if args.explain and name != "python -c pass":
            lines.extend(
                f"    {s:.3f} s  {module}" for s, module in slowest_imports(COMMANDS[name])
            )
    last = " ".join(
        f"{name.strip('-').replace(',', '').replace(' ', '_')}_s={medians[name]:.3f}"
        for name in COMMANDS
    ).replace("python_-c_pass_s", "python_pass_s")
    lines.append(last)
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup-latest.txt").write_text(text + "\n", encoding="utf-8")
    (RESULTS / "startup-latest.json").write_text(
        json.dumps({"runs": args.runs, "seconds": times, "medians": medians}, indent=2) + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
