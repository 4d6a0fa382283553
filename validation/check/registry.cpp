// validation/check/registry.cpp: the list of claims, in the order `loraflow check` runs and prints them. Each
// make_* function lives in the claim's own file under validation/<paper>/.
#include "check/claim.hpp"

namespace loraflow::check {

claim make_xu2025_claim3_1();
claim make_xu2025_claim3_2_misalignment();
claim make_xu2025_claim3_2_imbalance();
claim make_xu2025_early_phase_F();
claim make_xu2025_t1_slope();
claim make_xu2025_lemma_c1();
claim make_xu2025_local_convergence();
claim make_xu2025_loss_floor();
claim make_xu2025_thm4_1();
claim make_xu2025_app_g();
claim make_xu2025_mirror();
claim make_xu2025_equivariance();
claim make_xu2025_eq53();
claim make_xu2025_lemma_c2();
claim make_xu2025_thm_c1();
claim make_xu2025_lemmas_c4_c6();
claim make_xu2025_lemma_d1();
claim make_min2021_thm1();
claim make_min2021_prop1();
claim make_min2021_lemma1();
claim make_min2021_thm2();
claim make_min2021_appA2();
claim make_min2021_thm3_corollaries();
claim make_kim2025_thm1_special();
claim make_kim2025_scale_equivalence();
claim make_kim2025_thm1_generic();
claim make_kim2025_implicit_bias();
claim make_mu2025_lemma3_4();
claim make_mu2025_thm3_5();
claim make_lora_scale_gd_identities();
claim make_xu2023_thm3_1();
claim make_xu2023_thm3_2();
claim make_xu2025tmlr_thm3_1();
claim make_xu2025tmlr_thm3_2();
claim make_xu2025tmlr_sec4();

const std::vector<claim>& registry() {
  static const std::vector<claim> all{
      make_xu2025_claim3_1(),         make_xu2025_claim3_2_misalignment(), make_xu2025_claim3_2_imbalance(),
      make_xu2025_early_phase_F(),    make_xu2025_t1_slope(),              make_xu2025_lemma_c1(),
      make_xu2025_local_convergence(), make_xu2025_loss_floor(),           make_xu2025_thm4_1(),
      make_xu2025_app_g(),            make_xu2025_mirror(),
      make_xu2025_equivariance(), make_xu2025_eq53(), make_xu2025_lemma_c2(), make_xu2025_thm_c1(), make_xu2025_lemmas_c4_c6(), make_xu2025_lemma_d1(),
                     make_min2021_thm1(),
      make_min2021_prop1(),
      make_min2021_lemma1(),
      make_min2021_thm2(),
      make_min2021_appA2(),
      make_min2021_thm3_corollaries(),
      make_kim2025_thm1_special(),
      make_kim2025_scale_equivalence(),
      make_kim2025_thm1_generic(),
      make_kim2025_implicit_bias(),
      make_mu2025_lemma3_4(),
      make_mu2025_thm3_5(),
      make_lora_scale_gd_identities(),
      make_xu2023_thm3_1(),
      make_xu2023_thm3_2(),
      make_xu2025tmlr_thm3_1(),
      make_xu2025tmlr_thm3_2(),
      make_xu2025tmlr_sec4(),
  };
  return all;
}

}  // namespace loraflow::check
