// raif-score's input line (include/raif/reward/score_io.hpp): one JSONL line parsed into an item
// (prompt, response, context, a composition spec or IFEval's ids and kwargs, compiled), then scored
// with the default options and with the plain template, as raif-score's workers do. Input: the
// line's bytes. Parsing and scoring may throw only raif::error (scoring rejects, e.g., a context
// that lacks a field a Select condition reads: raif-score reports that row by file:line).
#include "fuzz.hpp"

#include <raif/reward/score_io.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string file = "items.jsonl";
  raif::ScoreItem item;
  if (!raif::fuzz::guard([&] { item = raif::parse_score_line(raif::fuzz::bytes(data, size), file, 7); })) return 0;
  raif::fuzz::guard([&] {
    const auto out = raif::score_item(item, {});
    if (!out.contains("reward") || !out["reward"].is_number()) std::abort();
    (void)out.dump(); // raif-score writes it: must be valid JSON (UTF-8)
    raif::ScoreOptions plain;
    plain.chat.plain = true;
    plain.policy = raif::Fraction{};
    (void)raif::score_item(item, plain).dump();
  });
  return 0;
}
