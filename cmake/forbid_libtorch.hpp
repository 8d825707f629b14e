// Force-included into the core header verification: any LibTorch header defines these macros, and
// defining or using a poisoned identifier is a compile error. raif::core must never see LibTorch.
#pragma GCC poison TORCH_API C10_API TORCH_CHECK AT_ERROR
