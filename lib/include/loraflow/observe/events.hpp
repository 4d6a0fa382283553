// loraflow/observe/events.hpp: the phase boundaries of Xu et al. (AISTATS 2025) as integrator events, located by
// the driver on the dense output to a few ulps of the working precision (integrate/integrate.hpp).
//
//   t1_event            T1 of Theorem C.2: the selected adapter's escape coordinate g^T s B1 A1 v reaches
//                       (1 - delta_w) sigma / (4 sigma_W2) (mirror case delta_w > 1: the W2 side).
//   early_alignment_end T-hat_1 of Lemma C.3: the first time ||D1||_2 or ||D2||_2 reaches alpha, with
//                       D1 = A2^T B2^T E - W2^T F (h x n) and D2 = E A1^T B1^T - F W1^T (m x h), the coupling terms
//                       of the exact decomposition dZ1/dt = (sigma sigma_W2 H1 + [[0, D1], [D1^T, 0]]) Z1.
//   threshold_event     the first time any scalar function of the state crosses a threshold, upwards or downwards.
// Coupling norms are spectral norms, from the top eigenvalue of the small Gram matrix (n x n and m x m).
#pragma once

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/observe/metrics.hpp>

#include <functional>
#include <string>
#include <utility>

namespace loraflow {

/// (||D1||_2, ||D2||_2) at state x. The LoRA scale s multiplies the adapter products (F includes it).
template <class Real> std::pair<Real, Real> coupling_norms(const lora_model<Real>& model, const vector<Real>& x) {
  using std::sqrt;
  const lora_problem<Real>& p = model.problem();
  const matrix<Real> F = model.product(x);
  const matrix<Real> E = model.residual(x);
  const Real s = p.scale;
  matrix<Real> D1 = -(p.W2.transpose() * F);  // h x n
  matrix<Real> D2 = -(F * p.W1.transpose());  // m x h
  if (model.B2(x).cols() > 0) D1.noalias() += s * (model.A2(x).transpose() * (model.B2(x).transpose() * E));
  if (model.B1(x).cols() > 0) D2.noalias() += s * ((E * model.A1(x).transpose()) * model.B1(x).transpose());
  const matrix<Real> g1 = D1.transpose() * D1, g2 = D2 * D2.transpose();
  using std::max;
  const Real n1 = sqrt(max(Real(0), linalg::sym_eig<Real>(g1).values(0)));
  const Real n2 = sqrt(max(Real(0), linalg::sym_eig<Real>(g2).values(0)));
  return {n1, n2};
}

/// The first time f(x) crosses `threshold`, upwards (f rises through it) or downwards.
template <class Real>
event_spec<Real> threshold_event(std::string name, std::function<Real(const vector<Real>&)> f, Real threshold,
                                 bool upwards = true, bool terminal = false) {
  return event_spec<Real>{std::move(name),
                          [f = std::move(f), threshold, upwards](const Real&, const vector<Real>& x) {
                            const Real v = f(x);
                            return upwards ? Real(v - threshold) : Real(threshold - v);
                          },
                          terminal};
}

/// T1 (Theorem C.2 threshold on the selected adapter). The observer must outlive the event.
template <class Real> event_spec<Real> t1_event(const lora_observer<Real>& obs, bool terminal = false) {
  return event_spec<Real>{"T1", [&obs](const Real&, const vector<Real>& x) { return obs.t1_gap(x); }, terminal};
}

/// T-hat_1 (Lemma C.3): max(||D1||_2, ||D2||_2) reaches alpha. The model must outlive the event.
template <class Real>
event_spec<Real> early_alignment_end_event(const lora_model<Real>& model, const Real& alpha, bool terminal = false) {
  return threshold_event<Real>(
      "T_hat1",
      [&model](const vector<Real>& x) {
        const std::pair<Real, Real> d = coupling_norms(model, x);
        using std::max;
        return max(d.first, d.second);
      },
      alpha, true, terminal);
}

}  // namespace loraflow
