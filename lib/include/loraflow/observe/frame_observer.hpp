// loraflow/observe/frame_observer.hpp: every metric of a singular-frame state (model/singular_frame.hpp).
//
// The observer of the frame: a lora_observer built on the frame's lora_model with the frame direction (u, v, g =
// e_p up to sign, and gamma_i = e_p in the split coordinates of [B_i; A_i^T], since row p of B_i holds s). F = L R
// and E = dY' - F come from the frame's factors (frame_model::unsplit_loss, the dense products with W1', W2'
// skipped); Z_i is read from the split state, so misalign_i = 1 - cos against e_p is formed from state entries;
// the rest is taken on the unsplit state. Every metric is invariant under the frame's rotation, so the numbers
// mean the same as the natural observer's.
#pragma once

#include <loraflow/model/singular_frame.hpp>
#include <loraflow/observe/metrics.hpp>

namespace loraflow {

/// The direction for the frame's observer: direction_of the frame problem, with gamma_i = e_p in split coordinates.
template <class Real> direction<Real> frame_direction(const frame_model<Real>& fm) {
  direction<Real> d = direction_of(fm.frame().problem);
  const lora_model<Real>& md = fm.model();
  d.gamma1 = vector<Real>::Zero(md.h() + md.n());
  d.gamma1(fm.frame().pair) = Real(1);
  d.gamma2 = vector<Real>::Zero(md.m() + md.h());
  d.gamma2(fm.frame().pair) = Real(1);
  return d;
}

template <class Real> class frame_observer {
 public:
  /// xf0: the initial frame state (the drifts of C_i are measured from it).
  frame_observer(const frame_model<Real>& fm, const vector<Real>& xf0)
      : m_fm(&fm), m_obs(fm.model(), frame_direction(fm), unsplit_of(fm, xf0)) {}

  metrics<Real> operator()(const vector<Real>& xf) const {
    Real F_norm, loss;
    const vector<Real>& y = m_fm->unsplit_loss(xf, F_norm, loss);
    return m_obs.observe_with(y, F_norm, loss, xf);
  }
  /// lora_observer::t1_gap of a frame state.
  Real t1_gap(const vector<Real>& xf) const {
    m_fm->unsplit(xf, m_y);
    return m_obs.t1_gap(m_y);
  }
  const lora_observer<Real>& observer() const { return m_obs; }

 private:
  static vector<Real> unsplit_of(const frame_model<Real>& fm, const vector<Real>& xf) {
    vector<Real> y;
    fm.unsplit(xf, y);
    return y;
  }
  const frame_model<Real>* m_fm;
  lora_observer<Real> m_obs;
  mutable vector<Real> m_y;
};

}  // namespace loraflow
