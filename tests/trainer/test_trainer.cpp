// The reference trainer on the micro config (configs/micro.toml): every stage runs and leaves sane
// outputs; a run stopped and resumed equals one that never stopped; bad configs fail before any work;
// the composed GRPO step reproduces the hand-wired one, and every model of every stage list runs by
// name and does what its name says (checked against hand-computed values or a second run).
#include <raif/trainer/report.hpp>
#include <raif/trainer/trainer.hpp>

#include "../support/skip.hpp"

#include <catch2/catch.hpp>

#include <boost/hana/for_each.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>

using namespace raif;
namespace fs = std::filesystem;

namespace {
const std::string source = RAIF_SOURCE_DIR;
TrainConfig micro(const std::string& dir) {
  auto c = TrainConfig::from_file(source + "/configs/micro.toml");
  c.run.out_dir = dir;
  fs::remove_all(dir);
  return c;
}
std::vector<nlohmann::json> metrics(const std::string& dir) {
  std::vector<nlohmann::json> out;
  std::ifstream in(dir + "/metrics.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds"); // wall-clock figures differ from run to run; everything else must not
    j.erase("seconds_rollout");
    j.erase("tokens_per_s");
    j.erase("seconds_judge");
    out.push_back(j);
  }
  return out;
}
nlohmann::json read(const std::string& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}
std::string read_text(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
} // namespace

TEST_CASE("the pipeline runs every stage on the micro config", "[trainer]") {
  const std::string dir = "micro_run";
  auto cfg = micro(dir);
  std::vector<std::string> log;
  TrainerHooks hooks;
  hooks.log = [&](const std::string& s) { log.push_back(s); };
  Trainer t(cfg, false, hooks);
  REQUIRE(t.run());
  for (const char* f :
       {"config.toml", "train.jsonl", "heldout.jsonl", "data.json", "tokenizer.json", "warmstart/model.safetensors",
        "final/model.safetensors", "eval_warmstart.json", "eval_final.json", "metrics.jsonl", "state.json"})
    CHECK(fs::exists(dir + "/" + f));
  CHECK(read(dir + "/state.json")["stage"] == "done");
  const auto m = metrics(dir);
  std::size_t warm = 0, grpo = 0;
  for (const auto& j : m) {
    if (j["phase"] == "warmstart") {
      ++warm;
    } else {
      ++grpo; // 2 prompts x 4 samples, 1 of 4 forced no-reasoning and never trained; values: the pinned test
      const auto trained = j["trained_samples"].get<int>(), dropped = j["dropped_groups"].get<int>();
      CHECK(trained == (2 - dropped) * 3);
      CHECK(j["keep_ratio"].get<double>() == Approx(trained / 8.0));
      CHECK(j["step"].get<std::size_t>() == grpo);
    }
  }
  CHECK(warm == 6);
  CHECK(grpo == 4);
  const auto ev = read(dir + "/eval_final.json");
  CHECK(ev["reasoning"]["all"]["prompts"] == 8);
  CHECK(ev["no_reasoning"]["all"]["prompts"] == 8);
  const auto data = read(dir + "/data.json");
  CHECK(data["train"].get<int>() + data["heldout"].get<int>() + data["dropped"].get<int>() == 160);
  // the warm-start NLL falls
  CHECK(m[5]["nll"].get<double>() < m[0]["nll"].get<double>());
  // the tokenizer the run trained opens again and the report is written
  CHECK(BpeTokenizer::load(dir + "/tokenizer.json").vocab_size() == 400);
  write_report(dir);
  CHECK(fs::exists(dir + "/report.md"));
  CHECK(read(dir + "/report.json").contains("gain_prompt_strict"));
  // a second run in the same directory is refused, nothing is overwritten
  CHECK_THROWS_WITH(Trainer(cfg, false), Catch::Contains("already holds a run"));
}

TEST_CASE("a resumed run produces the same metrics, model and evaluation", "[trainer]") {
  auto full = micro("resume_full");
  REQUIRE(Trainer(full, false).run());
  auto part = micro("resume_part");
  part.run.stop_after = 2;
  CHECK_FALSE(Trainer(part, false).run()); // stopped, checkpointed
  CHECK(read("resume_part/state.json")["step"] == 2);
  part.run.stop_after = 0;
  REQUIRE(Trainer(part, true).run());
  CHECK(metrics("resume_part") == metrics("resume_full"));
  CHECK(read("resume_part/eval_final.json") == read("resume_full/eval_final.json"));
  const auto a = load_safetensors("resume_full/final/model.safetensors"),
             b = load_safetensors("resume_part/final/model.safetensors");
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i].second, b[i].second));
}

TEST_CASE("model.activation_checkpointing trains to the same weights as a run that keeps activations", "[trainer]") {
  auto plain = micro("ckpt_plain");
  REQUIRE(Trainer(plain, false).run());
  auto cfg = micro("ckpt_recompute");
  cfg.model.activation_checkpointing = true;
  REQUIRE(Trainer(cfg, false).run());
  const auto a = load_safetensors("ckpt_plain/final/model.safetensors"),
             b = load_safetensors("ckpt_recompute/final/model.safetensors"),
             w = load_safetensors("ckpt_plain/warmstart/model.safetensors");
  REQUIRE(a.size() == b.size());
  double apart = 0, moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    apart = std::max(apart, (a[i].second - b[i].second).abs().max().item<double>());
    moved = std::max(moved, (a[i].second - w[i].second).abs().max().item<double>());
  }
  CHECK(apart < 1e-5);
  CHECK(moved > 1e-3);
}

TEST_CASE("micro-batches by a token budget: hand-computed splits, and the same training", "[trainer]") {
  using raif::detail::trainer::micro_batches;
  using Split = std::vector<std::vector<std::size_t>>;
  const std::vector<std::int64_t> length = {10, 30, 20, 50, 5, 5};
  CHECK(micro_batches(length, 4, 0) == Split{{0, 1, 2, 3}, {4, 5}}); // rows only
  // 60 padded tokens: {10, 30} is 2 × 30; + 20 would be 3 × 30 = 90; {20} then + 50 is 100; 50
  // alone; 50 + 5 is 2 × 50; {5, 5} is 10.
  CHECK(micro_batches(length, 4, 60) == Split{{0, 1}, {2}, {3}, {4, 5}});
  CHECK(micro_batches(length, 1, 1000) == Split{{0}, {1}, {2}, {3}, {4}, {5}});
  CHECK(micro_batches(length, 8, 1) == Split{{0}, {1}, {2}, {3}, {4}, {5}}); // longer than the budget: alone
  CHECK(micro_batches({}, 4, 60).empty());

  auto plain = micro("tokens_plain");
  REQUIRE(Trainer(plain, false).run());
  auto cfg = micro("tokens_budget");
  cfg.grpo.micro_batch_tokens = 150; // about one row per forward/backward instead of micro_batch = 4
  REQUIRE(Trainer(cfg, false).run());
  const auto a = load_safetensors("tokens_plain/final/model.safetensors"),
             b = load_safetensors("tokens_budget/final/model.safetensors");
  REQUIRE(a.size() == b.size());
  double apart = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    apart = std::max(apart, (a[i].second - b[i].second).abs().max().item<double>());
  CHECK(apart < 1e-5);
  const auto m1 = metrics("tokens_plain"), m2 = metrics("tokens_budget");
  REQUIRE(m1.size() == m2.size());
  for (std::size_t i = 0; i < m1.size(); ++i)
    if (m1[i]["phase"] == "grpo") CHECK(m1[i]["pg_loss"].get<double>() == Approx(m2[i]["pg_loss"].get<double>()));
}

TEST_CASE("the entropy bonus trains from chunks of logits and reports the policy's entropy", "[trainer]") {
  auto cfg = micro("entropy_run");
  cfg.grpo.entropy_coef = 0.01;
  REQUIRE(Trainer(cfg, false).run());
  std::ifstream config_file("entropy_run/final/config.json");
  const auto vocab = nlohmann::json::parse(config_file)["vocab_size"].get<double>();
  int reported = 0;
  for (const auto& m : metrics("entropy_run")) {
    if (m["phase"] != "grpo" || !m.contains("entropy")) continue;
    ++reported;
    CHECK(m["entropy"].get<double>() > 0);
    CHECK(m["entropy"].get<double>() <= std::log(vocab)); // at most the uniform distribution's
  }
  CHECK(reported > 0);
}

TEST_CASE("the held-out curve is logged every eval.curve_every steps and changes nothing else", "[trainer]") {
  auto plain = micro("curve_plain");
  REQUIRE(Trainer(plain, false).run());
  auto cfg = micro("curve_run");
  cfg.eval.curve_every = 2;
  cfg.eval.curve_items = 8; // all of the micro config's held-out items: one batch, as the final evaluation's
  cfg.run.stop_after = 2;   // and across a resume
  CHECK_FALSE(Trainer(cfg, false).run());
  cfg.run.stop_after = 0;
  REQUIRE(Trainer(cfg, true).run());
  auto got = metrics("curve_run");
  const auto want = metrics("curve_plain");
  REQUIRE(got.size() == want.size());
  std::vector<std::pair<int, double>> points;
  for (auto& j : got)
    if (j.contains("heldout_strict")) {
      points.emplace_back(j["step"].get<int>(), j["heldout_strict"].get<double>());
      j.erase("heldout_strict");
    }
  CHECK(got == want); // greedy evaluation draws nothing: the training is the plain run's
  REQUIRE(points.size() == 2);
  CHECK(points[0].first == 2);
  CHECK(points[1].first == 4);
  // The last point is the final model on the same items as the final evaluation, computed apart.
  const auto fin = read("curve_run/eval_final.json"), warm = read("curve_run/eval_warmstart.json");
  CHECK(fin["curve_start"]["items"] == 8);
  CHECK(points[1].second == fin["reasoning"]["all"]["prompt_strict"].get<double>());
  write_report("curve_run");
  const auto curve = read("curve_run/report.json")["heldout_curve"];
  REQUIRE(curve.size() == 3);
  CHECK(curve[0] == nlohmann::json::array({0, warm["curve_start"]["prompt_strict"]}));
  CHECK(curve[1] == nlohmann::json::array({2, points[0].second}));
  CHECK(curve[2] == nlohmann::json::array({4, points[1].second}));
  // The micro model scores 0 everywhere; the report's side is checked with values put in its files.
  {
    std::ifstream in("curve_run/metrics.jsonl");
    std::string lines;
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j.contains("heldout_strict")) j["heldout_strict"] = j["step"].get<int>() / 8.0; // 0.25, 0.5
      lines += j.dump() + "\n";
    }
    std::ofstream("curve_run/metrics.jsonl") << lines;
    auto w = warm;
    w["curve_start"]["prompt_strict"] = 0.125;
    std::ofstream("curve_run/eval_warmstart.json") << w.dump();
  }
  write_report("curve_run");
  CHECK(read("curve_run/report.json")["heldout_curve"] == nlohmann::json::parse("[[0, 0.125], [2, 0.25], [4, 0.5]]"));
  std::ifstream dat("curve_run/heldout.dat");
  const std::string text((std::istreambuf_iterator<char>(dat)), {});
  CHECK(text == "0 12.5\n2 25\n4 50\n");
  std::ifstream md("curve_run/report.md");
  const std::string report((std::istreambuf_iterator<char>(md)), {});
  CHECK_THAT(report, Catch::Contains("on the first 8 held-out items, by GRPO step: 0: 12.5, 2: 25.0, 4: 50.0."));
}

TEST_CASE("an extra reward term shifts the reward; a constant one changes nothing else", "[trainer]") {
  // GroupNorm subtracts the group mean, so a constant reward term leaves the advantages, hence
  // the whole training, unchanged: the metrics must equal the plain run's but for reward - 1.
  auto plain = micro("extra_plain");
  REQUIRE(Trainer(plain, false).run());
  auto cfg = micro("extra_const");
  Trainer t(cfg, false);
  struct MinusOne {
    RewardResult operator()(const Sample&) const { return {-1.0, {{"minus_one", -1.0}}, std::nullopt}; }
  };
  static_assert(reward_term<MinusOne>);
  t.extra_reward = MinusOne{};
  REQUIRE(t.run());
  const auto a = metrics("extra_plain"), b = metrics("extra_const");
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].size() == b[i].size());
    for (auto it = a[i].begin(); it != a[i].end(); ++it) {
      INFO(a[i]["phase"] << " step " << a[i]["step"] << ": " << it.key());
      const auto& y = b[i].at(it.key());
      const double shift = it.key() == "reward" ? -1.0 : 0.0;
      if (it.value().is_number()) // (r - 1) - mean(r - 1) may round differently from r - mean(r)
        CHECK(y.get<double>() == Approx(it.value().get<double>() + shift).margin(1e-9));
      else
        CHECK(y == it.value());
    }
  }
}

TEST_CASE("bad configurations fail before any work, naming the key", "[trainer]") {
  const std::string path = "bad.toml";
  auto write = [&](const std::string& s) { std::ofstream(path) << s; };
  write("[grpo]\nlr = 1e-4\ngroup_sise = 8\n");
  CHECK_THROWS_WITH(TrainConfig::from_file(path), Catch::Contains("unknown key 'grpo.group_sise'"));
  write("[grpo]\ngroup_size = \"eight\"\n");
  CHECK_THROWS_WITH(TrainConfig::from_file(path), Catch::Contains("bad.toml:2") && Catch::Contains("grpo.group_size") &&
                                                      Catch::Contains("expected an integer"));
  write("[model]\nheads = 3\n");
  auto c = TrainConfig::from_file(path);
  CHECK_THROWS_WITH(c.validate(),
                    Catch::Contains("model.heads") && Catch::Contains("must be a divisor of model.hidden_size"));
  write("[grpo\n");
  CHECK_THROWS_WITH(TrainConfig::from_file(path), Catch::Contains("bad.toml:1"));
  write("lr = 3\n");
  CHECK_THROWS_WITH(TrainConfig::from_file(path), Catch::Contains("must be a [section]"));
  TrainConfig d;
  CHECK_THROWS_WITH(d.apply_override("grpo.kl_coeff=0.1"), Catch::Contains("unknown key 'grpo.kl_coeff'"));
  CHECK_THROWS_WITH(d.apply_override("temperature=0.1"), Catch::Contains("did you mean 'grpo.temperature'"));
  d.apply_override("grpo.group_size=1");
  CHECK_THROWS_WITH(d.validate(), Catch::Contains("grpo.group_size"));
  TrainConfig e;
  e.apply_override("data.trace=shallow"); // a bare word is a string
  CHECK(e.data.trace == "shallow");
  e.apply_override("grpo.lr=5e-5");
  CHECK(e.grpo.lr == 5e-5);
  CHECK_THROWS_WITH(e.apply_override("grpo.all_equal_clause=maybe"), Catch::Contains("expected true or false"));
  for (const std::string device : {"cuda:", "cuda:x", "cuda:-1", "cuda:12345", "gpu", "cuda:1 "}) {
    TrainConfig j;
    j.apply_override("judge.device=\"" + device + "\"");
    CHECK_THROWS_WITH(j.validate(), Catch::Contains("judge.device") && Catch::Contains("auto, cpu, cuda or cuda:N"));
  }
  for (const std::string device : {"auto", "cpu", "cuda", "cuda:0", "cuda:15"}) {
    TrainConfig j;
    j.apply_override("judge.device=\"" + device + "\"");
    CHECK_NOTHROW(j.validate());
  }
  // the written config reads back to the same configuration
  std::ofstream("roundtrip.toml") << e.to_toml();
  CHECK(TrainConfig::from_file("roundtrip.toml").to_toml() == e.to_toml());
  // a model too short for the prompts is refused before training
  auto m = micro("too_short");
  m.model.max_len = 64;
  CHECK_THROWS_WITH(Trainer(m, false).run(), Catch::Contains("model.max_len 64 is too short"));
}

TEST_CASE("strings with control characters survive config.toml, which a resume reads back", "[trainer]") {
  // A multi-line system prompt used to be written with a raw newline, which TOML forbids in a basic
  // string: the run's config.toml did not parse (toml_config fuzz finding).
  std::ofstream("multiline.toml") << "[data]\nsystem = \"\"\"\nThink.\nThen\tanswer.\\u0001\\u007F\"\"\"\n";
  const auto c = TrainConfig::from_file("multiline.toml");
  CHECK(c.data.system == "Think.\nThen\tanswer.\x01\x7f");
  const auto toml = c.to_toml();
  CHECK_THAT(toml, Catch::Contains(R"(system = "Think.\nThen\tanswer.\u0001\u007F")"));
  std::ofstream("multiline_back.toml") << toml;
  const auto back = TrainConfig::from_file("multiline_back.toml");
  CHECK(back.data.system == c.data.system);
  CHECK(back.to_toml() == toml);
}

TEST_CASE("the settings are declared once: defaults, TOML, validation and the docs table agree", "[trainer]") {
  // The generated reference table is the one in docs/config.md.
  std::ifstream in(source + "/docs/config.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), {});
  const auto begin = doc.find("<!-- reference:begin -->\n"), end = doc.find("<!-- reference:end -->");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  CHECK(doc.substr(begin + 25, end - begin - 25) == TrainConfig::reference_table());
  // A declared default, bound and doc, read three ways.
  const TrainConfig c;
  CHECK(c.grpo.kl_coef == 1e-3);
  CHECK(c.to_toml().find("kl_coef = 0.001  # KL loss coefficient (paper: 1e-3)\n") != std::string::npos);
  CHECK(TrainConfig::reference_table().find(
            "| `grpo.top_p` | float | `1.0` | in (0, 1] | nucleus sampling (paper: 1) |") != std::string::npos);
  TrainConfig d;
  d.apply_override("grpo.top_p=1.5");
  CHECK_THROWS_WITH(d.validate(), Catch::Contains("'grpo.top_p' = 1.5: must be in (0, 1]"));
  // Every key of the declaration reads back from the TOML it writes.
  std::ofstream("all_keys.toml") << c.to_toml();
  CHECK(TrainConfig::from_file("all_keys.toml").to_toml() == c.to_toml());
}

TEST_CASE("the composed step reproduces the pre-refactor trainer's metrics exactly", "[trainer]") {
  // tests/data/micro_metrics_pinned.jsonl was written by the hand-wired trainer this step replaced
  // (commit 1323560), on configs/micro.toml with a length-penalty reward term so that advantages,
  // losses and KL are not all zero. Pinned for x86-64 with AVX2 and 2 threads (the micro config's);
  // another CPU kernel may round differently (docs/results.md).
#if RAIF_HAVE_SDPA
  RAIF_SKIP("pinned on Debian's LibTorch 1.13; LibTorch " TORCH_VERSION " (fused attention) rounds differently");
#endif
  auto cfg = micro("pinned");
  Trainer t(cfg, false);
  struct Brevity {
    RewardResult operator()(const Sample& s) const {
      const double v = -0.01 * static_cast<double>(s.response.size());
      return {v, {{"brevity", v}}, std::nullopt};
    }
  };
  t.extra_reward = Brevity{};
  REQUIRE(t.run());
  const auto got = metrics("pinned");
  std::vector<nlohmann::json> want;
  std::ifstream in(std::string(RAIF_TEST_DATA) + "/micro_metrics_pinned.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");
    j.erase("tokens_per_s");
    want.push_back(j);
  }
  REQUIRE(want.size() == 10);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("line " << i + 1);
    CHECK(got[i] == want[i]);
  }
}

TEST_CASE("configs/default.toml is the embedded default", "[trainer]") {
  TrainConfig embedded;
  CHECK(TrainConfig::from_file(source + "/configs/default.toml").to_toml() == embedded.to_toml());
  // Each ablation differs from the default in exactly what its name says.
  auto load = [](const char* f) {
    auto c = TrainConfig::from_file(source + "/configs/" + f + ".toml");
    c.validate();
    return c;
  };
  const auto no_sc = load("ablation-no-superior-cot"), no_bc = load("ablation-no-bc"),
             neither = load("ablation-neither");
  CHECK((no_sc.grpo.selection == "none" && no_sc.grpo.bc_coef == embedded.grpo.bc_coef));
  CHECK((no_bc.grpo.selection == "superior_cot" && no_bc.grpo.bc_coef == 0.0));
  CHECK((neither.grpo.selection == "none" && neither.grpo.bc_coef == 0.0));
  for (const auto* c : {&no_sc, &no_bc, &neither}) {
    auto same = *c;
    same.grpo.selection = embedded.grpo.selection;
    same.grpo.bc_coef = embedded.grpo.bc_coef;
    CHECK(same.to_toml() == embedded.to_toml());
  }
  CHECK(load("io").data.trace == "none");
  CHECK(load("shallow-cot").data.trace == "shallow");
  CHECK_NOTHROW(load("micro"));
}

TEST_CASE("evaluation: strict, loose and format failures", "[trainer]") {
  Item it;
  it.instruction = "Describe the fox. Write in lowercase letters only.";
  it.spec = {{"and", {{{"constraint", "change_case:english_lowercase"}}, {{"constraint", "punctuation:no_comma"}}}}};
  const auto node = compile(it.spec);
  const auto ok =
      score_response(it, node, "<think>x</think><answer>the fox is red and it lives in the forest.</answer>");
  CHECK((ok.prompt_strict == 1 && ok.prompt_loose == 1 && ok.leaf_strict == 2 && ok.leaves == 2));
  // a first line in capitals fails strictly; IFEval's loose transformations drop it
  const auto loose =
      score_response(it, node, "<think>x</think><answer>Sure:\nthe fox is red and it lives in the forest.</answer>");
  CHECK((loose.prompt_strict == 0 && loose.prompt_loose == 1 && loose.leaf_strict == 1 && loose.leaf_loose == 2));
  const auto bad = score_response(it, node, "the fox is red and it lives in the forest.");
  CHECK((bad.well_formed == 0 && bad.prompt_strict == 0 && bad.prompt_loose == 0 && bad.leaf_strict == 0 &&
         bad.leaves == 2));
}

// ----- the composed GRPO step and its stage lists ---------------------------------------------

namespace {

// Rewards that differ within every group (GRPO's signal) even when the tiny model fails the format.
struct LengthPenalty {
  RewardResult operator()(const Sample& s) const {
    const double v = -0.01 * static_cast<double>(s.response.size());
    return {v, {{"length", v}}, std::nullopt};
  }
};

// The micro config cut to 2 warm-start and 2 GRPO steps, with `sets` applied.
TrainConfig tiny(const std::string& dir, const std::vector<std::string>& sets = {}) {
  auto c = TrainConfig::from_file(source + "/configs/micro.toml");
  for (const auto& s : {"warmstart.steps=2", "grpo.steps=2", "eval.items=2", "eval.max_new_tokens=8"})
    c.apply_override(s);
  for (const auto& s : sets) c.apply_override(s);
  c.run.out_dir = dir;
  fs::remove_all(dir);
  return c;
}

std::vector<nlohmann::json> grpo_metrics_of(const std::string& dir) {
  std::vector<nlohmann::json> out;
  for (auto& j : metrics(dir))
    if (j["phase"] == "grpo") out.push_back(std::move(j));
  return out;
}

std::vector<nlohmann::json> grpo_metrics(const TrainConfig& c) {
  Trainer t(c, false);
  t.extra_reward = LengthPenalty{};
  REQUIRE(t.run());
  std::vector<nlohmann::json> out;
  std::ifstream in(c.run.out_dir + "/metrics.jsonl");
  for (std::string line; std::getline(in, line);)
    if (auto j = nlohmann::json::parse(line); j["phase"] == "grpo") out.push_back(j);
  REQUIRE(out.size() == 2);
  return out;
}
} // namespace

TEST_CASE("every advantage estimator runs by name, and each gives its own update", "[trainer][stages]") {
  std::map<std::string, double> pg;
  boost::hana::for_each(Stages::estimators(), [&](const auto& model) {
    const std::string name(model.name);
    INFO(name);
    const auto m = grpo_metrics(tiny("est_" + name, {"grpo.estimator=" + name}));
    pg[name] = m[0]["pg_loss"].get<double>();
  });
  REQUIRE(pg.size() == 5);
  // Same rollout, same rewards (step 1 starts from the same warm start): only the advantages differ.
  CHECK(pg["grpo"] != pg["dr_grpo"]);
  CHECK(pg["dr_grpo"] != pg["rloo"]);
  CHECK(pg["rloo"] != pg["reinforce_pp_baseline"]);
  // Dr.GRPO's advantages r - mean are GroupMeanBaseline's: the same model under two names.
  CHECK(pg["dr_grpo"] == pg["group_mean"]);
}

TEST_CASE("every selection runs by name and keeps what its definition says", "[trainer][stages]") {
  const std::int64_t P = 2, G = 4; // configs/micro.toml
  for (const std::string name : {"superior_cot", "dynamic_sampling", "none"}) {
    INFO(name);
    for (const auto& m : grpo_metrics(tiny("sel_" + name, {"grpo.selection=" + name}))) {
      const auto trained = m["trained_samples"].get<std::int64_t>(), dropped = m["dropped_groups"].get<std::int64_t>();
      if (name == "superior_cot") // 1 of 4 forced no-reasoning per group never trains
        CHECK(trained == (P - dropped) * (G - 1));
      if (name == "dynamic_sampling") // whole groups, all reasoning
        CHECK(trained == (P - dropped) * G);
      if (name == "none") CHECK((trained == P * G && dropped == 0));
      CHECK(m["keep_ratio"].get<double>() == Approx(static_cast<double>(trained) / static_cast<double>(P * G)));
    }
  }
}

TEST_CASE("every KL estimator, aggregation, optimiser and policy runs by name", "[trainer][stages]") {
  std::map<std::string, double> kl;
  for (const std::string name : {"k1", "k2", "k3", "abs"})
    kl[name] = grpo_metrics(tiny("kl_" + name, {"grpo.kl=" + name}))[1]["kl"].get<double>();
  // After the first update the policy has left the reference, d = log pi - log pi_ref is not all 0:
  // k2 = d^2/2 and k3 = e^-d + d - 1 are positive, |d| is too, and the four estimates differ.
  CHECK(kl["k2"] > 0);
  CHECK(kl["k3"] > 0);
  CHECK(kl["abs"] > 0);
  CHECK(kl["k1"] != kl["k2"]);
  CHECK(kl["k2"] != kl["k3"]);
  CHECK(kl["abs"] >= std::abs(kl["k1"])); // mean |d| >= |mean d|

  std::map<std::string, double> pg;
  for (const std::string name : {"token_mean", "seq_mean_token_mean", "seq_mean_token_sum", "seq_mean_token_sum_norm"})
    pg[name] = grpo_metrics(tiny("agg_" + name, {"grpo.loss_aggregation=" + name}))[0]["pg_loss"].get<double>();
  CHECK(pg["token_mean"] != pg["seq_mean_token_mean"]);
  CHECK(pg["seq_mean_token_sum"] != pg["seq_mean_token_sum_norm"]);

  const auto adamw = grpo_metrics(tiny("opt_adamw", {"grpo.optimizer=adamw"}));
  const auto sgd = grpo_metrics(tiny("opt_sgd", {"grpo.optimizer=sgd"}));
  CHECK(adamw[0]["reward"] == sgd[0]["reward"]); // the same first rollout ...
  CHECK(adamw[0]["kl"] != sgd[0]["kl"]);         // ... leaves the reference differently after one update

  for (const std::string name : {"raif", "fraction", "all_or_nothing", "dependency_aware", "priority", "weighted"}) {
    INFO(name);
    CHECK(grpo_metrics(tiny("pol_" + name, {"grpo.policy=" + name})).size() == 2);
  }
}

TEST_CASE("learning-rate schedules by name give the hand-computed rates", "[trainer][stages]") {
  // No warm-up, 2 steps: step 1 at the peak, step 2 at progress 1/2.
  const double peak = 1e-3;
  const std::map<std::string, double> second = {
      {"cosine", peak * (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi / 2)))},
      {"linear", peak * 0.5},
      {"constant", peak}};
  for (const auto& [name, lr] : second) {
    INFO(name);
    const auto m = grpo_metrics(tiny("sched_" + name, {"grpo.schedule=" + name, "grpo.warmup=0"}));
    CHECK(m[0]["lr"].get<double>() == Approx(peak).epsilon(1e-15));
    CHECK(m[1]["lr"].get<double>() == Approx(lr).epsilon(1e-15));
  }
}

TEST_CASE("an unknown stage name is refused before any work, listing the valid ones", "[trainer][stages]") {
  CHECK_THROWS_WITH(Trainer(tiny("bad_est", {"grpo.estimator=ppo"}), false),
                    Catch::Contains("grpo.estimator = \"ppo\"") &&
                        Catch::Contains("grpo, dr_grpo, rloo, reinforce_pp_baseline, group_mean"));
  CHECK_THROWS_WITH(Trainer(tiny("bad_sel", {"grpo.selection=dapo"}), false),
                    Catch::Contains("superior_cot, dynamic_sampling, none"));
  CHECK_THROWS_WITH(Trainer(tiny("bad_kl", {"grpo.kl=k4"}), false), Catch::Contains("k1, k2, k3, abs"));
  CHECK_FALSE(fs::exists("bad_est/state.json"));
}

TEST_CASE("a stage list takes a user's model in one line", "[trainer][stages]") {
  // Advantages that are all zero: the policy-gradient loss is exactly 0 and only KL and BC train.
  struct Zero {
    Eigen::ArrayXd operator()(const AdvantageInput& in) const { return Eigen::ArrayXd::Zero(in.reward.size()); }
  };
  struct MyStages : Stages {
    static auto estimators() { return boost::hana::append(Stages::estimators(), Named<Zero>{"zero", {}, "no signal"}); }
  };
  auto c = tiny("user_stage", {"grpo.estimator=zero"});
  CHECK_THROWS_WITH(Trainer(c, false), Catch::Contains("grpo, dr_grpo, rloo, reinforce_pp_baseline, group_mean)"));
  BasicTrainer<MyStages> t(c, false);
  REQUIRE(t.run());
  std::ifstream in("user_stage/metrics.jsonl");
  int grpo = 0;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["phase"] != "grpo") continue;
    ++grpo;
    CHECK(j["pg_loss"].get<double>() == 0.0);
  }
  CHECK(grpo == 2);
}

TEST_CASE("every aggregation normalises over the mini-batch, whatever the micro-batch", "[trainer][stages]") {
  // The first update's loss is a function of the rollout alone; split into micro-batches of 1 row
  // or taken whole, a mini-batch's loss must be the same number. Before the fixes, token_mean was
  // a sum of per-micro-batch means (4x larger here) and seq_mean_token_sum_norm divided each
  // micro-batch by its own padded width.
  for (const std::string name :
       {"token_mean", "seq_mean_token_mean", "seq_mean_token_sum", "seq_mean_token_sum_norm"}) {
    INFO(name);
    const auto aggregation = "grpo.loss_aggregation=" + name;
    const auto whole = grpo_metrics(tiny("agg_whole_" + name, {aggregation, "grpo.micro_batch=8"}));
    const auto split = grpo_metrics(tiny("agg_split_" + name, {aggregation, "grpo.micro_batch=1"}));
    CHECK(split[0]["pg_loss"].get<double>() == Approx(whole[0]["pg_loss"].get<double>()).epsilon(1e-5));
    CHECK(whole[0]["pg_loss"].get<double>() != 0.0);
  }
}

TEST_CASE("data.seed_tasks composes the training items over a user's seed tasks", "[trainer]") {
  auto c = tiny("user_seed_tasks", {"data.seed_tasks=\"" + std::string(RAIF_TEST_DATA) + "/seed_tasks_user.jsonl\""});
  std::set<std::string> ids;
  {
    std::ifstream in(std::string(RAIF_TEST_DATA) + "/seed_tasks_user.jsonl");
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) ids.insert(nlohmann::json::parse(line)["id"].get<std::string>());
  }
  REQUIRE(ids.size() == 6);
  Trainer t(c, false);
  REQUIRE(t.run());
  std::set<std::string> seen;
  for (const auto* set : {&t.train_items(), &t.heldout_items()})
    for (const auto& it : *set) seen.insert(it.seed_task);
  CHECK(seen == ids); // every item comes from the user's tasks, and every task is used
  auto bad = tiny("bad_seed_tasks", {"data.seed_tasks=\"" + std::string(RAIF_TEST_DATA) + "/no_such_file.jsonl\""});
  CHECK_THROWS_WITH(Trainer(bad, false), Catch::Contains("no_such_file.jsonl"));
  CHECK_FALSE(fs::exists("bad_seed_tasks/state.json"));
}

TEST_CASE("data.split_by = constraint holds out constraint ids training never sees", "[trainer]") {
  auto c = tiny("ood_split", {"data.ifbench=true", "data.split_by=\"constraint\"", "data.heldout_fraction=0.2"});
  Trainer t(c, false);
  REQUIRE(t.run());
  std::set<std::string> trained, ifbench_used;
  for (const auto& it : t.train_items()) trained.insert(it.constraint_ids.begin(), it.constraint_ids.end());
  REQUIRE_FALSE(t.heldout_items().empty());
  for (const auto* set : {&t.train_items(), &t.heldout_items()})
    for (const auto& it : *set)
      for (const auto& id : it.constraint_ids)
        if (id.find("format:") == 0 || id.find("sentence:") == 0) ifbench_used.insert(id);
  CHECK(ifbench_used.size() == 3); // data.ifbench draws the three IFBench kinds
  for (const auto& it : t.heldout_items()) {
    bool unseen = false;
    for (const auto& id : it.constraint_ids) unseen = unseen || !trained.count(id);
    CHECK(unseen);
  }
}

TEST_CASE("model.init: a Hugging Face checkpoint folder (real Qwen2.5 tokenizer and chat template) trains end to end",
          "[trainer]") {
  // The CPU smoke form of configs/qwen2.5-0.5b.toml: a random 2-layer Qwen2 with Qwen2.5's
  // vocabulary (151,936 embedding rows for 151,665 tokens), stored in bf16 like the published
  // checkpoints, beside the fixture's tokenizer.json, tokenizer_config.json, generation_config.json.
  const std::string tok_dir = RAIF_QWEN2_TOKENIZER_DIR;
  if (!fs::exists(tok_dir + "/tokenizer.json"))
    RAIF_SKIP("Qwen2.5 tokenizer fixture not found at " + tok_dir + " (set -DRAIF_QWEN2_TOKENIZER_DIR=...)");
  const std::string ckpt = "init_checkpoint";
  fs::remove_all(ckpt);
  torch::manual_seed(5);
  Qwen2 hf(Qwen2Config{.vocab_size = 151936, .hidden_size = 32, .intermediate_size = 64, .num_hidden_layers = 2,
                       .num_attention_heads = 4, .num_key_value_heads = 2, .max_position_embeddings = 32768,
                       .torch_dtype = "bfloat16"});
  save_pretrained(hf, ckpt);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
    fs::copy_file(tok_dir + "/" + f, ckpt + "/" + f);

  auto cfg = TrainConfig::from_file(source + "/configs/qwen2.5-0.5b.toml"); // shrunk to seconds:
  cfg.run.out_dir = "init_run";
  fs::remove_all("init_run");
  cfg.run.threads = 2;
  cfg.model.init = ckpt;
  cfg.model.max_len = 640;
  cfg.data.items = 40;
  cfg.eval.items = 4;
  cfg.eval.max_new_tokens = 24;
  cfg.eval.curve_every = 0;
  cfg.grpo.steps = 2;
  cfg.grpo.prompts_per_step = 2;
  cfg.grpo.group_size = 4;
  cfg.grpo.max_new_tokens = 24;
  cfg.grpo.micro_batch = 4;
  cfg.grpo.bc_batch = 2;
  REQUIRE(cfg.warmstart.steps == 0); // the checkpoint is the warm start
  std::vector<std::string> log;
  TrainerHooks hooks;
  hooks.log = [&](const std::string& s) { log.push_back(s); };
  REQUIRE(Trainer(cfg, false, hooks).run());
  // The run stands alone: the checkpoint's tokenizer files were copied in, and beside both models;
  // their generation_config.json stops on the ids the run stopped on, the checkpoint's other
  // settings kept.
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
    CHECK(read_text("init_run/" + std::string(f)) == read_text(ckpt + "/" + f));
  auto stops = read(ckpt + "/generation_config.json");
  for (const char* where : {"init_run/warmstart/", "init_run/final/"}) {
    for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
      CHECK(read_text(where + std::string(f)) == read_text(ckpt + "/" + f));
    auto gen = read(where + std::string("generation_config.json"));
    CHECK(gen["eos_token_id"] == nlohmann::json({151645, 151643})); // <|im_end|>, <|endoftext|>
    CHECK(gen["pad_token_id"] == 151643);                            // tokenizer_config's pad_token
    gen.erase("eos_token_id"), gen.erase("pad_token_id");
    for (const auto& [key, value] : gen.items()) CHECK(stops[key] == value);
  }
  // The warm start is the checkpoint, in float32 master weights: bf16 values widened exactly.
  const auto original = load_safetensors(ckpt + "/model.safetensors");
  const auto warm = load_safetensors("init_run/warmstart/model.safetensors");
  REQUIRE(original.size() == warm.size());
  for (std::size_t i = 0; i < warm.size(); ++i) {
    CHECK(original[i].second.scalar_type() == torch::kBFloat16);
    CHECK(warm[i].second.scalar_type() == torch::kFloat32);
    CHECK(torch::equal(original[i].second.to(torch::kFloat32), warm[i].second));
  }
  const auto final_config = read("init_run/final/config.json");
  CHECK(final_config["vocab_size"] == 151936);
  CHECK(final_config["num_hidden_layers"] == 2);
  const auto m = metrics("init_run");
  REQUIRE(m.size() == 2); // no warm-start steps, 2 GRPO steps
  CHECK(m[1]["step"] == 2);
  // Both evaluations answered every item in both modes (sampling beyond the tokenizer is tested
  // in [model] "vocab_limit"), with the checkpoint's tokenizer.
  std::ifstream responses("init_run/responses_final.jsonl");
  int n = 0;
  for (std::string line; std::getline(responses, line); ++n) CHECK(nlohmann::json::parse(line).contains("response"));
  CHECK(n == 8); // 4 items x 2 modes
  CHECK(std::any_of(log.begin(), log.end(), [](const auto& l) { return l.find("151665 tokens, from") != l.npos; }));
  // A checkpoint whose tokenizer outgrows its embedding is refused, naming both files.
  Qwen2 narrow(Qwen2Config{.vocab_size = 1000, .hidden_size = 32, .intermediate_size = 64, .num_hidden_layers = 1,
                           .num_attention_heads = 4, .num_key_value_heads = 2, .max_position_embeddings = 32768});
  fs::remove_all(ckpt + "/model.safetensors");
  save_pretrained(narrow, ckpt);
  auto small = cfg;
  small.run.out_dir = "init_run_small";
  fs::remove_all("init_run_small");
  CHECK_THROWS_WITH(Trainer(small, false).run(), Catch::Contains("151665 tokens, more than the 1000 embedding rows"));
  fs::remove_all(ckpt);
}

namespace {
// A judge that records what it is asked: YES for answers of even length (deterministic, and varied
// enough that the leaf passes for some responses and fails for others), or always `fixed`.
struct RecordedJudge {
  struct Log {
    std::size_t calls = 0;
    std::vector<std::size_t> sizes; ///< queries per call
    std::vector<JudgeQuery> queries;
  };
  std::shared_ptr<Log> log = std::make_shared<Log>();
  std::optional<bool> fixed;
  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> qs) const {
    ++log->calls;
    log->sizes.push_back(qs.size());
    std::vector<JudgeDecision> out;
    for (const auto& q : qs) {
      log->queries.push_back(q);
      const bool yes = fixed ? *fixed : q.answer.size() % 2 == 0;
      out.push_back({yes, yes ? 1.0 : -1.0});
    }
    return out;
  }
};
std::vector<nlohmann::json> lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}
} // namespace

namespace {
// The config's GRPO step with every response replaced by a well-formed one (its item's expert
// answer, cut by 0-2 characters), so that its leaves are checked: the tiny model's own responses
// are not well formed, and those fail every leaf without asking the judge.
template <class Step> struct WellFormedStep : Step {
  nlohmann::json operator()(GrpoContext& ctx, std::int64_t step, std::int64_t total) const {
    auto batch = this->sample(ctx, step);
    for (std::size_t s = 0; s < batch.size(); ++s) {
      const auto& answer = ctx.items[batch.item_of(s)].expert_answer;
      batch.responses[s] = "<think>\nx\n</think>\n<answer>\n" + answer.substr(0, answer.size() - s % 3) + "\n</answer>";
    }
    return this->learn(ctx, batch, step, total);
  }
};
} // namespace

TEST_CASE("the trainer's judge decides the judge leaves of GRPO rewards, one call a step", "[trainer]") {
  auto c = tiny("judge_run", {"data.judge_fraction=1", "eval.curve_every=0", "eval.items=4"});
  const RecordedJudge recorded;
  std::vector<std::size_t> calls_after; // the judge's calls so far, after the warm start's evaluation and each step
  TrainerHooks hooks;
  hooks.log = [&](const std::string& l) {
    if (l.starts_with("warm start: held-out")) calls_after.push_back(recorded.log->calls);
  };
  hooks.progress = [&](const std::string& phase, std::int64_t, std::int64_t, double) {
    if (phase == "grpo") calls_after.push_back(recorded.log->calls);
  };
  Trainer t(c, false, hooks);
  t.judge = recorded;
  REQUIRE(t.run(WellFormedStep<decltype(t.make_step())>{t.make_step()}));
  for (const auto* set : {&t.train_items(), &t.heldout_items()})
    for (const auto& it : *set) CHECK(it.constraint_ids.back() == "judge:question");
  std::vector<nlohmann::json> steps;
  for (auto& line : lines("judge_run/metrics.jsonl"))
    if (line["phase"] == "grpo") steps.push_back(line);
  REQUIRE(steps.size() == 2);
  REQUIRE(calls_after.size() == 3);
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(calls_after[k + 1] - calls_after[k] == 1); // the whole step's queries in one call
    const auto& call = recorded.log->sizes[calls_after[k]];
    CHECK(steps[k]["judge_queries"].get<double>() == static_cast<double>(call));
    CHECK(call > 0);
    CHECK(steps[k].contains("seconds_judge"));
  }
  for (const auto& q : recorded.log->queries) CHECK(q.question.starts_with("Does the response talk only about the "));
  // Evaluation scores the model's own responses; those of them that are well formed go to the
  // judge, each mode's in at most two calls.
  CHECK(recorded.log->calls - calls_after[2] <= 4);
  CHECK(calls_after[0] <= 4);
}

TEST_CASE("evaluation asks the judge at most twice, and scores as when asked one query at a time", "[trainer]") {
  // Well-formed responses, so every leaf is checked: each item's expert answer, and the same
  // answer with characters cut off (which other leaves may fail, so the loose candidates run too).
  const auto items = Composer{.seed = 5, .options = {.judge_fraction = 1}}.generate(24).items;
  std::vector<AnyNode> nodes;
  std::vector<std::string> whole, cut;
  for (const auto& it : items) {
    nodes.push_back(compile(it.spec));
    whole.push_back(it.expert_response());
    cut.push_back("<think>\nx\n</think>\n<answer>\n" + it.expert_answer.substr(0, it.expert_answer.size() - 3) +
                  "\n</answer>");
  }
  for (const auto* responses : {&whole, &cut}) {
    const RecordedJudge batched, alone;
    const Judge judge = batched, one_at_a_time = alone;
    const auto counts = score_responses(items, nodes, *responses, 2, &judge);
    CHECK(batched.log->calls <= 2);
    std::set<bool> answers;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto expected = score_response(items[i], nodes[i], (*responses)[i], &one_at_a_time);
      CHECK(counts[i].prompt_strict == expected.prompt_strict);
      CHECK(counts[i].prompt_loose == expected.prompt_loose);
      CHECK(counts[i].leaf_strict == expected.leaf_strict);
      CHECK(counts[i].leaf_loose == expected.leaf_loose);
      CHECK(counts[i].leaves == expected.leaves);
    }
    for (const auto& q : alone.log->queries) answers.insert(q.answer.size() % 2 == 0);
    CHECK(answers.size() == 2); // the judge said YES to some and NO to others
    CHECK(alone.log->calls > batched.log->calls);
  }
  // A response that is not well formed fails every leaf, and the judge is never asked about it.
  const RecordedJudge unused;
  const Judge never = unused;
  std::vector<std::string> broken;
  for (const auto& it : items) broken.push_back(it.expert_answer); // no think or answer tags
  for (const auto& c : score_responses(items, nodes, broken, 2, &never)) CHECK(c.leaf_strict == 0);
  CHECK(unused.log->calls == 0);
  // The judge decides: the expert passes every rule, so YES passes every prompt and NO none.
  const Judge yes = RecordedJudge{.fixed = true}, no = RecordedJudge{.fixed = false};
  for (const auto& c : score_responses(items, nodes, whole, 2, &yes)) CHECK(c.prompt_strict == 1);
  for (const auto& c : score_responses(items, nodes, whole, 2, &no)) {
    CHECK(c.prompt_strict == 0);
    CHECK(c.leaf_strict == c.leaves - 1);
  }
}

TEST_CASE("a GRPO step asks the judge once, and its rewards equal those judged one query at a time", "[trainer]") {
  // The trainer's GRPO step on a tiny policy of its own, with well-formed responses put in place of
  // the sampled ones (the rewards read the text; the update trains on the sampled tokens).
  Trainer t(tiny("judge_step", {"grpo.bc_coef=0"}), false);
  const auto step = t.make_step();
  const auto items = Composer{.seed = 3, .options = {.judge_fraction = 1}}.generate(12).items;
  std::vector<AnyNode> specs;
  std::vector<std::string> corpus;
  for (const auto& it : items) {
    specs.push_back(compile(it.spec));
    corpus.insert(corpus.end(), {it.instruction, it.expert_response()});
  }
  const auto tok = BpeTokenizer::train(corpus, {.vocab_size = 320, .special_tokens = chat_special_tokens()});
  torch::manual_seed(1);
  const Qwen2Config config{.vocab_size = static_cast<std::int64_t>(tok.vocab_size()), .hidden_size = 16,
                           .intermediate_size = 32, .num_hidden_layers = 1, .num_attention_heads = 2,
                           .num_key_value_heads = 1, .max_position_embeddings = 1024};
  Qwen2 policy(config), reference(config);
  const auto optimizer = AdamW{}(policy->parameters(), 1e-3, 0.0);
  const auto special = ChatSpecialIds::of(tok);
  const RecordedJudge batched;
  const Judge judge = batched;
  GrpoContext ctx{.policy = policy,
                  .reference = reference,
                  .optimizer = *optimizer,
                  .tokenizer = tok,
                  .items = items,
                  .specs = specs,
                  .system = "",
                  .eos_ids = special.eos,
                  .pad_id = special.pad,
                  .threads = 2,
                  .judge = &judge,
                  .seed_of = [](std::string_view, std::int64_t k) { return static_cast<std::uint64_t>(k) + 1; }};
  auto batch = step.sample(ctx, 0);
  for (std::size_t s = 0; s < batch.size(); ++s) { // the expert's answer, or a part of it: judged both ways
    const auto& answer = items[batch.item_of(s)].expert_answer;
    batch.responses[s] = "<think>\nx\n</think>\n<answer>\n" + answer.substr(0, answer.size() - s % 3) + "\n</answer>";
  }
  const auto m = step.learn(ctx, batch, 0, 1);

  const RecordedJudge alone;
  const Judge one_at_a_time = alone;
  double reward = 0;
  for (std::size_t s = 0; s < batch.size(); ++s) {
    const auto& it = items[batch.item_of(s)];
    reward += step.reward(specs[batch.item_of(s)], Sample{.prompt = it.instruction,
                                                          .response = batch.responses[s],
                                                          .context = &it.context,
                                                          .judge = &one_at_a_time})
                  .value;
  }
  CHECK(m["reward"].get<double>() == Approx(reward / static_cast<double>(batch.size())).epsilon(1e-12));
  const std::set<JudgeQuery> distinct(alone.log->queries.begin(), alone.log->queries.end());
  CHECK(alone.log->calls == batch.size()); // one judge leaf per sample, asked alone
  CHECK(batched.log->calls == 1);          // the whole step's, in one call, each query once
  CHECK(batched.log->queries.size() == distinct.size());
  CHECK(m["judge_queries"].get<double>() == static_cast<double>(distinct.size()));
  std::set<bool> answers; // both answers occur, so the comparison above can tell a judge from none
  for (const auto& q : distinct) answers.insert(q.answer.size() % 2 == 0);
  CHECK(answers.size() == 2);
}

TEST_CASE("judge leaves without a judge are refused before any work, naming the key or the item", "[trainer]") {
  auto c = tiny("judge_missing", {"data.judge_fraction=0.5"});
  CHECK_THROWS_WITH(Trainer(c, false).run(), Catch::Contains("data.judge_fraction = 0.5") &&
                                                 Catch::Contains("set judge.model"));
  CHECK_FALSE(fs::exists("judge_missing/train.jsonl"));
  // The user's own items: the file and the item's id.
  const auto item = R"({"id": "j1", "prompt": "Describe the fox.", "expert_answer": "The fox is quick.",
    "spec": {"and": [{"constraint": "punctuation:no_comma"},
                     {"constraint": "judge:question", "kwargs": {"question": "Is it kind?"}}]}})";
  fs::create_directories("judge_missing_data");
  {
    std::ofstream f("judge_missing_data/train.jsonl");
    for (int i = 1; i <= 4; ++i) {
      auto j = nlohmann::json::parse(item);
      j["id"] = "j" + std::to_string(i);
      f << j.dump() << "\n";
    }
  }
  auto own = tiny("judge_missing_own", {"data.train_jsonl=\"judge_missing_data/train.jsonl\"",
                                        "data.heldout_jsonl=\"judge_missing_data/train.jsonl\""});
  CHECK_THROWS_WITH(Trainer(own, false).run(), Catch::Contains("judge_missing_data/train.jsonl: item 'j1'") &&
                                                   Catch::Contains("judge:question"));
  CHECK_FALSE(fs::exists("judge_missing_own/train.jsonl"));
  auto bad = tiny("judge_bad_model", {"judge.model=\"no_such_judge\""});
  CHECK_THROWS_WITH(Trainer(bad, false).run(), Catch::Contains("judge.model") && Catch::Contains("no_such_judge"));
  CHECK_FALSE(fs::exists("judge_bad_model/train.jsonl"));
}

TEST_CASE("judge.model: a checkpoint folder judges as LmJudge in GRPO and evaluation", "[trainer]") {
  // A random 2-layer Qwen2 with the real Qwen2.5 tokenizer and chat template as the judge of a
  // policy trained from scratch (another tokenizer: the judge reads text, not ids).
  const std::string tok_dir = RAIF_QWEN2_TOKENIZER_DIR;
  if (!fs::exists(tok_dir + "/tokenizer.json"))
    RAIF_SKIP("Qwen2.5 tokenizer fixture not found at " + tok_dir + " (set -DRAIF_QWEN2_TOKENIZER_DIR=...)");
  const std::string ckpt = "judge_checkpoint";
  fs::remove_all(ckpt);
  torch::manual_seed(11);
  Qwen2 judge_model(Qwen2Config{.vocab_size = 151936, .hidden_size = 32, .intermediate_size = 64,
                                .num_hidden_layers = 2, .num_attention_heads = 4, .num_key_value_heads = 2,
                                .max_position_embeddings = 4096, .torch_dtype = "bfloat16"});
  save_pretrained(judge_model, ckpt);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
    fs::copy_file(tok_dir + "/" + f, ckpt + "/" + f);
  auto c = tiny("judge_lm", {"data.judge_fraction=1", "eval.curve_every=0", "eval.items=3",
                             "judge.model=\"" + ckpt + "\"", "judge.micro_batch=5"});
  std::vector<std::string> log;
  TrainerHooks hooks;
  hooks.log = [&](const std::string& s) { log.push_back(s); };
  Trainer t(c, false, hooks);
  REQUIRE(t.run());
  CHECK(std::any_of(log.begin(), log.end(), [](const auto& l) { return l.starts_with("judge: judge_checkpoint"); }));
  const auto steps = grpo_metrics_of(c.run.out_dir);
  REQUIRE(steps.size() == 2);
  for (const auto& step : steps) CHECK(step.contains("judge_queries"));
  // The trainer's judge (float32 on the CPU: judge.dtype auto) against a second LmJudge from the
  // same folder asked one query at a time (no shared batches, no padding): the same decisions.
  REQUIRE(t.judge);
  auto pre = PretrainedTokenizer::load(ckpt);
  const LmJudge fresh{.model = load_pretrained(ckpt, torch::kCPU, "float32"), .tokenizer = &pre.tokenizer,
                      .chat = pre.chat, .micro_batch = 1};
  std::vector<JudgeQuery> queries;
  for (const auto& it : t.heldout_items())
    queries.push_back({it.instruction, it.expert_answer, "Does the response talk only about the fox?"});
  const auto decided = t.judge->judge(queries);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const auto alone = fresh.judge(std::span(&queries[i], 1)).at(0);
    CHECK(decided[i].margin == Approx(alone.margin).margin(1e-4));
    CHECK(decided[i].yes == alone.yes);
  }
  fs::remove_all(ckpt);
}

TEST_CASE("warmstart/ and final/ are whole checkpoint folders: a later run starts from one and is judged by the other",
          "[trainer]") {
  auto c = tiny("folder_run");
  REQUIRE(Trainer(c, false).run());
  const auto own = BpeTokenizer::load("folder_run/tokenizer.json");
  const auto special = ChatSpecialIds::of(own);
  for (const char* name : {"warmstart", "final"}) {
    const std::string dir = std::string("folder_run/") + name;
    const auto pre = PretrainedTokenizer::load(dir); // tokenizer.json, tokenizer_config.json, generation_config.json
    CHECK(pre.tokenizer.vocab_size() == own.vocab_size());
    CHECK(pre.tokenizer.encode("Describe the fox. <think>\n</think>") == own.encode("Describe the fox. <think>\n</think>"));
    CHECK(pre.chat.prompt("", "Hi") == ChatML{}.prompt(c.data.system, "Hi")); // data.system is the default
    CHECK(pre.chat.render({{"system", "S"}, {"user", "U"}}, true) == ChatML{}.prompt("S", "U"));
    CHECK(pre.eos_id == own.token_id("<|im_end|>"));
    CHECK(pre.stop_ids == special.eos);
    CHECK(pre.pad_id == special.pad);
    CHECK(read(dir + "/tokenizer_config.json")["model_max_length"] == c.model.max_len);
  }
  // Run 2 starts from run 1's final model and is judged by its warm-start model.
  auto c2 = tiny("folder_run2", {"model.init=\"folder_run/final\"", "warmstart.steps=0", "data.judge_fraction=1",
                                 "judge.model=\"folder_run/warmstart\"", "eval.curve_every=0"});
  std::vector<std::string> log;
  TrainerHooks hooks;
  hooks.log = [&](const std::string& l) { log.push_back(l); };
  Trainer t2(c2, false, hooks);
  REQUIRE(t2.run());
  const auto final1 = load_safetensors("folder_run/final/model.safetensors");
  const auto warm2 = load_safetensors("folder_run2/warmstart/model.safetensors");
  REQUIRE(final1.size() == warm2.size());
  for (std::size_t i = 0; i < warm2.size(); ++i) CHECK(torch::equal(final1[i].second, warm2[i].second));
  CHECK(std::any_of(log.begin(), log.end(), [](const auto& l) { return l.starts_with("judge: folder_run/warmstart"); }));
  // Its judge is run 1's warm start: the same decisions as an LmJudge built by hand from that folder.
  REQUIRE(t2.judge);
  auto pre = PretrainedTokenizer::load("folder_run/warmstart");
  const LmJudge by_hand{.model = load_pretrained("folder_run/warmstart", torch::kCPU), .tokenizer = &pre.tokenizer,
                        .chat = pre.chat, .micro_batch = 1};
  std::vector<JudgeQuery> queries;
  for (const auto& it : t2.heldout_items())
    queries.push_back({it.instruction, it.expert_answer, "Does the response talk only about the fox?"});
  const auto decided = t2.judge->judge(queries);
  REQUIRE(decided.size() == queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const auto alone = by_hand.judge(std::span(&queries[i], 1)).at(0);
    CHECK(decided[i].margin == Approx(alone.margin).margin(1e-4));
    CHECK(decided[i].yes == alone.yes);
  }
}

TEST_CASE("mixed precision keeps an update of the paper's size, which bf16 parameters lose", "[trainer]") {
  // AdamW's first steps move every weight by lr (m̂/√v̂ = ±1 for a constant gradient): 1e-6, the
  // paper's rate. bf16's spacing near 0.02 is 2^-13 ≈ 1.2e-4, near 1 it is 2^-7.
  auto weights = [] { return torch::tensor({0.02f, 0.5f, -1.0f}).to(torch::kBFloat16).requires_grad_(true); };
  const double lr = 1e-6;
  auto train = [&](torch::optim::Optimizer& opt, torch::Tensor& w, int steps) {
    for (int s = 0; s < steps; ++s) {
      opt.zero_grad();
      w.to(torch::kFloat32).sum().backward(); // gradient +1 for each weight
      opt.step();
    }
  };
  auto plain = weights();
  auto adamw = AdamW{}({plain}, lr, 0.0);
  train(*adamw, plain, 100);
  CHECK(torch::equal(plain, weights())); // 100 updates of 1e-6, every one rounded away

  auto mixed = weights();
  MixedPrecision mp({mixed}, AdamW{}, lr, 0.0);
  train(mp, mixed, 10);
  const auto moved = (weights().to(torch::kFloat32) - mp.master()[0]);
  for (int i = 0; i < 3; ++i) { // 10 lr, within float32's rounding of each step near 1 (8.4 ulps of 1.2e-7)
    CHECK(moved[i].item<double>() > 0.9e-5);
    CHECK(moved[i].item<double>() < 1.1e-5);
  }
  CHECK(torch::equal(mixed, weights())); // not yet visible in bf16
  train(mp, mixed, 90);                  // 1e-4 in all: past half the spacing near 0.02
  CHECK(mixed[0].item<float>() < weights()[0].item<float>());
  CHECK(torch::equal(mixed, mp.master()[0].to(torch::kBFloat16))); // the model is the rounded master

  // The masters travel with the optimiser state: a resumed optimiser continues from them exactly.
  torch::serialize::OutputArchive out;
  mp.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  auto fresh = weights();
  MixedPrecision resumed({fresh}, AdamW{}, lr, 0.0);
  torch::serialize::InputArchive in;
  std::istringstream read(bytes.str());
  in.load_from(read);
  resumed.load(in);
  CHECK(torch::equal(resumed.master()[0], mp.master()[0]));
  CHECK(torch::equal(fresh, mixed));
  train(mp, mixed, 5);
  train(resumed, fresh, 5);
  CHECK(torch::equal(resumed.master()[0], mp.master()[0]));
}

TEST_CASE("mixed precision sums micro-batches' gradients in float32", "[trainer]") {
  // bf16 keeps 8 significant bits: 1 + 2^-9 rounds back to 1, so 16 micro-batches' gradients of
  // 2^-9 after one of 1 vanish in the model's bf16 .grad; summed in float32 they make 1 + 2^-5.
  auto w = torch::tensor({0.5f}).to(torch::kBFloat16).requires_grad_(true);
  const double small = std::ldexp(1.0, -9);
  auto backward = [&](double g) { (w.to(torch::kFloat32) * g).sum().backward(); };
  backward(1.0);
  for (int i = 0; i < 16; ++i) backward(small);
  CHECK(w.grad().item<double>() == 1.0); // summed in bf16: every small one lost
  w.mutable_grad() = torch::Tensor();

  MixedPrecision opt({w}, Sgd{}, 1.0, 0.0);
  torch::optim::Optimizer& any = opt; // as the trainer holds it
  backward(1.0);
  accumulate_gradients(any);
  CHECK_FALSE(w.grad().defined()); // moved into the master's float32 sum
  for (int i = 0; i < 16; ++i) backward(small), accumulate_gradients(any);
  backward(small); // one more left on the model: unscale() takes it in too
  CHECK(update_gradients(any, {w})[0].grad().item<double>() == 1.0 + 17 * small);
  any.step();
  CHECK(opt.master()[0].item<double>() == 0.5 - (1.0 + 17 * small)); // SGD, lr 1: exact in float32
  CHECK_FALSE(opt.master()[0].grad().defined());

  // MixedPrecision's own zero_grad drops the sums; LibTorch's, through the base class, cannot.
  backward(1.0);
  opt.accumulate();
  opt.zero_grad();
  backward(0.25);
  opt.step();
  CHECK(opt.master()[0].item<double>() == 0.5 - (1.0 + 17 * small) - 0.25);
}

TEST_CASE("dynamic loss scaling follows GradScaler's rules", "[trainer]") {
  DynamicLossScale s{.scale = 8, .growth_factor = 2, .backoff_factor = 0.5, .growth_interval = 3, .min_scale = 1};
  CHECK_FALSE(s.update(true));
  CHECK_FALSE(s.update(true));
  CHECK(s.scale == 8);
  CHECK_FALSE(s.update(true)); // the third finite step in a row doubles it
  CHECK(s.scale == 16);
  CHECK(s.finite_in_a_row == 0);
  CHECK(s.update(true) == false);
  CHECK(s.update(false)); // an overflow halves it and restarts the count
  CHECK((s.scale == 8 && s.finite_in_a_row == 0));
  CHECK(s.update(false));
  CHECK(s.update(false));
  CHECK(s.update(false));
  CHECK(s.scale == 1);
  CHECK_FALSE(s.update(false)); // at the floor an overflow is not the scale's doing
  CHECK(s.scale == 1);
}

TEST_CASE("fp16 loss scaling keeps gradients that fp16 flushes to zero, and skips an overflow", "[trainer]") {
  // A gradient of 1e-8 is below half of fp16's smallest subnormal (2^-24 ≈ 6e-8): an fp16 backward
  // pass rounds it to 0. Scaled by 2^16 it is 6.6e-4, a normal fp16 number, and unscaled in float32
  // it is 1e-8 again (to fp16's relative precision, 2^-11). SGD with lr 1000 moves by 1e-5.
  auto weights = [] { return torch::tensor({0.25f, -0.5f}).to(torch::kFloat16).requires_grad_(true); };
  auto step = [](MixedPrecision& opt, torch::Tensor& w, double gradient) {
    opt.zero_grad();
    opt.scale_loss((w.to(torch::kFloat32) * gradient).sum()).backward();
    const double norm = torch::nn::utils::clip_grad_norm_(opt.unscale(), 1e9);
    if (std::isfinite(norm)) opt.step();
    else opt.skip();
  };
  const double lr = 1000;
  auto unscaled = weights();
  MixedPrecision plain({unscaled}, Sgd{}, lr, 0.0); // fp16 without a loss scale
  step(plain, unscaled, 1e-8);
  CHECK(torch::equal(plain.master()[0], weights().to(torch::kFloat32))); // the gradient was lost

  auto w = weights();
  MixedPrecision scaled({w}, Sgd{}, lr, 0.0, DynamicLossScale{});
  step(scaled, w, 1e-8);
  const auto moved = weights().to(torch::kFloat32) - scaled.master()[0];
  // Within fp16's rounding of the scaled gradient (3.6e-4 relative) and float32's spacing near
  // 0.25 and 0.5 (3e-8 and 6e-8: the master itself is rounded).
  for (int i = 0; i < 2; ++i) CHECK(moved[i].item<double>() == Approx(1e-5).margin(7e-8));

  // A gradient of 1 scaled by 2^16 overflows fp16 (largest 65504): the update is skipped, the
  // masters stay, the scale halves; at 2^15 the same gradient fits and the update is made.
  const auto before = scaled.master()[0].clone();
  step(scaled, w, 1.0);
  CHECK(torch::equal(scaled.master()[0], before));
  CHECK(scaled.loss_scale()->scale == 32768);
  step(scaled, w, 1.0);
  CHECK((before - scaled.master()[0])[0].item<double>() == Approx(lr).epsilon(1e-6));
  CHECK(scaled.loss_scale()->finite_in_a_row == 1);
  CHECK(torch::equal(w, scaled.master()[0].to(torch::kFloat16)));

  // A non-finite loss is not the scale's doing: that skip leaves the scale where it is.
  CHECK_FALSE(scaled.skip(false));
  CHECK(scaled.loss_scale()->scale == 32768);

  // MixedPrecision::zero_grad after unscale() drops the unscaled sum: the update follows the
  // gradient made since, 2e-3, not the dropped 1e-3 added to it.
  {
    auto v = weights();
    MixedPrecision opt({v}, Sgd{}, 1.0, 0.0, DynamicLossScale{});
    opt.scale_loss((v.to(torch::kFloat32) * 1e-3).sum()).backward();
    opt.unscale();
    opt.zero_grad();
    opt.scale_loss((v.to(torch::kFloat32) * 2e-3).sum()).backward();
    opt.step();
    CHECK((weights().to(torch::kFloat32) - opt.master()[0])[0].item<double>() == Approx(2e-3).epsilon(2e-3));
  }

  // The scale travels with the optimiser state.
  torch::serialize::OutputArchive out;
  scaled.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  auto fresh = weights();
  MixedPrecision resumed({fresh}, Sgd{}, lr, 0.0, DynamicLossScale{});
  torch::serialize::InputArchive in;
  std::istringstream read(bytes.str());
  in.load_from(read);
  resumed.load(in);
  CHECK(resumed.loss_scale()->scale == 32768);
  CHECK(resumed.loss_scale()->finite_in_a_row == 1);

  // The trainer's protocol picks all of this up by the parameters' dtype.
  auto opt = make_optimizer_for({weights()}, Sgd{}, lr, 0.0);
  CHECK(loss_scale_of(*opt) == 65536.0);
  const auto bf16 = torch::tensor({0.25f}).to(torch::kBFloat16).requires_grad_(true);
  CHECK_FALSE(loss_scale_of(*make_optimizer_for({bf16}, Sgd{}, lr, 0.0)));
}

TEST_CASE("an fp16 run trains through a loss scale (LibTorch 2.x; refused by 1.13 on the CPU)", "[trainer]") {
  auto cfg = micro("fp16");
  cfg.model.dtype = "float16";
  cfg.grpo.steps = 2;
  cfg.warmstart.steps = 4;
#if !RAIF_HAVE_SDPA // LibTorch 1.13's CPU kernels have no float16 matmul: a clear refusal, not ATen's
  CHECK_THROWS_WITH(Trainer(cfg, false).run(),
                    Catch::Contains("model.dtype = \"float16\"") && Catch::Contains("no float16 matrix products"));
#else
  REQUIRE(Trainer(cfg, false).run());
  const auto m = metrics("fp16");
  REQUIRE(m.size() == 6);
  for (const auto& line : m) CHECK(line.at("loss_scale") == 65536.0); // no overflow at this size
  CHECK(m[3].at("nll").get<double>() < m[0].at("nll").get<double>());
#endif
}

TEST_CASE("a bf16 run trains through float32 master weights and resumes from them", "[trainer]") {
  auto full = micro("bf16_full");
  full.model.dtype = "bfloat16";
  full.grpo.steps = 2;
  full.warmstart.steps = 4;
  REQUIRE(Trainer(full, false).run());
  auto part = micro("bf16_part");
  part.model.dtype = "bfloat16";
  part.grpo.steps = 2;
  part.warmstart.steps = 4;
  part.checkpoint.every = 1;
  part.run.stop_after = 1;
  CHECK_FALSE(Trainer(part, false).run());
  // The checkpoint's optimizer state holds the float32 masters beside the bf16 model.
  torch::serialize::InputArchive a;
  a.load_from("bf16_part/checkpoint/optimizer.pt");
  torch::Tensor master;
  a.read("master/0", master);
  CHECK(master.scalar_type() == torch::kFloat32);
  CHECK(load_safetensors("bf16_part/checkpoint/model.safetensors")[0].second.scalar_type() == torch::kBFloat16);
  part.run.stop_after = 0;
  REQUIRE(Trainer(part, true).run());
  CHECK(metrics("bf16_part") == metrics("bf16_full"));
  const auto a_final = load_safetensors("bf16_full/final/model.safetensors"),
             b_final = load_safetensors("bf16_part/final/model.safetensors");
  REQUIRE(a_final.size() == b_final.size());
  for (std::size_t i = 0; i < a_final.size(); ++i) CHECK(torch::equal(a_final[i].second, b_final[i].second));
}
