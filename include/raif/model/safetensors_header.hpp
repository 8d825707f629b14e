#pragma once
/// @file
/// The safetensors header, read and validated without LibTorch (so it can be fuzzed and used by
/// tools that never load a tensor). A safetensors file is an 8-byte little-endian length N, a JSON
/// header of N bytes {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then the data.
///
///   const auto h = raif::read_safetensors_header("model.safetensors");
///   for (const auto& t : h.tensors) ...  // name, dtype, shape, [begin, end) in the data, in file order
///
/// What raif accepts is what Hugging Face's safetensors library (safetensors/src/tensor.rs,
/// `read_metadata` and `Metadata::validate`) accepts, with one stricter rule; everything else is a
/// raif::error naming the file and, where there is one, the tensor:
/// - the file holds at least 8 bytes; N is at most 100,000,000 (HF's MAX_HEADER_SIZE) and at most
///   the file size - 8;
/// - the header is valid UTF-8 JSON whose top level is an object;
/// - `__metadata__`, if present and not null, is an object of strings;
/// - every other key is a tensor: an object with `dtype` (one of HF's: BOOL U8 I8 F8_E5M2 F8_E4M3
///   I16 U16 F16 BF16 I32 U32 F32 F64 I64 U64), `shape` (an array of non-negative integers) and
///   `data_offsets` (two non-negative integers, begin <= end); other fields are ignored, as HF does;
/// - end - begin equals the element count times the element size;
/// - sorted by offsets, the tensors tile the data exactly: the first begins at 0, each begins where
///   the previous ends (no gap, no overlap) and the last ends at the end of the file (no trailing
///   bytes; a file with no tensor has no data);
/// - stricter than HF: the product of a shape's non-zero dimensions times the element size fits in
///   a signed 64-bit integer, so no shape can overflow a tensor library's size arithmetic even when
///   another dimension is 0 (HF multiplies left to right and accepts [0, 2^62, 8]).
/// As every tensor's bytes lie inside the file, a header can never make a reader allocate more than
/// the file holds.

#include <raif/detail/json_field.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace raif {

/// HF's MAX_HEADER_SIZE: a longer header is refused before it is read.
inline constexpr std::uint64_t safetensors_max_header_length = 100'000'000;

/// The size in bytes of one element of a safetensors dtype ("F32" -> 4); 0 for an unknown dtype.
inline std::uint64_t safetensors_dtype_size(std::string_view dtype) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 15> sizes{{{"BOOL", 1},
                                                                                     {"U8", 1},
                                                                                     {"I8", 1},
                                                                                     {"F8_E5M2", 1},
                                                                                     {"F8_E4M3", 1},
                                                                                     {"I16", 2},
                                                                                     {"U16", 2},
                                                                                     {"F16", 2},
                                                                                     {"BF16", 2},
                                                                                     {"I32", 4},
                                                                                     {"U32", 4},
                                                                                     {"F32", 4},
                                                                                     {"F64", 8},
                                                                                     {"I64", 8},
                                                                                     {"U64", 8}}};
  for (const auto& [name, size] : sizes)
    if (name == dtype) return size;
  return 0;
}

/// One tensor of a safetensors header.
struct SafetensorsTensor {
  std::string name;
  std::string dtype;               ///< "F32", "BF16", ... (safetensors_dtype_size knows it)
  std::vector<std::int64_t> shape; ///< each dimension fits int64 (what tensor libraries take)
  std::uint64_t begin = 0;         ///< data_offsets[0]: first byte, counted from the start of the data
  std::uint64_t end = 0;           ///< data_offsets[1]: one past the last byte
  std::uint64_t bytes() const { return end - begin; }
};

/// A validated safetensors header: the tensors in file (offset) order and the metadata.
struct SafetensorsHeader {
  std::uint64_t header_length = 0; ///< N: the JSON header's length in bytes
  std::vector<SafetensorsTensor> tensors;
  std::map<std::string, std::string> metadata; ///< `__metadata__`
  /// Where the data begins in the file (tensor t's bytes are [data_begin() + t.begin, data_begin() + t.end)).
  std::uint64_t data_begin() const { return 8 + header_length; }
};

/// N, from the first bytes of a file of `file_size` bytes (at least 8 of them are needed), checked
/// against the 100 MB limit and the file size.
inline std::uint64_t safetensors_header_length(std::string_view first_bytes, std::uint64_t file_size,
                                               const std::string& path) {
  if (file_size < 8 || first_bytes.size() < 8)
    throw error("raif: " + path + ": not a safetensors file: " + std::to_string(file_size) +
                " bytes, too short for the 8-byte header length");
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(first_bytes[i])) << (8 * i);
  if (n > safetensors_max_header_length)
    throw error("raif: " + path + ": header length " + std::to_string(n) + " is above the limit of " +
                std::to_string(safetensors_max_header_length) + " bytes (corrupted or not a safetensors file)");
  if (n > file_size - 8)
    throw error("raif: " + path + ": header length " + std::to_string(n) + " exceeds the file (" +
                std::to_string(file_size) + " bytes; truncated?)");
  return n;
}

namespace detail {
inline SafetensorsTensor safetensors_tensor(const std::string& name, const nlohmann::json& d, const std::string& path) {
  const std::string where = path + ": tensor " + quote(name);
  if (!d.is_object())
    throw error("raif: " + where + ": expected an object {dtype, shape, data_offsets}, got " + json_kind(d));
  SafetensorsTensor t;
  t.name = name;
  t.dtype = as_string(require_field(d, "dtype", where, "dtype"), where, "dtype");
  const std::uint64_t size = safetensors_dtype_size(t.dtype);
  if (size == 0) throw field_error(where, "dtype", "unknown safetensors dtype " + quote(t.dtype));
  const auto& shape = require_field(d, "shape", where, "shape");
  if (!shape.is_array()) throw wrong_type(shape, where, "shape", "an array of non-negative integers");
  constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t nonzero = size; // the product of the non-zero dimensions, times the element size
  bool empty = false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const auto dim = as_uint(shape[i], where, "shape[" + std::to_string(i) + "]");
    if (dim == 0) {
      empty = true;
    } else {
      if (nonzero > int64_max / dim) throw field_error(where, "shape", "its size overflows 64 bits (corrupted header)");
      nonzero *= dim;
    }
    t.shape.push_back(static_cast<std::int64_t>(dim));
  }
  const auto& off = require_field(d, "data_offsets", where, "data_offsets");
  if (!off.is_array() || off.size() != 2)
    throw wrong_type(off, where, "data_offsets", "an array of two non-negative integers [begin, end]");
  t.begin = as_uint(off[0], where, "data_offsets[0]");
  t.end = as_uint(off[1], where, "data_offsets[1]");
  if (t.end < t.begin)
    throw field_error(where, "data_offsets",
                      "end " + std::to_string(t.end) + " is before begin " + std::to_string(t.begin));
  const std::uint64_t bytes = empty ? 0 : nonzero;
  if (t.end - t.begin != bytes)
    throw field_error(where, "data_offsets",
                      "[" + std::to_string(t.begin) + ", " + std::to_string(t.end) + ") holds " +
                          std::to_string(t.end - t.begin) + " bytes, its dtype " + t.dtype + " and shape need " +
                          std::to_string(bytes));
  return t;
}
} // namespace detail

/// Parses and validates the header of a safetensors file of `file_size` bytes; `prefix` holds (at
/// least) its first 8 + N bytes. Bad headers are raif::errors naming `path` and the tensor.
inline SafetensorsHeader parse_safetensors_header(std::string_view prefix, std::uint64_t file_size,
                                                  const std::string& path) {
  SafetensorsHeader h;
  h.header_length = safetensors_header_length(prefix, file_size, path);
  if (prefix.size() - 8 < h.header_length)
    throw error("raif: " + path + ": only " + std::to_string(prefix.size() - 8) + " of the header's " +
                std::to_string(h.header_length) + " bytes were read");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(prefix.substr(8, h.header_length));
  } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range: a number beyond a double
    throw error("raif: " + path + ": the header is not valid JSON (corrupted or truncated?): " + e.what());
  }
  if (!j.is_object()) throw error("raif: " + path + ": the header is " + detail::json_kind(j) + ", not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "__metadata__") {
      const auto& m = it.value();
      if (m.is_null()) continue;
      if (!m.is_object()) throw detail::wrong_type(m, path, "__metadata__", "an object of strings");
      for (auto kv = m.begin(); kv != m.end(); ++kv)
        h.metadata[kv.key()] = detail::as_string(kv.value(), path, "__metadata__." + kv.key());
      continue;
    }
    h.tensors.push_back(detail::safetensors_tensor(it.key(), it.value(), path));
  }
  std::stable_sort(h.tensors.begin(), h.tensors.end(), // ties (empty tensors) in name order
                   [](const auto& a, const auto& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  std::uint64_t at = 0; // where the next tensor must begin
  for (const auto& t : h.tensors) {
    if (t.begin != at)
      throw error("raif: " + path + ": tensor " + detail::quote(t.name) + ": data_offsets [" + std::to_string(t.begin) +
                  ", " + std::to_string(t.end) + ") " +
                  (t.begin < at ? "overlap the previous tensor" : "leave a gap after the previous tensor") +
                  ", which ends at " + std::to_string(at));
    at = t.end;
  }
  const std::uint64_t data_size = file_size - h.data_begin(); // no underflow: N <= file_size - 8
  if (at != data_size)
    throw error("raif: " + path + ": the tensors cover " + std::to_string(at) + " bytes of data, the file holds " +
                std::to_string(data_size) + (at > data_size ? " (truncated?)" : " (trailing bytes)"));
  return h;
}

/// Reads and validates the header of the safetensors file at `path` (only the header is read).
inline SafetensorsHeader read_safetensors_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw error("raif: cannot open " + path);
  const auto end = in.tellg();
  if (end < 0) throw error("raif: cannot read " + path);
  const auto size = static_cast<std::uint64_t>(end);
  in.seekg(0);
  std::string prefix(size < 8 ? size : 8, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  const auto n = safetensors_header_length(prefix, size, path);
  prefix.resize(8 + n);
  if (!in.read(prefix.data() + 8, static_cast<std::streamsize>(n)))
    throw error("raif: " + path + ": cannot read its " + std::to_string(n) + "-byte header");
  return parse_safetensors_header(prefix, size, path);
}

} // namespace raif
