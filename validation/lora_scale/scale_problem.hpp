// validation/lora_scale/scale_problem.hpp: the problem of the LoRA-scale claims, shared by the gradient-flow identity
// (kim2025/scale_equivalence.cpp) and the gradient-descent identities (lora_scale/gd_identities.cpp): one-matrix LoRA
// 5 x 4 with sigma(S) = 2, 1, 1/2 (seed 4), rank 2, scale s, weight decay lambda, under the frobenius objective or
// N = 40 noiseless Gaussian measurements (seed 9), so that the identities are not special to 1/2 ||S - X||^2.
#pragma once

#include <loraflow/model/lora.hpp>
#include <loraflow/model/objective.hpp>
#include <loraflow/model/one_matrix.hpp>

namespace loraflow::check {

template <class Real> lora_model<Real> scale_problem(const Real& s, const Real& lambda, objective_kind k) {
  one_matrix_spec<Real> spec;
  spec.m = 5;
  spec.n = 4;
  spec.sigma = {Real(2), Real(1), Real(1) / 2};
  spec.seed = 4;
  matrix<Real> W0, S;
  generate_one_matrix(spec, W0, S);
  lora_problem<Real> p = one_matrix_problem<Real>(W0, S, 2, s, lambda);
  p.objective.kind = k;
  if (k == objective_kind::sensing) gaussian_sensing<Real>(40, 5, 4, Real(0), 9, p.objective);
  return lora_model<Real>(p);
}

}  // namespace loraflow::check
