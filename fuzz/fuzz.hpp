#pragma once
/// @file
/// What raif's libFuzzer targets (fuzz/targets/*.cpp) share.
///
/// The policy: a parser of outside input may throw only raif::error on bad input. Any other
/// exception that escapes (nlohmann::json::exception, std::out_of_range, std::bad_alloc, ...) is a
/// finding like a crash: `guard` prints it and aborts, so libFuzzer keeps the input. Crashes,
/// sanitizer reports, leaks, inputs slower than 1 s and RSS over 2 GB are findings through
/// libFuzzer's own flags (scripts/fuzz.sh).
///
///   extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
///     const raif::fuzz::MemFile file(raif::fuzz::bytes(data, size));
///     raif::fuzz::guard([&] { raif::read_ifeval_responses(file.path()); });
///     return 0;
///   }

#include <raif/error.hpp>

#include <fuzzer/FuzzedDataProvider.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace raif::fuzz {

/// The input as bytes (not necessarily UTF-8, may hold NULs).
inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs f; true if it returned, false if it threw raif::error (a rejected input, allowed). Anything
/// else thrown is a finding: printed with its dynamic type, then abort().
template <class F> bool guard(F&& f) {
  try {
    f();
    return true;
  } catch (const raif::error&) {
    return false;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "raif fuzz: an exception other than raif::error escaped: %s: %s\n", typeid(e).name(),
                 e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "raif fuzz: a non-std exception escaped\n");
    std::abort();
  }
}

/// Runs f, which must not throw at all (checking a response, for instance, has no bad input):
/// any exception is a finding, printed, then abort().
template <class F> void no_throw(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "raif fuzz: an exception escaped where none may: %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "raif fuzz: a non-std exception escaped where none may\n");
    std::abort();
  }
}

/// The input as a file, for APIs that take a path: an anonymous memory file (memfd), named
/// /proc/self/fd/N; opening that path opens the file afresh at offset 0. Closed on destruction.
class MemFile {
public:
  explicit MemFile(std::string_view content) {
    fd_ = ::memfd_create("raif-fuzz", 0);
    if (fd_ < 0) fail("memfd_create");
    for (std::size_t done = 0; done < content.size();) {
      const auto n = ::write(fd_, content.data() + done, content.size() - done);
      if (n <= 0) fail("write");
      done += static_cast<std::size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  ~MemFile() { ::close(fd_); }
  const std::string& path() const { return path_; }

private:
  [[noreturn]] static void fail(const char* what) { // the harness's fault, not the input's
    std::perror(what);
    std::abort();
  }
  int fd_ = -1;
  std::string path_;
};

/// The input cut at NUL bytes into at most n fields (the last keeps any further NULs), so one input
/// can carry, e.g., a spec and the response it is evaluated on. Missing fields are empty.
inline std::vector<std::string_view> fields(std::string_view in, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const auto k = in.find('\0');
    if (k == std::string_view::npos) break;
    out.push_back(in.substr(0, k));
    in.remove_prefix(k + 1);
  }
  out.push_back(in);
  out.resize(n);
  return out;
}

} // namespace raif::fuzz
