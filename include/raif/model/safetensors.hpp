#pragma once
/// @file
/// The safetensors format (Hugging Face's weight files): an 8-byte little-endian header length, a
/// JSON header {name: {dtype, shape, data_offsets}}, then the raw tensor bytes. Self-describing,
/// and what Qwen2.5 checkpoints ship as, so raif reads those and Python reads raif's. What a valid
/// header is: safetensors_header.hpp (torch-free).

#include <raif/detail/atomic_file.hpp>
#include <raif/detail/json_field.hpp>
#include <raif/model/safetensors_header.hpp>
#include <raif/torch.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
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
  if (it == m.end()) throw error("raif: " + where + ": safetensors dtype " + s + " is not supported by raif's loader");
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

/// Reads the tensors of a safetensors file one at a time (on the CPU, in file order), passing each
/// to `take(name, tensor)` before the next is read: memory for one tensor, not the file. The
/// header is validated first (safetensors_header.hpp: offsets, sizes, coverage of the file), so a
/// malformed or truncated file is an error naming the file and the tensor before anything is
/// allocated, and no header can make this allocate more than the file holds.
template <class Take> void for_each_safetensor(const std::string& path, Take&& take) {
  const auto header = read_safetensors_header(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("raif: cannot open " + path);
  in.seekg(static_cast<std::streamoff>(header.data_begin()));
  for (const auto& t : header.tensors) { // contiguous, in file order
    const std::string where = path + ": tensor " + detail::quote(t.name);
    auto tensor = torch::empty(t.shape, torch::TensorOptions().dtype(detail::safetensors_scalar(t.dtype, where)));
    if (!in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(t.bytes())))
      throw error("raif: " + where + ": cannot read its data (the file changed while it was read?)");
    take(t.name, std::move(tensor));
  }
}

/// Reads every tensor of a safetensors file (on the CPU, in file order); see for_each_safetensor.
inline std::vector<std::pair<std::string, torch::Tensor>> load_safetensors(const std::string& path) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for_each_safetensor(path, [&](const std::string& name, torch::Tensor t) { out.emplace_back(name, std::move(t)); });
  return out;
}

} // namespace raif
