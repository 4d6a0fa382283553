"""loraflow.run against the loraflow command: the same bytes, arrays of the right shapes, every digit kept, bad input
refused with the command's message, the GIL released, Ctrl-C and progress."""
import _thread
import json
import threading
import time

import numpy as np
import pytest

import loraflow
from conftest import EXAMPLES, cli, mask_wall

# The docs examples a user runs first (docs/examples/): a generated problem (gradient flow), a problem from files,
# GD, and the two-layer network. Each runs in well under a second in double.
EXAMPLE_FILES = ["fig1.toml", "files.toml", "gd.toml", "network_fig2.toml"]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_run_equals_cli_byte_for_byte(tmp_path, name):
    cfg = EXAMPLES / name
    cli("run", cfg, "--out", tmp_path / "cli", "--quiet", "--no-progress")
    r = loraflow.run(cfg, out=tmp_path / "py")
    assert r.ok, r.message
    assert (tmp_path / "py" / "trajectory.csv").read_bytes() == (tmp_path / "cli" / "trajectory.csv").read_bytes()
    # summary.json byte for byte, but for the one number that measures the machine (solver.wall_seconds).
    want = mask_wall((tmp_path / "cli" / "summary.json").read_text())
    assert mask_wall((tmp_path / "py" / "summary.json").read_text()) == want
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == ["summary.json", "trajectory.csv"]
    # In memory, without an output directory: the same texts as the files.
    r2 = loraflow.run(cfg)
    assert r2.trajectory_csv == (tmp_path / "cli" / "trajectory.csv").read_text()
    assert mask_wall(r2.summary_json + "\n") == want


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
    # A stopped run is data (docs/outputs.md): its directory is written, with its status.
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["solver"]["status"] == "stopped"

    # The same from inside a progress callback: the KeyboardInterrupt raised in its Python code stops the run.
    def slow(done, total, steps):
        time.sleep(0.01)

    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    r = loraflow.run(EXAMPLES / "fig1.toml", overrides=over, progress=slow)
    timer.join()
    assert r.status == "stopped" and "interrupted" in r.message


def test_progress_callback():
    seen = []
    over = ["solve.precision=long_double", "solve.rtol=1e-15", "solve.t_end=20", "observe.times=linspace:0:20:5"]
    r = loraflow.run(EXAMPLES / "fig1.toml", overrides=over, progress=lambda done, total, steps: seen.append((done, total, steps)))
    assert r.ok and seen
    assert all(total == 20 and steps > 0 for _, total, steps in seen)  # never before the first step
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


def test_objective_data_from_arrays_equals_the_same_from_npy_files(tmp_path):
    """The objectives' data as arrays (here the weighted objective's weights) run as the same data from a .npy file."""
    rng = np.random.default_rng(1)
    weights = rng.uniform(0.5, 2.0, size=(4, 4))
    np.save(tmp_path / "w.npy", weights)
    cfg = tmp_path / "weighted.toml"
    cfg.write_text(SMALL + '[objective]\nkind = "weighted"\nweights = "w.npy"\n')
    from_file = loraflow.run(cfg)
    from_array = loraflow.run(loraflow.Config(cfg).set({"objective.weights": weights}))
    assert from_file.ok and from_array.ok
    assert from_array.trajectory_csv == from_file.trajectory_csv
    assert from_array.summary["objective"] == from_file.summary["objective"]


def test_trajectory_is_a_dataframe_when_pandas_is_importable(monkeypatch):
    """pandas is optional (not installed by the set-up): a stand-in module shows which branch a user with it gets."""
    import sys
    import types

    fake = types.ModuleType("pandas")
    fake.DataFrame = lambda columns: ("DataFrame", columns)
    monkeypatch.setitem(sys.modules, "pandas", fake)
    r = loraflow.run(SMALL)
    kind, columns = r.trajectory
    assert kind == "DataFrame" and columns["t"].dtype == np.float64 and len(columns["t"]) == 9


def test_mpmath_and_decimal_inputs_keep_every_digit(tmp_path):
    """A state given as mpmath numbers at 60 digits, and as their exact decimal texts, is the same 50-digit run."""
    import decimal

    import mpmath

    data = EXAMPLES / "data"
    base = loraflow.Config(EXAMPLES / "files_init.toml").set("solve.t_end=1", "observe.times=linspace:0:1:3")
    with mpmath.workdps(60):
        third = mpmath.mpf(1) / 3
    ref = np.array([row.split() for row in (data / "A1.txt").read_text().splitlines()
                    if row.strip() and not row.startswith("#")], dtype=object)
    with mpmath.workdps(60):
        A1 = mpmath.matrix([[mpmath.mpf(x) * (1 + third / 10 ** 30) for x in row] for row in ref])
        texts = np.array([[loraflow._decimal_text(x) for x in row] for row in A1.tolist()], dtype=object)
    assert all(len(t.replace("-", "").replace(".", "").lstrip("0")) > 60 for t in texts.ravel() if t not in ("0",))
    r_mp = loraflow.run(base.set({"lora.A1": A1}))
    r_text = loraflow.run(base.set({"lora.A1": texts}))
    r_dec = loraflow.run(base.set({"lora.A1": np.array([[decimal.Decimal(t) for t in row] for row in texts], dtype=object)}))
    assert r_mp.trajectory_csv == r_text.trajectory_csv == r_dec.trajectory_csv
    # ... and not the run of the 1e-30-perturbed state's double rounding, nor of the unperturbed file.
    r_file = loraflow.run(base)
    assert r_file.trajectory_csv != r_mp.trajectory_csv
    assert r_mp.state_text["A1"][0, 0] != r_file.state_text["A1"][0, 0]
    # Every adapter from arrays through run: the same run as from the files.
    arrays = {f"lora.{k}": np.array([row.split() for row in (data / f"{k}.txt").read_text().splitlines()
                                     if row.strip() and not row.startswith("#")], dtype=object)
              for k in ("A1", "B1", "A2", "B2")}
    assert loraflow.run(base.set(arrays)).trajectory_csv == r_file.trajectory_csv
    with pytest.raises(loraflow.ConfigError, match=r"key 'lora.A1': .*not a finite number"):
        loraflow.run(base.set({"lora.A1": np.array([[mpmath.inf] * ref.shape[1]] * ref.shape[0], dtype=object)}))


def test_arrays_for_keys_that_are_not_files_are_lists():
    cfg = loraflow.Config({"problem": {"sigma": np.array([5.0, 3.0]), "pair": np.array([1, 2])},
                           "lora": {"alpha": "1e-4", "rank": np.int64(2)}})
    d = cfg.to_dict()
    assert d["problem"]["sigma"] == ["5", "3"] and d["problem"]["pair"] == [1, 2] and d["lora"]["rank"] == 2
    with pytest.raises(loraflow.ConfigError, match=r"unknown section 'nosuch'|nosuch"):
        loraflow.Config({"nosuch": {"a": 1}})
    with pytest.raises(loraflow.ConfigError, match="cannot open config file"):
        loraflow.Config("runs/alpha=1e-4.toml")  # a path with '=' in it is still a path


def test_ctrl_c_during_a_sweep_stops_it_and_the_same_call_resumes(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(SMALL)
    sweep = tmp_path / "s.sweep.toml"
    sweep.write_text('base = "base.toml"\nseeds = 6\n[[axis]]\nkey = "solve.precision"\nvalues = ["50"]\n'
                     '[[axis]]\nkey = "solve.rtol"\nvalues = ["1e-30"]\n')
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        loraflow.sweep(sweep, tmp_path / "out", jobs=2)
    timer.join()
    assert time.perf_counter() - t0 < 5
    done = [p for p in (tmp_path / "out" / "points").iterdir() if (p / "summary.json").exists()]
    assert len(done) < 6
    r = loraflow.sweep(sweep, tmp_path / "out", jobs=2)
    assert r["total"] == 6 and r["already_done"] == len(done) and r["ran"] == 6 - len(done) and r["errors"] == 0
