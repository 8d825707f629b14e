// Data parallelism on c10d/Gloo (trainer/distributed.hpp, trainer/launch.hpp): real 2-process runs.
#include <raif/model/checkpoint.hpp>
#include <raif/trainer/distributed.hpp>
#include <raif/trainer/launch.hpp>

#include "../support/skip.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;

// raif-train with `args` (and `env` before it), its output in `log`; returns its exit status.
int raif_train(const std::string& args, const fs::path& log, const std::string& env = "") {
  const std::string cmd = env + " " + RAIF_TRAIN_EXE + " --quiet " + args + " > " + log.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::vector<nlohmann::json> metrics(const fs::path& run) {
  std::vector<nlohmann::json> out;
  std::ifstream in(run / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}
// The largest absolute difference between two checkpoints' parameters.
double max_difference(const fs::path& a, const fs::path& b) {
  auto x = raif::load_pretrained(a.string(), torch::kCPU), y = raif::load_pretrained(b.string(), torch::kCPU);
  const auto px = x->named_parameters(), py = y->named_parameters();
  double d = 0;
  for (const auto& p : px) d = std::max(d, (p.value() - py[p.key()]).abs().max().item<double>());
  return d;
}
const std::string micro = std::string(RAIF_SOURCE_DIR) + "/configs/micro.toml --set run.threads=1";
struct Env { // sets variables for a case, then unsets them (the tests run with none of them set)
  std::vector<std::string> names;
  void set(const std::string& k, const std::string& v) { ::setenv(k.c_str(), v.c_str(), 1), names.push_back(k); }
  ~Env() {
    for (const auto& k : names) ::unsetenv(k.c_str());
  }
};
} // namespace

TEST_CASE("DataParallel: every collective over 2 Gloo ranks gives the hand-computed values", "[distributed]") {
  const int code = raif::launch_local(2, RAIF_DP_PROBE, {"collectives"}, [](const std::string& l) { WARN(l); });
  CHECK(code == 0);
}

namespace {
// The ranks' errors from dp_probe (mode and arguments in `args`) with RAIF_DIST_BACKEND=`backend`,
// in files named after `name` (test cases may run at once).
std::string probe_refusal(const std::vector<std::string>& args, const std::string& backend, const std::string& name,
                          int& code) {
  for (const std::string r : {".0", ".1"}) fs::remove(name + r);
  Env env;
  env.set("RAIF_DIST_BACKEND", backend);
  env.set("RAIF_PROBE_ERRORS", name);
  code = raif::launch_local(2, RAIF_DP_PROBE, args, [](const std::string& l) { WARN(l); });
  return read_text(name + ".0") + "\n" + read_text(name + ".1");
}
} // namespace

TEST_CASE("DataParallel: CUDA tensors over 2 ranks: NCCL with a GPU each, Gloo when they share one",
          "[distributed][cuda]") {
  if (!torch::cuda::is_available()) RAIF_SKIP("no CUDA device (torch::cuda::is_available() is false)");
  // With one GPU both ranks take it, which NCCL refuses: auto falls back to Gloo and says why.
  const bool shared = torch::cuda::device_count() < 2;
  const std::string group = !RAIF_HAVE_NCCL ? "gloo" : shared ? "gloo (not NCCL: ranks 0 and 1 share a GPU" : "nccl";
  CHECK(raif::launch_local(2, RAIF_DP_PROBE, {"cuda", group}, [](const std::string& l) { WARN(l); }) == 0);
  if (RAIF_HAVE_NCCL && shared) { // demanded, NCCL stops both ranks with the reason
    int code = 0;
    const auto said = probe_refusal({"cuda"}, "nccl", "refusal_cuda", code);
    CHECK(code == 4);
    CHECK(said.find("NCCL cannot carry this run's tensors: ranks 0 and 1 share a GPU") != std::string::npos);
  }
}

TEST_CASE("DataParallel: RAIF_DIST_BACKEND=nccl that cannot be met stops every rank, saying why", "[distributed]") {
  int code = 0;
  const auto said = probe_refusal({"collectives"}, "nccl", "refusal_cpu", code); // CPU tensors
  CHECK(code == 4);
  // bind() names the first rank's reason: a build without NCCL, or (with it) tensors on the CPU.
  const std::string why = std::string("RAIF_DIST_BACKEND=nccl, but NCCL cannot carry this run's tensors: rank 0: ") +
                          (RAIF_HAVE_NCCL ? "its tensors are on the cpu" : "this build of raif has no NCCL");
  CHECK(said.find(why) != std::string::npos); // (the launcher may stop one rank before it writes)
}

TEST_CASE("launch_local: a failed rank stops the others at once, with its status", "[distributed]") {
  std::string said;
  const auto t0 = std::chrono::steady_clock::now();
  const int code = raif::launch_local(2, RAIF_DP_PROBE, {"fail"}, [&](const std::string& l) { said += l; });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(code == 5); // rank 0's death of the broken connection (SIGABRT) is a consequence
  CHECK(said.find("rank 1 failed (exit code 5)") != std::string::npos);
  CHECK(seconds < 60); // rank 0 would wait 10 minutes in its barrier
}

TEST_CASE("ProcessPlace: torchrun's and Slurm's variables, and bad ones named", "[distributed]") {
  Env env;
  CHECK(raif::ProcessPlace::from_environment().world_size == 1);
  env.set("SLURM_PROCID", "3");
  env.set("SLURM_NTASKS", "4");
  env.set("SLURM_LOCALID", "1");
  CHECK_THROWS_WITH(raif::ProcessPlace::from_environment(), Catch::Contains("MASTER_ADDR"));
  env.set("MASTER_ADDR", "node17");
  auto p = raif::ProcessPlace::from_environment();
  CHECK((p.rank == 3 && p.world_size == 4 && p.local_rank == 1 && p.master_addr == "node17" && p.master_port == 29500));
  CHECK(p.local_world_size == 1); // not said
  env.set("SLURM_TASKS_PER_NODE", "2(x2)");
  CHECK(raif::ProcessPlace::from_environment().local_world_size == 2);
  env.set("SLURM_STEP_TASKS_PER_NODE", "3,1"); // the step's, on this node (SLURM_NODEID, 0 when unset)
  CHECK(raif::ProcessPlace::from_environment().local_world_size == 3);
  env.set("SLURM_NODEID", "1");
  CHECK(raif::ProcessPlace::from_environment().local_world_size == 1);
  using raif::detail::dp::slurm_tasks_on_node;
  CHECK(slurm_tasks_on_node("8(x2),4", 0) == 8);
  CHECK(slurm_tasks_on_node("8(x2),4", 1) == 8);
  CHECK(slurm_tasks_on_node("8(x2),4", 2) == 4);
  CHECK(slurm_tasks_on_node("8(x2),4", 3) == 0);
  CHECK(slurm_tasks_on_node("8(x", 0) == 0);
  CHECK(slurm_tasks_on_node("", 0) == 0);
  CHECK(slurm_tasks_on_node("x", 0) == 0);
  env.set("RANK", "1"); // torchrun's variables win
  env.set("WORLD_SIZE", "2");
  env.set("MASTER_PORT", "1234");
  p = raif::ProcessPlace::from_environment();
  CHECK((p.rank == 1 && p.world_size == 2 && p.local_rank == 0 && p.master_port == 1234));
  CHECK(p.local_world_size == 1); // torchrun's own variable, not Slurm's
  env.set("LOCAL_WORLD_SIZE", "2");
  CHECK(raif::ProcessPlace::from_environment().local_world_size == 2);
  env.set("LOCAL_WORLD_SIZE", "3");
  CHECK_THROWS_WITH(raif::ProcessPlace::from_environment(), Catch::Contains("LOCAL_WORLD_SIZE='3'"));
  env.set("LOCAL_WORLD_SIZE", "2");
  env.set("RANK", "2");
  CHECK_THROWS_WITH(raif::ProcessPlace::from_environment(), Catch::Contains("RANK='2'"));
  env.set("RANK", "x");
  CHECK_THROWS_WITH(raif::ProcessPlace::from_environment(), Catch::Contains("RANK='x'"));
  env.set("RANK", "1");
  CHECK(raif::ProcessPlace::from_environment().backend == "auto");
  env.set("RAIF_DIST_BACKEND", "gloo");
  CHECK(raif::ProcessPlace::from_environment().backend == "gloo");
  env.set("RAIF_DIST_BACKEND", "mpi");
  CHECK_THROWS_WITH(raif::ProcessPlace::from_environment(), Catch::Contains("RAIF_DIST_BACKEND='mpi'"));
  env.set("RAIF_DIST_BACKEND", "nccl");
  CHECK(raif::ProcessPlace::from_environment().backend == "nccl");
}

TEST_CASE("raif-train --nproc 2 trains as one process does, resumes after a killed rank, refuses too few prompts",
          "[distributed]") {
  const fs::path work = fs::current_path() / "distributed";
  fs::remove_all(work);
  fs::create_directories(work);
  const std::string curve = " --set eval.curve_every=2 --set eval.curve_items=5"; // 5 items: shares of 2 and 3
  REQUIRE(raif_train("--config " + micro + curve + " --out " + (work / "one").string(), work / "one.log") == 0);
  REQUIRE(raif_train("--nproc 2 --config " + micro + curve + " --out " + (work / "two").string(), work / "two.log") ==
          0);

  // The same weights to float rounding, after updates much larger than it.
  const double moved = max_difference(work / "one/warmstart", work / "one/final");
  const double apart = max_difference(work / "one/final", work / "two/final");
  CHECK(moved > 1e-3);
  CHECK(apart < 1e-5);
  CHECK(max_difference(work / "one/warmstart", work / "two/warmstart") < 1e-5);
  // The same rollouts and selection: rank 0 reports the whole batch's rewards, not its shard's.
  const auto m1 = metrics(work / "one"), m2 = metrics(work / "two");
  REQUIRE(m1.size() == m2.size());
  for (std::size_t i = 0; i < m1.size(); ++i)
    for (const char* k :
         {"reward", "accuracy", "strict", "format", "keep_ratio", "response_tokens", "nll", "heldout_strict"})
      if (m1[i].contains(k)) CHECK(m1[i][k].get<double>() == Approx(m2[i][k].get<double>()).margin(1e-9));
  CHECK(std::count_if(m2.begin(), m2.end(), [](const auto& m) { return m.contains("heldout_strict"); }) == 2);
  // Both evaluations ran on both ranks, each on its share of the held-out items, and rank 0 wrote
  // what one process writes: the same responses, in the same order, and the same report.
  for (const char* name : {"warmstart", "final"}) {
    const auto responses = "responses_" + std::string(name) + ".jsonl", report = "eval_" + std::string(name) + ".json";
    CHECK(read_text(work / "one" / responses) == read_text(work / "two" / responses));
    CHECK(nlohmann::json::parse(read_text(work / "one" / report)) ==
          nlohmann::json::parse(read_text(work / "two" / report)));
  }
  CHECK(read_text(work / "two.log").find("rank 0 of 2") != std::string::npos);
  CHECK(read_text(work / "two.log").find("rank 1 of 2") == std::string::npos); // rank 1 is quiet

  // Rank 0 killed after step 3's metrics (checkpoint at 2): the launcher stops rank 1 and says so;
  // the resumed 2-rank run ends where the uninterrupted one did, exactly.
  const auto killed = work / "killed";
  CHECK(raif_train("--nproc 2 --config " + micro + " --out " + killed.string(), work / "killed.log",
                   "RAIF_FAULT=metrics.after_line@grpo:3") == 128 + 9);
  CHECK(read_text(work / "killed.log").find("rank 0 failed (signal") != std::string::npos);
  REQUIRE(raif_train("--nproc 2 --resume " + killed.string(), work / "resumed.log") == 0);
  CHECK(max_difference(killed / "final", work / "two/final") == 0);

  // Every rank needs a prompt of each step.
  CHECK(raif_train("--nproc 2 --config " + micro + " --set grpo.prompts_per_step=1 --out " + (work / "few").string(),
                   work / "few.log") == 2);
  CHECK(read_text(work / "few.log").find("grpo.prompts_per_step = 1 is below the 2 data-parallel ranks") !=
        std::string::npos);
}
