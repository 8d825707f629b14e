// A trainer configuration (TOML, include/raif/trainer/config.hpp) through TrainConfig::from_file,
// then `--set section.key=value` overrides (TrainConfig::apply_override) and validate(). Input: the
// TOML, NUL, override lines (one per line). A configuration that validates must round-trip:
// from_file(to_toml()) writes the same TOML again.
#include "fuzz.hpp"

#include <raif/trainer/config.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = raif::fuzz::fields(raif::fuzz::bytes(data, size), 2);
  const raif::fuzz::MemFile file(in[0]);
  raif::TrainConfig c;
  if (!raif::fuzz::guard([&] { c = raif::TrainConfig::from_file(file.path()); })) return 0;
  for (std::string_view rest = in[1]; !rest.empty();) {
    const auto nl = rest.find('\n');
    const std::string line(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty()) raif::fuzz::guard([&] { c.apply_override(line); });
  }
  if (!raif::fuzz::guard([&] { c.validate(); })) return 0;
  raif::fuzz::no_throw([&] {
    const std::string toml = c.to_toml();
    const raif::fuzz::MemFile again(toml);
    const auto back = raif::TrainConfig::from_file(again.path());
    back.validate();
    if (back.to_toml() != toml) {
      std::fprintf(stderr, "raif fuzz: the configuration does not round-trip through to_toml:\n%s\n---\n%s\n",
                   toml.c_str(), back.to_toml().c_str());
      std::abort();
    }
  });
  return 0;
}
