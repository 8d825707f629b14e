#pragma once
/// @file
/// launch_local: runs a program N times as the ranks of one data-parallel run on this machine, as
/// `torchrun --nproc_per_node=N` does: each gets RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1
/// and one free MASTER_PORT in its environment (trainer/distributed.hpp reads them).
///
///   raif-train --nproc 2 --config configs/micro.toml   // = two raif-train ranks, launched by this
///
/// A rank that fails (an exit status other than 0 and 130, or a signal) stops the others: SIGTERM,
/// then SIGKILL after `grace`; its status is returned, so the run never hangs on a dead rank.
/// Its peers fail a moment later, of the broken connection: with status `lost_peer_status`
/// (raif-train's 3, DataParallel's CollectiveError) or of SIGABRT (a Gloo thread's exception). Those
/// are taken for consequences: of the failures within half a second of the first, the rank named
/// is the first other one, else the first seen.
/// Status 130 is an orderly stop (Ctrl-C, which reaches every rank in the terminal's process
/// group): the others are left to finish their checkpoint. A SIGTERM or SIGHUP to the launcher is
/// passed on to the ranks, and a rank dies with its launcher (PR_SET_PDEATHSIG), so none is left
/// training into the run directory. Linux only.

#include <raif/error.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace raif {

/// The exit status of a rank that failed because another one did (raif-train: a CollectiveError).
inline constexpr int lost_peer_status = 3;

namespace detail::launch {
/// A TCP port free on 127.0.0.1 now (the kernel's choice), for the ranks' rendezvous.
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw error(std::string("raif: --nproc: cannot open a socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) throw error(std::string("raif: --nproc: cannot find a free port: ") + std::strerror(err));
  return ntohs(a.sin_port);
}
/// A wait status as an exit code: its exit status, or 128 + the signal that ended it.
inline int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }
/// The signal a SIGTERM or SIGHUP handler of the launcher saw (0: none); it is passed on to the ranks.
inline volatile std::sig_atomic_t forwarded = 0;
extern "C" inline void remember_signal(int sig) { forwarded = sig; }
/// SIGINT ignored (Ctrl-C reaches the ranks themselves) and SIGTERM/SIGHUP remembered while the
/// launcher runs; the previous handlers are put back when it returns or throws.
struct LauncherSignals {
  struct sigaction previous[3]{};
  static constexpr int which[3] = {SIGINT, SIGTERM, SIGHUP};
  LauncherSignals() {
    forwarded = 0;
    for (int i = 0; i < 3; ++i) {
      struct sigaction a {};
      a.sa_handler = which[i] == SIGINT ? SIG_IGN : remember_signal; // no SA_RESTART: waitpid returns EINTR
      ::sigaction(which[i], &a, &previous[i]);
    }
  }
  ~LauncherSignals() {
    for (int i = 0; i < 3; ++i) ::sigaction(which[i], &previous[i], nullptr);
  }
  LauncherSignals(const LauncherSignals&) = delete;
  LauncherSignals& operator=(const LauncherSignals&) = delete;
};
} // namespace detail::launch

/// Runs `program` with `args` (argv[1..]) as ranks 0..nproc-1 and waits for them all. Returns 0
/// when every rank succeeded, else the first failed rank's exit code (130 when they stopped on
/// Ctrl-C). `log` receives one line when a rank fails.
inline int launch_local(int nproc, const std::string& program, const std::vector<std::string>& args,
                        const std::function<void(const std::string&)>& log,
                        std::chrono::milliseconds grace = std::chrono::seconds(10)) {
  if (nproc < 1) throw error("raif: --nproc must be at least 1");
  const auto port = std::to_string(detail::launch::free_port());
  // Everything a rank needs is built before fork: between fork and exec only async-signal-safe calls.
  std::vector<std::vector<std::string>> environments(static_cast<std::size_t>(nproc));
  for (int r = 0; r < nproc; ++r) {
    const auto rank = std::to_string(r), world = std::to_string(nproc);
    const std::vector<std::string> place = {"RANK=" + rank,       "LOCAL_RANK=" + rank,
                                            "WORLD_SIZE=" + world, "LOCAL_WORLD_SIZE=" + world,
                                            "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port};
    auto& env = environments[static_cast<std::size_t>(r)];
    for (char** e = environ; *e; ++e) { // the launcher's environment but the variables `place` sets
      const std::string_view var = *e;
      const auto eq = var.find('=');
      const auto name = var.substr(0, eq == std::string_view::npos ? var.size() : eq + 1); // NAME=
      if (std::none_of(place.begin(), place.end(), [&](const std::string& p) { return p.starts_with(name); }))
        env.emplace_back(var);
    }
    env.insert(env.end(), place.begin(), place.end());
  }
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::vector<char*>> envps;
  for (auto& env : environments) {
    envps.emplace_back();
    for (auto& v : env) envps.back().push_back(v.data());
    envps.back().push_back(nullptr);
  }
  const pid_t launcher = ::getpid();
  const detail::launch::LauncherSignals signals; // before the first fork: a Ctrl-C then reaches only the ranks
  std::vector<pid_t> ranks;
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      for (auto p : ranks) ::kill(p, SIGKILL), ::waitpid(p, nullptr, 0);
      throw error(std::string("raif: --nproc: cannot start a rank: ") + std::strerror(err));
    }
    if (pid == 0) { // the rank: default signals, dies with the launcher, then the program itself
      for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != launcher) ::_exit(128 + SIGTERM); // the launcher died before prctl
      ::execve(program.c_str(), argv.data(), envps[static_cast<std::size_t>(r)].data());
      ::_exit(127); // exec failed
    }
    ranks.push_back(pid);
  }

  auto consequence = [](int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) == lost_peer_status : WTERMSIG(status) == SIGABRT;
  };
  struct Failure {
    std::size_t rank;
    int status;
  };
  std::vector<Failure> failures;
  const auto settle = std::chrono::milliseconds(500);
  auto weigh_by = std::chrono::steady_clock::time_point::max(), kill_by = weigh_by;
  int result = 0, running = nproc;
  bool stopping = false;
  auto blame = [&] {
    auto root = failures.front();
    for (auto f = failures.rbegin(); f != failures.rend(); ++f)
      if (!consequence(f->status)) root = *f;
    log(fmt::format("raif: --nproc: rank {} failed ({}); stopping the other ranks", root.rank,
                    WIFEXITED(root.status) ? "exit code " + std::to_string(WEXITSTATUS(root.status))
                                           : std::string("signal ") + ::strsignal(WTERMSIG(root.status))));
    result = detail::launch::exit_code(root.status);
    stopping = true;
  };
  while (running > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, failures.empty() ? 0 : WNOHANG);
    if (const int sig = detail::launch::forwarded) { // SIGTERM or SIGHUP to the launcher: to every rank
      detail::launch::forwarded = 0;
      for (auto p : ranks)
        if (p > 0) ::kill(p, sig);
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break; // no children left
    if (pid > 0) {
      std::size_t r = 0;
      while (r < ranks.size() && ranks[r] != pid) ++r;
      if (r == ranks.size()) continue;
      ranks[r] = -1;
      --running;
      const int code = detail::launch::exit_code(status);
      if (code == 130 && result == 0) result = 130; // an orderly stop: the others finish theirs
      if (code == 0 || code == 130 || stopping) continue;
      failures.push_back({r, status});
      if (failures.size() == 1) weigh_by = std::chrono::steady_clock::now() + settle;
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!stopping && now >= weigh_by) {
      blame();
      kill_by = now + grace;
      for (auto p : ranks)
        if (p > 0) ::kill(p, SIGTERM);
    }
    if (now >= kill_by) // whoever outlives the grace period
      for (auto p : ranks)
        if (p > 0) ::kill(p, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!failures.empty() && !stopping) blame(); // every rank ended within the settling time
  return result;
}

} // namespace raif
