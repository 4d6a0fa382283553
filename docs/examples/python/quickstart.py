# docs/examples/python/quickstart.py: loraflow from Python, as notebook cells (`# %%`, read by VS Code, Jupytext and
# Spyder). Reproduces the loss panel of Fig. 1 of Xu et al., AISTATS 2025 (the loss of LoRA gradient flow on the
# paper's matrix factorization problem, m = n = 10, h = 100, rank 4, from small initializations alpha = 1e-3, 1e-4,
# 1e-5), five seeds per alpha, and plots it with matplotlib.
#
# As a script, from the repository root (after the README's set-up):
#   PYTHONPATH=build/python /usr/bin/python3 docs/examples/python/quickstart.py
# writes out/quickstart/fig1-loss.png. docs/python.md explains each call.

# %% The problem: the Fig. 1 preset's config (docs/presets/xu2025-fig1.toml), read and validated by loraflow
import os
import pathlib

import numpy as np

import loraflow

root = pathlib.Path(__file__).resolve().parents[3] if "__file__" in globals() else pathlib.Path.cwd()
base = loraflow.Config(root / "docs" / "presets" / "xu2025-fig1.toml")
print(loraflow.__version__)
print(base.to_dict()["problem"], base.to_dict()["solve"]["rtol"])

# %% Gradient flow for three alphas and five seeds (double, dopri5 at rtol 1e-13, as the preset runs it)
alphas = ["1e-3", "1e-4", "1e-5"]
seeds = range(5)
runs = {a: [loraflow.run(base.set({"lora.alpha": a, "lora.seed": s, "problem.seed": s})) for s in seeds] for a in alphas}
for a, rs in runs.items():
    t1 = [r.summary["events"]["T1"] for r in rs]
    print(f"alpha = {a}: status {set(r.status for r in rs)}, T1 = {np.mean(t1):.4f} +- {np.std(t1):.4f}, "
          f"final loss {np.mean([r.trajectory['loss'][-1] for r in rs]):.3e}")

# %% The panel: log10 loss against t, mean and the spread over seeds; T1 of each run marked
import matplotlib

if not os.environ.get("DISPLAY") and "MPLBACKEND" not in os.environ:
    matplotlib.use("Agg")  # a script without a display: write the file only
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.5, 3.8))
for a, rs in runs.items():
    t = rs[0].trajectory["t"]
    logs = np.log10(np.array([r.trajectory["loss"] for r in rs]))
    line, = ax.plot(t, logs.mean(axis=0), label=f"alpha = {a}")
    ax.fill_between(t, logs.min(axis=0), logs.max(axis=0), color=line.get_color(), alpha=0.25, linewidth=0)
    for r in rs:
        ax.axvline(r.summary["events"]["T1"], color=line.get_color(), alpha=0.3, linewidth=0.6)
ax.set_xlabel("t")
ax.set_ylabel("log10 loss")
ax.set_title("Xu et al. 2025, Fig. 1 (loss): LoRA gradient flow, small init")
ax.legend()
fig.tight_layout()
out = pathlib.Path("out/quickstart")
out.mkdir(parents=True, exist_ok=True)
fig.savefig(out / "fig1-loss.png", dpi=120)
print("wrote", out / "fig1-loss.png")

# %% Far below double's reach: alpha = 1e-30, where misalign(T1) ~ alpha^2 = 1e-60. precision = "auto" plans the run
# for 6 digits (here: the singular frame in double, where those digits do not depend on alpha; docs/precision.md),
# and certify=True runs a reference in a wider type and counts the digits that agree
deep = loraflow.run(base.set({"lora.alpha": "1e-30", "solve.precision": "auto", "solve.method": "auto",
                              "observe.times": "linspace:0:5:11"}), certify=True)
print(deep.human)
digits = {x["name"]: x["digits"] for x in deep.certified["numbers"]}
print("T1 =", deep.exact("events.T1"), f"({digits['events.T1']} digits certified)")
print("misalign(T1) =", deep.exact("at.T1.misalign"), f"({digits['at.T1.misalign']} digits certified)")
