"""`cmake --install` puts a working package beside the interpreter's site packages, with the command and
loraflow-check in the prefix's bin/, which the installed package finds from its own place."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

BUILD = os.environ.get("LORAFLOW_BUILD_DIR")


@pytest.mark.skipif(not BUILD or not shutil.which("cmake"), reason="needs the build tree (ctest sets LORAFLOW_BUILD_DIR)")
def test_cmake_install_gives_a_working_package(tmp_path):
    prefix = tmp_path / "prefix"
    p = subprocess.run(["cmake", "--install", BUILD, "--prefix", str(prefix)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    site = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "dist-packages"
    assert (site / "loraflow" / "__init__.py").exists() and (prefix / "bin" / "loraflow").exists()
    code = ("import loraflow, loraflow._build as b, pathlib; "
            "print(pathlib.Path(b.BIN_DIR).resolve()); "
            "print(loraflow.run({'problem': {'m': 4, 'n': 4, 'h': 8}, 'lora': {'rank': 2, 'alpha': '1e-3'}}).status); "
            "print(loraflow.check(['lora-scale.gd-identities'])[0]['verdict'])")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LORAFLOW_BIN_DIR")}
    env["PYTHONPATH"] = str(site)
    q = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert q.returncode == 0, q.stderr
    bin_dir, status, verdict = q.stdout.split()
    assert pathlib.Path(bin_dir) == (prefix / "bin").resolve()
    assert status == "ok" and verdict in ("pass", "violation")
