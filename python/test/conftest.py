"""Fixtures of the Python module's tests (python/test/, run by ctest as the test `python`, label python).

The package under test is the build's (PYTHONPATH=build/python, set by ctest); the loraflow command it is compared
with is the one the package was built with (loraflow._build.BIN_DIR, or LORAFLOW_BIN_DIR).
"""
import os
import pathlib
import subprocess

import pytest

import loraflow
from loraflow import _build

SRC = pathlib.Path(os.environ.get("LORAFLOW_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BIN = pathlib.Path(os.environ.get("LORAFLOW_BIN_DIR", _build.BIN_DIR))
EXAMPLES = SRC / "docs" / "examples"
# The environment of a child Python (the docs' shell example, the notebook): this package first on its path.
CHILD_ENV = dict(os.environ, PYTHONPATH=str(pathlib.Path(loraflow.__file__).resolve().parent.parent), MPLBACKEND="Agg")


@pytest.fixture
def src():
    return SRC


@pytest.fixture
def examples():
    return EXAMPLES


def cli(*args, cwd=None, check=True):
    """Runs the loraflow command; returns the CompletedProcess (text)."""
    p = subprocess.run([str(BIN / "loraflow"), *map(str, args)], capture_output=True, text=True, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"loraflow {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
    return p


@pytest.fixture
def run_cli():
    return cli


def strip_wall(summary: dict) -> dict:
    """summary.json without the numbers that measure the machine rather than the run (solver.wall_s and the like)."""
    out = {}
    for k, v in summary.items():
        if isinstance(v, dict):
            out[k] = strip_wall(v)
        elif "wall" not in k:
            out[k] = v
    return out
