#pragma once
/// @file
/// DynamicLossScale: fp16's dynamic loss scaling, with the rules and defaults of PyTorch's
/// `torch.amp.GradScaler` (and Megatron-LM's floor of 1).
///
/// Why: fp16 keeps 5 exponent bits. A gradient below 2^-25 ≈ 3e-8 (half its smallest subnormal)
/// rounds to zero in an fp16 backward pass, below 2^-14 it loses precision, and above 65504 it
/// overflows. The loss is multiplied by `scale` before backward, so the gradients live where fp16
/// can hold them, and divided by it again in float32 (MixedPrecision's masters) before clipping and
/// the update:
///
///   g_master = fp32(g_fp16(scale · L)) / scale
///
/// A step whose gradients are not finite is skipped and the scale halved; `growth_interval`
/// finite steps in a row double it. bf16 has float32's exponent range and needs none of this.

#include <algorithm>
#include <cstdint>

namespace raif {

struct DynamicLossScale {
  double scale = 65536.0; ///< 2^16, GradScaler's init_scale
  double growth_factor = 2.0, backoff_factor = 0.5;
  std::int64_t growth_interval = 2000;
  double min_scale = 1.0; ///< an overflow at this scale is not the scale's doing: the trainer counts it as an error
  std::int64_t finite_in_a_row = 0;

  /// After an update: `finite` says whether the unscaled gradients were all finite (the update was
  /// made) or not (it was skipped). Returns whether the skip was the loss scale's doing, that is,
  /// an overflow above `min_scale` that a smaller scale may avoid.
  bool update(bool finite) {
    if (finite) {
      if (++finite_in_a_row >= growth_interval) scale *= growth_factor, finite_in_a_row = 0;
      return false;
    }
    finite_in_a_row = 0;
    if (scale <= min_scale) return false;
    scale = std::max(min_scale, scale * backoff_factor);
    return true;
  }
};

} // namespace raif
