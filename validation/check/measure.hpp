// validation/check/measure.hpp: one measured trajectory of the Xu et al. problem family, for the claims.
//
// A request names the problem (the Section 5.1 / App. H.1 generator: m, n, h, scale c, seed, the singular pairs
// of dY), the initialization and alpha, the digits the measurement must keep, and what to record. measure()
// plans the precision from alpha (run/precision.hpp), dispatches to the scalar type, integrates with events
// (T1, T-hat_1, per-direction T1^(i)) located on the dense output, and returns every number converted to double
// at this boundary only. Numerical failure is returned in `status`, never thrown.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace loraflow::check {

struct xu_problem {
  long m = 10, n = 10, h = 100;
  std::string c = "1.05";  ///< W2 = c (...), W1 = (...)/c: delta_w = 1/c^2
  std::uint64_t seed = 0;
  std::vector<std::pair<long, std::string>> dy{{0, "5"}};  ///< (singular pair of Y_pre, sigma)
  long rank = 4;
};

struct trajectory_request {
  xu_problem problem;
  std::string init = "small";  ///< small | spectral
  std::uint64_t init_seed = 0;
  std::string alpha = "1e-4";
  unsigned digits = 6;     ///< significant digits to keep (precision plan)
  int alpha_power = 1;     ///< smallest measured quantity ~ alpha^power inside O(1) (2: loss floor)
  std::string precision;   ///< empty: planned; else double | long_double | float128 | 50 | 100 | mpfr:D
  std::string rtol;        ///< empty: planned
  std::string method = "auto";  ///< auto: the runs' rule (run/precision.hpp: dopri5 for rtol >= 1e-4, dop853 down to 1e-14, else taylor)
  std::string t_end = "3";
  bool stop_at_T1 = false;  ///< end the run at T1 (terminal event)
  int observations = 0;     ///< uniform observation grid of this many intervals on [0, t_end] (0: none)
  bool early_event = false;     ///< locate T-hat_1 and record ||D1||_2, ||D2||_2
  bool lemma_c1 = false;        ///< record the Lemma C.1 margins at every observation
  bool spectral_frame = false;  ///< spectral init only: decoupling residuals and per-direction events
  bool lemma_c2_d1 = false;     ///< record the series of Lemmas C.2, C.4, C.6, eqs. (53), (73), D.1 (xu2025/lemma_*.cpp)
  std::uint64_t rotation_seed = 0;  ///< != 0: (A_i(0), B_i(0)) -> (R_i^T A_i(0), B_i(0) R_i), R_i random orthogonal r x r
  bool record_products = false;     ///< keep B1 A1 and B2 A2 at the last time reached (trajectory::products)
};

struct trajectory {
  std::string status = "ok", message;
  std::string precision, rtol, method, plan_reason;
  double eps = 0;  ///< machine epsilon of the working type
  double wall_s = 0;
  std::size_t steps = 0, rhs_evals = 0;
  double sigma = 0, sigma_W1 = 0, sigma_W2 = 0, delta_w = 0;
  double W1_spec = 0, W2_spec = 0;  ///< ||W1||_2, ||W2||_2 (eq. (42) of Xu et al.)
  double T1 = std::numeric_limits<double>::quiet_NaN();
  double T_hat = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, double> at_T1;  ///< metrics at T1, plus E_norm, F_spec, gamma1_Z1, gamma2_Z2
  std::map<std::string, double> at_T_hat;  ///< the same at T-hat_1 (early_event)
  std::map<std::string, double> final;     ///< the same at the last time reached
  std::map<std::string, double> initial;   ///< the same at t = 0
  std::vector<double> t;                ///< observation times
  std::map<std::string, std::vector<double>> series;
  std::vector<double> products;  ///< record_products: vec(B1 A1) then vec(B2 A2) (column-major) at the last time
  // spectral_frame: per direction i of S (spectral_indices order) with sigma_dY^(i) > 0
  std::vector<double> dir_sigma, dir_sigma_W1, dir_sigma_W2, dir_T1, dir_z1_0;
  // spectral_frame, per direction k in the same order: the diagonal entries of the projected adapters (Abar1,
  // Bbar1, Abar2, Bbar2)_kk and their time derivatives from the full vector field, in series "dir<k>_a1", "_b1",
  // "_a2", "_b2", "_da1", "_db1", "_da2", "_db2" at each observation, and in dir_at_T1[k] at T1^(k) (keys a1 ...
  // db2; empty when T1^(k) was not reached).
  std::vector<std::map<std::string, double>> dir_at_T1;
  bool ok() const { return status == "ok"; }
};

trajectory measure(const trajectory_request& q);

}  // namespace loraflow::check
