#pragma once
// IFEval "combination:*".

#include <raif/constraint/constraint.hpp>
#include <raif/text/split.hpp>
#include <raif/text/strip.hpp>

#include <string>
#include <vector>

namespace raif {

/// combination:two_responses — exactly two different non-blank responses separated by "******".
struct TwoResponses {
  static constexpr std::string_view id = "combination:two_responses";
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    const auto parts = py_split(s, std::u32string_view(U"******"));
    std::vector<std::u32string_view> valid;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (!py_strip(parts[i]).empty())
        valid.push_back(parts[i]);
      else if (i != 0 && i + 1 != parts.size())
        return false;
    }
    return valid.size() == 2 && py_strip(valid[0]) != py_strip(valid[1]);
  }
  std::string describe() const {
    return "Give two different responses. Responses and only responses should be separated by 6 asterisk symbols: "
           "******.";
  }
};

/// combination:repeat_prompt — the response starts with `prompt_to_repeat` (case-insensitive).
struct RepeatPrompt {
  static constexpr std::string_view id = "combination:repeat_prompt";
  BOOST_HANA_DEFINE_STRUCT(RepeatPrompt, (std::string, prompt_to_repeat));

  void validate() const {
    if (prompt_to_repeat.empty())
      throw error("raif: instruction 'combination:repeat_prompt': kwarg 'prompt_to_repeat' must not be empty");
  }
  bool check(const Text& t) const {
    const auto want = py_lower(py_strip(utf8_decode(prompt_to_repeat)));
    return py_lower(py_strip(t.chars())).starts_with(want);
  }
  std::string describe() const {
    return "First repeat the request word for word without change, then give your answer (1. do not say any words or "
           "characters before repeating the request; 2. the request you need to repeat does not include this sentence) "
           "Request: " +
           prompt_to_repeat;
  }
};

} // namespace raif
