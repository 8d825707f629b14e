// raif-train: the reference trainer (include/raif/trainer/). With no --config it runs the embedded
// default: composed data, a 3-layer Qwen2 trained from scratch, warm start, GRPO with superior-CoT
// enforcement, held-out evaluation, report and plot.
//
//   raif-train [--config configs/x.toml] [--set section.key=value ...] [--out DIR] [--resume DIR]
//              [--nproc N] [--print-config] [--print-reference]
//
// Data parallelism (docs/distributed.md): under torchrun or srun every process is a rank (RANK,
// WORLD_SIZE, ... or SLURM_*); --nproc N starts N ranks on this machine itself. Rank 0 logs and
// writes the run directory; the others print only their errors, prefixed with their rank.
// RAIF_DIST_TIMEOUT_S (default 1800) bounds the rendezvous and every collective.
//
// Exit codes: 0 done (or stopped by run.stop_after), 130 stopped by Ctrl-C (resumable), 2 an error
// (bad config, a corrupted run file, a failed write, too many non-finite updates), its message on
// stderr; 3 a data-parallel rank that lost contact with another (which failed: see its message). A testing hook:
// RAIF_FAULT=<point>@<phase>:<step> (a point of raif::trainer_fault_points, e.g. checkpoint.after_rename_old@grpo:2)
// kills the process (rank 0's) with SIGKILL there, to prove that a run killed at that moment resumes exactly
// (tests/faults.cmake).
#include <raif/trainer/launch.hpp>
#include <raif/trainer/report.hpp>
#include <raif/trainer/trainer.hpp>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_sigint(int) {
  if (g_stop.exchange(true)) std::_Exit(130); // a second Ctrl-C: leave at once
}

// RAIF_FAULT=<point>@<phase>:<step>: SIGKILL at that fault point (a testing hook; unset: none).
std::function<void(std::string_view, std::string_view, std::int64_t)> fault_hook() {
  const char* env = std::getenv("RAIF_FAULT");
  if (!env || !*env) return [](std::string_view, std::string_view, std::int64_t) {};
  const std::string spec = env;
  const auto at = spec.find('@'), colon = spec.rfind(':');
  const std::string point = spec.substr(0, at);
  bool known = false;
  for (auto p : raif::trainer_fault_points) known = known || p == point;
  std::int64_t step = -1;
  if (colon != std::string::npos) {
    const auto [end, ec] = std::from_chars(spec.data() + colon + 1, spec.data() + spec.size(), step);
    if (ec != std::errc{} || end != spec.data() + spec.size()) step = -1;
  }
  if (at == std::string::npos || colon == std::string::npos || colon < at || !known || step < 0)
    throw raif::error("raif: RAIF_FAULT='" + spec + "': expected <point>@<phase>:<step> with a point of "
                      "raif::trainer_fault_points (e.g. checkpoint.after_model@grpo:2)");
  const std::string phase = spec.substr(at + 1, colon - at - 1);
  return [point, phase, step](std::string_view p, std::string_view ph, std::int64_t s) {
    if (p == point && ph == phase && s == step) {
      std::cout << std::flush;
      std::raise(SIGKILL);
    }
  };
}

std::string clock_str(double s) {
  const auto t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}
} // namespace

int main(int argc, char** argv) {
  CLI::App app{"raif-train: the RAIF reference trainer (warm start, GRPO with superior-CoT enforcement, evaluation)"};
  std::string config_path, resume_dir, out_dir;
  std::vector<std::string> sets;
  bool quiet = false, print_config = false, print_reference = false;
  int nproc = 0;
  app.add_option("--config", config_path, "TOML config (default: the embedded default)")->check(CLI::ExistingFile);
  app.add_option("--set", sets, "override a key: section.key=value (repeatable)");
  app.add_option("--out", out_dir, "run directory (run.out_dir)");
  app.add_option("--resume", resume_dir, "resume the run in this directory")->check(CLI::ExistingDirectory);
  app.add_flag("--quiet", quiet, "no progress bar");
  app.add_option("--nproc", nproc, "start N data-parallel ranks on this machine (as torchrun --nproc_per_node=N)")
      ->check(CLI::Range(1, 1024));
  app.add_flag("--print-config", print_config, "print the effective configuration as TOML and exit");
  app.add_flag("--print-reference", print_reference, "print the reference table of every key (Markdown) and exit");
  CLI11_PARSE(app, argc, argv);
  int rank = 0, world = 1; // for the error's prefix
  try {
    raif::TrainConfig cfg;
    if (!resume_dir.empty()) {
      if (!config_path.empty())
        throw raif::error("raif: --resume takes its config from the run directory; drop --config");
      cfg = raif::TrainConfig::from_file(resume_dir + "/config.toml");
      const std::string saved = cfg.to_toml();
      for (const auto& s : sets) cfg.apply_override(s);
      // only these may change on resume; anything else would make the resumed run another run
      raif::TrainConfig a = cfg, b = raif::TrainConfig::from_file(resume_dir + "/config.toml");
      for (auto* c : {&a, &b})
        c->run.stop_after = 0, c->run.threads = 0, c->run.max_nonfinite_in_a_row = 0, c->eval.batch_size = 1,
        c->model.activation_checkpointing = false;
      if (a.to_toml() != b.to_toml())
        throw raif::error("raif: on --resume only run.stop_after, run.threads, run.max_nonfinite_in_a_row, "
                          "eval.batch_size and model.activation_checkpointing may be --set");
      cfg.run.out_dir = resume_dir;
    } else {
      if (!config_path.empty()) cfg = raif::TrainConfig::from_file(config_path);
      for (const auto& s : sets) cfg.apply_override(s);
      if (!out_dir.empty()) cfg.run.out_dir = out_dir;
    }
    cfg.validate();
    if (print_config || print_reference) {
      std::cout << (print_config ? cfg.to_toml() : raif::TrainConfig::reference_table());
      return 0;
    }

    if (nproc > 0) { // this process only launches the ranks: each runs these arguments but --nproc
      std::vector<std::string> args;
      for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--nproc")
          ++i;
        else if (a.rfind("--nproc=", 0) != 0)
          args.push_back(a);
      }
      return raif::launch_local(nproc, std::filesystem::read_symlink("/proc/self/exe").string(), args,
                                [](const std::string& l) { std::cerr << l << std::endl; });
    }
    const auto place = raif::ProcessPlace::from_environment();
    rank = place.rank, world = place.world_size;
    auto dp = raif::DataParallel::join(place);

    raif::TrainerHooks hooks;
    if (dp.main()) hooks.fault = fault_hook();
    const bool bar = !quiet && isatty(fileno(stderr)) && dp.main();
    hooks.log = [bar, main = dp.main()](const std::string& line) {
      if (!main) return;
      if (bar) std::cerr << "\r\033[K";
      std::cout << line << std::endl;
    };
    double elapsed = 0;
    std::string phase_seen;
    hooks.progress = [&, bar](const std::string& phase, std::int64_t step, std::int64_t total, double secs) {
      if (phase != phase_seen) phase_seen = phase, elapsed = 0;
      elapsed += secs;
      if (!bar) return;
      const int width = 30, done = total ? static_cast<int>(width * step / total) : width;
      const double rate = elapsed / static_cast<double>(step);
      std::cerr << "\r\033[K[" << phase << "] " << std::string(static_cast<std::size_t>(done), '#')
                << std::string(static_cast<std::size_t>(width - done), '.') << " " << step << "/" << total << "  "
                << (rate < 1 ? std::to_string(static_cast<int>(1 / rate)) + " steps/s" : clock_str(rate) + " /step")
                << "  ETA " << clock_str(rate * static_cast<double>(total - step)) << std::flush;
    };
    raif::Trainer trainer(cfg, !resume_dir.empty(), hooks, dp);
    trainer.stop_flag = &g_stop;
    std::signal(SIGINT, on_sigint);
    // A file-size limit (ulimit -f) then fails the write with EFBIG, reported with the file, instead
    // of killing the process mid-checkpoint.
    std::signal(SIGXFSZ, SIG_IGN);
    const bool finished = trainer.run();
    if (bar) std::cerr << "\r\033[K";
    if (!finished) return g_stop ? 130 : 0;
    if (!dp.main()) return 0;
    const auto png = raif::write_report(trainer.dir());
    std::cout << "report: " << (trainer.dir() / "report.md").string()
              << (png.empty() ? " (no plot: gnuplot missing)" : ", plot: " + png) << std::endl;
    return 0;
  } catch (const raif::CollectiveError& e) {
    std::cerr << e.what() << std::endl;
    return raif::lost_peer_status;
  } catch (const std::exception& e) {
    std::cerr << (world > 1 ? "rank " + std::to_string(rank) + ": " : "") << e.what() << std::endl;
    return 2;
  }
}
