"""loraflow.check, loraflow.sweep and loraflow.table against the command."""
import json

import pytest

import loraflow
from conftest import EXAMPLES, cli

QUICK_CLAIM = "lora-scale.gd-identities"  # one of the quickest claims (well under a second)


def test_check_returns_the_commands_verdicts(tmp_path):
    claims = loraflow.check([QUICK_CLAIM], by="claim")
    assert [c["id"] for c in claims] == [QUICK_CLAIM]
    p = cli("check", QUICK_CLAIM, "--quick", "--json", "--no-progress")
    want = json.loads(p.stdout)["claims"]
    assert [(c["id"], c["verdict"], [r["verdict"] for r in c["rows"]]) for c in claims] == \
           [(c["id"], c["verdict"], [r["verdict"] for r in c["rows"]]) for c in want]
    assert claims[0]["verdict"] in ("pass", "violation") and claims[0]["rows"]
    # The default: one record per verdict row, with its claim's fields beside it.
    rows = loraflow.check([QUICK_CLAIM])
    assert len(rows) == len(want[0]["rows"])
    for r, w in zip(rows, want[0]["rows"]):
        assert r["claim"] == QUICK_CLAIM and r["claim_verdict"] == want[0]["verdict"]
        assert {k: r[k] for k in w} == w
        assert r["source"]  # every prediction names its source
    with pytest.raises(loraflow.ConfigError, match="no-such-claim"):
        loraflow.check(["no-such-claim"])


def test_sweep_and_table_equal_the_commands(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text((EXAMPLES / "fig1.toml").read_text().replace("t_end = 5", "t_end = 1")
                    .replace('times = "linspace:0:5:501"', 'times = "linspace:0:1:11"'))
    sweep = tmp_path / "s.sweep.toml"
    sweep.write_text('base = "base.toml"\nseeds = 2\n[[axis]]\nkey = "lora.alpha"\nvalues = ["1e-3", "1e-4"]\n')
    cli("sweep", sweep, "--out", tmp_path / "cli", "--jobs", "2", "--table", "--quiet", "--no-progress")
    r = loraflow.sweep(sweep, tmp_path / "py", jobs=2)
    assert r["total"] == 4 and r["ran"] == 4 and r["errors"] == 0
    for f in ("table.md", "table.csv"):
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes()
    again = loraflow.sweep(sweep, tmp_path / "py", jobs=2)  # resumes: nothing left to run
    assert again["already_done"] == 4 and again["ran"] == 0
    t = loraflow.table(tmp_path / "py")
    assert t["points"] == 4 and t["markdown"] == (tmp_path / "py" / "table.md").read_text()
