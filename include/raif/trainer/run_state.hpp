#pragma once
/// @file
/// The trainer's resume files, read without LibTorch: `state.json` (where the run stands),
/// `checkpoint/step.json` (what a checkpoint holds) and `metrics.jsonl` (one line per step, cut
/// back to the checkpoint on resume). Every malformed value is a raif::error naming the file, the
/// line (metrics.jsonl) and the field; nothing else escapes (fuzz/targets/run_state.cpp).
///
///   const auto at = raif::parse_run_position(text, "run/state.json");   // {stage, step}
///   auto cut = raif::truncate_metrics(metrics_text, "run/metrics.jsonl", at);
///   // cut.kept: the lines up to `at`; cut.torn: the last line was half-written (a killed run)
///
/// A run moves through the stages data → warmstart → grpo → eval → done; a checkpoint is taken
/// only inside warmstart and grpo.

#include <raif/detail/json_file.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>

namespace raif {

/// A place in a run: a stage and the number of its steps done. In step.json also the number of
/// non-finite updates skipped in a row when the checkpoint was taken (so a resumed run stops where
/// the uninterrupted one would).
struct RunPosition {
  std::string stage = "data";
  std::int64_t step = 0;
  std::int64_t nonfinite_in_a_row = 0;

  bool same_place(const RunPosition& o) const { return stage == o.stage && step == o.step; }
  std::string describe() const { return stage + " step " + std::to_string(step); }
  nlohmann::json to_json(bool checkpoint = false) const {
    nlohmann::json j = {{"stage", stage}, {"step", step}};
    if (checkpoint && nonfinite_in_a_row > 0) j["nonfinite_in_a_row"] = nonfinite_in_a_row;
    return j;
  }
};

namespace detail::run_state {
inline constexpr std::array<std::string_view, 5> stages = {"data", "warmstart", "grpo", "eval", "done"};
/// The stage's place in the run's order; -1 if it is none.
inline int rank(std::string_view stage) {
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (stages[i] == stage) return static_cast<int>(i);
  return -1;
}
inline std::string show(const nlohmann::json& v) {
  auto s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}
inline nlohmann::json parse(std::string_view text, const std::string& where) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw error("raif: " + where + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const std::exception& e) { throw error("raif: " + where + ": not valid JSON: " + e.what()); }
}
inline std::int64_t count(const nlohmann::json& j, const char* field, const std::string& where, std::int64_t least) {
  if (!j.contains(field)) throw error("raif: " + where + ": field '" + field + "' is missing");
  const auto& v = j[field];
  const bool ok = (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= least) ||
                  (v.is_number_unsigned() && v.get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max() &&
                   static_cast<std::int64_t>(v.get<std::uint64_t>()) >= least);
  if (!ok)
    throw error("raif: " + where + ": field '" + field + "': expected an integer >= " + std::to_string(least) +
                ", got " + show(v));
  return v.get<std::int64_t>();
}
inline std::string stage(const nlohmann::json& j, const char* field, const std::string& where, int lo, int hi) {
  if (!j.contains(field)) throw error("raif: " + where + ": field '" + field + "' is missing");
  const auto& v = j[field];
  const int r = v.is_string() ? rank(v.get_ref<const std::string&>()) : -1;
  if (r < lo || r > hi) {
    std::string names;
    for (int i = lo; i <= hi; ++i) names += (i > lo ? ", " : "") + std::string(stages[static_cast<std::size_t>(i)]);
    throw error("raif: " + where + ": field '" + field + "': expected one of " + names + ", got " + show(v));
  }
  return v.get<std::string>();
}
} // namespace detail::run_state

/// Parses state.json (`checkpoint` false: any stage) or checkpoint/step.json (`checkpoint` true:
/// warmstart or grpo). `where` names the file in errors.
inline RunPosition parse_run_position(std::string_view text, const std::string& where, bool checkpoint = false) {
  namespace rs = detail::run_state;
  const auto j = rs::parse(text, where);
  if (!j.is_object()) throw error("raif: " + where + ": expected a JSON object, got " + rs::show(j));
  RunPosition p;
  p.stage = checkpoint ? rs::stage(j, "stage", where, 1, 2) : rs::stage(j, "stage", where, 0, 4);
  p.step = rs::count(j, "step", where, 0);
  if (checkpoint && j.contains("nonfinite_in_a_row")) p.nonfinite_in_a_row = rs::count(j, "nonfinite_in_a_row", where, 0);
  return p;
}

/// Reads state.json or step.json (see parse_run_position); a missing file is an error naming it.
inline RunPosition read_run_position(const std::filesystem::path& path, bool checkpoint = false) {
  return parse_run_position(detail::read_file(path), path.string(), checkpoint);
}

/// What a metrics.jsonl line must hold for resuming: its phase and step (the rest is free).
struct MetricsLine {
  std::string phase;
  std::int64_t step = 0;
};

/// Parses one metrics.jsonl line; `where` is "file:line".
inline MetricsLine parse_metrics_line(std::string_view line, const std::string& where) {
  namespace rs = detail::run_state;
  const auto j = rs::parse(line, where);
  if (!j.is_object()) throw error("raif: " + where + ": expected a JSON object, got " + rs::show(j));
  return {rs::stage(j, "phase", where, 1, 2), rs::count(j, "step", where, 1)};
}

/// metrics.jsonl cut back to a position: `kept` holds the lines up to it, in order.
struct TruncatedMetrics {
  std::string kept;
  std::size_t kept_lines = 0, dropped_lines = 0;
  bool torn = false; ///< the last line had no newline: a write cut short by a kill or a full disk
};

/// Keeps the lines of `text` (metrics.jsonl, named `file` in errors) written up to `at`: a line is
/// past it when its phase comes later, or it is the same phase and a later step; it and all after
/// it go (a resumed run writes them again, identically). A last line without its newline is a torn
/// write, dropped unread: it always belongs to a step after the last checkpoint, because a step's
/// line is appended before its checkpoint is taken.
inline TruncatedMetrics truncate_metrics(std::string_view text, const std::string& file, const RunPosition& at) {
  TruncatedMetrics out;
  const int at_rank = detail::run_state::rank(at.stage);
  bool past = false;
  std::size_t n = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) { // torn: no newline
      out.torn = true;
      ++out.dropped_lines;
      break;
    }
    const auto line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++n;
    const auto m = parse_metrics_line(line, file + ":" + std::to_string(n));
    const int r = detail::run_state::rank(m.phase);
    past = past || r > at_rank || (r == at_rank && m.step > at.step);
    if (past) {
      ++out.dropped_lines;
    } else {
      out.kept.append(line).push_back('\n');
      ++out.kept_lines;
    }
  }
  return out;
}

} // namespace raif
