#pragma once
/// @file
/// ChatML, the Qwen2 chat format:
///
///   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n
///
/// followed by the assistant's reply and <|im_end|>. `no_think` pre-fills the empty think block
/// `<think>\n\n</think>\n` that forces the no-reasoning samples of superior-CoT enforcement
/// (method.md §3): the model continues after it, straight into the answer.

#include <string>
#include <string_view>

namespace raif {

struct ChatML {
  std::string im_start = "<|im_start|>", im_end = "<|im_end|>";
  std::string no_think_prefill = "<think>\n\n</think>\n";

  /// The prompt up to the assistant's turn (what generation continues from).
  std::string prompt(std::string_view system, std::string_view user, bool no_think = false) const {
    std::string s;
    if (!system.empty()) s += turn("system", system);
    s += turn("user", user);
    s += im_start + "assistant\n";
    if (no_think) s += no_think_prefill;
    return s;
  }
  /// A whole conversation, the assistant's reply closed by <|im_end|> (behaviour-cloning targets).
  std::string conversation(std::string_view system, std::string_view user, std::string_view assistant) const {
    return prompt(system, user) + std::string(assistant) + im_end + "\n";
  }
  std::string turn(std::string_view role, std::string_view content) const {
    return im_start + std::string(role) + "\n" + std::string(content) + im_end + "\n";
  }
};

} // namespace raif
