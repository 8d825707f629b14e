// Faults during training (issue 14), in process: a non-finite loss or gradient skips the update
// (counted, logged, the weights untouched) and K in a row stop the run naming the step and the
// mini-batch; corrupted or truncated run files are refused on --resume with the file and the
// reason, as raif::error. The process-level cases (SIGKILL at every fault point, full disk) are
// tests/faults.cmake; the resume files' parser is fuzzed (fuzz/targets/run_state.cpp).
#include <raif/trainer/run_state.hpp>
#include <raif/trainer/trainer.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>

using namespace raif;
namespace fs = std::filesystem;

namespace {
TrainConfig micro_config(const std::string& dir) {
  auto c = TrainConfig::from_file(std::string(RAIF_SOURCE_DIR) + "/configs/micro.toml");
  c.run.out_dir = dir;
  fs::remove_all(dir);
  return c;
}
std::vector<nlohmann::json> metrics_of(const std::string& dir) {
  std::vector<nlohmann::json> out;
  std::ifstream in(dir + "/metrics.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");
    j.erase("seconds_rollout");
    j.erase("tokens_per_s");
    out.push_back(j);
  }
  return out;
}
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void put(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary | std::ios::trunc) << s; }

// A reward term that is NaN while `on` is set: every sample of those steps gets a NaN advantage,
// so the policy loss of every mini-batch with a trained sample is NaN.
struct Poison {
  std::shared_ptr<std::atomic<bool>> on = std::make_shared<std::atomic<bool>>(false);
  RewardResult operator()(const Sample&) const {
    if (!on->load()) return {};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, {{"poison", nan}}, std::nullopt};
  }
};
} // namespace

TEST_CASE("a non-finite update is skipped, counted and logged, and the run goes on", "[trainer][faults]") {
  // Reference: the same run stopped after GRPO step 3; its checkpoint holds the weights after step 3.
  auto ref = micro_config("nan_ref");
  ref.run.stop_after = 3;
  CHECK_FALSE(Trainer(ref, false).run());

  // GRPO step 4 poisoned (the flag is raised when step 3 reports progress).
  auto cfg = micro_config("nan_last");
  Poison poison;
  std::vector<std::string> log;
  TrainerHooks hooks;
  hooks.log = [&](const std::string& s) { log.push_back(s); };
  hooks.progress = [&](const std::string& phase, std::int64_t step, std::int64_t, double) {
    poison.on->store(phase == "grpo" && step == 3);
  };
  Trainer t(cfg, false, hooks);
  t.extra_reward = poison;
  REQUIRE(t.run()); // the run finished: evaluated, state done
  CHECK(read_run_position("nan_last/state.json").stage == "done");

  const auto got = metrics_of("nan_last"), want = metrics_of("nan_ref");
  REQUIRE(got.size() == 10);
  REQUIRE(want.size() == 9);
  for (std::size_t i = 0; i < 9; ++i) CHECK(got[i] == want[i]); // a term adding 0 changes nothing before
  CHECK_FALSE(want[8].contains("skipped_nonfinite"));              // absent when nothing was skipped
  // micro: 6 trained samples in 2 mini-batches, each with NaN advantages: both updates skipped
  CHECK(got[9]["step"] == 4);
  CHECK(got[9]["trained_samples"] == 6);
  CHECK(got[9]["skipped_nonfinite"] == 2);
  CHECK(got[9]["reward"].is_null()); // NaN is written as null
  std::size_t lines = 0;
  for (const auto& s : log)
    if (s.find("non-finite") != std::string::npos) {
      ++lines;
      CHECK_THAT(s, Catch::Contains("grpo step 4, mini-batch") && Catch::Contains("update skipped"));
    }
  CHECK(lines == 2);
  // no update happened in step 4: the final weights are the ones after step 3, bit for bit
  const auto a = load_safetensors("nan_last/final/model.safetensors"),
             b = load_safetensors("nan_ref/checkpoint/model.safetensors");
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i].second, b[i].second));
}

TEST_CASE("K non-finite updates in a row stop the run, naming the step and the mini-batch", "[trainer][faults]") {
  auto cfg = micro_config("nan_stop");
  cfg.run.max_nonfinite_in_a_row = 3;
  Poison poison;
  TrainerHooks hooks;
  hooks.progress = [&](const std::string& phase, std::int64_t step, std::int64_t, double) {
    if (phase == "grpo" && step == 1) poison.on->store(true); // steps 2, 3, ... poisoned
  };
  {
    Trainer t(cfg, false, hooks);
    t.extra_reward = poison;
    // step 2 skips mini-batches 0 and 1 (2 in a row, checkpointed with the count), step 3's first is the 3rd
    CHECK_THROWS_WITH(t.run(), Catch::Contains("raif: grpo step 3, mini-batch 0: 3 updates in a row") &&
                                   Catch::Contains("run.max_nonfinite_in_a_row = 3"));
  }
  // what is good is kept: state.json names the step-2 checkpoint, which carries the count
  CHECK(read_run_position("nan_stop/state.json").same_place({.stage = "grpo", .step = 2}));
  CHECK(read_run_position("nan_stop/checkpoint/step.json", true).nonfinite_in_a_row == 2);
  const auto m = metrics_of("nan_stop");
  REQUIRE(m.size() == 8);
  CHECK(m[7]["skipped_nonfinite"] == 2);
  // resumed (still poisoned), the run stops where the uninterrupted one did: the count was restored
  // (from 0 it would reach 3 only at step 4)
  Trainer again(cfg, true, hooks);
  again.extra_reward = poison;
  poison.on->store(true);
  CHECK_THROWS_WITH(again.run(), Catch::Contains("raif: grpo step 3, mini-batch 0: 3 updates in a row"));
}

TEST_CASE("a diverged warm start skips its non-finite updates and stops", "[trainer][faults]") {
  // An absurd learning rate sends the weights to infinity after the first update; every later loss is
  // non-finite, so each update is skipped until 2 in a row stop the run.
  auto cfg = micro_config("nan_warm");
  cfg.warmstart.lr = 1e30;
  cfg.run.max_nonfinite_in_a_row = 2;
  CHECK_THROWS_WITH(Trainer(cfg, false).run(),
                    Catch::Contains("raif: warmstart step") && Catch::Contains("2 updates in a row"));
  const auto m = metrics_of("nan_warm");
  REQUIRE(!m.empty());
  CHECK(m.back()["skipped_nonfinite"] == 1);
  CHECK_FALSE(m.front().contains("skipped_nonfinite"));
}

TEST_CASE("corrupted or truncated run files are refused on resume, naming the file and the reason",
          "[trainer][faults]") {
  auto base = micro_config("corrupt_base");
  base.run.stop_after = 2;
  CHECK_FALSE(Trainer(base, false).run()); // checkpoint of GRPO step 2
  base.run.stop_after = 0;

  const auto refused = [&](const std::string& name, auto corrupt, std::vector<std::string> wants) {
    const std::string d = "corrupt_" + name;
    fs::remove_all(d);
    fs::copy("corrupt_base", d, fs::copy_options::recursive);
    corrupt(d);
    auto c = base;
    c.run.out_dir = d;
    std::string message;
    try {
      Trainer(c, true).run();
    } catch (const error& e) { message = e.what(); }
    INFO(name << ": " << message);
    CHECK_FALSE(message.empty()); // refused, with a raif::error (anything else fails the test case)
    for (const auto& w : wants) CHECK_THAT(message, Catch::Contains(w));
    CHECK(message.find("Exception raised from") == std::string::npos); // no LibTorch backtrace
  };
  const auto truncate = [](const std::string& p, double share) {
    const auto s = slurp(p);
    put(p, s.substr(0, static_cast<std::size_t>(static_cast<double>(s.size()) * share)));
  };

  refused("model_truncated", [&](auto d) { truncate(d + "/checkpoint/model.safetensors", 0.5); },
          {"checkpoint/model.safetensors"});
  refused("model_header", [&](auto d) {
    auto s = slurp(d + "/checkpoint/model.safetensors");
    s[8] = '#'; // the JSON header's first byte
    put(d + "/checkpoint/model.safetensors", s);
  }, {"checkpoint/model.safetensors"});
  refused("optimizer_garbage", [&](auto d) { put(d + "/checkpoint/optimizer.pt", "garbage"); },
          {"checkpoint/optimizer.pt", "not a readable optimizer state"});
  refused("optimizer_truncated", [&](auto d) { truncate(d + "/checkpoint/optimizer.pt", 0.5); },
          {"checkpoint/optimizer.pt", "not a readable optimizer state"});
  refused("step_garbage", [&](auto d) { put(d + "/checkpoint/step.json", "{\"stage\":\"grpo\",\"st"); },
          {"checkpoint/step.json", "not valid JSON"});
  refused("step_field", [&](auto d) { put(d + "/checkpoint/step.json", R"({"stage":"grpo","step":-2})"); },
          {"checkpoint/step.json", "field 'step'", "-2"});
  refused("state_garbage", [&](auto d) { put(d + "/state.json", "\x01\x02garbage"); }, {"state.json", "not valid JSON"});
  refused("state_stage", [&](auto d) { put(d + "/state.json", R"({"stage":"training","step":2})"); },
          {"state.json", "field 'stage'", "\"training\""});
  refused("state_step", [&](auto d) { put(d + "/state.json", R"({"stage":"grpo","step":"two"})"); },
          {"state.json", "field 'step'", "\"two\""});
  refused("config_garbage", [&](auto d) { put(d + "/checkpoint/config.json", "{\"hidden_size\": [}"); },
          {"checkpoint/config.json"});
  refused("tokenizer_truncated", [&](auto d) { truncate(d + "/tokenizer.json", 0.5); }, {"tokenizer.json"});
  refused("tokenizer_garbage", [&](auto d) { put(d + "/tokenizer.json", R"({"model": 3})"); }, {"tokenizer.json"});
  refused("metrics_line", [&](auto d) {
    auto s = slurp(d + "/metrics.jsonl");
    const auto second = s.find('\n') + 1, third = s.find('\n', second) + 1;
    s.insert(third, "{\"phase\":\"grpo\",\"step\":\"x\"}\n"); // becomes line 3
    put(d + "/metrics.jsonl", s);
  }, {"metrics.jsonl:3", "field 'step'"});
  refused("no_checkpoint", [&](auto d) { fs::remove_all(d + "/checkpoint"); },
          {"state.json names grpo step 2, but no checkpoint holds it"});
  refused("other_checkpoint", [&](auto d) { put(d + "/checkpoint/step.json", R"({"stage":"grpo","step":4})"); },
          {"no checkpoint holds it", "checkpoint holds grpo step 4"});

  // A torn last metrics line (a kill mid-append) is no corruption: dropped, and the run resumes.
  {
    const std::string d = "corrupt_torn_metrics";
    fs::remove_all(d);
    fs::copy("corrupt_base", d, fs::copy_options::recursive);
    std::ofstream(d + "/metrics.jsonl", std::ios::app) << R"({"phase":"grpo","step":3,"rew)";
    auto c = base;
    c.run.out_dir = d;
    std::vector<std::string> log;
    TrainerHooks hooks;
    hooks.log = [&](const std::string& s) { log.push_back(s); };
    REQUIRE(Trainer(c, true, hooks).run());
    CHECK(metrics_of(d).size() == 10);
    bool said = false;
    for (const auto& s : log) said = said || s.find("half-written line (dropped)") != std::string::npos;
    CHECK(said);
  }
}

TEST_CASE("the resume files' parser: positions, metrics cut back to them, every error named", "[trainer][faults]") {
  CHECK(parse_run_position(R"({"stage":"grpo","step":2})", "s").same_place({.stage = "grpo", .step = 2}));
  CHECK(parse_run_position(R"({"stage":"warmstart","step":4,"nonfinite_in_a_row":3})", "s", true)
            .nonfinite_in_a_row == 3);
  CHECK_THROWS_WITH(parse_run_position(R"({"stage":"done","step":0})", "ck/step.json", true),
                    Catch::Contains("ck/step.json: field 'stage': expected one of warmstart, grpo, got \"done\""));
  CHECK_THROWS_WITH(parse_run_position(R"({"stage":"grpo"})", "s.json"),
                    Catch::Contains("s.json: field 'step' is missing"));
  CHECK_THROWS_WITH(parse_run_position(R"({"stage":"grpo","step":2.0})", "s.json"),
                    Catch::Contains("field 'step': expected an integer >= 0, got 2.0"));
  CHECK_THROWS_WITH(parse_run_position(R"({"stage":"grpo","step":18446744073709551615})", "s.json"),
                    Catch::Contains("field 'step'"));
  CHECK_THROWS_WITH(parse_run_position("[1]", "s.json"), Catch::Contains("s.json: expected a JSON object"));

  const std::string text = "{\"phase\":\"warmstart\",\"step\":1}\n{\"phase\":\"warmstart\",\"step\":2}\n"
                           "{\"phase\":\"grpo\",\"step\":1}\n{\"phase\":\"grpo\",\"step\":2}\n{\"phase\":\"gr";
  auto cut = truncate_metrics(text, "m", {.stage = "grpo", .step = 1});
  CHECK(cut.kept == text.substr(0, text.find("{\"phase\":\"grpo\",\"step\":2}")));
  CHECK(cut.kept_lines == 3);
  CHECK(cut.dropped_lines == 2);
  CHECK(cut.torn);
  CHECK(truncate_metrics(text, "m", {.stage = "warmstart", .step = 0}).kept.empty()); // all after it
  CHECK(truncate_metrics(text, "m", {.stage = "eval", .step = 0}).kept_lines == 4);  // every whole line
  CHECK(truncate_metrics(text, "m", {.stage = "data", .step = 0}).kept_lines == 0);
  CHECK_THROWS_WITH(truncate_metrics("{\"phase\":\"grpo\",\"step\":1}\n\n", "m.jsonl", {.stage = "done"}),
                    Catch::Contains("m.jsonl:2: not valid JSON"));
  CHECK_THROWS_WITH(truncate_metrics("{\"phase\":\"eval\",\"step\":1}\n", "m.jsonl", {.stage = "done"}),
                    Catch::Contains("m.jsonl:1: field 'phase'"));
}
