// The reference trainer on the micro config (configs/micro.toml): every stage runs and leaves sane
// outputs; a run stopped and resumed equals one that never stopped; bad configs fail before any work.
#include <raif/trainer/report.hpp>
#include <raif/trainer/trainer.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

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
    j.erase("tokens_per_s");
    out.push_back(j);
  }
  return out;
}
nlohmann::json read(const std::string& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
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
      CHECK(std::isfinite(j["nll"].get<double>()));
    } else {
      ++grpo;
      CHECK(j["reward"].get<double>() >= -3.0);
      CHECK(j["reward"].get<double>() <= 3.0);
      CHECK(j["format"].get<double>() >= 0.0);
      CHECK(j["keep_ratio"].get<double>() <= 0.75 + 1e-12); // 1 of 4 samples per group is forced no-reasoning
      CHECK(j["trained_samples"].get<int>() <= 6);
      CHECK(std::isfinite(j["kl"].get<double>()));
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
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("model.heads") && Catch::Contains("must divide model.hidden_size"));
  write("[grpo\n");
  CHECK_THROWS_WITH(TrainConfig::from_file(path), Catch::Contains("bad.toml:1"));
  write("lr = 3\n");
  CHECK_THROWS_WITH(TrainConfig::from_file(path), Catch::Contains("must be a [section]"));
  TrainConfig d;
  CHECK_THROWS_WITH(d.apply_override("grpo.kl=0.1"), Catch::Contains("unknown key 'grpo.kl'"));
  CHECK_THROWS_WITH(d.apply_override("temperature=0.1"), Catch::Contains("did you mean 'grpo.temperature'"));
  d.apply_override("grpo.group_size=1");
  CHECK_THROWS_WITH(d.validate(), Catch::Contains("grpo.group_size"));
  TrainConfig e;
  e.apply_override("data.trace=shallow"); // a bare word is a string
  CHECK(e.data.trace == "shallow");
  e.apply_override("grpo.lr=5e-5");
  CHECK(e.grpo.lr == 5e-5);
  CHECK_THROWS_WITH(e.apply_override("grpo.superior_cot=maybe"), Catch::Contains("expected true or false"));
  // the written config reads back to the same configuration
  std::ofstream("roundtrip.toml") << e.to_toml();
  CHECK(TrainConfig::from_file("roundtrip.toml").to_toml() == e.to_toml());
  // a model too short for the prompts is refused before training
  auto m = micro("too_short");
  m.model.max_len = 64;
  CHECK_THROWS_WITH(Trainer(m, false).run(), Catch::Contains("model.max_len 64 is too short"));
}

TEST_CASE("configs/default.toml is the embedded default", "[trainer]") {
  TrainConfig embedded;
  CHECK(TrainConfig::from_file(source + "/configs/default.toml").to_toml() == embedded.to_toml());
  for (const char* f :
       {"ablation-no-superior-cot", "ablation-no-bc", "ablation-neither", "io", "shallow-cot", "micro"}) {
    INFO(f);
    auto c = TrainConfig::from_file(source + "/configs/" + f + ".toml");
    CHECK_NOTHROW(c.validate());
  }
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
