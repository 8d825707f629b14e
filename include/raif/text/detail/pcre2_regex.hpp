#pragma once
// PCRE2, raif's fallback engine for the Python `re` patterns RE2 cannot run with Python's meaning
// (backreferences, lookaround, Unicode \b, atomic groups, possessive quantifiers; see
// text/pattern.hpp). PCRE2 backtracks like Python, so it can take exponential time; every search
// therefore runs under a step budget and reports `budget` instead of running on.
//
// Why a step counter of our own: PCRE2 10.42 resets its match limit at every start position (a
// pattern that costs just under the limit at each of 100,000 positions ran 18 s under a limit of
// 20,000), so the limit alone bounds nothing. The patterns raif hands PCRE2 carry a callout at
// every backtracking choice point (after each quantifier, at the head of each alternative, once per
// start position); the callout counts, and aborts the match when one search -- or one count(),
// which runs a search per match -- has used its budget. PCRE2's own match, depth and heap limits
// stay as a second fence.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

namespace raif::detail {

/// The budget of one search (or one count()) on the PCRE2 path.
struct Pcre2Budget {
  /// Steps (callouts at choice points) allowed for any text ...
  static constexpr std::uint64_t base_steps = 10'000'000;
  /// ... plus this many per byte of text, so that a benign pattern scans a long text.
  static constexpr std::uint64_t steps_per_byte = 8;
  /// PCRE2's backtracking memory, KiB (the frames of nested groups live there), and its nesting.
  static constexpr std::uint32_t heap_limit_kib = 256 * 1024;
  static constexpr std::uint32_t depth_limit = 10'000'000;
  static std::uint64_t steps_for(std::size_t bytes) noexcept { return base_steps + steps_per_byte * bytes; }
};

/// One compiled PCRE2 program (UTF-8, no other options: raif writes every class and anchor out).
/// Immutable after construction and safe to share between threads; each Run has its own state.
class Pcre2Program {
public:
  explicit Pcre2Program(const std::string& pattern) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    re_ = pcre2_compile_8(reinterpret_cast<PCRE2_SPTR8>(pattern.data()), pattern.size(), PCRE2_UTF, &code, &offset,
                          nullptr);
    if (!re_) {
      PCRE2_UCHAR8 buf[256];
      pcre2_get_error_message_8(code, buf, sizeof buf);
      error_ = std::string(reinterpret_cast<const char*>(buf)) + " (at offset " + std::to_string(offset) + ")";
    }
  }
  ~Pcre2Program() {
    if (re_) pcre2_code_free_8(re_);
  }
  Pcre2Program(const Pcre2Program&) = delete;
  Pcre2Program& operator=(const Pcre2Program&) = delete;

  bool ok() const noexcept { return re_ != nullptr; }
  const std::string& error() const noexcept { return error_; }

  enum class Status { match, no_match, budget };

  /// Searches over one subject (valid UTF-8) share a step counter: a count() is one Run.
  class Run {
  public:
    Run(const Pcre2Program& p, std::string_view subject)
        : p_(p), subject_(subject), limit_(Pcre2Budget::steps_for(subject.size())) {
      ctx_ = pcre2_match_context_create_8(nullptr);
      data_ = pcre2_match_data_create_from_pattern_8(p_.re_, nullptr);
      if (!ctx_ || !data_) throw std::bad_alloc();
      // PCRE2's own limits, per start position: as many of its steps as ours in total, and a heap.
      pcre2_set_match_limit_8(ctx_, static_cast<std::uint32_t>(std::min<std::uint64_t>(limit_, 0xFFFFFFFFu)));
      pcre2_set_heap_limit_8(ctx_, Pcre2Budget::heap_limit_kib);
      pcre2_set_depth_limit_8(ctx_, Pcre2Budget::depth_limit);
      pcre2_set_callout_8(ctx_, &Run::on_callout, this);
    }
    ~Run() {
      if (data_) pcre2_match_data_free_8(data_);
      if (ctx_) pcre2_match_context_free_8(ctx_);
    }
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    /// The leftmost match starting at or after `start` (only at `start` when `anchored`); with
    /// `not_empty_at_start`, an empty match at `start` does not count (Python's rule after an
    /// empty match). On `match`, [begin, end) are its byte offsets.
    Status find(std::size_t start, bool not_empty_at_start, bool anchored, std::size_t& begin, std::size_t& end) {
      std::uint32_t options = checked_ ? PCRE2_NO_UTF_CHECK : 0;
      if (not_empty_at_start) options |= PCRE2_NOTEMPTY_ATSTART;
      if (anchored) options |= PCRE2_ANCHORED;
      checked_ = true; // PCRE2 validates the UTF-8 once; later calls skip the O(n) check
      const int rc = pcre2_match_8(p_.re_, reinterpret_cast<PCRE2_SPTR8>(subject_.data()), subject_.size(), start,
                                   options, data_, ctx_);
      if (rc == PCRE2_ERROR_NOMATCH) return Status::no_match;
      if (rc == PCRE2_ERROR_CALLOUT || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
          rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
        memory_ = rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_NOMEMORY;
        return Status::budget;
      }
      if (rc < 0) {
        PCRE2_UCHAR8 buf[256];
        pcre2_get_error_message_8(rc, buf, sizeof buf);
        throw std::runtime_error(std::string("PCRE2 match failed: ") + reinterpret_cast<const char*>(buf));
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer_8(data_);
      begin = ov[0];
      end = ov[1];
      return Status::match;
    }

    std::uint64_t steps() const noexcept { return steps_; }
    std::uint64_t limit() const noexcept { return limit_; }
    /// After Status::budget: whether backtracking memory ran out first (else the steps did).
    bool memory_exceeded() const noexcept { return memory_; }

  private:
    // (?C) counts a step; (?C{g}) also fails unless group g, just closed, consumed something (how
    // text/pattern.hpp writes Python's rule for empty iterations of a bounded repeat).
    static int on_callout(pcre2_callout_block_8* b, void* self) {
      auto* r = static_cast<Run*>(self);
      if (++r->steps_ > r->limit_) return PCRE2_ERROR_CALLOUT;
      if (b->callout_string_length == 0) return 0;
      std::size_t g = 0;
      for (PCRE2_SIZE i = 0; i < b->callout_string_length; ++i) g = g * 10 + (b->callout_string[i] - '0');
      if (g >= b->capture_top) return 1;
      const PCRE2_SIZE* ov = b->offset_vector;
      return ov[2 * g] == PCRE2_UNSET || ov[2 * g] == ov[2 * g + 1] ? 1 : 0;
    }

    const Pcre2Program& p_;
    std::string_view subject_;
    std::uint64_t limit_;
    std::uint64_t steps_ = 0;
    bool checked_ = false;
    bool memory_ = false;
    pcre2_match_context_8* ctx_ = nullptr;
    pcre2_match_data_8* data_ = nullptr;
  };

private:
  pcre2_code_8* re_ = nullptr;
  std::string error_;
};

} // namespace raif::detail
