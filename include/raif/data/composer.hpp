#pragma once
/// @file
/// A seeded, reproducible instruction composer (method.md §1) over a small closed world of seed
/// tasks, and the expert that writes a decomposition trace and a compliant answer for each item.
///
///   seed tasks (data: the bundled animals world, or your own; data/seed_tasks.hpp, docs/data.md)
///     × constraints (lexical, numerical, format, case, punctuation, start/end, structure)
///     × compositions (single, And, Chain, Select, nested to depth 3)
///   → items (instruction, spec, context, metadata, expert traces); items whose expert answer
///     fails its own spec are dropped and counted.
///
///   raif::Composer c{.seed = 1};
///   auto set = c.generate(2000);         // set.items, set.dropped
///   auto [train, heldout] = raif::split(set.items, {.heldout_fraction = 0.15});
///   raif::Composer mine{.seed = 1, .world = raif::load_seed_tasks("my_seed_tasks.jsonl")};
///
/// The bundled world is small (8 animals × 3 questions, 4 facts each) so that a model trained from
/// scratch on a CPU can learn the content, and success or failure is about following the constraints.
///
/// Reproducible: the same seed gives the same items with the same standard library (the
/// composer draws with std::mt19937_64, portable, and std::discrete_distribution, whose algorithm
/// the standard leaves to the library; the fixtures here are libstdc++'s).

#include <raif/compose/runtime.hpp>
#include <raif/data/item.hpp>
#include <raif/data/seed_tasks.hpp>
#include <raif/judge/judge.hpp>
#include <raif/reward/answer_reward.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace raif {

/// The constraint taxonomy: every kind the composer can draw.
enum class LeafKind {
  keyword,      // lexical:     keywords:existence
  forbid_it,    // lexical:     keywords:forbidden_words ["it"]
  sentences_ge, // numerical:   length_constraints:number_sentences at least N
  sentences_lt, // numerical:   length_constraints:number_sentences less than N
  bullets,      // format:      detectable_format:number_bullet_lists
  title,        // format:      detectable_format:title
  json,         // format:      detectable_format:json_format
  lowercase,    // case:        change_case:english_lowercase
  uppercase,    // case:        change_case:english_capital
  no_comma,     // punctuation: punctuation:no_comma
  end_phrase,   // start/end:   startend:end_checker
  quotation,    // start/end:   startend:quotation
  postscript,   // structure:   detectable_content:postscript
  paragraphs,   // structure:   length_constraints:number_paragraphs
  // IFBench's (drawn with ComposerOptions::ifbench): out-of-distribution kinds for an OOD split
  output_template,  // format:    format:output_template
  thesis,           // format:    format:thesis
  sentence_keyword, // lexical:   sentence:keyword (the word in sentence N)
};

struct ComposerOptions {
  /// Relative weights of single / and / chain / select / nested compositions.
  std::array<double, 5> composition_weights{1, 3, 2, 2, 1};
  std::size_t max_and = 3; ///< constraints in an And (2..max_and)
  /// Also draw three IFBench constraints (format:output_template, format:thesis, sentence:keyword),
  /// e.g. to hold them out with SplitOptions{.by = "constraint"} (docs/data.md).
  bool ifbench = false;
  /// The share of items that also get a judge-verified leaf (judge:question, in an And with the
  /// rest): "Does the response talk only about the <subject>?", asked of the whole answer. Scoring
  /// such items needs a judge (the trainer's judge.model); the expert writes only about its seed
  /// task's subject, so its answers are taken to pass it. Drawn apart: 0 leaves the items unchanged.
  double judge_fraction = 0;
};

/// A draft answer: sentences and the formatting the constraints ask for, rendered at the end.
struct Draft {
  std::vector<std::string> sentences;
  int bullets = 0, paragraphs = 0;
  bool title = false, quote = false, lower = false, upper = false, json = false, postscript = false;
  bool output_template = false, thesis = false;
  std::string end;
};

struct Requirement {
  LeafKind kind;
  int n = 0;        ///< N of counts
  std::string word; ///< keyword / end phrase
  std::string id() const;
  nlohmann::json spec() const;
  std::string phrase() const;   ///< the sub-instruction
  std::string describe() const; ///< how the expert's trace states it
};

inline std::string Requirement::id() const {
  switch (kind) {
  case LeafKind::keyword: return "keywords:existence";
  case LeafKind::forbid_it: return "keywords:forbidden_words";
  case LeafKind::sentences_ge:
  case LeafKind::sentences_lt: return "length_constraints:number_sentences";
  case LeafKind::bullets: return "detectable_format:number_bullet_lists";
  case LeafKind::title: return "detectable_format:title";
  case LeafKind::json: return "detectable_format:json_format";
  case LeafKind::lowercase: return "change_case:english_lowercase";
  case LeafKind::uppercase: return "change_case:english_capital";
  case LeafKind::no_comma: return "punctuation:no_comma";
  case LeafKind::end_phrase: return "startend:end_checker";
  case LeafKind::quotation: return "startend:quotation";
  case LeafKind::postscript: return "detectable_content:postscript";
  case LeafKind::paragraphs: return "length_constraints:number_paragraphs";
  case LeafKind::output_template: return "format:output_template";
  case LeafKind::thesis: return "format:thesis";
  case LeafKind::sentence_keyword: return "sentence:keyword";
  }
  return {};
}
inline nlohmann::json Requirement::spec() const {
  nlohmann::json kw = nlohmann::json::object();
  switch (kind) {
  case LeafKind::keyword: kw = {{"keywords", {word}}}; break;
  case LeafKind::forbid_it: kw = {{"forbidden_words", {"it"}}}; break;
  case LeafKind::sentences_ge: kw = {{"num_sentences", n}, {"relation", "at least"}}; break;
  case LeafKind::sentences_lt: kw = {{"num_sentences", n}, {"relation", "less than"}}; break;
  case LeafKind::bullets: kw = {{"num_bullets", n}}; break;
  case LeafKind::end_phrase: kw = {{"end_phrase", word}}; break;
  case LeafKind::postscript: kw = {{"postscript_marker", "P.S."}}; break;
  case LeafKind::paragraphs: kw = {{"num_paragraphs", n}}; break;
  case LeafKind::sentence_keyword: kw = {{"word", word}, {"N", n}}; break;
  default: break;
  }
  return {{"constraint", id()}, {"kwargs", kw}};
}
inline std::string Requirement::phrase() const {
  switch (kind) {
  case LeafKind::keyword: return "include the word \"" + word + "\"";
  case LeafKind::forbid_it: return "do not use the word \"it\"";
  case LeafKind::sentences_ge: return "use at least " + std::to_string(n) + " sentences";
  case LeafKind::sentences_lt: return "use fewer than " + std::to_string(n) + " sentences";
  case LeafKind::bullets: return "use exactly " + std::to_string(n) + " bullet points starting with *";
  case LeafKind::title: return "add a title in double angular brackets like <<title>>";
  case LeafKind::json: return "format the whole answer as JSON";
  case LeafKind::lowercase: return "write in lowercase letters only";
  case LeafKind::uppercase: return "write in capital letters only";
  case LeafKind::no_comma: return "do not use any commas";
  case LeafKind::end_phrase: return "end with the exact phrase \"" + word + "\"";
  case LeafKind::quotation: return "wrap the answer in double quotes";
  case LeafKind::postscript: return "add a postscript starting with P.S.";
  case LeafKind::paragraphs: return "write " + std::to_string(n) + " paragraphs separated by ***";
  case LeafKind::output_template: return "use the headings My Answer: then My Conclusion: then Future Outlook:";
  case LeafKind::thesis: return "first state your thesis in italics between <i> and </i> and then explain it";
  case LeafKind::sentence_keyword: return "use the word \"" + word + "\" in sentence " + std::to_string(n);
  }
  return {};
}
inline std::string Requirement::describe() const {
  switch (kind) {
  case LeafKind::keyword: return "keyword " + word;
  case LeafKind::forbid_it: return "no word it";
  case LeafKind::sentences_ge: return "at least " + std::to_string(n) + " sentences";
  case LeafKind::sentences_lt: return "under " + std::to_string(n) + " sentences";
  case LeafKind::bullets: return std::to_string(n) + " bullets";
  case LeafKind::title: return "title";
  case LeafKind::json: return "json";
  case LeafKind::lowercase: return "lowercase";
  case LeafKind::uppercase: return "capitals";
  case LeafKind::no_comma: return "no commas";
  case LeafKind::end_phrase: return "end with " + word;
  case LeafKind::quotation: return "quotes";
  case LeafKind::postscript: return "postscript";
  case LeafKind::paragraphs: return std::to_string(n) + " paragraphs";
  case LeafKind::output_template: return "answer/conclusion/outlook headings";
  case LeafKind::thesis: return "italic thesis first";
  case LeafKind::sentence_keyword: return word + " in sentence " + std::to_string(n);
  }
  return {};
}

namespace detail::composer {

// Slots: two constraints that claim the same slot contradict or interfere (e.g. two cases, two
// layouts, two things that must come last), and are never drawn together.
inline std::vector<std::string> slots(LeafKind k) {
  switch (k) {
  case LeafKind::lowercase:
  case LeafKind::uppercase: return {"case"};
  case LeafKind::bullets:
  case LeafKind::paragraphs: return {"layout", "count"};
  case LeafKind::json: return {"layout", "case", "end", "count", "lexical", "start", "comma"};
  case LeafKind::sentences_ge:
  case LeafKind::sentences_lt: return {"count"};
  case LeafKind::end_phrase:
  case LeafKind::postscript:
  case LeafKind::quotation: return {"end", "count"};
  case LeafKind::title: return {"start", "count"};
  case LeafKind::keyword:
  case LeafKind::forbid_it: return {"lexical"};
  case LeafKind::no_comma: return {"comma"};
  case LeafKind::output_template: return {"layout", "start", "end", "case", "count"};
  case LeafKind::thesis: return {"layout", "start", "case", "count"};
  case LeafKind::sentence_keyword: return {"lexical", "count", "layout", "start"};
  }
  return {};
}
// Constraints that make sense on one part of a chained answer.
inline bool segment_safe(LeafKind k) {
  return k == LeafKind::keyword || k == LeafKind::forbid_it || k == LeafKind::no_comma || k == LeafKind::lowercase ||
         k == LeafKind::uppercase || k == LeafKind::sentences_ge || k == LeafKind::sentences_lt ||
         k == LeafKind::end_phrase || k == LeafKind::quotation;
}

inline std::string capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 32);
  return s;
}
inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
inline std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The seed task's facts as sentences, in its order, with or without commas and the word "it".
inline std::vector<std::string> facts(const SeedTask& t, bool no_comma, bool no_it) {
  std::vector<std::string> out;
  for (const auto& f : t.facts)
    out.push_back(detail::seed_tasks::with_pronoun(no_comma ? f.no_comma : f.text, no_it ? t.name : "It"));
  return out;
}

// A hash that is the same on every platform (std::hash is not), for reproducible splits.
inline std::uint64_t stable_hash(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 33);
}

// Applies the leaves to a draft of `sentences` facts (base = how many the seed task wants).
inline Draft draft(const SeedTask& t, std::size_t base, const std::vector<Requirement>& leaves) {
  auto has = [&](LeafKind k) -> const Requirement* {
    for (const auto& l : leaves)
      if (l.kind == k) return &l;
    return nullptr;
  };
  Draft d;
  auto pool = facts(t, has(LeafKind::no_comma) != nullptr, has(LeafKind::forbid_it) != nullptr);
  std::size_t want = base;
  if (auto l = has(LeafKind::sentences_ge)) want = std::max<std::size_t>(want, l->n);
  if (auto l = has(LeafKind::sentences_lt)) want = std::min<std::size_t>(want, l->n - 1);
  if (auto l = has(LeafKind::bullets)) want = l->n;
  if (auto l = has(LeafKind::paragraphs)) want = std::max<std::size_t>(want, l->n);
  if (auto l = has(LeafKind::sentence_keyword)) want = std::max<std::size_t>(want, l->n);
  if (has(LeafKind::thesis)) want = std::max<std::size_t>(want, 2); // a thesis and its explanation
  std::vector<std::string> s(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(std::min(want, pool.size())));
  if (auto l = has(LeafKind::keyword)) {
    const bool counted = has(LeafKind::sentences_lt) || has(LeafKind::bullets);
    if (counted && s.size() >= want && !s.empty()) // keep the count: the last fact takes the keyword
      s.back() = s.back().substr(0, s.back().size() - 1) + " and is " + l->word + ".";
    else
      s.push_back((has(LeafKind::forbid_it) ? t.name : "It") + " is " + l->word + ".");
  }
  if (auto l = has(LeafKind::sentence_keyword); l && s.size() >= static_cast<std::size_t>(l->n)) {
    auto& target = s[static_cast<std::size_t>(l->n - 1)];
    target = target.substr(0, target.size() - 1) + " and is " + l->word + ".";
  }
  d.sentences = s;
  d.output_template = has(LeafKind::output_template);
  d.thesis = has(LeafKind::thesis);
  if (auto l = has(LeafKind::bullets)) d.bullets = l->n;
  if (auto l = has(LeafKind::paragraphs)) d.paragraphs = l->n;
  if (auto l = has(LeafKind::end_phrase)) d.end = l->word;
  d.title = has(LeafKind::title);
  d.quote = has(LeafKind::quotation);
  d.lower = has(LeafKind::lowercase);
  d.upper = has(LeafKind::uppercase);
  d.json = has(LeafKind::json);
  d.postscript = has(LeafKind::postscript);
  return d;
}

inline std::string render(const Draft& d, const SeedTask& t) {
  std::string body;
  if (d.json) {
    body = t.json.dump();
  } else if (d.bullets) {
    for (std::size_t i = 0; i < d.sentences.size(); ++i) body += (i ? "\n* " : "* ") + d.sentences[i];
  } else if (d.paragraphs) {
    const std::size_t n = d.sentences.size(), p = static_cast<std::size_t>(d.paragraphs);
    for (std::size_t k = 0, i = 0; k < p; ++k) {
      if (k) body += "\n***\n";
      const std::size_t take = n / p + (k < n % p ? 1 : 0);
      for (std::size_t j = 0; j < take; ++j, ++i) body += (j ? " " : "") + d.sentences[i];
    }
  } else if (d.thesis && !d.sentences.empty()) {
    body = "<i>" + d.sentences[0] + "</i>\n";
    for (std::size_t i = 1; i < d.sentences.size(); ++i) body += (i > 1 ? " " : "") + d.sentences[i];
  } else {
    for (std::size_t i = 0; i < d.sentences.size(); ++i) body += (i ? " " : "") + d.sentences[i];
  }
  if (d.output_template && !d.sentences.empty())
    body = "My Answer: " + body + "\nMy Conclusion: " + d.sentences.back() + "\nFuture Outlook: " +
           d.sentences.front();
  if (d.title) body = "<<" + t.title + ">>\n" + body;
  if (!d.end.empty()) body += (d.bullets ? "\n" : " ") + d.end;
  if (d.postscript) body += "\n" + t.postscript;
  if (d.lower) body = lower(body);
  if (d.upper) body = upper(body);
  if (d.quote) body = "\"" + body + "\"";
  return body;
}

inline nlohmann::json and_spec(const std::vector<Requirement>& ls) {
  if (ls.size() == 1) return ls[0].spec();
  nlohmann::json a = nlohmann::json::array();
  for (const auto& l : ls) a.push_back(l.spec());
  return {{"and", a}};
}
inline std::string join_phrases(const std::vector<Requirement>& ls) {
  std::string s;
  for (std::size_t i = 0; i < ls.size(); ++i) s += (i == 0 ? "" : i + 1 == ls.size() ? " and " : ", ") + ls[i].phrase();
  return s;
}
inline std::string join_describe(const std::vector<Requirement>& ls) {
  std::string s;
  for (std::size_t i = 0; i < ls.size(); ++i) s += (i ? ", " : "") + ls[i].describe();
  return s;
}

} // namespace detail::composer

/// A composed set: the items whose expert passed, and how many candidates were dropped (by reason).
struct ComposedSet {
  std::vector<Item> items;
  std::size_t dropped = 0;
  std::map<std::string, std::size_t> dropped_by_composition;
};

/// Composes items over a world of seed tasks. A seed task without `chain` is never drawn for chain
/// or nested items, one without `select` never for select or nested ones: its composition is drawn
/// among the kinds it supports, with the same relative weights (docs/data.md).
struct Composer {
  std::uint64_t seed = 0;
  ComposerOptions options{};
  SeedTasks world = animals_seed_tasks(); ///< default: the bundled animals world

  /// `n` candidates → the items whose expert answer passes its own spec (the rest are counted).
  ComposedSet generate(std::size_t n) const {
    std::mt19937_64 rng(seed);
    ComposedSet out;
    // One distribution per set of kinds a task supports (bit 0: chain, bit 1: select); a world whose
    // tasks all support every kind draws exactly as one distribution over all five.
    std::array<std::discrete_distribution<int>, 4> comp;
    std::array<bool, 4> drawable{}; // a distribution over zero total weight is undefined
    for (int m = 0; m < 4; ++m) {
      auto w = options.composition_weights;
      if (!(m & 1)) w[2] = w[4] = 0;
      if (!(m & 2)) w[3] = w[4] = 0;
      drawable[m] = std::any_of(w.begin(), w.end(), [](double x) { return x > 0; });
      if (drawable[m]) comp[m] = std::discrete_distribution<int>(w.begin(), w.end());
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto& group = world.groups[rng() % world.groups.size()];
      const SeedTask& t = world.tasks[group[rng() % group.size()]];
      const int m = (t.chain ? 1 : 0) | (t.select ? 2 : 0);
      if (!drawable[m])
        throw error("raif: composer: seed task '" + t.id + "' of " + world.source +
                    " supports none of the compositions with a non-zero weight (chain and nested need its "
                    "'chain', select and nested its 'select')");
      Item it;
      it.id = "raif-" + std::to_string(seed) + "-" + std::to_string(i);
      it.seed_task = t.id;
      it.context = t.context;
      switch (comp[m](rng)) {
      case 0: single(rng, it, t); break;
      case 1: conj(rng, it, t); break;
      case 2: chain(rng, it, t, false); break;
      case 3: select(rng, it, t); break;
      default: chain(rng, it, t, true); break;
      }
      if (options.judge_fraction > 0) maybe_add_judge_leaf(it, t);
      it.shallow_think = "The user asks: " + it.instruction;
      if (passes(it))
        out.items.push_back(std::move(it));
      else {
        ++out.dropped;
        ++out.dropped_by_composition[it.composition];
      }
    }
    return out;
  }

  /// Whether the expert answer satisfies the item's spec (every leaf; RAIF accuracy +2). Judge
  /// leaves are the composer's own (judge_fraction), which its expert satisfies by construction.
  static bool passes(const Item& it) {
    const auto node = compile(it.spec);
    const AnswerReward<AnyNode> r{.spec = node, .detail = Detail::scores};
    const auto resp = it.expert_response();
    // Its expert writes only about the seed task's subject: it passes its own judge leaves (a real
    // judge decides for the policy's answers).
    const Judge trusted{detail::FixedJudge{.yes = true}};
    return r(Sample{.prompt = it.instruction, .response = resp, .context = &it.context, .judge = &trusted}).value ==
           2.0;
  }

  /// The judge leaf of `judge_fraction` for an item on seed task `t`.
  static nlohmann::json judge_leaf(const SeedTask& t) {
    return {{"constraint", "judge:question"},
            {"kwargs", {{"question", "Does the response talk only about the " + t.subject + "?"}}}};
  }

private:
  using Rng = std::mt19937_64;
  Requirement draw_leaf(Rng& rng, bool segment) const {
    static const std::vector<std::string> words = {"wild", "calm", "shy", "quick", "small", "happy"};
    static const std::vector<std::string> ends = {"That is all.", "The end.", "Any other questions?"};
    std::vector<LeafKind> kinds;
    const auto last = options.ifbench ? LeafKind::sentence_keyword : LeafKind::paragraphs;
    for (int k = 0; k <= static_cast<int>(last); ++k)
      if (!segment || detail::composer::segment_safe(static_cast<LeafKind>(k)))
        kinds.push_back(static_cast<LeafKind>(k));
    Requirement l{kinds[rng() % kinds.size()]};
    if (l.kind == LeafKind::keyword || l.kind == LeafKind::sentence_keyword) l.word = words[rng() % words.size()];
    if (l.kind == LeafKind::sentence_keyword) l.n = 1 + static_cast<int>(rng() % 2);
    if (l.kind == LeafKind::end_phrase) l.word = ends[rng() % ends.size()];
    if (l.kind == LeafKind::sentences_ge) l.n = 2 + static_cast<int>(rng() % 3);
    if (l.kind == LeafKind::sentences_lt) l.n = 2 + static_cast<int>(rng() % 2);
    if (l.kind == LeafKind::bullets) l.n = 2 + static_cast<int>(rng() % 2);
    if (l.kind == LeafKind::paragraphs) l.n = 2;
    return l;
  }
  // k compatible leaves (no shared slot).
  std::vector<Requirement> draw_compatible(Rng& rng, std::size_t k, bool segment,
                                           std::set<std::string> used = {}) const {
    std::vector<Requirement> out;
    for (int tries = 0; out.size() < k && tries < 50; ++tries) {
      Requirement l = draw_leaf(rng, segment);
      const auto s = detail::composer::slots(l.kind);
      if (std::any_of(s.begin(), s.end(), [&](const auto& x) { return used.count(x); })) continue;
      used.insert(s.begin(), s.end());
      out.push_back(l);
    }
    return out;
  }
  static void finish(Item& it, const std::vector<Requirement>& ls) {
    for (const auto& l : ls) it.constraint_ids.push_back(l.id());
  }
  static std::string sentence(std::string s) { return detail::composer::capitalize(std::move(s)) + "."; }

  // judge_fraction: its own random stream (from the item's id), so the other draws stay as they
  // were. Chain items whose parts are about another subject are left alone.
  void maybe_add_judge_leaf(Item& it, const SeedTask& t) const {
    std::mt19937_64 rng(detail::composer::stable_hash(it.id + "/judge", seed));
    if (std::uniform_real_distribution<double>(0, 1)(rng) >= options.judge_fraction) return;
    if (it.composition == "chain" || it.composition == "nested")
      for (const auto& part : t.chain->parts)
        if (world.at(part.task).subject != t.subject) return;
    if (it.spec.contains("and"))
      it.spec["and"].push_back(judge_leaf(t));
    else
      it.spec = {{"and", {it.spec, judge_leaf(t)}}};
    if (it.composition == "single") it.composition = "and";
    it.constraint_ids.push_back("judge:question");
    it.instruction += " Write only about the " + t.subject + ".";
    it.expert_think += " Only about the " + t.subject + ".";
  }

  void single(Rng& rng, Item& it, const SeedTask& t) const {
    namespace dc = detail::composer;
    const auto ls = draw_compatible(rng, 1, false);
    it.instruction = t.prompt + " " + sentence(dc::join_phrases(ls));
    it.spec = dc::and_spec(ls);
    it.composition = "single";
    it.depth = 1;
    finish(it, ls);
    it.expert_answer = dc::render(dc::draft(t, t.sentences, ls), t);
    it.expert_think = "One constraint: " + dc::join_describe(ls) + ". " + t.summary;
  }
  void conj(Rng& rng, Item& it, const SeedTask& t) const {
    namespace dc = detail::composer;
    const std::size_t k = 2 + rng() % std::max<std::size_t>(1, options.max_and - 1);
    const auto ls = draw_compatible(rng, k, false);
    it.instruction = t.prompt + " " + sentence(dc::join_phrases(ls));
    it.spec = dc::and_spec(ls);
    it.composition = ls.size() == 1 ? "single" : "and";
    it.depth = 1;
    finish(it, ls);
    it.expert_answer = dc::render(dc::draft(t, t.sentences, ls), t);
    it.expert_think =
        "All of " + std::to_string(ls.size()) + " constraints: " + dc::join_describe(ls) + ". " + t.summary;
  }
  // Two parts split by a *** line, each answered with its part's seed task (for the animals: where
  // it lives, then what it eats). Nested: part 2 is a Select.
  void chain(Rng& rng, Item& it, const SeedTask& t, bool nested) const {
    namespace dc = detail::composer;
    const auto &part1 = t.chain->parts.at(0), &part2 = t.chain->parts.at(1);
    const SeedTask &t1 = world.at(part1.task), &t2 = world.at(part2.task);
    const auto l1 = draw_compatible(rng, 1 + rng() % 2, true);
    const auto l2 = draw_compatible(rng, 1, true, {"case", "end"});
    std::string p1 = "In part 1 " + part1.ask + " and " + dc::join_phrases(l1) + ".";
    std::string p2, think2;
    nlohmann::json s2;
    std::string ans2;
    if (!nested) {
      p2 = "In part 2 " + part2.ask + " and " + dc::join_phrases(l2) + ".";
      s2 = dc::and_spec(l2);
      ans2 = dc::render(dc::draft(t2, t2.sentences, l2), t2);
      think2 = "part 2 " + part2.label + " with " + dc::join_describe(l2);
    } else {
      Item sub;
      sub.context = it.context;
      select_into(rng, sub, t, t2, l2);
      p2 = "In part 2 " + part2.ask + "; " + sub.instruction;
      s2 = sub.spec;
      ans2 = sub.expert_answer;
      think2 = "part 2 " + part2.label + ": " + sub.expert_think;
      for (const auto& id : sub.constraint_ids) it.constraint_ids.push_back(id);
    }
    it.instruction = t.prompt + " Answer in two parts separated by a line with ***. " + p1 + " " + p2;
    it.spec = {
        {"chain", {{"segmenter", {{"delimiter", "***"}}}, {"steps", {{{"node", dc::and_spec(l1)}}, {{"node", s2}}}}}}};
    it.composition = nested ? "nested" : "chain";
    it.depth = nested ? 3 : 2;
    finish(it, l1);
    if (!nested) finish(it, l2);
    it.expert_answer = dc::render(dc::draft(t1, t1.sentences, l1), t1) + "\n***\n" + ans2;
    it.expert_think = "Two parts in order. Part 1 " + part1.label + " with " + dc::join_describe(l1) + "; " + think2 +
                      ". " + t.chain->summary;
  }
  // If the condition on `t`'s context holds one branch applies, else the other (for the animals:
  // is it a bird); the branch signatures tell which the model took. `extra` constraints hold in both
  // branches. The answer is `content`'s (t itself, or a chain part's task).
  void select_into(Rng& rng, Item& it, const SeedTask& t, const SeedTask& content,
                   const std::vector<Requirement>& extra) const {
    namespace dc = detail::composer;
    static const std::vector<std::string> ends = {"Tweet!", "The end.", "That is all."};
    const SeedSelect& sel = *t.select;
    const bool by_case = rng() % 2 == 0;
    Requirement then_sig, other_sig;
    std::vector<Requirement> keep;
    for (const auto& l : extra)
      if (!(by_case && (l.kind == LeafKind::lowercase || l.kind == LeafKind::uppercase)) &&
          !(!by_case && (l.kind == LeafKind::end_phrase || l.kind == LeafKind::quotation)))
        keep.push_back(l);
    if (by_case) {
      then_sig = {LeafKind::lowercase};
      other_sig = {LeafKind::uppercase};
    } else {
      const auto e1 = rng() % ends.size(), e2 = (e1 + 1 + rng() % (ends.size() - 1)) % ends.size();
      then_sig = {LeafKind::end_phrase, 0, ends[e1]};
      other_sig = {LeafKind::end_phrase, 0, ends[e2]};
    }
    auto branch = [&](const Requirement& sig) {
      std::vector<Requirement> ls = {sig};
      ls.insert(ls.end(), keep.begin(), keep.end());
      return ls;
    };
    const bool holds = t.context.value(sel.field, nlohmann::json()) == sel.equals;
    const auto taken = branch(holds ? then_sig : other_sig);
    it.instruction = "If " + sel.if_text + " " + then_sig.phrase() + "; otherwise " + other_sig.phrase() +
                     (keep.empty() ? "" : "; in both cases " + dc::join_phrases(keep)) + ".";
    it.spec = {
        {"select",
         {{"condition",
           {{"context",
             {{"field", sel.field}, {"op", "=="}, {"value", sel.equals}, {"then", sel.equals}, {"else", "other"}}}}},
          {"branches",
           {{{"label", sel.equals}, {"signature", then_sig.spec()}, {"node", dc::and_spec(branch(then_sig))}},
            {{"label", "other"}, {"signature", other_sig.spec()}, {"node", dc::and_spec(branch(other_sig))}}}}}}};
    it.depth = 2;
    for (const auto& l : taken) it.constraint_ids.push_back(l.id());
    it.expert_answer = dc::render(dc::draft(content, content.sentences, taken), content);
    it.expert_think = sel.because + ", so " + (holds ? "the " + sel.equals + " branch" : "the other branch") + ": " +
                      dc::join_describe(taken) + ".";
  }
  void select(Rng& rng, Item& it, const SeedTask& t) const {
    const auto extra = draw_compatible(rng, rng() % 2, false, {"case", "end", "layout"});
    Item sub;
    select_into(rng, sub, t, t, extra);
    it.instruction = t.prompt + " " + sub.instruction;
    it.spec = sub.spec;
    it.composition = "select";
    it.depth = 2;
    it.constraint_ids = sub.constraint_ids;
    it.expert_answer = sub.expert_answer;
    it.expert_think = "Select by " + t.select->field + ". " + sub.expert_think + " " + t.select->summary;
  }
};

struct SplitOptions {
  double heldout_fraction = 0.15;
  std::uint64_t seed = 0;
  /// what a held-out group shares: "seed_task" (the animal × question), "composition" (the
  /// composition kind and its constraint ids), "both" (held out if either key is), or
  /// "constraint" (IFBench's out-of-distribution split: the held-out keys are constraint ids, and
  /// an item is held out if it uses any of them, so training never sees a held-out constraint)
  std::string by = "seed_task";
};

/// Splits items into (train, held-out) by whole groups, so no held-out key is seen in training.
/// The held-out keys are the round(heldout_fraction × keys) keys of smallest hash (at least one
/// when the fraction is positive): the held-out share is the fraction asked for, whichever keys the
/// seed picks.
inline std::pair<std::vector<Item>, std::vector<Item>> split(const std::vector<Item>& items,
                                                             const SplitOptions& o = {}) {
  if (!(o.heldout_fraction >= 0 && o.heldout_fraction < 1))
    throw error("raif: split: heldout_fraction must be in [0, 1), got " + std::to_string(o.heldout_fraction));
  if (o.by != "seed_task" && o.by != "composition" && o.by != "both" && o.by != "constraint")
    throw error("raif: split: 'by' must be seed_task, composition, both or constraint, got '" + o.by + "'");
  auto comp_key = [](const Item& it) {
    std::string c = it.composition;
    for (const auto& id : it.constraint_ids) c += "|" + id;
    return c;
  };
  auto held_keys = [&](auto keys_of) {
    std::set<std::string> keys;
    for (const auto& it : items)
      for (auto& k : keys_of(it)) keys.insert(std::move(k));
    std::vector<std::pair<std::uint64_t, std::string>> ranked;
    for (const auto& k : keys) ranked.emplace_back(detail::composer::stable_hash(k, o.seed), k);
    std::sort(ranked.begin(), ranked.end());
    auto n = static_cast<std::size_t>(o.heldout_fraction * static_cast<double>(ranked.size()) + 0.5);
    if (o.heldout_fraction > 0) n = std::max<std::size_t>(n, 1);
    std::set<std::string> held;
    for (std::size_t i = 0; i < n && i < ranked.size(); ++i) held.insert(ranked[i].second);
    return held;
  };
  const auto task = [](const Item& it) { return std::vector<std::string>{it.seed_task}; };
  const auto comp = [&](const Item& it) { return std::vector<std::string>{comp_key(it)}; };
  const auto ids = [](const Item& it) { return it.constraint_ids; };
  const bool by_task = o.by == "seed_task" || o.by == "both", by_comp = o.by == "composition" || o.by == "both";
  const auto held_tasks = by_task ? held_keys(task) : std::set<std::string>{};
  const auto held_comps = by_comp ? held_keys(comp) : std::set<std::string>{};
  const auto held_ids = o.by == "constraint" ? held_keys(ids) : std::set<std::string>{};
  std::pair<std::vector<Item>, std::vector<Item>> out;
  for (const auto& it : items) {
    bool h = held_tasks.count(it.seed_task) || held_comps.count(comp_key(it));
    for (const auto& id : it.constraint_ids) h = h || held_ids.count(id);
    (h ? out.second : out.first).push_back(it);
  }
  return out;
}

} // namespace raif
