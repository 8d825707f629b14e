#pragma once
/// @file
/// Writing a file atomically: into `<path>.tmp`, then renamed over `<path>`, so a reader (or a
/// resumed run after a crash) sees the old file or the new one, never half of one.

#include <raif/error.hpp>

#include <concepts>
#include <cstdio>
#include <fstream>
#include <string>

namespace raif::detail {

/// Calls `write(stream)` on a temporary file and renames it to `path`; errors name the file.
template <class Write>
requires std::invocable<Write&, std::ostream&>
void write_atomic(const std::string& path, Write&& write, bool binary = false) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, binary ? std::ios::binary | std::ios::out : std::ios::out);
    if (!out) throw error("raif: cannot open " + tmp + " for writing");
    write(out);
    out.flush();
    if (!out) throw error("raif: cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw error("raif: cannot rename " + tmp + " to " + path);
}

inline void write_atomic(const std::string& path, const std::string& content) {
  write_atomic(path, [&](std::ostream& o) { o << content; });
}

} // namespace raif::detail
