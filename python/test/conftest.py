"""Fixtures of the Python module's tests (python/test/, run by ctest as the test `python`, label python).

The package under test is the build's (PYTHONPATH=build/python, set by ctest); the loraflow command it is compared
with is the one the package was built with (loraflow._build.BIN_DIR, or LORAFLOW_BIN_DIR).
"""
import os
import pathlib
import re
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


def mask_wall(summary_text: str) -> str:
    """summary.json's text with the one number that measures the machine, not the run (solver.wall_seconds), masked."""
    masked, n = re.subn(r'"wall_seconds": [^,\n]+', '"wall_seconds": WALL', summary_text)
    assert n == 1, "summary.json has no wall_seconds to mask: update mask_wall"
    return masked
