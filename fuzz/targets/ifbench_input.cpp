// IFBench's input JSONL (key as an integer or a string of digits, prompt, instruction_id_list,
// kwargs per line) through read_ifeval_input, each item's constraints built from
// Registry::ifbench() (its 58 ids and IFEval's 25) and evaluated, strict and loose, on a response:
// the CSV reader, the POS tagger, syllables, emoji, ASCII folding and every IFBench check on
// arbitrary bytes. Input: the JSONL bytes, optionally followed by a NUL and the response (without
// one, each item is evaluated on its own prompt).
#include "fuzz.hpp"

#include <raif/constraint/ifbench.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/eval/ifeval_io.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = raif::fuzz::fields(raif::fuzz::bytes(data, size), 2);
  const raif::fuzz::MemFile file(in[0]);
  std::vector<raif::IfevalItem> items;
  if (!raif::fuzz::guard([&] { items = raif::read_ifeval_input(file.path()); })) return 0;
  const bool own_response = size > in[0].size(); // a NUL was there
  for (const auto& item : items) {
    std::vector<raif::AnyConstraint> cs;
    if (!raif::fuzz::guard([&] { cs = item.constraints(raif::Registry::ifbench()); })) continue;
    const std::string_view response = own_response ? in[1] : std::string_view(item.prompt);
    // Some checks reject their text as the official code does (a lone CR in CSV): raif::error only.
    raif::fuzz::guard([&] {
      const auto v = raif::evaluate_ifeval(cs, response, raif::Context{.prompt = item.prompt});
      if (v.strict.size() != cs.size() || v.loose.size() != cs.size()) std::abort();
      for (std::size_t i = 0; i < cs.size(); ++i)
        if (v.strict[i] && !v.loose[i]) std::abort(); // loose accepts whatever strict does
    });
  }
  return 0;
}
