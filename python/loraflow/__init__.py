"""loraflow from Python: LoRA training dynamics at high and arbitrary precision (docs/python.md).

A thin layer over the C++ library, exactly as the `loraflow` command is: a config is validated by the same code
(bad input raises ConfigError with the command's one-line message), a run is the same run (its trajectory.csv and
summary.json are the same bytes), sweeps and tables go through the same runner, and checks run the same
loraflow-check program. What this file adds is the Python side: configs from dicts and numpy arrays, results as
numpy arrays (or a pandas DataFrame), every digit as strings or mpmath numbers on request.

    import loraflow
    r = loraflow.run({"lora": {"alpha": "1e-6"}, "solve": {"t_end": 5}})
    r.status, r.summary["events"]["T1"], r.trajectory["loss"][-1]
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import pathlib
import subprocess
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core
from ._build import BIN_DIR as _BUILD_BIN_DIR

__all__ = ["Config", "ConfigError", "Result", "FieldResult", "run", "field", "check", "sweep", "table", "__version__"]

#: Raised for bad input (a config key, an array, a file): the message is the one line `loraflow` prints.
ConfigError = _core.ConfigError
#: "loraflow <version> (<git revision>)", as `loraflow --version` prints it.
__version__ = _core.version()

_MEMORY_PREFIX = _core.memory_path_prefix  # "array:": a file key's value naming an in-memory matrix
_FILE_KEYS = frozenset(_core.file_keys)     # the keys whose value is a file (run/config.hpp file_keys): matrices


def _bin(name: str) -> str:
    """The path of a loraflow program (the command, loraflow-check) this package was built with."""
    path = pathlib.Path(os.environ.get("LORAFLOW_BIN_DIR", _BUILD_BIN_DIR)) / name
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found; build it (tools/setup.sh) or set LORAFLOW_BIN_DIR to the folder holding {name}")
    return str(path)


# ---- configs -----------------------------------------------------------------------------------------------------

def _exact_decimal(num: int, den: int) -> str:
    """num / den exactly, den a power of two: the finite decimal expansion, every digit."""
    sign, num = ("-" if num < 0 else ""), abs(num)
    k = den.bit_length() - 1  # den = 2^k, so num / den = num 5^k / 10^k
    if den != 1 << k:
        raise ValueError(f"{num}/{den} is not a binary fraction")
    digits = str(num * 5 ** k).rjust(k + 1, "0")
    whole, frac = digits[: len(digits) - k], digits[len(digits) - k:].rstrip("0")
    return sign + whole + ("." + frac if frac else "")


def _decimal_text(x: Any) -> str:
    """A number as a decimal string that keeps every digit it has: the exact value of a binary number (mpmath.mpf,
    numpy's longdouble), the text of a decimal.Decimal or a str."""
    if isinstance(x, bytes):
        return x.decode()
    if isinstance(x, str):
        return x
    if type(x).__module__.startswith("mpmath"):
        sign, man, exp, _ = x._mpf_  # (-1)^sign man 2^exp, exactly
        if not man and exp:
            raise ValueError(f"{x} is not a finite number")
        num = -int(man) if sign else int(man)
        return _exact_decimal(num << exp, 1) if exp >= 0 else _exact_decimal(num, 1 << -exp)
    if isinstance(x, np.floating):
        if not np.isfinite(x):
            raise ValueError(f"{x} is not a finite number")
        return _exact_decimal(*x.as_integer_ratio())
    return str(x)  # decimal.Decimal: its own text


def _array_entry(source: str, key: str, value: Any):
    """An array for a file key as _core takes it: (rows, cols, float64 list | None, texts | None), column-major."""
    if type(value).__module__.startswith("mpmath"):  # an mpmath matrix: its entries with every digit
        value = np.array(value.tolist(), dtype=object)
    a = np.asarray(value)
    if a.ndim not in (1, 2) or a.size == 0:
        raise ConfigError(f"{source}: key '{key}': expected a non-empty 1-D or 2-D array, got shape {a.shape}")
    rows, cols = (a.shape[0], 1) if a.ndim == 1 else a.shape
    flat = a.ravel(order="F")  # column-major, as run/config.hpp memory_matrix stores it
    if a.dtype.kind in "iub" or (a.dtype.kind == "f" and a.dtype.itemsize <= 8):
        return (int(rows), int(cols), np.asarray(flat, dtype=np.float64).tolist(), None)  # exact in float64
    if a.dtype.kind in "fOUS":  # longdouble, decimal strings, mpmath.mpf, decimal.Decimal: every digit, as text
        try:
            return (int(rows), int(cols), None, [_decimal_text(x) for x in flat])
        except ValueError as e:
            raise ConfigError(f"{source}: key '{key}': {e}; expected finite numbers") from None
    raise ConfigError(f"{source}: key '{key}': expected an array of real numbers or decimal strings, got dtype {a.dtype}")


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) or (type(value).__name__ == "matrix" and type(value).__module__.startswith("mpmath"))


def _toml_value(source: str, key: str, value: Any, arrays: dict) -> str:
    """One value in TOML syntax. An array for a file key goes to `arrays` under the dotted key and becomes
    "array:KEY"; an array for any other key is a list (or a number, for a 0-d array)."""
    if _is_array(value):
        if key in _FILE_KEYS:
            arrays[key] = _array_entry(source, key, value)
            return json.dumps(_MEMORY_PREFIX + key)
        value = np.asarray(value.tolist() if not isinstance(value, np.ndarray) else value).tolist()
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and not (isinstance(value, np.floating) and value.dtype.itemsize > 8):
        x = float(value)
        return "nan" if x != x else ("inf" if x > 0 else "-inf") if x in (float("inf"), float("-inf")) else repr(x)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML basic-string escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(source, key, v, arrays) for v in value) + "]"
    if type(value).__module__.startswith("mpmath") or type(value).__name__ == "Decimal" or isinstance(value, np.floating):
        try:  # a decimal with every digit, as a string (docs/config.md: decimals)
            return json.dumps(_decimal_text(value))
        except ValueError as e:
            raise ConfigError(f"{source}: key '{key}': {e}; expected a finite number") from None
    raise ConfigError(f"{source}: key '{key}': cannot write a {type(value).__name__} as a config value")


def _dict_to_toml(d: Mapping[str, Any], arrays: dict) -> str:
    """{section: {key: value}} (or {"section.key": value}) as TOML text; the library's parser checks the names."""
    sections: Dict[str, Dict[str, Any]] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            sections.setdefault(str(k), {}).update(v)
        elif "." in str(k):
            sec, _, name = str(k).partition(".")
            sections.setdefault(sec, {})[name] = v
        else:
            raise ConfigError(f"<dict>: key '{k}': expected a section holding keys ({{'lora': {{'alpha': '1e-5'}}}}) or 'section.key'")
    lines = []
    for sec, keys in sections.items():
        lines.append(f"[{json.dumps(sec)}]")
        for name, v in keys.items():
            lines.append(f"{json.dumps(str(name))} = {_toml_value('<dict>', f'{sec}.{name}', v, arrays)}")
    return "\n".join(lines) + "\n"


def _override_text(source: str, o: Any, arrays: dict) -> List[str]:
    """--set style overrides: "section.key=value" strings, or a mapping {"section.key": value}."""
    if isinstance(o, str):
        return [o]
    if isinstance(o, Mapping):
        return [f"{k}={_toml_value(source, str(k), v, arrays)}" for k, v in o.items()]
    raise TypeError(f"override: expected 'section.key=value' or a dict, got {type(o).__name__}")


class Config:
    """A validated run configuration (the keys of docs/config.md), checked by the same code as `loraflow run`.

    Config(x) takes a dict ({"lora": {"alpha": "1e-6"}} or {"lora.alpha": "1e-6"}; numpy arrays for the file keys,
    e.g. problem.W1), a TOML file (a pathlib.Path, or a str without a newline that names a file, ends in .toml or has
    no '='), TOML text (any other str), or another Config. `overrides` are `--set` overrides ("lora.alpha=1e-8", or a
    dict {"lora.alpha": "1e-8"}, whose values may be arrays for file keys). Raises ConfigError with the command's
    message.
    """

    def __init__(self, source: Union["Config", Mapping[str, Any], str, os.PathLike], overrides: Iterable[Any] = ()):
        arrays: dict = {}
        if isinstance(source, Config):
            path, text, name, ov, arrays = source._path, source._text, source._source, list(source._overrides), dict(source._arrays)
        elif isinstance(source, Mapping):
            path, text, name, ov = None, _dict_to_toml(source, arrays), "<dict>", []
        elif isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source and
                                                 (os.path.exists(source) or source.endswith(".toml") or "=" not in source)):
            path, text, name, ov = os.fspath(source), None, os.fspath(source), []
        elif isinstance(source, str):
            path, text, name, ov = None, source, "<string>", []
        else:
            raise TypeError(f"Config: expected a dict, a TOML file path, TOML text or a Config, got {type(source).__name__}")
        for o in overrides:
            ov += _override_text(name, o, arrays)
        self._path, self._text, self._source, self._overrides, self._arrays = path, text, name, ov, arrays
        if path is not None:  # a file: read exactly as `loraflow run FILE --set ...` reads it
            self._c = _core.load_config(path, ov, arrays)
        else:  # text: relative paths are taken from the working directory
            self._c = _core.parse_config(text, name, os.getcwd(), ov, arrays)

    def set(self, *overrides: Any) -> "Config":
        """A new Config with `--set` overrides added ("section.key=value" strings or dicts)."""
        return Config(self, overrides)

    def to_dict(self) -> dict:
        """The resolved configuration (every default filled in), as summary.json's "config" block holds it."""
        return json.loads(self._c.json())

    @property
    def source(self) -> str:
        """What messages name: the file, "<dict>" or "<string>"."""
        return self._source

    def __repr__(self) -> str:
        return f"loraflow.Config({self._source!r}, overrides={self._overrides!r})"


# ---- runs --------------------------------------------------------------------------------------------------------

def _matrices(items, text: bool) -> Dict[str, np.ndarray]:
    out = {}
    for name, rows, cols, f64, texts in items:
        if text:
            out[name] = np.array(texts, dtype=object).reshape((rows, cols), order="F")
        else:
            out[name] = np.array(f64, dtype=np.float64).reshape((rows, cols), order="F")
    return out


def _mpf(texts, digits: int):
    import mpmath  # python3-mpmath (tools/setup.sh installs it)

    with mpmath.workdps(digits + 5):
        return [mpmath.mpf(t) for t in texts]


class Result:
    """What a run returns: status, summary.json, trajectory.csv as arrays, the final state, and every digit on request.

    status      "ok", or how the run ended early ("stopped" after a Ctrl-C, "step_underflow", "non_finite",
                "budget_exhausted", "diverged"): numerical failure is data, never an exception
    ok          status == "ok"
    message     why it ended early ("" when ok)
    summary     summary.json as a dict (numbers beyond double are decimal strings there, as in the file)
    human       the human summary `loraflow run` prints
    trajectory  trajectory.csv's columns as float64 arrays: a dict, or a pandas DataFrame when pandas is importable
    trajectory_text  the same columns as the decimal strings of the file, every digit of the working precision
    state       the final adapters (A1, B1, A2, B2; W1, W2 for a network) as float64 arrays
    state_text  the same with every digit (arrays of str)
    certified   with certify=True: certify.json as a dict (the digits of each number), else None
    """

    def __init__(self, d: dict):
        self.status: str = d["status"]
        self.message: str = d["message"]
        self.summary_json: str = d["summary_json"]
        self.summary: dict = json.loads(d["summary_json"])
        self.human: str = d["human"]
        self.trajectory_csv: str = d["trajectory_csv"]
        self._state = d["state"]
        self.certified: Optional[dict] = json.loads(d["certify_json"]) if "certify_json" in d else None
        self.certified_human: str = d.get("certify_human", "")

    # The arrays are made when first read (a caller that wants only the summary does not pay for them).
    @functools.cached_property
    def trajectory_text(self) -> Dict[str, List[str]]:
        rows = list(csv.reader(io.StringIO(self.trajectory_csv)))
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        return {h: [r[i] for r in body] for i, h in enumerate(header)}

    @functools.cached_property
    def trajectory(self):
        columns = {h: np.array(col, dtype=np.float64) for h, col in self.trajectory_text.items()}  # "nan", "inf" too
        try:
            import pandas  # optional: not a dependency

            return pandas.DataFrame(columns)
        except ImportError:
            return columns

    @functools.cached_property
    def state(self) -> Dict[str, np.ndarray]:
        return _matrices(self._state, text=False)

    @functools.cached_property
    def state_text(self) -> Dict[str, np.ndarray]:
        return _matrices(self._state, text=True)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def digits(self) -> int:
        """The working precision's decimal digits (summary's precision.digits10)."""
        return int(self.summary["precision"]["digits10"])

    def exact(self, name: str, kind: str = "str"):
        """Every digit of a trajectory column (a list) or of a summary number ("final.loss", "events.T1",
        "at.T1.misalign"): as the decimal strings loraflow wrote (kind="str") or as mpmath.mpf (kind="mpf")."""
        if name in self.trajectory_text:
            texts = self.trajectory_text[name]
        else:
            node: Any = self.summary
            for part in name.split("."):
                if not isinstance(node, dict) or part not in node:
                    raise KeyError(f"{name}: neither a trajectory column nor a summary number")
                node = node[part]
            if isinstance(node, (dict, list)):
                raise KeyError(f"{name}: a block of the summary, not a number")
            # A double run writes JSON numbers (repr: the shortest text that reads back the same); wider types write
            # decimal strings; NaN and inf are null.
            texts = [repr(node) if isinstance(node, (int, float)) else "nan" if node is None else str(node)]
        if kind == "str":
            return texts if name in self.trajectory_text else texts[0]
        if kind == "mpf":
            values = _mpf(texts, self.digits)
            return values if name in self.trajectory_text else values[0]
        raise ValueError(f"kind: expected 'str' or 'mpf', got {kind!r}")

    def __repr__(self) -> str:
        return f"<loraflow.Result status={self.status!r} rows={len(next(iter(self.trajectory_text.values()), []))}>"


def run(config: Union[Config, Mapping[str, Any], str, os.PathLike], out: Optional[Union[str, os.PathLike]] = None,
        certify: bool = False, progress: Union[None, bool, Callable[[float, float, int], None]] = None,
        save_state: bool = False, overrides: Iterable[Any] = ()) -> Result:
    """Runs a config as `loraflow run` does and returns its Result.

    out         a directory to write trajectory.csv, summary.json (and certify.json, state/) into, atomically, as
                `loraflow run --out` does; None writes nothing
    certify     also run the reference and count the certified digits (`--certify`): Result.certified
    progress    None or False: quiet; True: the command's progress line on stderr; a callable progress(done, total,
                steps), called about every 50 ms from the calling thread (done: t, or the iteration of a GD run)
    save_state  with out: also write state/ (`--save-state`); the final state is in Result.state either way
    overrides   `--set` overrides, as for Config
    The GIL is released while the run integrates; Ctrl-C stops it at its next step (status "stopped").
    """
    c = Config(config, overrides)
    cb = progress if callable(progress) else None
    d = _core.run(c._c, "" if out is None else os.fspath(out), bool(save_state), bool(certify), progress is True, cb)
    return Result(d)


class FieldResult:
    """The gradient flow's right-hand side at a state: field[name] = dX/dt = -dJ/dX for each adapter (or W1, W2).

    precision   the working type;  loss: J at the state (float), loss_text: every digit
    field, field_text   the right-hand side as float64 arrays / every digit;  state, state_text: the state itself
    A gradient-descent step of size eta is X + eta * field[X].
    """

    def __init__(self, d: dict):
        self.precision: str = d["precision"]
        self.loss_text: str = d["loss"]
        self.loss: float = float(d["loss"])
        self.field = _matrices(d["field"], text=False)
        self.field_text = _matrices(d["field"], text=True)
        self.state = _matrices(d["state"], text=False)
        self.state_text = _matrices(d["state"], text=True)

    def __repr__(self) -> str:
        return f"<loraflow.FieldResult precision={self.precision!r} loss={self.loss!r}>"


def field(config: Union[Config, Mapping[str, Any], str, os.PathLike], state: Optional[Mapping[str, Any]] = None,
          overrides: Iterable[Any] = ()) -> FieldResult:
    """The loss and the gradient flow's right-hand side of a config's model at a state, in the config's precision.

    state: the adapters {"A1": ..., "B1": ..., "A2": ..., "B2": ...} (numpy arrays, or arrays of decimal strings or
    mpmath numbers for every digit; the enabled adapters only), which replace the config's initialization
    (lora.init = "files"); for problem.kind = "network", the weights {"W1": ..., "W2": ...} of a problem given as
    problem.recipe = "files" (X, Y as arrays or files). None: the config's own initial state. overrides: `--set`
    overrides, as for Config. Raises ConfigError for bad input (a shape that does not match the problem, as a run).
    """
    c = Config(config, overrides)
    if state:
        problem = c.to_dict()["problem"]
        if problem["kind"] == "network":
            if problem.get("recipe") != "files":
                raise ConfigError(f"{c.source}: key 'problem.recipe': a network state (W1, W2) needs recipe = \"files\" "
                                  f"with X and Y given; got '{problem.get('recipe')}'")
            c = c.set({f"problem.{k}": v for k, v in state.items()})
        else:
            c = c.set({"lora.init": "files", **{f"lora.{k}": v for k, v in state.items()}})
    return FieldResult(_core.field(c._c))


# ---- checks, sweeps, tables --------------------------------------------------------------------------------------

def check(ids: Optional[Sequence[str]] = None, quick: bool = True, strict: bool = False,
          out: Optional[Union[str, os.PathLike]] = None, by: str = "row") -> List[dict]:
    """Runs the theorem checks (`loraflow check`: the program loraflow-check) and returns their verdicts as records.

    by="row" (default): one record per verdict row: claim, paper, location, title, claim_verdict, and the row's
    quantity, predicted, measured, margin, verdict (pass, fail, inconclusive, violation, report), rule, source_kind,
    source, explanation (a list that pandas.DataFrame takes as it is). by="claim": one record per claim, as
    `loraflow check --json` prints it (id, paper, location, title, verdict, wall_s, rows, notes, tables).
    ids: claim ids (None: every claim; `loraflow check --list --ids` lists them); quick: the quick versions CI runs;
    strict: an inconclusive claim counts as failed (--strict); out: also write check.json, check.md and the data CSVs.
    Raises ConfigError for an unknown id (the program's message).
    """
    if by not in ("row", "claim"):
        raise ValueError(f"by: expected 'row' or 'claim', got {by!r}")
    args = [_bin("loraflow-check"), *(ids or []), "--json", "--no-progress"]
    if quick:
        args.append("--quick")
    if strict:
        args.append("--strict")
    if out is not None:
        args += ["--out", os.fspath(out)]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode == 2:  # bad input: the program's one line, without its "loraflow: " prefix (as ConfigError has none)
        line = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "loraflow-check: bad arguments"
        raise ConfigError(line[len("loraflow: "):] if line.startswith("loraflow: ") else line)
    try:
        claims = json.loads(p.stdout)["claims"]
    except (json.JSONDecodeError, KeyError):
        raise RuntimeError(f"loraflow-check exited {p.returncode} without a report: {p.stderr.strip()}") from None
    if by == "claim":
        return claims
    return [{"claim": c["id"], "paper": c["paper"], "location": c["location"], "title": c["title"],
             "claim_verdict": c["verdict"], **row} for c in claims for row in c["rows"]]


def sweep(file: Union[str, os.PathLike], out: Union[str, os.PathLike], jobs: int = 0, progress: bool = False,
          table: bool = True, shard: Optional[str] = None) -> dict:
    """Runs the missing points of a sweep file (docs/sweep.md) into `out`, as `loraflow sweep FILE --out DIR`:
    each point is a `loraflow run` process; a killed sweep resumes with the same call; Ctrl-C stops it (the points
    in flight are killed) and raises KeyboardInterrupt. shard="K/N" runs only share K of N of the points (a job
    array's task; every share writes into the same `out`). Returns the counts (total, already_done, ran,
    numerical_failures, errors, error_messages, other_shards, claimed_elsewhere, missing, table_waits) and, with
    table, the table's under "table" (None while other shards or runners still owe points: table_waits)."""
    r = _core.sweep(os.fspath(file), os.fspath(out), int(jobs), bool(progress), _bin("loraflow"), shard or "")
    if table:  # as `loraflow sweep --table`: not while other shards or runners still owe points
        r["table"] = None if r["table_waits"] else _core.table(os.fspath(out))
    return r


def table(dir: Union[str, os.PathLike]) -> dict:
    """Writes a sweep directory's tables (table.md, .csv, .tex, .json, curves.csv), as `loraflow table DIR`, and
    returns groups, points, missing, failed and markdown (the text of table.md)."""
    return _core.table(os.fspath(dir))
