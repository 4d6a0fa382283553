#!/usr/bin/env python3
"""plot_sweep.py: figures from a loraflow sweep (Python is used for plotting only).

Usage:  python3 tools/plot_sweep.py SWEEP_DIR [--preset NAME] [--out DIR] [--align-tmax T]

Input (written by `loraflow table SWEEP_DIR`):
  SWEEP_DIR/curves.csv  header `group,<axis columns...>,t,log10_loss_mean,log10_loss_std,log10_misalign_mean,
      log10_misalign_std,log10_escape_mean,log10_escape_std,n`, one row per (group, observation time t). Means and
      standard deviations are over seeds of log10 of the metric; `nan` cells are skipped. Axis columns used by name:
      lora.alpha (decimal strings), lora.init (small / spectral; absent = all small), problem.scale (delta_w =
      1/scale^2), problem.pair (top / bottom), solve.method (`gd` = gradient descent, anything else = gradient flow),
      solve.dt (the GD step eta). Any other axis with several values is fixed to its first value (note on stderr).
  SWEEP_DIR/table.json, SWEEP_DIR/sweep.json  optional: provenance for the footer, and the base config's
      solve.dt / problem.pair when they are not axes.
Metrics: loss = 1/2 ||E||_F^2; misalign = 1 - cos(gamma1, top singular vector of Z1); escape = g^T B1 A1 v (the
  size of the learned component; NOT the ||Z1|| of the paper's right panel). Escape is drawn linearly (10^mean of
  log10, i.e. the geometric mean over seeds) on the same axis as the log10 curves, as the paper does.
Presets (Xu et al., AISTATS 2025; theory notes /work/shared/theory/xu2025-and-linear-nets.md 3.1-3.2):
  xu2025-fig1 (default)  one row: log10 loss for every alpha (small init solid, spectral dashed, GD dotted);
                         log10 misalign, small init; smallest alpha, small init: misalign, escape, loss.
  xu2025-fig3 / -fig4    the same row once per problem.scale (problem.pair top / bottom when that is an axis).
  generic                log10 loss and log10 misalign vs t for every group.
  min2021-a1             Min et al. (ICML 2021) App. A.1 / Fig. 4: log10 L against GD iterations (t / 1e-5) for
                         each imbalance case, with Theorem 1's bound exp(-2 c t) L(0) dashed; reads
                         SWEEP_DIR/min2021.thm1.min2021_thm1_loss.csv (columns t, "L <case>", "bound <case>").
  kim2025-fails-loudly   Kim, Kim, Ryu (ICML 2025) Sec. 4 / Fig. 2 and Table 1 in miniature: where zero-B and large
                         inits end on the generic-regime problems of the claim kim2025.implicit-bias: ||X||_F against
                         the dual certificate ||grad f(X)||_2 / mu (1 at the global minimum, > 1 at a spurious SOSP),
                         coloured global / spurious; the spurious fraction per problem and init; the rank and nuclear
                         norm of the nuclear-norm minimiser against lambda. Reads SWEEP_DIR/kim2025.implicit-bias.runs.csv
                         and SWEEP_DIR/kim2025.implicit-bias.lambda_rank.csv (`loraflow check kim2025.implicit-bias
                         --out SWEEP_DIR`).
  mu2025-rates           Mu, Klabjan (arXiv 2512.18248) Thm 3.5: min_(t<T) ||grad J||^2 sum_(t<T) eta_t against T
                         for the rule of Lemma 3.4 and the schedules adapt, adapt2, norm, with the theorem's constant
                         4 (J(V_0) - L*) dashed, on the three problems of the claim mu2025.thm3_5-rate (whitened MF and
                         sensing: bounded; separable logistic: unbounded), and ||V_T||^2 against T. Reads
                         SWEEP_DIR/mu2025.thm3_5-rate.series_{mf,sensing,logistic}.csv (`loraflow check
                         mu2025.thm3_5-rate --out SWEEP_DIR`).
  xu2023-fig1            Xu, Min, Tarmoun, Mallada, Vidal (AISTATS 2023) Fig. 1: log10 L against GD iterations for
                         the fixed step eta_max of Theorem 3.1 and Algorithm 1's adaptive step, with Theorem 3.2's
                         bound f(eta_max, 0)^t L(0), for each init scale sigma (seed 0); the steps; Theorem 3.1's
                         spectra lambda_min(tau_t) / (c1 alpha0) and lambda_max(tau_t) / (c2 beta0) (in [.., 1] and
                         [1, ..] by the theorem). Reads SWEEP_DIR/xu2023.thm3_2-rate.curves.csv.
  xu2023-fig2            the same panels for the paper's Fig. 2 problem (X = I, balanced init; the step-size
                         comparison). The Du et al. and Arora et al. steps of the paper's figure are left out: the
                         catalogue does not state them.
  xu2025tmlr-fig1        Xu, Min, Tarmoun, Mallada, Vidal (TMLR 2025) Sec. 4: log10 L against GD iterations under
                         Theorem 3.2's growing step, with the chained bound L(0) prod rho-bar(eta_s, s) and the
                         overall L(0) rho-bar(eta0, 0)^t, for h = 500, 1000, 4000 (noise 0.01, double); the step
                         eta_t against its cap (1 + eta0^2)^(t/2) eta0 and 1/K_t's root; Lemma 3.1's bounds as the
                         ratios sigma_min^2(T_t) / lower and sigma_max^2(T_t) / upper. Reads
                         SWEEP_DIR/xu2025tmlr.thm3_2-growing-step.curves.csv.
  The middle and right panels show t <= T: T = --align-tmax, or by default 1.2 x the time at which the smallest
  alpha's small-init loss has fallen 4 decades (the data's range when it never does).
Output: DIR/<preset>.png and DIR/<preset>.pdf (DIR default SWEEP_DIR/figures), each written atomically.
Exit status: 0 ok; 2 bad input (one line on stderr naming the file and what was expected).
"""
import argparse, csv, json, math, os, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np

METRICS = ["log10_loss_mean", "log10_loss_std", "log10_misalign_mean", "log10_misalign_std",
           "log10_escape_mean", "log10_escape_std", "n"]
KNOWN_AXES = {"lora.alpha", "lora.init", "problem.scale", "problem.pair", "solve.method", "solve.dt"}
PRESETS = ["xu2025-fig1", "xu2025-fig3", "xu2025-fig4", "generic", "min2021-a1", "kim2025-fails-loudly", "mu2025-rates", "xu2023-fig1", "xu2023-fig2",
           "xu2025tmlr-fig1"]
MIN2021_CSV = "min2021.thm1.min2021_thm1_loss.csv"  # written by `loraflow check min2021.thm1 --out DIR`
KIM_RUNS_CSV = "kim2025.implicit-bias.runs.csv"  # written by `loraflow check kim2025.implicit-bias --out DIR`
KIM_LAMBDA_CSV = "kim2025.implicit-bias.lambda_rank.csv"
MU_SERIES_CSV = "mu2025.thm3_5-rate.series_{}.csv"  # written by `loraflow check mu2025.thm3_5-rate --out DIR`
XU2023_CSV = "xu2023.thm3_2-rate.curves.csv"  # written by `loraflow check xu2023.thm3_2-rate --out DIR`
MU_PROBLEMS = [("mf", "whitened MF (bounded)"), ("sensing", "sensing (bounded)"), ("logistic", "separable logistic (unbounded)")]


def fail(msg):
    print(f"plot_sweep: {msg}", file=sys.stderr)
    sys.exit(2)


def fnum(s):
    """A decimal string as a float (nan for anything unparsable; used for sorting and titles)."""
    try:
        return float(s)
    except ValueError:
        return math.nan


def load_curves(path):
    """curves.csv -> (axis column names, {group id: {"axes": {...}, "t": array, metric: array}})."""
    if not os.path.isfile(path):
        fail(f"{path}: no such file (expected the curves.csv written by `loraflow table SWEEP_DIR`)")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        fail(f"{path}: empty file (expected a header starting with `group`)")
    head = rows[0]
    for c in ["group", "t"] + METRICS:
        if c not in head:
            fail(f"{path}: missing column `{c}` (expected group,<axes...>,t,{','.join(METRICS)})")
    if head[0] != "group" or head.index("t") < 1:
        fail(f"{path}: expected the header to be group,<axes...>,t,... (got {','.join(head)})")
    axes = head[1:head.index("t")]
    col = {c: i for i, c in enumerate(head)}
    groups = {}
    for ln, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) != len(head):
            fail(f"{path}:{ln}: {len(r)} fields, expected {len(head)} as in the header")
        try:
            vals = [float(r[col[c]]) for c in ["t"] + METRICS]
        except ValueError:
            fail(f"{path}:{ln}: expected numbers (or nan) in columns t and {','.join(METRICS)}")
        g = groups.setdefault(r[0], {"axes": {a: r[col[a]] for a in axes}, "rows": []})
        g["rows"].append(vals)
    if not groups:
        fail(f"{path}: no data rows (expected one row per group and observation time)")
    for g in groups.values():
        a = np.array(sorted(g.pop("rows")), dtype=float)
        g["t"] = a[:, 0]
        for j, c in enumerate(METRICS):
            g[c] = a[:, j + 1]
    return axes, groups


def load_json(path):
    try:
        with open(path) as f:
            j = json.load(f)
        return j if isinstance(j, dict) else {}
    except (OSError, ValueError):
        return {}


def base_value(sweep_json, key):
    """A key like `solve.dt` from sweep.json's resolved base config, or None."""
    v = sweep_json.get("base", {})
    for k in key.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    return None if v is None else str(v)


def band(ax, t, mean, std, color, ls="-", label=None, lw=1.6, linear=False, tmax=None):
    """Mean line and a +-1 std band, skipping nan; linear=True draws 10^mean with band 10^(mean +- std)."""
    keep = np.isfinite(mean) & (t <= (np.inf if tmax is None else tmax * (1 + 1e-9)))
    t, m, s = t[keep], mean[keep], np.where(np.isfinite(std[keep]), std[keep], 0.0)
    if t.size == 0:
        return
    lo, hi = m - s, m + s
    if linear:
        m, lo, hi = 10.0 ** m, 10.0 ** lo, 10.0 ** hi
    ax.plot(t, m, ls=ls, color=color, lw=lw, label=label)
    ax.fill_between(t, lo, hi, color=color, alpha=0.2, lw=0)


def align_window(g, override):
    """Right end of the t-range of the misalignment and escape panels (see the header)."""
    if override is not None:
        return override
    t, loss = g["t"], g["log10_loss_mean"]
    fin = np.isfinite(loss)
    if fin.any():
        below = np.nonzero(fin & (loss <= loss[fin][0] - 4.0))[0]
        if below.size:
            return min(t[-1], 1.2 * t[below[0]])
    return t[-1]


def plot_row(axs, sel, colours, eta, tmax_opt, title_suffix=""):
    """The three panels of Fig. 1 for the groups `sel` (a list of group dicts)."""
    xlabel = f"t (GF time; GD steps = t / {eta})"
    alphas = sorted({g["axes"]["lora.alpha"] for g in sel}, key=fnum)
    small_gf = {g["axes"]["lora.alpha"]: g for g in sel if g["init"] == "small" and not g["gd"]}
    styles = {(False, "small"): "-", (False, "spectral"): "--", (True, "small"): ":", (True, "spectral"): ":"}
    ax = axs[0]
    for a in alphas:
        for g in sel:
            if g["axes"]["lora.alpha"] == a:
                band(ax, g["t"], g["log10_loss_mean"], g["log10_loss_std"], colours[a],
                     styles.get((g["gd"], g["init"]), "-."))
    handles = [Line2D([], [], color=colours[a], lw=2, label=f"alpha={a}") for a in alphas]
    inits = {g["init"] for g in sel}
    handles += [Line2D([], [], color="k", ls="-", label="small init (GF)")] if "small" in inits else []
    handles += [Line2D([], [], color="k", ls="--", label="spectral init (GF)")] if "spectral" in inits else []
    handles += [Line2D([], [], color="k", ls=":", label=f"GD eta={eta}")] if any(g["gd"] for g in sel) else []
    ax.legend(handles=handles, fontsize=8, loc="best")
    ax.set(xlabel=xlabel, ylabel="log10 loss", title=f"{title_suffix}log10 loss (mean $\\pm$ 1 std)")

    if not small_gf:
        for ax in axs[1:]:
            ax.text(0.5, 0.5, "no small-init gradient-flow groups", ha="center", transform=ax.transAxes)
        return
    smallest = min(small_gf, key=fnum)
    tmax = align_window(small_gf[smallest], tmax_opt)
    ax = axs[1]
    for a in sorted(small_gf, key=fnum):
        g = small_gf[a]
        band(ax, g["t"], g["log10_misalign_mean"], g["log10_misalign_std"], colours[a], label=f"alpha={a}",
             tmax=tmax)
    ax.set(xlabel=xlabel, ylabel="log10 (1 - cos(gamma1, u1(Z1)))", xlim=(0, tmax),
           title=f"{title_suffix}misalignment, small init")
    ax.legend(fontsize=8, loc="best")

    ax, g = axs[2], small_gf[smallest]
    band(ax, g["t"], g["log10_misalign_mean"], g["log10_misalign_std"], "C0", label="log10 misalign", tmax=tmax)
    band(ax, g["t"], g["log10_escape_mean"], g["log10_escape_std"], "C3", linear=True, tmax=tmax,
         label="escape g^T B1 A1 v (linear, geo. mean)")
    band(ax, g["t"], g["log10_loss_mean"], g["log10_loss_std"], "C2", label="log10 loss", tmax=tmax)
    ax.set(xlabel=xlabel, ylabel="log10 value; escape linear", xlim=(0, tmax),
           title=f"{title_suffix}alpha={smallest}, small init")
    ax.legend(fontsize=8, loc="best")


def save(fig, name, out):
    """Writes out/<name>.png and .pdf, each to a temporary name first (atomic)."""
    try:
        os.makedirs(out, exist_ok=True)
        for ext in ("png", "pdf"):
            final = os.path.join(out, f"{name}.{ext}")
            tmp = os.path.join(out, f".{name}.{os.getpid()}.tmp.{ext}")
            try:
                fig.savefig(tmp, format=ext, dpi=130, metadata={"CreationDate": None} if ext == "pdf" else None)
                os.replace(tmp, final)
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
            print(final)
    except OSError as e:
        fail(f"{out}: cannot write the figures ({e.strerror})")


def plot_min2021(d, out):
    """Min et al. App. A.1: loss against iterations per imbalance case, with Theorem 1's bound."""
    path = os.path.join(d, MIN2021_CSV)
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError:
        fail(f"{path}: not found (expected the curves of `loraflow check min2021.thm1 --out {d}`)")
    if len(rows) < 2 or rows[0][0] != "t":
        fail(f"{path}: expected a header starting with t and at least one row")
    head, data = rows[0], np.array([[float(x) for x in r] for r in rows[1:]])
    it = data[:, 0] / 1e-5  # GD iterations of eta = 5e-4 on (1/N)||.||^2: GF time 1e-5 per iteration
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    cases = [h[2:] for h in head if h.startswith("L ")]
    for i, case in enumerate(cases):
        c = colours[i % len(colours)]
        L = data[:, head.index("L " + case)]
        ax.plot(it, np.log10(L), color=c, label=f"GF {case}")
        if "bound " + case in head:
            b = data[:, head.index("bound " + case)]
            if np.all(np.isfinite(b)):
                ax.plot(it, np.log10(b), color=c, ls="--", lw=1, label=f"Thm 1 bound {case}")
    ax.set_xlabel("iteration (GD eta = 5e-4 on (1/N)||.||^2; GF time = 1e-5 x iteration)")
    ax.set_ylabel("log10 L = log10 (1/2 ||Y - X U V^T||^2)")
    ax.set_title("Min et al. (ICML 2021) App. A.1: convergence against imbalance")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save(fig, "min2021-a1", out)


def read_table(path, what, need):
    """A claim's data table as a list of dicts; fails (exit 2) naming the file when it is missing or lacks a column."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        fail(f"{path}: not found (expected {what})")
    if not rows or any(c not in rows[0] for c in need):
        fail(f"{path}: expected a header with {', '.join(need)} and at least one row")
    return rows


def plot_kim2025(d, out):
    """Kim, Kim, Ryu Sec. 4 / Fig. 2 and Table 1 in miniature, from the claim kim2025.implicit-bias's tables."""
    what = f"the runs of `loraflow check kim2025.implicit-bias --out {d}`"
    runs = read_table(os.path.join(d, KIM_RUNS_CSV), what,
                      ["problem", "init", "seed", "verdict", "x_norm", "dual_over_mu"])
    lam = read_table(os.path.join(d, KIM_LAMBDA_CSV), what, ["lambda", "rank", "nuclear_norm"])
    fig, axs = plt.subplots(1, 3, figsize=(16, 4.8))
    kinds = {"global minimum": ("tab:blue", "global"), "spurious second-order stationary point": ("tab:red", "spurious")}
    markers = {"zero-B": "o", "large": "^"}
    ax = axs[0]
    for init, mk in markers.items():
        for verdict, (c, name) in list(kinds.items()) + [(None, ("0.6", "other"))]:
            sel = [r for r in runs if r["init"] == init and
                   (r["verdict"] == verdict if verdict else r["verdict"] not in kinds)]
            x = [fnum(r["dual_over_mu"]) for r in sel]
            y = [fnum(r["x_norm"]) for r in sel]
            pts = [(a, b) for a, b in zip(x, y) if math.isfinite(a) and math.isfinite(b)]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], c=c, marker=mk, s=28, alpha=0.7,
                           edgecolors="none", label=f"{init}: {name} ({len(pts)})")
    ax.axvline(1, color="k", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("||grad f(X)||_2 / mu   (1: dual certificate of the global minimum)")
    ax.set_ylabel("||X||_F at the end of the run")
    ax.set_title("where the runs end (Fig. 2 in miniature)")
    ax.legend(fontsize=7)
    ax = axs[1]
    probs = sorted({r["problem"] for r in runs}, key=fnum)
    width = 0.4
    for k, (init, c) in enumerate([("zero-B", "tab:green"), ("large", "tab:red")]):
        frac = []
        for p in probs:
            sel = [r for r in runs if r["problem"] == p and r["init"] == init]
            frac.append(sum(r["verdict"] in kinds and kinds[r["verdict"]][1] == "spurious" for r in sel) / max(1, len(sel)))
        ax.bar(np.arange(len(probs)) + (k - 0.5) * width, frac, width, color=c, label=init)
    ax.set_xticks(np.arange(len(probs)))
    ax.set_xticklabels(probs, fontsize=7)
    ax.set_xlabel("problem (seed of the generic-regime family)")
    ax.set_ylabel("fraction of seeds ending at a spurious SOSP")
    ax.set_title("zero-B against large init")
    ax.legend(fontsize=8)
    ax = axs[2]
    lx = [fnum(r["lambda"]) for r in lam]
    ax.step(lx, [fnum(r["rank"]) for r in lam], where="mid", color="tab:purple", label="rank of X*(lambda)")
    ax.set_xscale("log")
    ax.set_xlabel("weight decay lambda (mu = lambda / s, s = 2)")
    ax.set_ylabel("rank of the nuclear-norm minimiser")
    ax2 = ax.twinx()
    ax2.plot(lx, [fnum(r["nuclear_norm"]) for r in lam], color="tab:orange", marker=".", label="||X*||_*")
    ax2.set_ylabel("||X*||_*")
    ax.set_title("Table 1 in miniature (problem 8)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8)
    fig.suptitle("Kim, Kim, Ryu (ICML 2025): LoRA with weight decay, generic regime (weighted, w_max/w_min = 100)")
    fig.tight_layout()
    save(fig, "kim2025-fails-loudly", out)


def plot_mu2025(d, out):
    """Mu, Klabjan Thm 3.5: the running product min ||grad J||^2 sum eta against T, per rule and problem."""
    what = f"the runs of `loraflow check mu2025.thm3_5-rate --out {d}`"
    need = ["rule", "T", "min_grad_norm2", "sum_eta", "product", "bound_const", "V_norm2", "J"]
    fig, axs = plt.subplots(1, 4, figsize=(19, 4.6))
    styles = {"mu-klabjan": ("k", "-"), "adapt": ("tab:blue", "--"), "adapt2": ("tab:green", "-."), "norm": ("tab:red", ":")}
    for k, (key, title) in enumerate(MU_PROBLEMS):
        rows = read_table(os.path.join(d, MU_SERIES_CSV.format(key)), what, need)
        ax = axs[k]
        for rule, (c, ls) in styles.items():
            sel = [r for r in rows if r["rule"] == rule]
            if not sel:
                continue
            T = [fnum(r["T"]) for r in sel]
            ax.plot(T, [fnum(r["product"]) for r in sel], color=c, ls=ls, label=rule)
            if rule == "mu-klabjan":
                ax.axhline(fnum(sel[0]["bound_const"]), color="k", lw=0.8, ls="--", label="4 (J(V_0) - L*): Thm 3.5")
                axs[3].plot(T, [fnum(r["V_norm2"]) for r in sel], label=title)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("T (GD iterations)")
        ax.set_ylabel("min_(t<T) ||grad J||^2 x sum_(t<T) eta_t")
        ax.set_title(title)
        ax.legend(fontsize=7)
    ax = axs[3]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("T (GD iterations)")
    ax.set_ylabel("||V_T||^2 (rule of Lemma 3.4)")
    ax.set_title("adapter norm: bounded against growing")
    ax.legend(fontsize=7)
    fig.suptitle("Mu, Klabjan: LoRA GD under the state-dependent step (Thm 3.5: the product stays below the dashed line)")
    fig.tight_layout()
    save(fig, "mu2025-rates", out)


def plot_xu2023(d, out, figure):
    """Xu et al. 2023 Fig. 1 or 2: fixed eta_max against Algorithm 1, with Theorem 3.2's bound, from the claim's curves."""
    rows = read_table(os.path.join(d, XU2023_CSV), f"the curves of `loraflow check xu2023.thm3_2-rate --out {d}`",
                      ["figure", "sigma_or_noise", "seed", "t", "L_fixed", "bound_fixed", "L_adaptive", "eta_adaptive",
                       "eta_max", "tau_min", "tau_max", "c1_alpha0", "c2_beta0"])
    rows = [r for r in rows if r["seed"] == "0" and r["figure"] == figure]
    if not rows:
        fail(f"{os.path.join(d, XU2023_CSV)}: no rows of {figure}, seed 0")
    fig, axs = plt.subplots(1, 3, figsize=(16, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    key = "sigma" if figure == "Fig. 1" else "noise"
    for i, sig in enumerate(sorted({r["sigma_or_noise"] for r in rows}, key=fnum)):
        c = colours[i % len(colours)]
        sel = [r for r in rows if r["sigma_or_noise"] == sig]
        t = [fnum(r["t"]) for r in sel]
        col = lambda k: np.array([fnum(r[k]) for r in sel])
        axs[0].plot(t, np.log10(col("L_fixed")), color=c, label=f"{key} = {sig}: fixed eta_max")
        axs[0].plot(t, np.log10(col("bound_fixed")), color=c, ls=":", lw=1, label=f"{key} = {sig}: Thm 3.2 bound")
        axs[0].plot(t, np.log10(col("L_adaptive")), color=c, ls="--", label=f"{key} = {sig}: Algorithm 1")
        axs[1].plot(t, np.log10(col("eta_adaptive")), color=c, ls="--", label=f"{key} = {sig}: Algorithm 1")
        axs[1].plot(t, np.log10(col("eta_max")), color=c, label=f"{key} = {sig}: eta_max")
        axs[2].plot(t, col("tau_min") / col("c1_alpha0"), color=c, label=f"{key} = {sig}: lambda_min(tau)/(c1 alpha0)")
        axs[2].plot(t, col("tau_max") / col("c2_beta0"), color=c, ls="--", label=f"{key} = {sig}: lambda_max(tau)/(c2 beta0)")
    axs[0].set_ylabel("log10 L")
    axs[0].set_title("loss: fixed step, adaptive step (as transcribed), bound")
    axs[1].set_ylabel("log10 eta")
    axs[1].set_title("step sizes" + (" (Du et al. and Arora et al. left out: not in the catalogue)" if figure == "Fig. 2" else ""))
    axs[2].axhline(1, color="k", lw=0.8, ls=":")
    axs[2].set_yscale("log")
    axs[2].set_ylabel("ratio (Thm 3.1: lower >= 1, upper <= 1)")
    axs[2].set_title("Theorem 3.1's spectral bounds (fixed step)")
    for ax in axs:
        ax.set_xlabel("GD iteration")
        ax.legend(fontsize=6)
    what = "20 x 20 Gaussian X, width 1000" if figure == "Fig. 1" else "X = I_20, Y = W(0) + 0.05 eps, balanced init, width 1000"
    fig.suptitle(f"Xu, Min, Tarmoun, Mallada, Vidal (AISTATS 2023) {figure}: {what}, c1 = 1/2, c2 = 3/2")
    fig.tight_layout()
    save(fig, "xu2023-fig1" if figure == "Fig. 1" else "xu2023-fig2", out)


XU2025TMLR_CSV = "xu2025tmlr.thm3_2-growing-step.curves.csv"


def plot_xu2025tmlr(d, out):
    """TMLR 2025 Sec. 4: the growing step's loss, bounds, steps and Lemma 3.1's ratios, from the claim's curves."""
    rows = read_table(os.path.join(d, XU2025TMLR_CSV), f"the curves of `loraflow check xu2025tmlr.thm3_2-growing-step --out {d}`",
                      ["h", "noise", "precision", "t", "L", "bound_chained", "bound_overall", "eta", "cap", "step_limit",
                       "tau_min", "tau_max", "tau_lower", "tau_upper"])
    deep = [r for r in rows if r["precision"] != "double"]
    rows = [r for r in rows if r["precision"] == "double"]
    if not rows:
        fail(f"{os.path.join(d, XU2025TMLR_CSV)}: no double rows")
    noises = sorted({r["noise"] for r in rows}, key=fnum)
    rows = [r for r in rows if r["noise"] == noises[0]]
    deep = [r for r in deep if r["noise"] == noises[0]]
    fig, axs = plt.subplots(1, 3, figsize=(16, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, h in enumerate(sorted({r["h"] for r in rows}, key=fnum)):
        c = colours[i % len(colours)]
        sel = [r for r in rows if r["h"] == h]
        t = [fnum(r["t"]) for r in sel]
        col = lambda k: np.array([fnum(r[k]) for r in sel])
        with np.errstate(divide="ignore"):
            axs[0].plot(t, np.log10(col("L")), color=c, label=f"h = {h}: L(t)")
            axs[0].plot(t, np.log10(col("bound_chained")), color=c, ls="--", lw=1, label=f"h = {h}: L(0) prod rho-bar(eta_s, s)")
            axs[0].plot(t, np.log10(col("bound_overall")), color=c, ls=":", lw=1, label=f"h = {h}: L(0) rho-bar(eta0, 0)^t")
        axs[1].plot(t, col("eta") / col("eta")[0], color=c, label=f"h = {h}: eta_t / eta0")
        axs[1].plot(t, col("step_limit") / col("eta")[0], color=c, ls="--", lw=1, label=f"h = {h}: 1/K_t root / eta0")
        axs[2].plot(t, col("tau_min") / col("tau_lower"), color=c, label=f"h = {h}: sigma_min^2(T)/lower")
        axs[2].plot(t, col("tau_max") / col("tau_upper"), color=c, ls="--", label=f"h = {h}: sigma_max^2(T)/upper")
    axs[0].set_ylabel("log10 L")
    for h in sorted({r["h"] for r in deep}, key=fnum):
        sel = [r for r in deep if r["h"] == h]
        axs[0].plot([fnum(r["t"]) for r in sel], np.log10([fnum(r["L"]) for r in sel]), color="k", lw=1,
                    label=f"h = {h}: L(t) in {sel[0]['precision']} digits (no double floor)")
    axs[0].set_title("loss and Theorem 3.2's bounds (floor: double's rounding)")
    axs[1].set_ylabel("step / eta0")
    axs[1].set_title("the growing step (its cap grows by 1 + O(t eta0^2)) and 1/K_t")
    axs[2].axhline(1, color="k", lw=0.8, ls=":")
    axs[2].set_ylabel("ratio (Lemma 3.1: lower >= 1, upper <= 1)")
    axs[2].set_title("Lemma 3.1's spectral bounds")
    for ax in axs:
        ax.set_xlabel("GD iteration")
        ax.legend(fontsize=6)
    fig.suptitle(f"Xu, Min, Tarmoun, Mallada, Vidal (TMLR 2025) Sec. 4: X 10 x 10 orthogonal, W1, W2 ~ N(0, 1), noise {noises[0]}, "
                 "eta0 = 0.99 eta_max (E.1, c = 1/2), seed 0")
    fig.tight_layout()
    save(fig, "xu2025tmlr-fig1", out)


def main():
    p = argparse.ArgumentParser(description="Plot a loraflow sweep (curves.csv) as the figures of Xu et al. 2025.")
    p.add_argument("sweep_dir", help="directory holding curves.csv (from `loraflow table`)")
    p.add_argument("--preset", default="xu2025-fig1", choices=PRESETS)
    p.add_argument("--out", help="output directory (default SWEEP_DIR/figures)")
    p.add_argument("--align-tmax", type=float, help="right end of t in the misalign / escape panels (default auto)")
    args = p.parse_args()
    if args.preset == "min2021-a1":
        if not os.path.isdir(args.sweep_dir):
            fail(f"{args.sweep_dir}: not a directory")
        plot_min2021(args.sweep_dir, args.out or os.path.join(args.sweep_dir, "figures"))
        return
    if args.preset == "kim2025-fails-loudly":
        if not os.path.isdir(args.sweep_dir):
            fail(f"{args.sweep_dir}: not a directory")
        plot_kim2025(args.sweep_dir, args.out or os.path.join(args.sweep_dir, "figures"))
        return
    if args.preset in ("xu2023-fig1", "xu2023-fig2"):
        if not os.path.isdir(args.sweep_dir):
            fail(f"{args.sweep_dir}: not a directory")
        plot_xu2023(args.sweep_dir, args.out or os.path.join(args.sweep_dir, "figures"),
                    "Fig. 1" if args.preset == "xu2023-fig1" else "Fig. 2")
        return
    if args.preset == "xu2025tmlr-fig1":
        if not os.path.isdir(args.sweep_dir):
            fail(f"{args.sweep_dir}: not a directory")
        plot_xu2025tmlr(args.sweep_dir, args.out or os.path.join(args.sweep_dir, "figures"))
        return
    if args.preset == "mu2025-rates":
        if not os.path.isdir(args.sweep_dir):
            fail(f"{args.sweep_dir}: not a directory")
        plot_mu2025(args.sweep_dir, args.out or os.path.join(args.sweep_dir, "figures"))
        return
    if not os.path.isdir(args.sweep_dir):
        fail(f"{args.sweep_dir}: not a directory (expected a sweep directory holding curves.csv)")
    path = os.path.join(args.sweep_dir, "curves.csv")
    axes, groups = load_curves(path)
    sweep = load_json(os.path.join(args.sweep_dir, "sweep.json"))
    prov = load_json(os.path.join(args.sweep_dir, "table.json")).get("provenance", {})
    for g in groups.values():
        g["init"] = g["axes"].get("lora.init", "small")
        g["gd"] = g["axes"].get("solve.method", "") == "gd"
    gl = [groups[k] for k in sorted(groups, key=fnum)]
    name, fig_pair = args.preset, ""

    if name == "generic":
        fig, axs = plt.subplots(1, 2, figsize=(15, 4.8))
        for i, g in enumerate(gl):
            lab = ", ".join(f"{k}={v}" for k, v in g["axes"].items()) or "all"
            c, ls = f"C{i % 10}", ["-", "--", ":", "-."][i // 10 % 4]
            band(axs[0], g["t"], g["log10_loss_mean"], g["log10_loss_std"], c, ls, label=lab)
            band(axs[1], g["t"], g["log10_misalign_mean"], g["log10_misalign_std"], c, ls, label=lab)
        axs[0].set(xlabel="t (GF time)", ylabel="log10 loss", title="loss, every group (mean +- 1 std)")
        axs[1].set(xlabel="t (GF time)", ylabel="log10 misalign", title="misalignment, every group")
        axs[1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        rows = []
    else:
        if "lora.alpha" not in axes:
            fail(f"{path}: preset {name} needs a `lora.alpha` axis column (columns: {','.join(axes) or 'none'})")
        for a in axes:  # fix any other multi-valued axis to its first value
            vals = list(dict.fromkeys(g["axes"][a] for g in gl))
            if a not in KNOWN_AXES and len(vals) > 1:
                print(f"plot_sweep: note: axis {a} has {len(vals)} values; plotting {a}={vals[0]} only "
                      "(--preset generic shows every group)", file=sys.stderr)
                gl = [g for g in gl if g["axes"][a] == vals[0]]
        pair = {"xu2025-fig3": "top", "xu2025-fig4": "bottom"}.get(name)
        if pair and "problem.pair" in axes:
            gl = [g for g in gl if g["axes"]["problem.pair"] == pair]
            if not gl:
                fail(f"{path}: preset {name} expects rows with problem.pair={pair}; there are none")
        base_pair = base_value(sweep, "problem.pair")
        bp = sweep.get("base", {}).get("problem", {})
        if isinstance(bp.get("pair"), list) and len(bp["pair"]) == 1:  # the resolved config: 1-based pair numbers
            k = min(bp.get("m", 0), bp.get("n", 0))
            base_pair = "top" if bp["pair"][0] == 1 else "bottom" if bp["pair"][0] == k else base_pair
        if pair and "problem.pair" not in axes and base_pair not in (None, pair):
            print(f"plot_sweep: note: the sweep's problem.pair is {base_pair}, preset {name} is the {pair} pair",
                  file=sys.stderr)
            fig_pair = f" -- but this sweep has problem.pair = {base_pair}"
        if name == "xu2025-fig1":
            rows = [("", gl)]
        else:
            if "problem.scale" not in axes:
                fail(f"{path}: preset {name} needs a `problem.scale` axis column (columns: {','.join(axes)})")
            scales = sorted({g["axes"]["problem.scale"] for g in gl}, key=fnum)
            rows = [(f"$\\delta_w$ = 1/{s}$^2$ = {1 / fnum(s) ** 2:.3g}: ", [g for g in gl
                     if g["axes"]["problem.scale"] == s]) for s in scales]
        gd_any = any(g["gd"] for g in gl) or base_value(sweep, "solve.method") == "gd"
        eta = next((g["axes"]["solve.dt"] for g in gl if g["gd"] and "solve.dt" in g["axes"]), None) \
            or (base_value(sweep, "solve.dt") if gd_any else None) or "1e-4"
        colours = {a: f"C{i % 10}" for i, a in
                   enumerate(sorted({g["axes"]["lora.alpha"] for g in gl}, key=fnum))}
        fig, axs = plt.subplots(len(rows), 3, figsize=(15, 4.2 * len(rows)), squeeze=False)
        for (suffix, sel), ax_row in zip(rows, axs):
            plot_row(ax_row, sel, colours, eta, args.align_tmax, suffix)

    fig_no = {"xu2025-fig1": "Fig. 1", "xu2025-fig3": "Fig. 3 (top singular pair)",
              "xu2025-fig4": "Fig. 4 (bottom singular pair)"}.get(name)
    title = f"Xu et al. (AISTATS 2025) {fig_no}{fig_pair}" if fig_no else f"loraflow sweep {args.sweep_dir}"
    foot = "; ".join(f"{k} {prov[k]}" for k in ("loraflow", "version", "git", "precision", "method", "seeds")
                     if isinstance(prov.get(k), (str, int, float)))
    fig.suptitle(title + (f"\n{foot}" if foot else ""), fontsize=11)
    fig.tight_layout()  # makes room for the suptitle (matplotlib >= 3.3)

    save(fig, name, args.out or os.path.join(args.sweep_dir, "figures"))

if __name__ == "__main__":
    main()
