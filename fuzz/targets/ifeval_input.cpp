// IFEval's input_data.jsonl (key, prompt, instruction_id_list, kwargs per line) through
// read_ifeval_input, then each item's constraints built from its ids and kwargs and evaluated,
// strict and loose, on a response. Input: the JSONL bytes, optionally followed by a NUL and the
// response (without one, each item is evaluated on its own prompt).
#include "fuzz.hpp"

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
    if (!raif::fuzz::guard([&] { cs = item.constraints(); })) continue;
    const std::string_view response = own_response ? in[1] : std::string_view(item.prompt);
    raif::fuzz::no_throw([&] {
      const auto v = raif::evaluate_ifeval(cs, response, raif::Context{.prompt = item.prompt});
      if (v.strict.size() != cs.size() || v.loose.size() != cs.size()) std::abort();
      for (std::size_t i = 0; i < cs.size(); ++i)
        if (v.strict[i] && !v.loose[i]) std::abort(); // loose accepts whatever strict does
    });
  }
  return 0;
}
