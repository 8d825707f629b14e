#pragma once

#include <raif/text/unicode.hpp>
#include <raif/text/utf8.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace raif {

/// A response (or a part of one) as constraints see it: the UTF-8 bytes, plus the code points and
/// the Python-lowercased code points, each decoded on first use and then shared by every check of
/// the same text. Implicitly constructible from a string_view, so `c.check("some text")` works.
/// Not thread-safe: one Text per thread.
class Text {
public:
  Text(std::string_view utf8) noexcept : utf8_(utf8) {}   // NOLINT: implicit by design
  Text(const std::string& utf8) noexcept : utf8_(utf8) {} // NOLINT
  Text(const char* utf8) noexcept : utf8_(utf8) {}        // NOLINT

  std::string_view str() const noexcept { return utf8_; }
  const std::u32string& chars() const {
    if (!chars_) chars_ = utf8_decode(utf8_);
    return *chars_;
  }
  const std::u32string& lower() const {
    if (!lower_) lower_ = py_lower(chars());
    return *lower_;
  }
  /// Python's `not text.strip()`.
  bool blank() const {
    for (std::size_t i = 0; i < utf8_.size();) {
      if (!is_py_space(detail::utf8_next(utf8_, i))) return false;
    }
    return true;
  }

  /// Memo slot for language identification of this text (filled by detect_language(const Text&)).
  std::optional<std::optional<std::string_view>>& language_memo() const { return language_; }

private:
  std::string_view utf8_;
  mutable std::optional<std::optional<std::string_view>> language_;
  mutable std::optional<std::u32string> chars_;
  mutable std::optional<std::u32string> lower_;
};

} // namespace raif
