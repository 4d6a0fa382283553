"""loraflow.field against closed forms written here in numpy: the LoRA model's gradient flow (any state, a problem
given as arrays) and the two-layer network's, and the agreement of a GD step with the library's own GD run."""
import numpy as np
import pytest

import loraflow
from conftest import EXAMPLES


def lora_flow(W1, W2, dY, A1, B1, A2, B2):
    """J = 1/2 ||dY - F||^2 with F = (W2 + B2 A2)(W1 + B1 A1) - W2 W1 (Xu et al. 2025, eq. (2)); returns J and
    -dJ/dX for X = A1, B1, A2, B2 (the chain rule through P2 = W2 + B2 A2 and P1 = W1 + B1 A1)."""
    P1, P2 = W1 + B1 @ A1, W2 + B2 @ A2
    E = dY - (P2 @ P1 - W2 @ W1)
    return 0.5 * np.sum(E * E), {"A1": (P2 @ B1).T @ E, "B1": P2.T @ E @ A1.T, "A2": B2.T @ E @ P1.T, "B2": E @ (A2 @ P1).T}


def test_lora_field_matches_the_closed_form():
    rng = np.random.default_rng(7)
    m, n, h, r = 5, 4, 7, 2
    W1, W2, dY = rng.normal(size=(h, n)), rng.normal(size=(m, h)), rng.normal(size=(m, n))
    state = {"A1": rng.normal(size=(r, n)), "B1": rng.normal(size=(h, r)), "A2": rng.normal(size=(r, h)), "B2": rng.normal(size=(m, r))}
    cfg = {"problem": {"kind": "files", "W1": W1, "W2": W2, "dY": dY}, "lora": {"rank": r, "init": "files", **state}}
    f = loraflow.field(cfg)
    J, want = lora_flow(W1, W2, dY, **state)
    assert f.precision == "double"
    assert abs(f.loss - J) <= 1e-13 * J
    for k, g in want.items():
        assert f.field[k].shape == g.shape
        np.testing.assert_allclose(f.field[k], g, rtol=1e-12, atol=1e-12 * np.abs(g).max())
        np.testing.assert_array_equal(f.state[k], state[k])
    # The same state given as the `state` argument, over a config whose own init is small.
    f2 = loraflow.field({"problem": {"kind": "files", "W1": W1, "W2": W2, "dY": dY}, "lora": {"rank": r, "alpha": "1e-3"}}, state)
    for k in want:
        np.testing.assert_array_equal(f2.field[k], f.field[k])
    # In 50 digits the closed form holds to double's rounding of the same inputs, and the text has 50 digits.
    f50 = loraflow.field(loraflow.Config(cfg).set("solve.precision=50"))
    assert f50.precision == "50" and len(f50.loss_text.split("e")[0]) > 45
    for k, g in want.items():
        np.testing.assert_allclose(f50.field[k], g, rtol=1e-12, atol=1e-12 * np.abs(g).max())
    with pytest.raises(loraflow.ConfigError, match=r"key 'lora.A1'"):
        loraflow.field(cfg, {**state, "A1": state["A1"][:, :2]})


def test_gd_steps_are_x_plus_eta_field():
    """Two GD iterations of the library (method gd, dt = 1e-3, t_end = 2e-3) equal X + eta * field, twice."""
    cfg = loraflow.Config(EXAMPLES / "fig1.toml").set("solve.method=gd", "solve.dt=1e-3", "solve.t_end=2e-3",
                                                        "solve.frame=natural", "observe.times=linspace:0:2e-3:3")
    f0 = loraflow.field(cfg)
    x1 = {k: x + 1e-3 * f0.field[k] for k, x in f0.state.items()}
    f1 = loraflow.field(cfg, x1)
    r = loraflow.run(cfg)
    assert r.ok
    for k, x in x1.items():
        want = x + 1e-3 * f1.field[k]
        np.testing.assert_allclose(r.state[k], want, rtol=1e-13, atol=1e-13 * np.abs(want).max())


def test_network_field_matches_the_closed_form():
    rng = np.random.default_rng(3)
    N, n, h, m = 8, 4, 6, 3
    X, Y, W1, W2 = rng.normal(size=(N, n)), rng.normal(size=(N, m)), rng.normal(size=(n, h)), rng.normal(size=(h, m))
    cfg = {"problem": {"kind": "network", "recipe": "files", "X": X, "Y": Y, "W1": W1, "W2": W2}}
    f = loraflow.field(cfg)
    E = Y - X @ W1 @ W2  # L = 1/2 ||Y - X W1 W2||^2 (Xu et al. 2023, eq. (1))
    assert abs(f.loss - 0.5 * np.sum(E * E)) <= 1e-13 * np.sum(E * E)
    for k, g in {"W1": X.T @ E @ W2.T, "W2": (X @ W1).T @ E}.items():
        np.testing.assert_allclose(f.field[k], g, rtol=1e-12, atol=1e-12 * np.abs(g).max())
    g = loraflow.field(cfg, {"W1": 2 * W1, "W2": W2})
    E2 = Y - X @ (2 * W1) @ W2
    np.testing.assert_allclose(g.field["W2"], (X @ (2 * W1)).T @ E2, rtol=1e-12, atol=1e-12)
