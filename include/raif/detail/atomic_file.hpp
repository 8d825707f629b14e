#pragma once
/// @file
/// Writing a file atomically: into `<path>.tmp`, then renamed over `<path>`, so a reader (or a
/// resumed run after a crash) sees the old file or the new one, never half of one.

#include <raif/error.hpp>

#include <cerrno>
#include <concepts>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace raif::detail {

/// The OS's reason for the last failed call (errno), for error messages: "No space left on device".
inline std::string os_reason() { return errno ? std::strerror(errno) : "unknown reason"; }

/// Calls `write(stream)` on a temporary file and renames it to `path`; errors name the file and
/// the OS's reason (a full disk, a file-size limit), and leave `path` as it was, the temporary
/// removed.
template <class Write>
requires std::invocable<Write&, std::ostream&>
void write_atomic(const std::string& path, Write&& write, bool binary = false) {
  const std::string tmp = path + ".tmp";
  auto fail = [&](const std::string& what) {
    const auto reason = os_reason(); // before remove() sets errno again
    std::remove(tmp.c_str());
    return error("raif: " + what + ": " + reason);
  };
  {
    errno = 0;
    std::ofstream out(tmp, binary ? std::ios::binary | std::ios::out : std::ios::out);
    if (!out) throw fail("cannot open " + tmp + " for writing");
    try {
      write(out);
    } catch (...) {
      out.close();
      std::remove(tmp.c_str());
      throw;
    }
    out.flush();
    if (!out) throw fail("cannot write " + tmp);
    out.close(); // a delayed write error (NFS, quota) shows here
    if (!out) throw fail("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw fail("cannot rename " + tmp + " to " + path);
}

inline void write_atomic(const std::string& path, const std::string& content) {
  write_atomic(path, [&](std::ostream& o) { o << content; });
}

} // namespace raif::detail
