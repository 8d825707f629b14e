#pragma once
/// @file
/// Reading a whole file, and a whole JSON file, with errors that name it (a missing file and
/// invalid JSON alike); invalid JSON is reported as file:line:column, so a truncated or corrupted
/// file points at the place where it stops making sense.

#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace raif::detail {

/// Parses `text` (the content of `where`); invalid JSON is an error "where:line:column: ...".
inline nlohmann::json parse_json_text(std::string_view text, const std::string& where) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1 and points just past the offending byte.
    const std::size_t at = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i)
      if (text[i] == '\n')
        ++line, column = 1;
      else
        ++column;
    throw error("raif: " + where + ":" + std::to_string(line) + ":" + std::to_string(column) +
                ": is not valid JSON: " + e.what());
  } catch (const std::exception& e) { throw error("raif: " + where + ": is not valid JSON: " + e.what()); }
}

/// The bytes of a whole file; "raif: cannot open <path>: <reason>" (or "cannot read") otherwise.
inline std::string read_file(const std::filesystem::path& path) {
  auto reason = [] { return std::string(errno ? std::strerror(errno) : "unknown reason"); };
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("raif: cannot open " + path.string() + ": " + reason());
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw error("raif: cannot read " + path.string() + ": " + reason());
  return text;
}

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_text(read_file(path), path.string());
}

} // namespace raif::detail
