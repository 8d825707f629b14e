#pragma once
/// @file
/// Groups of samples that share a prompt: by group id (any order, any sizes; verl) or as
/// consecutive blocks of n (OpenRLHF, and raif's trainer).

#include <raif/error.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace raif {

/// The members (sample indices) of each group, in order of first appearance.
struct Groups {
  std::vector<std::vector<std::size_t>> members;
  std::size_t samples = 0;

  /// Groups by id: samples with equal ids form one group.
  static Groups from_ids(std::span<const std::int64_t> ids) {
    Groups g;
    g.samples = ids.size();
    std::map<std::int64_t, std::size_t> slot;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto [it, fresh] = slot.emplace(ids[i], g.members.size());
      if (fresh) g.members.emplace_back();
      g.members[it->second].push_back(i);
    }
    return g;
  }
  /// Consecutive blocks of `size` samples ([prompts, G] laid out row by row).
  static Groups contiguous(std::size_t samples, std::size_t size) {
    if (size == 0 || samples % size != 0)
      throw error("raif: " + std::to_string(samples) + " samples do not form groups of " + std::to_string(size));
    Groups g;
    g.samples = samples;
    for (std::size_t b = 0; b < samples; b += size) {
      g.members.emplace_back();
      for (std::size_t i = b; i < b + size; ++i) g.members.back().push_back(i);
    }
    return g;
  }
};

} // namespace raif
