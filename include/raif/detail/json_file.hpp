#pragma once
/// @file
/// Reading a whole JSON file, with errors that name it (a missing file and invalid JSON alike).

#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace raif::detail {

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw error("raif: cannot open " + path.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) { throw error("raif: " + path.string() + " is not valid JSON: " + e.what()); }
}

} // namespace raif::detail
