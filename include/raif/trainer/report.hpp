#pragma once
/// @file
/// The final report of a run: report.md and report.json (data, held-out evaluation of the
/// warm-start and the final model, by composition and depth, with and without reasoning, and the
/// training curves' summary), and curves.png drawn by gnuplot from metrics.jsonl.

#include <raif/detail/json_file.hpp>
#include <raif/eval/jsonl_io.hpp>
#include <raif/error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace raif {

namespace detail::report {
inline std::string pct(const nlohmann::json& x) { return fmt::format("{:.1f}", 100.0 * x.get<double>()); }

// The held-out curve as [step, prompt strict] pairs: step 0 is the warm start on the same first
// held-out items (eval_warmstart.json's curve_start), then every point the GRPO metrics carry
// (heldout_strict, every eval.curve_every steps). Empty when the run logged no point.
inline nlohmann::json heldout_curve(const nlohmann::json& warm, const std::vector<nlohmann::json>& grpo) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& m : grpo)
    if (m.contains("heldout_strict")) curve.push_back({m["step"], m["heldout_strict"]});
  if (!curve.empty() && warm.contains("curve_start"))
    curve.insert(curve.begin(), nlohmann::json::array({0, warm["curve_start"]["prompt_strict"]}));
  return curve;
}
} // namespace detail::report

/// Writes report.md, report.json and (when gnuplot is installed) curves.png into `dir`.
/// Returns the path of the plot, or an empty string when gnuplot failed or is absent.
inline std::string write_report(const std::filesystem::path& dir) {
  namespace dr = detail::report;
  const auto warm = detail::read_json_file(dir / "eval_warmstart.json"),
             fin = detail::read_json_file(dir / "eval_final.json");
  const auto data = detail::read_json_file(dir / "data.json");
  std::vector<nlohmann::json> grpo, warmstart;
  {
    const auto path = (dir / "metrics.jsonl").string();
    std::ifstream in(path);
    std::size_t no = 0;
    for (std::string line; std::getline(in, line);) {
      auto j = parse_jsonl_object(line, path, ++no);
      (j["phase"] == "grpo" ? grpo : warmstart).push_back(std::move(j));
    }
  }
  nlohmann::json rep = {{"data", data}, {"warmstart", warm}, {"final", fin}};
  const auto curve = detail::report::heldout_curve(warm, grpo);
  if (!curve.empty()) rep["heldout_curve"] = curve;
  // 0 for a warm start evaluated before the curve existed (a run resumed across versions).
  const std::string curve_items = warm.contains("curve_start")
                                      ? std::to_string(warm["curve_start"]["items"].get<std::size_t>())
                                      : std::string("eval.curve_items");
  const double gain =
      fin["reasoning"]["all"]["prompt_strict"].get<double>() - warm["reasoning"]["all"]["prompt_strict"].get<double>();
  rep["gain_prompt_strict"] = gain;
  if (!grpo.empty()) {
    auto mean_of = [&](const char* k, std::size_t from, std::size_t to) {
      double s = 0;
      for (std::size_t i = from; i < to; ++i) s += grpo[i][k].get<double>();
      return to > from ? s / static_cast<double>(to - from) : 0.0;
    };
    const std::size_t q = std::max<std::size_t>(1, grpo.size() / 4);
    rep["grpo"] = {{"steps", grpo.size()},
                   {"reward_first_quarter", mean_of("reward", 0, q)},
                   {"reward_last_quarter", mean_of("reward", grpo.size() - q, grpo.size())},
                   {"keep_ratio", mean_of("keep_ratio", 0, grpo.size())},
                   {"dropped_groups", mean_of("dropped_groups", 0, grpo.size())},
                   {"seconds", mean_of("seconds", 0, grpo.size()) * static_cast<double>(grpo.size())}};
  }
  {
    std::ofstream o(dir / "report.json");
    o << rep.dump(2) << '\n';
  }
  std::ostringstream md;
  md << "# raif-train report\n\nRun directory: `" << dir.string() << "`. Data: " << data["train"] << " training items, "
     << data["heldout"] << " held-out, " << data["dropped"]
     << " composed items dropped because the expert failed its own spec.\n\n";
  md << "## Held-out accuracy (%)\n\n| model | mode | prompt strict | prompt loose | leaf strict | leaf loose | format "
        "|\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& [name, e] : {std::pair<std::string, const nlohmann::json*>{"warm start", &warm}, {"final", &fin}})
    for (const char* mode : {"reasoning", "no_reasoning"}) {
      const auto& a = (*e)[mode]["all"];
      md << "| " << name << " | " << (std::string(mode) == "reasoning" ? "reasoning" : "forced no reasoning") << " | "
         << dr::pct(a["prompt_strict"]) << " | " << dr::pct(a["prompt_loose"]) << " | " << dr::pct(a["leaf_strict"])
         << " | " << dr::pct(a["leaf_loose"]) << " | " << dr::pct(a["format_rate"]) << " |\n";
    }
  md << "\nGain in held-out prompt-level strict accuracy (reasoning): **" << (gain >= 0 ? "+" : "") << dr::pct(gain)
     << " points**.\n\n";
  for (const char* by : {"by_composition", "by_depth"}) {
    md << "### " << (std::string(by) == "by_composition" ? "By composition" : "By depth")
       << " (prompt strict %, reasoning)\n\n| " << (std::string(by) == "by_composition" ? "composition" : "depth")
       << " | items | warm start | final |\n| --- | --- | --- | --- |\n";
    for (auto it = fin["reasoning"][by].begin(); it != fin["reasoning"][by].end(); ++it)
      md << "| " << it.key() << " | " << it.value()["prompts"] << " | "
         << dr::pct(warm["reasoning"][by][it.key()]["prompt_strict"]) << " | " << dr::pct(it.value()["prompt_strict"])
         << " |\n";
    md << "\n";
  }
  if (rep.contains("grpo"))
    md << "## GRPO\n\n"
       << rep["grpo"]["steps"] << " steps; mean reward " << rep["grpo"]["reward_first_quarter"]
       << " in the first quarter, " << rep["grpo"]["reward_last_quarter"] << " in the last; mean keep ratio "
       << rep["grpo"]["keep_ratio"] << ", dropped groups per step " << rep["grpo"]["dropped_groups"]
       << ".\n\n";
  if (!curve.empty()) {
    md << "Held-out curve, prompt strict % (reasoning) on the first "
       << curve_items
       << " held-out items, by GRPO step:";
    for (const auto& p : curve) md << " " << p[0] << ": " << dr::pct(p[1]) << (&p == &curve.back() ? ".\n\n" : ",");
  }
  if (rep.contains("grpo")) md << "![training curves](curves.png)\n";
  {
    std::ofstream o(dir / "report.md");
    o << md.str();
  }
  // curves: columns step reward accuracy strict format kl keep_ratio
  {
    std::ofstream d(dir / "curves.dat");
    d << "# step reward accuracy_reasoning accuracy_no_reasoning strict format kl keep_ratio\n";
    for (const auto& m : grpo)
      d << m["step"] << ' ' << m["reward"] << ' ' << m["accuracy_reasoning"] << ' ' << m["accuracy_no_reasoning"] << ' '
        << m["strict"] << ' ' << m["format"] << ' ' << m.value("kl", 0.0) << ' ' << m["keep_ratio"] << '\n';
    std::ofstream w(dir / "warmstart.dat");
    for (const auto& m : warmstart) w << m["step"] << ' ' << m["nll"] << '\n';
    std::ofstream h(dir / "heldout.dat");
    for (const auto& p : curve) h << p[0] << ' ' << 100.0 * p[1].get<double>() << '\n';
  }
  const auto gp = dir / "curves.gp";
  const std::string dat = (dir / "curves.dat").string();
  std::string heldout_plot; // appended piece by piece: GCC 12's -Wrestrict misfires on "lit" + string&&
  if (!curve.empty()) {
    heldout_plot += ", '";
    heldout_plot += (dir / "heldout.dat").string();
    heldout_plot += "' using 1:2 axes x1y2 with linespoints lw 2 title 'held-out strict (first ";
    heldout_plot += curve_items;
    heldout_plot += " items)'";
  }
  {
    std::ofstream g(gp);
    g << "set terminal pngcairo size 1200,800 font 'sans,10'\nset output '" << (dir / "curves.png").string() << "'\n"
      << "set multiplot layout 2,2 title 'raif-train'\nset grid\nset key bottom right\n"
      << "set title 'warm start (behaviour cloning)'\nset xlabel 'step'\nset ylabel 'NLL'\nplot '"
      << (dir / "warmstart.dat").string() << "' using 1:2 with lines title 'expert NLL'\n"
      << "set title 'GRPO: training reward and held-out accuracy'\nset ylabel 'reward (training prompts)'\n"
      << "set y2label 'held-out prompt strict (%)'\nset y2tics\nset ytics nomirror\nplot '" << dat
      << "' using 1:2 with linespoints title 'reward, format + accuracy'"
      << heldout_plot
      << "\nunset y2label\nunset y2tics\nset ytics mirror\n"
      << "set title 'GRPO accuracy reward'\nset ylabel 'accuracy'\nplot '" << dat
      << "' using 1:3 with linespoints title 'reasoning', '' using 1:4 with linespoints title 'forced no reasoning'\n"
      << "set title 'GRPO rates and KL'\nset ylabel 'rate'\nset yrange [0:1]\nset y2label 'KL'\nset y2tics\n"
      << "set ytics nomirror\nplot '" << dat
      << "' using 1:5 with lines title 'strict (training samples)', '' using 1:8 with lines title 'keep ratio', "
         "'' using 1:7 axes x1y2 with lines title 'KL'\n"
      << "unset multiplot\n";
  }
  const std::string cmd = "gnuplot '" + gp.string() + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return {};
  return (dir / "curves.png").string();
}

} // namespace raif
