// loraflow/fp_env.hpp: the floating-point environment loraflow's kernels assume, set for a scope and restored after.
//
// A host program (the Python module, a plotting tool, a game engine) may leave a rounding mode other than
// round-to-nearest, flush-to-zero / denormals-are-zero, reduced x87 precision or unmasked exception traps in the
// thread that calls loraflow. Results would then depend on the caller. fp_environment_scope saves the whole
// environment, installs the one loraflow is written for, and restores the caller's on exit:
//   - rounding: round to nearest, ties to even (fesetround(FE_TONEAREST) sets both the SSE MXCSR and the x87
//     control word on x86-64);
//   - exceptions: every trap masked (feholdexcept), so an overflow or NaN is data (run_status::non_finite), never
//     SIGFPE; the exception flags raised inside the scope are discarded on exit, the caller's flags are restored;
//   - x86-64 only: FTZ (MXCSR bit 15) and DAZ (bit 6) cleared, so subnormals are kept; x87 precision control set to
//     64-bit significands, which long double needs (some hosts set 53 bits).
// Which types this matters for (lib/test/fp_env.test.cpp shows it): double, long double (x87) and float128 (GCC's
// soft-float __float128 arithmetic reads the SSE rounding mode) follow the host's environment; float50, float100
// (cpp_bin_float) and mpfr_float round in software and do not.
//
// Elsewhere (no __x86_64__ or no SSE): only the C <cfenv> part (rounding mode, traps) is set; FTZ/DAZ-like control
// registers of other architectures (e.g. AArch64 FPCR.FZ) are left as they are.
// Not thread-safe across threads by design: the floating-point environment is per thread, like the scope.
#pragma once

#include <cfenv>

#if defined(__x86_64__) && defined(__SSE__)
#include <xmmintrin.h>
#define LORAFLOW_FP_ENV_X86 1
#else
#define LORAFLOW_FP_ENV_X86 0
#endif

namespace loraflow {

namespace fp_env {
#if LORAFLOW_FP_ENV_X86
constexpr unsigned mxcsr_ftz = 1u << 15;  ///< flush to zero: subnormal results become 0
constexpr unsigned mxcsr_daz = 1u << 6;   ///< denormals are zero: subnormal inputs read as 0
constexpr unsigned short x87_precision_mask = 0x300;  ///< x87 control word, precision control
constexpr unsigned short x87_precision_extended = 0x300;  ///< 64-bit significand (long double)

inline unsigned short x87_control_word() {
  unsigned short cw;
  __asm__ __volatile__("fnstcw %0" : "=m"(cw));
  return cw;
}
inline void set_x87_control_word(unsigned short cw) { __asm__ __volatile__("fldcw %0" : : "m"(cw)); }
#endif
}  // namespace fp_env

/// RAII: installs round-to-nearest, masked traps, no FTZ/DAZ and extended x87 precision for its lifetime, and
/// restores the caller's floating-point environment (rounding, traps, flags, MXCSR, x87 control word) on exit.
class fp_environment_scope {
 public:
  fp_environment_scope() {
#if LORAFLOW_FP_ENV_X86
    m_mxcsr = _mm_getcsr();  // the caller's, before feholdexcept changes flags and masks
    m_x87 = fp_env::x87_control_word();
#endif
    std::feholdexcept(&m_saved);  // saves everything, clears the flags, masks every trap
    std::fesetround(FE_TONEAREST);
#if LORAFLOW_FP_ENV_X86
    _mm_setcsr(_mm_getcsr() & ~(fp_env::mxcsr_ftz | fp_env::mxcsr_daz));
    fp_env::set_x87_control_word(
        static_cast<unsigned short>((fp_env::x87_control_word() & ~fp_env::x87_precision_mask) | fp_env::x87_precision_extended));
#endif
  }
  ~fp_environment_scope() {
    std::fesetenv(&m_saved);
#if LORAFLOW_FP_ENV_X86
    _mm_setcsr(m_mxcsr);  // glibc's fesetenv restores MXCSR too; set it again so FTZ/DAZ come back on any libc
    fp_env::set_x87_control_word(m_x87);
#endif
  }
  fp_environment_scope(const fp_environment_scope&) = delete;
  fp_environment_scope& operator=(const fp_environment_scope&) = delete;

 private:
  std::fenv_t m_saved;
#if LORAFLOW_FP_ENV_X86
  unsigned m_mxcsr = 0;
  unsigned short m_x87 = 0;
#endif
};

}  // namespace loraflow
