// The trainer's resume files (trainer/run_state.hpp): the input is read as state.json, as
// checkpoint/step.json and as metrics.jsonl cut back to a position (the one the input itself
// names when it parses as state.json, else grpo step 2), as a resumed run reads them.
#include "fuzz.hpp"

#include <raif/trainer/run_state.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = raif::fuzz::bytes(data, size);
  raif::RunPosition at{.stage = "grpo", .step = 2};
  raif::fuzz::guard([&] { at = raif::parse_run_position(text, "state.json"); });
  raif::fuzz::guard([&] { (void)raif::parse_run_position(text, "checkpoint/step.json", /*checkpoint=*/true); });
  raif::fuzz::guard([&] {
    const auto cut = raif::truncate_metrics(text, "metrics.jsonl", at);
    // laws: what is kept is a prefix of whole lines, and cutting it again changes nothing
    if (text.substr(0, cut.kept.size()) != cut.kept) std::abort();
    const auto again = raif::truncate_metrics(cut.kept, "metrics.jsonl", at);
    if (again.kept != cut.kept || again.dropped_lines != 0 || again.torn) std::abort();
  });
  return 0;
}
