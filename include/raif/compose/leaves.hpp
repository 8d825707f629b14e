#pragma once
/// @file
/// General-purpose leaves for compositions, beside IFEval's 25: tests on a segment, on JSON, and
/// on values captured by earlier Chain steps. Ids are "compose:*".

#include <raif/constraint/any_constraint.hpp>
#include <raif/constraint/ifbench.hpp>
#include <raif/constraint/ifeval.hpp>
#include <raif/detail/json_answer.hpp>
#include <raif/judge/judge_question.hpp>
#include <raif/text/split.hpp>
#include <raif/text/strip.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace raif {

/// The text contains the value captured as `var` (case-insensitive, Python's lower()).
struct ContainsVar {
  static constexpr std::string_view id = "compose:contains_var";
  BOOST_HANA_DEFINE_STRUCT(ContainsVar, (std::string, var));
  std::vector<std::string> reads() const { return {var}; }
  bool check(const Text& t, const Context& x) const {
    const auto v = x.var(var);
    if (!v) return false;
    const auto want = py_lower(py_strip(utf8_decode(*v)));
    return !want.empty() && t.lower().find(want) != std::u32string::npos;
  }
  std::string describe() const { return "Mention the " + var + " from the earlier part."; }
};

/// Exactly `num_lines` non-blank lines.
struct LineCount {
  static constexpr std::string_view id = "compose:line_count";
  BOOST_HANA_DEFINE_STRUCT(LineCount, (std::int64_t, num_lines));
  bool check(const Text& t) const {
    std::int64_t n = 0;
    for (auto line : py_split(t.str(), std::string_view("\n"))) n += !py_strip(line).empty();
    return n == num_lines;
  }
  std::string describe() const { return "Write exactly " + std::to_string(num_lines) + " lines."; }
};

/// The text (whitespace-stripped) starts with `prefix` (case-sensitive).
struct StartsWith {
  static constexpr std::string_view id = "compose:starts_with";
  BOOST_HANA_DEFINE_STRUCT(StartsWith, (std::string, prefix));
  bool check(const Text& t) const { return py_strip(t.str()).starts_with(prefix); }
  std::string describe() const { return "Start with \"" + prefix + "\"."; }
};

/// The text (whitespace-stripped) is exactly `value`.
struct Equals {
  static constexpr std::string_view id = "compose:equals";
  BOOST_HANA_DEFINE_STRUCT(Equals, (std::string, value));
  bool check(const Text& t) const { return py_strip(t.str()) == value; }
  std::string describe() const { return "Answer exactly \"" + value + "\"."; }
};

/// The text (optionally fenced) is a JSON object.
struct JsonObject {
  static constexpr std::string_view id = "compose:json_object";
  bool check(const Text& t) const {
    const auto j = detail::parse_json_answer(t.str());
    return j && j->is_object();
  }
  std::string describe() const { return "Answer with a JSON object."; }
};

/// A JSON object with exactly `num_keys` keys.
struct JsonKeyCount {
  static constexpr std::string_view id = "compose:json_key_count";
  BOOST_HANA_DEFINE_STRUCT(JsonKeyCount, (std::int64_t, num_keys));
  bool check(const Text& t) const {
    const auto j = detail::parse_json_answer(t.str());
    return j && j->is_object() && static_cast<std::int64_t>(j->size()) == num_keys;
  }
  std::string describe() const { return "The JSON object has exactly " + std::to_string(num_keys) + " keys."; }
};

/// A JSON object whose `key` holds `value` (compared as JSON text, e.g. "29" or "\"yes\"").
struct JsonFieldEquals {
  static constexpr std::string_view id = "compose:json_field_equals";
  BOOST_HANA_DEFINE_STRUCT(JsonFieldEquals, (std::string, key), (std::string, value));
  void validate() const {
    if (!nlohmann::json::accept(value)) {
      throw error("raif: instruction 'compose:json_field_equals': kwarg 'value' = \"" + value + "\" is not JSON text");
    }
  }
  bool check(const Text& t) const {
    const auto j = detail::parse_json_answer(t.str());
    return j && j->is_object() && j->contains(key) && (*j)[key] == nlohmann::json::parse(value);
  }
  std::string describe() const { return "Set \"" + key + "\" to " + value + "."; }
};

/// IFEval's 25 constraints, IFBench's 58, the compose:* leaves and judge:question.
RAIF_DETAIL_REGISTRY_INLINE const Registry& standard_registry();
#if RAIF_DETAIL_REGISTRY_BODIES
RAIF_DETAIL_REGISTRY_INLINE const Registry& standard_registry() {
  static const Registry r = [] {
    Registry reg = Registry::ifbench();
    reg.add<ContainsVar>()
        .add<LineCount>()
        .add<StartsWith>()
        .add<Equals>()
        .add<JsonObject>()
        .add<JsonKeyCount>()
        .add<JsonFieldEquals>()
        .add<JudgeQuestion>();
    return reg;
  }();
  return r;
}

#endif

} // namespace raif
