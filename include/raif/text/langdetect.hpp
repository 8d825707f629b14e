#pragma once
/// @file
/// Language identification that reproduces langdetect 1.0.9 (the detector IFEval uses), quirks
/// included: it calls "Hello" Finnish and "Привет" Bulgarian, ignores n-grams inside capitalised
/// words, and counts every character >= U+0300 as non-Latin when deciding to drop Latin letters.
///
/// langdetect samples n-grams at random. raif runs the same sampler with Python's Mersenne Twister,
/// `random.gauss` and `random.choice` reproduced exactly, seeded (default 0, as in the IFEval
/// fixture): the result is deterministic and equals `DetectorFactory.seed = 0; detect(text)`.
/// Profiles: embedded from Debian's python3-langdetect (Apache-2.0, see the data header's NOTICE).

#include <raif/text/detail/langdetect_data.hpp>
#include <raif/text/text.hpp>
#include <raif/text/unicode.hpp>
#include <raif/text/utf8.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

namespace detail {

/// Python's random.Random (MT19937), only what langdetect uses.
class PyRandom {
public:
  explicit PyRandom(std::uint32_t seed) { seed_by_array(seed); }

  std::uint32_t genrand() noexcept {
    if (idx_ >= 624) twist();
    std::uint32_t y = mt_[idx_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
  }
  double random() noexcept { // genrand_res53
    const std::uint32_t a = genrand() >> 5, b = genrand() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }
  double gauss() noexcept { // random.gauss(0, 1), with the cached second value
    if (gauss_next_) {
      const double z = *gauss_next_;
      gauss_next_.reset();
      return z;
    }
    const double x2pi = random() * 6.283185307179586; // TWOPI
    const double g2rad = std::sqrt(-2.0 * std::log(1.0 - random()));
    gauss_next_ = std::sin(x2pi) * g2rad;
    return std::cos(x2pi) * g2rad;
  }
  std::size_t randbelow(std::size_t n) noexcept { // _randbelow_with_getrandbits, n < 2^32
    int k = 0;
    for (std::size_t x = n; x; x >>= 1) ++k;
    std::uint32_t r = genrand() >> (32 - k);
    while (r >= n) r = genrand() >> (32 - k);
    return r;
  }

private:
  void seed_by_array(std::uint32_t key) noexcept { // init_by_array([key]), as random.seed(int)
    mt_[0] = 19650218U;
    for (std::uint32_t i = 1; i < 624; ++i) mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + i;
    std::uint32_t i = 1;
    for (int k = 624; k; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525U)) + key;
      if (++i >= 624) {
        mt_[0] = mt_[623];
        i = 1;
      }
    }
    for (int k = 623; k; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941U)) - i;
      if (++i >= 624) {
        mt_[0] = mt_[623];
        i = 1;
      }
    }
    mt_[0] = 0x80000000U;
    idx_ = 624;
  }
  void twist() noexcept {
    for (int i = 0; i < 624; ++i) {
      const std::uint32_t y = (mt_[i] & 0x80000000U) | (mt_[(i + 1) % 624] & 0x7fffffffU);
      mt_[i] = mt_[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
    }
    idx_ = 0;
  }
  std::array<std::uint32_t, 624> mt_{};
  int idx_ = 624;
  std::optional<double> gauss_next_;
};

} // namespace detail

/// One language with its posterior probability, as langdetect's detect_langs reports it.
struct LanguageProbability {
  std::string_view language;
  double probability;
};

/// The langdetect 1.0.9 detector over the embedded profiles. Thread-safe after construction.
class LanguageDetector {
public:
  static constexpr std::size_t n_languages = detail::langdetect_data::languages.size();

  /// The shared instance (profiles parsed once, on first use: about 10 ms).
  static const LanguageDetector& instance() {
    static const LanguageDetector d;
    return d;
  }

  /// langdetect's detect_langs: languages with probability > 0.1, most probable first; empty
  /// optional where langdetect raises "No features in text".
  std::optional<std::vector<LanguageProbability>> probabilities(std::u32string_view text,
                                                                std::uint32_t seed = 0) const {
    std::vector<std::uint32_t> grams;
    extract(text, grams);
    if (grams.empty()) return std::nullopt;
    std::array<double, n_languages> langprob{};
    std::array<double, n_languages> prob{};
    std::array<double, n_languages> saved{};
    detail::PyRandom rng(seed);
    for (int trial = 0; trial < 7; ++trial) {
      prob.fill(1.0 / static_cast<double>(n_languages));
      const double alpha = 0.5 + rng.gauss() * 0.05;
      const double weight = alpha / 10000;
      for (int i = 0;; ++i) {
        // prob[l] *= weight + P(g|l), with P = 0 for most languages: multiply everything by weight
        // (vectorised), then redo the few languages that have g from their saved old value. Every
        // product is the same IEEE operation as langdetect's.
        const std::uint32_t g = grams[rng.randbelow(grams.size())];
        const std::uint32_t e0 = offsets_[g], e1 = offsets_[g + 1];
        for (std::uint32_t e = e0; e < e1; ++e) saved[e - e0] = prob[entries_[e].lang];
        for (std::size_t l = 0; l < n_languages; ++l) prob[l] *= weight;
        for (std::uint32_t e = e0; e < e1; ++e) prob[entries_[e].lang] = saved[e - e0] * (weight + entries_[e].p);
        if (i % 5 == 0) {
          double sum = 0.0; // left to right, as Python's sum()
          for (double p : prob) sum += p;
          for (double& p : prob) p /= sum;
          double maxp = 0.0;
          for (double p : prob) maxp = maxp < p ? p : maxp;
          if (maxp > 0.99999 || i >= 1000) break;
        }
      }
      for (std::size_t l = 0; l < n_languages; ++l) langprob[l] += prob[l] / 7;
    }
    std::vector<LanguageProbability> out;
    for (std::size_t l = 0; l < n_languages; ++l)
      if (langprob[l] > 0.1) out.push_back({detail::langdetect_data::languages[l], langprob[l]});
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.probability > b.probability; });
    return out;
  }

  /// langdetect's detect: the most probable language code ("unknown" if none exceeds 0.1); empty
  /// optional where langdetect raises "No features in text" (IFEval then counts the check followed).
  std::optional<std::string_view> detect(std::u32string_view text, std::uint32_t seed = 0) const {
    auto p = probabilities(text, seed);
    if (!p) return std::nullopt;
    return p->empty() ? std::string_view("unknown") : p->front().language;
  }

private:
  struct Entry {
    std::uint32_t lang;
    double p;
  };

  LanguageDetector() {
    namespace d = detail::langdetect_data;
    norm_bmp_.resize(0x10000);
    for (char32_t c = 0; c < 0x10000; ++c) norm_bmp_[c] = static_cast<char16_t>(normalize_slow(c));
    unigram_.assign(0x10000, no_gram);
    table_.assign(1u << 18, Slot{});
    offsets_.push_back(0);
    for (std::string_view chunk : d::profile_chunks) {
      std::size_t i = 0;
      while (i < chunk.size()) {
        const std::size_t tab = chunk.find('\t', i);
        std::size_t k = i;
        std::uint64_t key = 0;
        int len = 0;
        while (k < tab) {
          key = (key << 21) | detail::utf8_next(chunk, k);
          ++len;
        }
        const std::size_t eol = chunk.find('\n', tab);
        for (std::size_t j = tab + 1; j < eol;) {
          const auto lang = static_cast<std::uint32_t>(d::lang_chars.find(chunk[j++]));
          std::int64_t count = 0;
          while (j < eol && chunk[j] >= '0' && chunk[j] <= '9') count = count * 10 + (chunk[j++] - '0');
          entries_.push_back({lang, static_cast<double>(count) / static_cast<double>(d::n_words[lang][len - 1])});
        }
        insert(key, static_cast<std::uint32_t>(offsets_.size() - 1));
        if (len == 1 && key < 0x10000) unigram_[key] = static_cast<std::uint32_t>(offsets_.size() - 1);
        offsets_.push_back(static_cast<std::uint32_t>(entries_.size()));
        i = eol + 1;
      }
    }
  }

  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = 0;
  };
  static std::size_t hash(std::uint64_t k) noexcept {
    return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ULL) >> 46);
  }
  void insert(std::uint64_t key, std::uint32_t v) {
    for (std::size_t h = hash(key);; h = (h + 1) & (table_.size() - 1))
      if (table_[h].key == 0) {
        table_[h] = {key, v};
        return;
      }
  }
  std::optional<std::uint32_t> find(std::uint64_t key) const noexcept {
    for (std::size_t h = hash(key);; h = (h + 1) & (table_.size() - 1)) {
      if (table_[h].key == key) return table_[h].value;
      if (table_[h].key == 0) return std::nullopt;
    }
  }
  // 21 bits per character; unique because no gram contains U+0000, and never 0 (the empty slot).
  static std::uint64_t pack(const char32_t* g, int n) noexcept {
    std::uint64_t key = 0;
    for (int i = 0; i < n; ++i) key = (key << 21) | g[i];
    return key;
  }

  char32_t normalize(char32_t c) const noexcept { return c < 0x10000 ? norm_bmp_[c] : normalize_slow(c); }
  static char32_t normalize_slow(char32_t c) noexcept {
    if (c < 0x80) return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) ? c : U' ';
    const auto& r = detail::langdetect_data::normalize_ranges;
    auto it = std::upper_bound(std::begin(r), std::end(r), c, [](char32_t x, const auto& e) { return x < e.lo; });
    if (it == std::begin(r)) return c;
    --it;
    return c <= it->hi ? it->target : c;
  }

  // Detector.append + cleaning_text + _extract_ngrams.
  void extract(std::u32string_view in, std::vector<std::uint32_t>& grams) const {
    // URL/e-mail removal and Vietnamese composition only change texts that have "http", '@' or a
    // combining mark; skip the copies otherwise.
    bool marks = false;
    for (char32_t c : in) marks = marks || (c >= 0x300 && c <= 0x323);
    const bool url_or_mail =
        in.find(U"http") != std::u32string_view::npos || in.find(U'@') != std::u32string_view::npos;
    std::u32string t = url_or_mail ? strip_urls_and_mail(in) : std::u32string(in);
    if (marks) t = normalize_vi(t);
    std::u32string text;
    text.reserve(std::min<std::size_t>(t.size(), 10000));
    char32_t pre = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(t.size(), 10000); ++i) {
      const char32_t ch = t[i];
      if (ch != ' ' || pre != ' ') text.push_back(ch);
      pre = ch;
    }
    std::size_t latin = 0, non_latin = 0;
    for (char32_t ch : text) {
      if (ch >= 'A' && ch <= 'z')
        ++latin;
      else if (ch >= 0x300)
        ++non_latin; // langdetect's Latin Extended Additional exemption never fires
    }
    if (latin * 2 < non_latin) std::erase_if(text, [](char32_t ch) { return ch >= 'A' && ch <= 'z'; });

    char32_t g[3] = {U' ', 0, 0};
    int len = 1;
    bool capital = false;
    for (char32_t raw : text) {
      const char32_t ch = normalize(raw);
      const char32_t last = g[len - 1];
      if (last == U' ') {
        g[0] = U' ';
        len = 1;
        capital = false;
        if (ch == U' ') continue;
      } else if (len >= 3) {
        g[0] = g[1];
        g[1] = g[2];
        len = 2;
      }
      g[len++] = ch;
      if (is_upper(ch)) {
        if (is_upper(last)) capital = true;
      } else {
        capital = false;
      }
      if (capital) continue;
      const char32_t c1 = g[len - 1];
      if (c1 != U' ') {
        const std::uint32_t id = c1 < 0x10000 ? unigram_[c1] : find(c1).value_or(no_gram);
        if (id != no_gram) grams.push_back(id);
      }
      for (int n = 2; n <= len; ++n)
        if (auto id = find(pack(g + len - n, n))) grams.push_back(*id);
    }
  }

  // URL_RE and MAIL_RE substitutions (each match -> one space).
  static bool url_char(char32_t c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
           c == '.' || c == '?' || c == '&' || c == '~' || c == ';' || c == '+' || c == '=' || c == '/' || c == '#';
  }
  static bool mail_l1(char32_t c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
           c == '.';
  }
  static bool mail_l2(char32_t c) noexcept { return mail_l1(c) && c != '.'; }

  static std::u32string strip_urls_and_mail(std::u32string_view s) {
    std::u32string a; // https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}
    a.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
      if (s.substr(i, 4) == U"http") {
        std::size_t k = i + 4;
        if (k < s.size() && s[k] == 's') ++k;
        if (s.substr(k, 3) == U"://") {
          k += 3;
          std::size_t e = k;
          while (e < s.size() && e - k < 2076 && url_char(s[e])) ++e;
          if (e > k) {
            a.push_back(U' ');
            i = e;
            continue;
          }
        }
      }
      a.push_back(s[i++]);
    }
    std::u32string b; // [-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}
    b.reserve(a.size());
    std::size_t done = 0;
    for (std::size_t at = a.find(U'@'); at != std::u32string::npos; at = a.find(U'@', at + 1)) {
      if (at < done) continue;
      std::size_t st = at;
      while (st > done && mail_l1(a[st - 1]) && at - (st - 1) <= 64) --st;
      if (st == at) continue;
      const std::size_t p = at + 1;
      std::size_t r2 = 0;
      while (p + r2 < a.size() && r2 < 255 && mail_l2(a[p + r2])) ++r2;
      if (r2 == 0) continue;
      auto run3 = [&](std::size_t from) {
        std::size_t r = 0;
        while (from + r < a.size() && r < 255 && mail_l1(a[from + r])) ++r;
        return r;
      };
      std::size_t r3 = run3(p + r2);
      if (r3 == 0) {
        if (r2 < 2) continue;
        --r2;
        r3 = run3(p + r2);
      }
      b.append(a, done, st - done);
      b.push_back(U' ');
      done = p + r2 + r3;
    }
    b.append(a, done, std::u32string::npos);
    return b;
  }

  static std::u32string normalize_vi(std::u32string_view s) {
    namespace d = detail::langdetect_data;
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i + 1 < s.size()) {
        const auto base = d::vi_base.find(s[i]);
        const auto mark = d::vi_marks.find(s[i + 1]);
        if (base != std::u32string_view::npos && mark != std::u32string_view::npos) {
          out.push_back(d::vi_composed[mark][base]);
          ++i;
          continue;
        }
      }
      out.push_back(s[i]);
    }
    return out;
  }

  static constexpr std::uint32_t no_gram = 0xFFFFFFFFu;
  std::vector<char16_t> norm_bmp_;     // NGram.normalize for the BMP (no BMP character maps outside it)
  std::vector<std::uint32_t> unigram_; // BMP unigram -> gram id
  std::vector<Slot> table_;
  std::vector<std::uint32_t> offsets_;
  std::vector<Entry> entries_;
};

/// langdetect.detect(text) with DetectorFactory.seed = `seed`; empty where it raises.
inline std::optional<std::string_view> detect_language(std::u32string_view text, std::uint32_t seed = 0) {
  return LanguageDetector::instance().detect(text, seed);
}

/// detect_language on a Text, memoised in the Text (seed 0), so several checks share one run.
inline std::optional<std::string_view> detect_language(const Text& t) {
  auto& memo = t.language_memo();
  if (!memo) memo = LanguageDetector::instance().detect(t.chars(), 0);
  return *memo;
}

} // namespace raif
