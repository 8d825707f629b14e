#pragma once
/// @file
/// A sharded checkpoint's `model.safetensors.index.json`: its `weight_map` {tensor: shard file},
/// checked and turned around into shard file -> the tensors it must hold. Every shard must be a
/// plain file name beside the index (no directory, no "..": an index cannot reach outside its
/// folder). Without LibTorch, so that it is fuzzed alone (fuzz/targets/safetensors_index.cpp).
///
///   const auto by_shard = raif::parse_safetensors_index(text, "ckpt/model.safetensors.index.json");

#include <raif/detail/json_field.hpp>
#include <raif/detail/json_file.hpp>
#include <raif/error.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace raif {

/// Shard file name -> the names of the tensors the index puts in it.
using SafetensorsIndex = std::map<std::string, std::set<std::string>>;

/// Parses the text of an index read from `where`; every error names `where` and the field.
inline SafetensorsIndex parse_safetensors_index(std::string_view text, const std::string& where) {
  using namespace detail;
  const auto index = parse_json_text(text, where);
  if (!index.is_object()) throw error("raif: " + where + ": expected a JSON object, got " + json_kind(index));
  const auto& map = require_field(index, "weight_map", where, "weight_map");
  if (!map.is_object() || map.empty())
    throw wrong_type(map, where, "weight_map", "a non-empty object {tensor: shard file}");
  SafetensorsIndex by_shard;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const auto field = "weight_map[" + quote(it.key()) + "]";
    const auto& shard = as_string(it.value(), where, field);
    if (shard.empty() || shard.find('/') != std::string::npos || shard.find('\\') != std::string::npos ||
        shard == "." || shard == "..")
      throw field_error(where, field, quote(shard) + " is not a file name beside the index");
    by_shard[shard].insert(it.key());
  }
  return by_shard;
}

} // namespace raif
