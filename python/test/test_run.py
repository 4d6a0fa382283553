"""loraflow.run against the loraflow command: the same bytes, arrays of the right shapes, every digit kept, bad input
refused with the command's message, the GIL released, Ctrl-C and progress."""
import _thread
import json
import threading
import time

import numpy as np
import pytest

import loraflow
from conftest import EXAMPLES, cli, strip_wall

# The docs examples a user runs first (docs/examples/): a generated problem (gradient flow), a problem from files,
# GD, and the two-layer network. Each runs in well under a second in double.
EXAMPLE_FILES = ["fig1.toml", "files.toml", "gd.toml", "network_fig2.toml"]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_run_equals_cli_byte_for_byte(tmp_path, name):
    cfg = EXAMPLES / name
    cli("run", cfg, "--out", tmp_path / "cli", "--quiet", "--no-progress")
    r = loraflow.run(cfg, out=tmp_path / "py")
    assert r.ok, r.message
    for f in ("trajectory.csv",):
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes()
    want = json.loads((tmp_path / "cli" / "summary.json").read_text())
    got = json.loads((tmp_path / "py" / "summary.json").read_text())
    assert strip_wall(got) == strip_wall(want)
    # In memory, without an output directory: the same text as the file.
    r2 = loraflow.run(cfg)
    assert r2.trajectory_csv == (tmp_path / "cli" / "trajectory.csv").read_text()
    assert strip_wall(r2.summary) == strip_wall(want)


def test_arrays_shapes_and_dtypes():
    r = loraflow.run(EXAMPLES / "fig1.toml")
    cols = r.trajectory
    assert list(cols.keys())[0] == "t"
    for name in ("t", "loss", "misalign"):
        assert cols[name].dtype == np.float64 and cols[name].shape == (501,)
    assert cols["t"][0] == 0.0 and cols["t"][-1] == 5.0
    # fig1.toml: m = n = 10, h = 100, rank 4, both adapters
    assert {k: v.shape for k, v in r.state.items()} == {"A1": (4, 10), "B1": (100, 4), "A2": (4, 100), "B2": (10, 4)}
    assert all(v.dtype == np.float64 for v in r.state.values())
    assert r.state_text["A1"].shape == (4, 10)
    assert r.summary["solver"]["status"] == "ok"


# A small problem of the Xu et al. generator (m = n = 4, h = 8, rank 2) to T1 and past it: cheap in any precision.
SMALL = """[problem]
m = 4
n = 4
h = 8
[lora]
rank = 2
alpha = "1e-4"
[solve]
t_end = 4
[observe]
times = "linspace:0:4:9"
"""


def test_high_precision_keeps_every_digit(tmp_path):
    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL)
    over = ["solve.precision=50", "solve.rtol=1e-20"]
    cli("run", cfg, *sum((["--set", o] for o in over), []), "--out", tmp_path / "cli",
        "--quiet", "--no-progress", "--save-state")
    r = loraflow.run(cfg, overrides=over)
    lines = (tmp_path / "cli" / "trajectory.csv").read_text().splitlines()
    header = lines[0].split(",")
    loss_col = [ln.split(",")[header.index("loss")] for ln in lines[1:]]
    assert r.exact("loss") == loss_col
    assert len(loss_col[-1].replace("-", "").split("e")[0].replace(".", "")) >= 45  # a 50-digit number, not a double
    mp = r.exact("loss", kind="mpf")
    import mpmath

    with mpmath.workdps(60):
        assert [mpmath.nstr(x, 50) for x in mp] == [mpmath.nstr(mpmath.mpf(t), 50) for t in loss_col]
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert r.exact("events.T1") == summary["events"]["T1"]
    assert r.exact("at.T1.misalign") == summary["at"]["T1"]["misalign"]
    # The final state with every digit: the CLI's state/A1.txt, entry by entry.
    text = [row.split() for row in (tmp_path / "cli" / "state" / "A1.txt").read_text().splitlines() if row.strip()]
    assert r.state_text["A1"].tolist() == text
    assert r.summary["precision"]["type"] == "50" and r.digits == 50


def test_bad_input_raises_the_cli_message_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((EXAMPLES / "fig1.toml").read_text().replace('alpha = "1e-4"', 'alpha = "-1e-4"'))
    p = cli("run", bad, "--out", tmp_path / "cli", "--no-progress", check=False)
    assert p.returncode == 2 and p.stderr.startswith("loraflow: ")
    with pytest.raises(loraflow.ConfigError) as e:
        loraflow.run(bad, out=tmp_path / "py")
    assert "loraflow: " + str(e.value) + "\n" == p.stderr
    assert not (tmp_path / "py").exists() and not (tmp_path / "cli").exists()
    assert list(tmp_path.iterdir()) == [bad]  # no staging directory either
    with pytest.raises(loraflow.ConfigError, match=r"<dict>: unknown key 'solve.no_such_key'"):
        loraflow.Config({"solve": {"no_such_key": 1}})
    with pytest.raises(loraflow.ConfigError, match="cannot open config file"):
        loraflow.Config(tmp_path / "missing.toml")


def test_config_from_dict_toml_file_and_overrides(tmp_path):
    from_file = loraflow.Config(EXAMPLES / "fig1.toml")
    from_text = loraflow.Config((EXAMPLES / "fig1.toml").read_text())
    d = {"problem": {"kind": "xu2025", "m": 10, "n": 10, "h": 100, "sigma": 5, "scale": "1.05", "pair": "top", "seed": 0},
         "lora": {"rank": 4, "adapters": ["W1", "W2"], "init": "small", "alpha": "1e-4", "seed": 0},
         "solve": {"method": "dopri5", "precision": "double", "rtol": "1e-12", "t_end": 5},
         "observe": {"times": "linspace:0:5:501"}}
    assert loraflow.Config(d).to_dict() == from_file.to_dict() == from_text.to_dict()
    assert loraflow.Config({"lora.alpha": "1e-4", "solve.t_end": 5}).to_dict()["lora"]["alpha"] == "1e-4"
    changed = from_file.set("lora.alpha=1e-6", {"solve.rtol": "1e-13"})
    # An unquoted TOML float keeps its shortest round-trip decimal (docs/config.md), a string every digit.
    assert float(changed.to_dict()["lora"]["alpha"]) == 1e-6 and changed.to_dict()["solve"]["rtol"] == "1e-13"
    assert from_file.to_dict()["lora"]["alpha"] == "1e-4"  # set() returns a new Config


def test_problem_and_state_from_numpy_arrays(tmp_path):
    """files.toml's problem and initial adapters given as arrays (float64 and decimal strings): the CLI's run."""
    data = EXAMPLES / "data"
    text = {k: np.array([row.split() for row in (data / f"{k}.txt").read_text().splitlines()
                         if row.strip() and not row.startswith("#")], dtype=object) for k in ("W1", "W2", "dY")}
    cfg = loraflow.Config(EXAMPLES / "files.toml")
    want = cli("run", EXAMPLES / "files.toml", "--out", tmp_path / "cli", "--quiet", "--no-progress")
    assert want.returncode == 0
    csv_cli = (tmp_path / "cli" / "trajectory.csv").read_text()
    as_floats = {f"problem.{k}": v.astype(np.float64) for k, v in text.items()}
    assert loraflow.run(cfg.set(as_floats)).trajectory_csv == csv_cli
    as_text = {f"problem.{k}": v for k, v in text.items()}
    r = loraflow.run(cfg.set(as_text))
    assert r.trajectory_csv == csv_cli
    assert r.summary["config"]["problem"]["W1"] == "array:problem.W1"
    with pytest.raises(loraflow.ConfigError, match=r"array:problem.dY: shape 3x2; expected 3x3 .*key 'problem.dY'"):
        loraflow.run(cfg.set({"problem.dY": text["dY"][:, :-1].astype(np.float64)}))  # a column short
    with pytest.raises(loraflow.ConfigError, match=r"entry \(0,0\) is not finite"):
        bad = text["W1"].astype(np.float64)
        bad[0, 0] = np.nan
        loraflow.run(cfg.set({"problem.W1": bad}))


def test_gil_is_released_during_a_run():
    # About a second of integration (fig1 in long double at a tight tolerance).
    over = ["solve.precision=long_double", "solve.rtol=1e-15", "solve.t_end=20", "observe.times=linspace:0:20:5"]
    ticks = []
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    th = threading.Thread(target=counter)
    t0 = time.perf_counter()
    th.start()
    r = loraflow.run(EXAMPLES / "fig1.toml", overrides=over)
    t1 = time.perf_counter()
    stop.set()
    th.join()
    assert r.ok
    assert t1 - t0 > 0.3, "the run is too short to show anything; lengthen it"
    during = [t for t in ticks if t0 < t < t1]
    # A held GIL would let the counter run only at the 50 ms hand-overs: at most (t1 - t0) / 0.05 ticks.
    assert len(during) > 2 * (t1 - t0) / 0.05, (len(during), t1 - t0)


def test_ctrl_c_stops_the_run_with_status_stopped(tmp_path):
    over = ["solve.precision=50", "solve.rtol=1e-40", "solve.t_end=40", "observe.times=linspace:0:40:5"]
    timer = threading.Timer(0.5, _thread.interrupt_main)  # what a Ctrl-C does to the main thread
    t0 = time.perf_counter()
    timer.start()
    r = loraflow.run(EXAMPLES / "fig1.toml", out=tmp_path / "out", overrides=over)
    elapsed = time.perf_counter() - t0
    timer.join()
    assert r.status == "stopped" and not r.ok
    assert "interrupted" in r.message
    assert elapsed < 10
    assert r.summary["solver"]["status"] == "stopped"


def test_progress_callback():
    seen = []
    over = ["solve.rtol=1e-14", "solve.t_end=40", "observe.times=linspace:0:40:5"]
    r = loraflow.run(EXAMPLES / "fig1.toml", overrides=over, progress=lambda done, total, steps: seen.append((done, total, steps)))
    assert r.ok and seen
    assert all(total == 40 for _, total, _ in seen)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)

    def boom(done, total, steps):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        loraflow.run(EXAMPLES / "fig1.toml", overrides=over, progress=boom)


def test_certify(tmp_path):
    over = ["solve.rtol=1e-12", "solve.frame=natural"]
    r = loraflow.run(SMALL, out=tmp_path / "out", certify=True, overrides=over)
    assert r.ok and r.certified is not None
    assert json.loads((tmp_path / "out" / "certify.json").read_text()) == r.certified
    numbers = {n["name"]: n["digits"] for n in r.certified["numbers"]}
    assert numbers["events.T1"] >= 8  # rtol 1e-12 in double against the reference
    assert r.certified["reference"]["precision"] != "double"
