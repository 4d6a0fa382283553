"""Every example of docs/python.md runs (in order, in one namespace, from a folder that looks like the repository
root), and so does the notebook docs/examples/python/quickstart.py."""
import re
import subprocess
import sys

from conftest import CHILD_ENV, SRC


def _repo_like(tmp_path):
    """A working folder with docs/ of the source tree: the examples' relative paths resolve, their outputs land here."""
    (tmp_path / "docs").symlink_to(SRC / "docs")
    return tmp_path


def test_python_md_examples_run(tmp_path, monkeypatch, capsys):
    text = (SRC / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6, "docs/python.md lost its examples"
    monkeypatch.chdir(_repo_like(tmp_path))
    namespace = {"__name__": "__docs__"}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"docs/python.md example {i + 1}", "exec"), namespace)
        except Exception as e:  # name the example that failed
            raise AssertionError(f"docs/python.md example {i + 1} failed: {e!r}\n{code}") from e
    out = capsys.readouterr().out
    assert "ok" in out and ("pass" in out or "violation" in out)
    assert "key 'solve.rtol': expected a number > 0" in out  # the ConfigError example printed its message


def test_readme_python_example_runs(tmp_path, monkeypatch):
    text = (SRC / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md lost its Python example"
    monkeypatch.chdir(_repo_like(tmp_path))
    for i, code in enumerate(blocks):
        exec(compile(code, f"README.md example {i + 1}", "exec"), {"__name__": "__readme__"})


def test_the_sh_example_runs(tmp_path):
    """The one-line set-up check of docs/python.md and the README."""
    text = (SRC / "docs" / "python.md").read_text()
    line = re.search(r"PYTHONPATH=build/python /usr/bin/python3 -c \"(.*)\"", text).group(1)
    p = subprocess.run([sys.executable, "-c", line], capture_output=True, text=True, cwd=_repo_like(tmp_path), env=CHILD_ENV)
    assert p.returncode == 0, p.stderr
    assert float(p.stdout) < 1e-10  # the final loss of a Fig. 1 run


def test_quickstart_notebook_runs(tmp_path):
    p = subprocess.run([sys.executable, str(SRC / "docs" / "examples" / "python" / "quickstart.py")], capture_output=True,
                       text=True, cwd=_repo_like(tmp_path), env=CHILD_ENV)
    assert p.returncode == 0, p.stderr
    png = tmp_path / "out" / "quickstart" / "fig1-loss.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "alpha = 1e-5: status {'ok'}" in p.stdout
    # The panel's content: T1 grows as alpha shrinks (Xu et al. 2025: T1 ~ log(1/alpha) / sigma-scale), so the means
    # printed for 1e-3, 1e-4, 1e-5 increase; and the deep run certifies T1 and misalign(T1) to at least 6 digits.
    t1 = [float(line.split("T1 = ")[1].split(" ")[0]) for line in p.stdout.splitlines() if line.startswith("alpha = ")]
    assert len(t1) == 3 and t1[0] < t1[1] < t1[2]
    certified = [int(line.split("(")[-1].split(" ")[0]) for line in p.stdout.splitlines() if "digits certified" in line]
    assert len(certified) == 2 and min(certified) >= 6
