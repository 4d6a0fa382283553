#!/usr/bin/python3
"""bench/python_overhead.py: what calling loraflow.run from Python costs over the loraflow command (issue 17).

The Fig. 1 problem as docs/examples/fig1.toml writes it (Xu et al., AISTATS 2025: m = n = 10, h = 100, r = 4,
alpha = 1e-4, dopri5 in double at rtol 1e-12, 501 observations with every metric), run REPS times each way,
alternating, in one script:

- the command: the whole `loraflow run docs/examples/fig1.toml --out DIR --quiet --no-progress` process (start,
  config, run, writing trajectory.csv and summary.json), timed around subprocess.run;
- Python: `loraflow.run("docs/examples/fig1.toml", out=DIR)` in this process (the module imported once before),
  the same config, run and files (checked: the same bytes, but for summary.json's wall time); and the same call followed by reading the trajectory as numpy arrays
  (Result.trajectory, parsed from the CSV text on first use).

Reports medians and the ratios (target of issue 17: the Python call within 5 % of the command). Never a ctest test:
timings are not pass/fail (docs/performance.md records the runs).

Usage: PYTHONPATH=build/python bench/python_overhead.py [BUILD_DIR]   (environment: REPS, default 15)
"""
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build")
    sys.path.insert(0, str(build / "python"))
    import loraflow

    reps = int(os.environ.get("REPS", "15"))
    cfg = ROOT / "docs" / "examples" / "fig1.toml"
    cli = build / "bin" / "loraflow"
    times = {"command": [], "python": [], "python + arrays": []}
    with tempfile.TemporaryDirectory() as tmp:
        loraflow.run(cfg)  # warm: the first call pays for page faults of the library's code
        subprocess.run([cli, "run", cfg, "--out", f"{tmp}/warm", "--quiet", "--no-progress"], check=True)
        for i in range(reps):
            t0 = time.perf_counter()
            subprocess.run([cli, "run", cfg, "--out", f"{tmp}/cli{i}", "--quiet", "--no-progress"], check=True)
            times["command"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = loraflow.run(cfg, out=f"{tmp}/py{i}")
            times["python"].append(time.perf_counter() - t0)
            assert r.ok
            t0 = time.perf_counter()
            r = loraflow.run(cfg, out=f"{tmp}/pya{i}")
            _ = r.trajectory["loss"]
            times["python + arrays"].append(time.perf_counter() - t0)
            for name in ("trajectory.csv", "summary.json"):  # the same bytes (but for summary.json's wall time)
                a, b = ((pathlib.Path(tmp) / d / name).read_text() for d in (f"py{i}", f"cli{i}"))
                if re.sub(r'"wall_seconds": [^,\n]+', "", a) != re.sub(r'"wall_seconds": [^,\n]+', "", b):
                    raise SystemExit(f"the two runs' {name} differ: not a timing of the same computation")
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {loraflow.__version__}")
    print(f"config: {cfg.relative_to(ROOT)}; medians of {reps}, alternating\n")
    base = statistics.median(times["command"])
    print("| way | median wall s | runs (s) | / command |\n|---|---:|---|---:|")
    for k, v in times.items():
        med = statistics.median(v)
        print(f"| {k} | {med:.4f} | {', '.join(f'{x:.4f}' for x in v)} | {med / base:.3f} |")


if __name__ == "__main__":
    main()
