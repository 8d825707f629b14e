// IFEval's response file (input_response_data_*.jsonl: prompt, response per line) through
// read_ifeval_responses, which takes a path: the bytes are the file.
#include "fuzz.hpp"

#include <raif/eval/ifeval_io.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const raif::fuzz::MemFile file(raif::fuzz::bytes(data, size));
  raif::fuzz::guard([&] { (void)raif::read_ifeval_responses(file.path()); });
  return 0;
}
