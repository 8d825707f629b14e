#pragma once
/// @file
/// The safetensors format (Hugging Face's weight files): an 8-byte little-endian header length, a
/// JSON header {name: {dtype, shape, data_offsets}}, then the raw tensor bytes. Self-describing,
/// and what Qwen2.5 checkpoints ship as, so raif reads those and Python reads raif's.

#include <raif/detail/atomic_file.hpp>
#include <raif/torch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace raif {

namespace detail {
inline std::string safetensors_dtype(torch::ScalarType t) {
  switch (t) {
  case torch::kFloat32: return "F32";
  case torch::kFloat16: return "F16";
  case torch::kBFloat16: return "BF16";
  case torch::kFloat64: return "F64";
  case torch::kInt64: return "I64";
  case torch::kInt32: return "I32";
  case torch::kInt16: return "I16";
  case torch::kInt8: return "I8";
  case torch::kUInt8: return "U8";
  case torch::kBool: return "BOOL";
  default: throw error("raif: safetensors cannot store dtype " + std::string(c10::toString(t)));
  }
}
inline torch::ScalarType safetensors_scalar(const std::string& s, const std::string& where) {
  static const std::map<std::string, torch::ScalarType> m = {
      {"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16}, {"F64", torch::kFloat64},
      {"I64", torch::kInt64},   {"I32", torch::kInt32},   {"I16", torch::kInt16},     {"I8", torch::kInt8},
      {"U8", torch::kUInt8},    {"BOOL", torch::kBool}};
  auto it = m.find(s);
  if (it == m.end()) throw error("raif: " + where + ": unsupported safetensors dtype '" + s + "'");
  return it->second;
}
} // namespace detail

/// Writes named tensors (any device; stored as they are) to `path`, atomically (temporary + rename).
inline void save_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                             const std::map<std::string, std::string>& metadata = {{"format", "pt"}}) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> cpu;
  std::int64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    const auto bytes = static_cast<std::int64_t>(c.numel() * c.element_size());
    header[name] = {{"dtype", detail::safetensors_dtype(c.scalar_type())},
                    {"shape", c.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    cpu.push_back(std::move(c));
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' '); // the data starts 8-byte aligned
  detail::write_atomic(
      path,
      [&](std::ostream& out) {
        const std::uint64_t n = h.size();
        unsigned char len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
        out.write(reinterpret_cast<const char*>(len), 8);
        out.write(h.data(), static_cast<std::streamsize>(h.size()));
        for (const auto& c : cpu)
          out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
      },
      /*binary=*/true);
}

/// Reads every tensor of a safetensors file (on the CPU, in file order). Malformed files give an
/// error naming the file and the tensor.
inline std::vector<std::pair<std::string, torch::Tensor>> load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw error("raif: cannot open " + path);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char len[8];
  if (size < 8 || !in.read(reinterpret_cast<char*>(len), 8))
    throw error("raif: " + path + " is not a safetensors file (too short)");
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(len[i]) << (8 * i);
  if (n > size - 8) throw error("raif: " + path + ": header length " + std::to_string(n) + " exceeds the file");
  std::string h(n, '\0');
  in.read(h.data(), static_cast<std::streamsize>(n));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(h);
  } catch (const std::exception& e) { throw error("raif: " + path + ": header is not JSON: " + e.what()); }
  const std::uint64_t data = 8 + n;
  std::vector<std::tuple<std::uint64_t, std::string, torch::Tensor>> out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const std::string where = path + ": tensor '" + it.key() + "'";
    const auto& d = it.value();
    const auto type = detail::safetensors_scalar(d.at("dtype").get<std::string>(), where);
    const auto shape = d.at("shape").get<std::vector<std::int64_t>>();
    const auto off = d.at("data_offsets").get<std::vector<std::uint64_t>>();
    auto t = torch::empty(shape, torch::TensorOptions().dtype(type));
    const auto bytes = static_cast<std::uint64_t>(t.numel() * t.element_size());
    if (off.size() != 2 || off[1] < off[0] || off[1] - off[0] != bytes || data + off[1] > size)
      throw error("raif: " + where + ": data_offsets do not match its dtype and shape or exceed the file");
    in.seekg(static_cast<std::streamoff>(data + off[0]));
    in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(bytes));
    if (!in) throw error("raif: " + where + ": cannot read its data");
    out.emplace_back(off[0], it.key(), std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
  std::vector<std::pair<std::string, torch::Tensor>> r;
  for (auto& [o, name, t] : out) r.emplace_back(std::move(name), std::move(t));
  return r;
}

} // namespace raif
