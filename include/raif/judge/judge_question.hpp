#pragma once
/// @file
/// JudgeQuestion: a judge-verified leaf, a constraint answered by the judge in the `Context`.

#include <raif/constraint/constraint.hpp>
#include <raif/error.hpp>
#include <raif/judge/judge.hpp>

#include <span>
#include <string>
#include <string_view>

namespace raif {

/// A judge-verified leaf: YES to `question` about the text (the item's prompt is the input).
struct JudgeQuestion {
  static constexpr std::string_view id = "judge:question";
  BOOST_HANA_DEFINE_STRUCT(JudgeQuestion, (std::string, question));
  bool check(const Text& t, const Context& x) const {
    if (!x.judge) throw error("raif: leaf 'judge:question' (\"" + question + "\") needs a judge, and none was given");
    const JudgeQuery q{std::string(x.prompt), std::string(t.str()), question};
    return x.judge->judge(std::span<const JudgeQuery>(&q, 1)).at(0).yes;
  }
  std::string describe() const { return question; }
};

} // namespace raif
