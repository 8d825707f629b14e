// A safetensors file (the bytes are the whole file: 8-byte header length, JSON header, data)
// through parse_safetensors_header, and through read_safetensors_header as a file. Beyond the
// harness's policy (only raif::error may escape) it checks what an accepted header promises:
// tensors tile the data exactly, each holds its shape's bytes, and nothing lies outside the file.
#include "fuzz.hpp"

#include <raif/model/safetensors_header.hpp>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace {
[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "raif fuzz: an accepted safetensors header breaks its promise: %s\n", what);
  std::abort();
}

void check(const raif::SafetensorsHeader& h, std::uint64_t file_size) {
  if (h.header_length > raif::safetensors_max_header_length || h.data_begin() > file_size) broken("header length");
  std::uint64_t at = 0;
  for (const auto& t : h.tensors) {
    if (t.begin != at || t.end < t.begin) broken("tensors do not tile the data");
    unsigned __int128 bytes = raif::safetensors_dtype_size(t.dtype);
    if (bytes == 0) broken("unknown dtype accepted");
    for (auto d : t.shape) {
      if (d < 0) broken("negative dimension");
      bytes *= static_cast<unsigned __int128>(d);
      if (bytes > std::numeric_limits<std::uint64_t>::max()) broken("size overflow accepted");
    }
    if (bytes != t.bytes()) broken("byte length differs from the shape's");
    at = t.end;
  }
  if (h.data_begin() + at != file_size) broken("data does not end at the end of the file");
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = raif::fuzz::bytes(data, size);
  bool accepted = false;
  raif::fuzz::guard([&] {
    check(raif::parse_safetensors_header(in, in.size(), "fuzz.safetensors"), in.size());
    accepted = true;
  });
  // The same bytes as a file: the same verdict.
  const raif::fuzz::MemFile file(in);
  const bool read = raif::fuzz::guard([&] { check(raif::read_safetensors_header(file.path()), in.size()); });
  if (read != accepted) broken("parse and read disagree");
  // A reader that has only part of the header, and one told the file is far larger than it is.
  raif::fuzz::guard(
      [&] { (void)raif::parse_safetensors_header(in.substr(0, size / 2), in.size(), "fuzz.safetensors"); });
  raif::fuzz::guard(
      [&] { (void)raif::parse_safetensors_header(in, std::numeric_limits<std::uint64_t>::max(), "fuzz.safetensors"); });
  return 0;
}
