// A composition spec (docs/compositions.md, docs/composition.schema.json) through raif::compile and
// IFEval's flat form through raif::compile_ifeval, each then evaluated on a response under every
// aggregation policy. Input: spec JSON, NUL, response, NUL, the item's context fields as JSON (each
// part optional). Reading the JSON text is nlohmann's (a non-JSON input stops there); what the
// fuzzer probes is raif's reading of the JSON value: only raif::error may reject it.
//
// Also checked: a compiled spec round-trips (compile(n.spec()).spec() == n.spec()), and every
// policy's score is a number in its range ([0, 1]; RAIF's piecewise reward: [-2, 2]).
#include "fuzz.hpp"

#include <raif/compose/policy.hpp>
#include <raif/compose/runtime.hpp>

#include <cmath>

namespace {

void evaluate_everywhere(const raif::AnyNode& node, std::string_view response, const raif::Context& ctx) {
  raif::Verdict v;
  if (!raif::fuzz::guard([&] { v = raif::evaluate(node, response, ctx); })) return; // e.g. judge:question, no judge
  raif::fuzz::no_throw([&] {
    (void)raif::to_text(v);
    (void)raif::to_json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const char* name : {"all_or_nothing", "fraction", "dependency_aware", "raif", "priority", "weighted"}) {
      const double s = raif::aggregate(raif::policy_from_name(name), v);
      const bool raif = name == std::string_view("raif"); // RAIF Eq. 5: lo = -2, hi = 2
      const double lo = raif ? -2 : 0, hi = raif ? 2 : 1;
      if (!(s >= lo && s <= hi)) {
        std::fprintf(stderr, "raif fuzz: policy %s scored %g, outside [%g, %g]\n", name, s, lo, hi);
        std::abort();
      }
    }
  });
}

void round_trip(const raif::AnyNode& node) {
  raif::fuzz::no_throw([&] {
    const nlohmann::json s = node.spec();
    if (raif::compile(s).spec() != s) {
      std::fprintf(stderr, "raif fuzz: spec does not round-trip: %s\n",
                   s.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      std::abort();
    }
  });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = raif::fuzz::fields(raif::fuzz::bytes(data, size), 3);
  const auto spec = nlohmann::json::parse(in[0], nullptr, /*allow_exceptions=*/false);
  if (spec.is_discarded()) return 0;
  const auto fields = nlohmann::json::parse(in[2], nullptr, false);
  const raif::Context ctx{.fields = fields.is_discarded() ? nullptr : &fields};
  raif::AnyNode node;
  if (raif::fuzz::guard([&] { node = raif::compile(spec); })) {
    round_trip(node);
    evaluate_everywhere(node, in[1], ctx);
  }
  if (raif::fuzz::guard([&] { node = raif::compile_ifeval(spec); })) evaluate_everywhere(node, in[1], ctx);
  return 0;
}
