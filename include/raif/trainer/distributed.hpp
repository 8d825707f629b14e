#pragma once
/// @file
/// Data parallelism on c10d, torch.distributed's C++ core: N processes (ranks), one per GPU or CPU
/// worker, each training on its shard of every batch.
///
///   place        RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (torchrun, raif-train
///                --nproc) or, without RANK, Slurm's SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID
///   rendezvous   a TCPStore at MASTER_ADDR:MASTER_PORT whose server is rank 0 (torchrun's agent's
///                when TORCHELASTIC_USE_AGENT_STORE=True, as PyTorch's env:// does)
///   groups       ProcessGroupGloo for everything on the host; ProcessGroupNCCL for parameters and
///                gradients on CUDA when LibTorch was built with NCCL (RAIF_HAVE_NCCL) and the ranks
///                agree (bind: each has a GPU of its own, and raif's nccl.h is LibTorch's NCCL);
///                else CUDA tensors go through the host and Gloo (RAIF_DIST_BACKEND=gloo forces
///                that; =nccl demands NCCL)
///   collectives  parameters broadcast from rank 0; gradients summed in float32 buckets; scalars
///                summed in float64; vectors and strings gathered in rank order
///
///   auto dp = raif::DataParallel::join(raif::ProcessPlace::from_environment());
///   dp.broadcast(model->parameters());                   // identical weights at the start
///   ... backward of this rank's rows, normalised by the counts of all ranks (dp.sum) ...
///   dp.sum_gradients(model->parameters());               // then clip and step, as one process would
///
/// Losses are normalised by global counts and gradients are summed (not averaged), so N ranks × B/N
/// rows give the update of 1 rank × B rows, to float rounding. A default-constructed DataParallel
/// is one process: every collective returns its input. Without c10d (RAIF_HAVE_C10D 0) join()
/// refuses a world size above 1.

#include <raif/torch.hpp>

#include <fmt/format.h>

#if RAIF_HAVE_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifndef RAIF_HAVE_NCCL
#define RAIF_HAVE_NCCL 0 // CMake sets 1 where LibTorch has NCCL (USE_C10D_NCCL) and nccl.h is found
#endif
#if RAIF_HAVE_C10D && RAIF_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#if RAIF_HAVE_NCCL // nccl_readiness: the host's name and boot id
#include <unistd.h>

#include <array>
#include <fstream>
#endif

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raif {

/// Where this process sits among the ranks of a data-parallel run.
struct ProcessPlace {
  int rank = 0, world_size = 1, local_rank = 0;
  /// Ranks on this machine (LOCAL_WORLD_SIZE; under Slurm this node's entry, SLURM_NODEID, of
  /// SLURM_STEP_TASKS_PER_NODE or SLURM_TASKS_PER_NODE); 1 when not said. run.threads = 0 shares
  /// the machine's cores among them.
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  std::uint16_t master_port = 29500;
  int agent_restart = -1; ///< torchrun hosts the store: its restart count (TORCHELASTIC_RESTART_COUNT); -1: no
  /// Bounds the rendezvous and every collective (RAIF_DIST_TIMEOUT_S, in seconds).
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
  /// Which group carries CUDA tensors (RAIF_DIST_BACKEND): "auto" (NCCL when every rank can take
  /// it, else Gloo through the host: DataParallel::bind), "gloo", or "nccl" (an error on every rank
  /// when some rank cannot take it).
  std::string backend = "auto";

  /// From torchrun's variables, or Slurm's when RANK is unset; one process when neither is set.
  /// A malformed or inconsistent variable is an error naming it.
  static ProcessPlace from_environment();
};

/// A collective that failed: another rank died or stopped answering (RAIF_DIST_TIMEOUT_S).
struct CollectiveError : error {
  using error::error;
};

class DataParallel {
public:
  DataParallel() = default; ///< one process

  /// Joins the run's process group (blocks until every rank has joined, at most `place.timeout`,
  /// which also bounds every collective: a rank that died stops the others with an error, never a
  /// hang).
  static DataParallel join(const ProcessPlace& place);

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; } ///< on its machine: which GPU it takes
  int local_size() const { return local_size_; } ///< ranks on its machine (ProcessPlace::local_world_size)
  bool main() const { return rank_ == 0; }       ///< rank 0 writes the run's files
  /// The rows [begin, end) of `n` that are this rank's: contiguous, in rank order, sizes differing
  /// by at most one.
  std::pair<std::size_t, std::size_t> shard(std::size_t n) const {
    const auto r = static_cast<std::size_t>(rank_), s = static_cast<std::size_t>(size_);
    return {n * r / s, n * (r + 1) / s};
  }

  /// Rank 0's values of `tensors`, in place on every rank.
  void broadcast(const std::vector<torch::Tensor>& tensors) const;
  /// Every parameter's gradient summed over the ranks, in place. A parameter with no gradient on
  /// any rank keeps none (as one process would leave it); one with a gradient somewhere gets the sum.
  void sum_gradients(const std::vector<torch::Tensor>& parameters) const;
  /// Element-wise sums over the ranks (every rank passes as many values).
  std::vector<double> sum(std::vector<double> values) const;
  double sum(double value) const { return sum(std::vector<double>{value})[0]; }
  /// The ranks' vectors (of any lengths) concatenated in rank order, on every rank.
  std::vector<double> gather(const std::vector<double>& mine) const;
  /// The ranks' strings (any bytes) concatenated in rank order, on every rank.
  std::vector<std::string> gather(const std::vector<std::string>& mine) const;
  void barrier() const;
  /// Agrees with every rank, once for the run, on the group for its tensors, each rank passing its
  /// device: NCCL when every rank's build has it with LibTorch's own nccl.h version, no rank's
  /// RAIF_DIST_BACKEND is gloo, and every rank has a CUDA GPU of its own (host and PCI address);
  /// else Gloo. A collective: every rank calls it at the same point, with the device its
  /// parameters will live on (the first broadcast or gradient sum binds theirs if none did: bind
  /// the GPU first when the model moves there later). RAIF_DIST_BACKEND=nccl that cannot be met is
  /// an error on every rank, naming a rank and why.
  void bind(const torch::Device& device) const;
  /// The group that carries tensors on `device`: "nccl", "gloo" (for CUDA tensors with why not
  /// NCCL), "unbound" before bind(), "none" for one process.
  std::string backend(const torch::Device& device) const;

  /// Gradients travel in buckets of at most this many float32 values (64 MB).
  std::int64_t bucket_values = std::int64_t{16} << 20;

private:
  struct Group;
  std::shared_ptr<Group> group_;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
};

namespace detail::dp {
/// An integer environment variable (or `fallback` when unset), checked to lie in [lo, hi].
inline long env_int(const char* name, long fallback, long lo, long hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi)
    throw error(fmt::format("raif: environment variable {}='{}': expected an integer in [{}, {}]", name, v, lo, hi));
  return x;
}
/// Node `node`'s count in Slurm's compressed list of tasks per node ("8(x2),4": 8, 8, 4), or 0
/// when the list does not say.
inline long slurm_tasks_on_node(std::string_view list, long node) {
  while (!list.empty() && node >= 0) {
    const auto comma = list.find(',');
    const std::string token(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    char* end = nullptr;
    const long tasks = std::strtol(token.c_str(), &end, 10);
    long repeat = 1;
    if (*end == '(' && end[1] == 'x') repeat = std::strtol(end + 2, &end, 10), end += *end == ')';
    if (end == token.c_str() || *end != '\0' || tasks < 1 || repeat < 1) return 0;
    if (node < repeat) return tasks;
    node -= repeat;
  }
  return 0;
}
} // namespace detail::dp

inline ProcessPlace ProcessPlace::from_environment() {
  using detail::dp::env_int;
  ProcessPlace p;
  p.timeout = std::chrono::seconds(env_int("RAIF_DIST_TIMEOUT_S", 1800, 1, 1 << 30));
  const bool torchrun = std::getenv("RANK") != nullptr, slurm = !torchrun && std::getenv("SLURM_PROCID");
  const char* rank = torchrun ? "RANK" : "SLURM_PROCID";
  const char* world = torchrun ? "WORLD_SIZE" : "SLURM_NTASKS";
  const char* local = torchrun ? "LOCAL_RANK" : "SLURM_LOCALID";
  if (const char* b = std::getenv("RAIF_DIST_BACKEND"); b && *b) {
    p.backend = b;
    if (p.backend != "auto" && p.backend != "gloo" && p.backend != "nccl")
      throw error(fmt::format("raif: environment variable RAIF_DIST_BACKEND='{}': expected auto, gloo or nccl", b));
  }
  if (!torchrun && !slurm) return p;
  p.world_size = static_cast<int>(env_int(world, 1, 1, 1 << 20));
  p.rank = static_cast<int>(env_int(rank, 0, 0, p.world_size - 1));
  p.local_rank = static_cast<int>(env_int(local, 0, 0, p.world_size - 1));
  if (torchrun) {
    p.local_world_size = static_cast<int>(env_int("LOCAL_WORLD_SIZE", 1, 1, p.world_size));
  } else { // this srun step's tasks on this node, else the allocation's
    const char* step = std::getenv("SLURM_STEP_TASKS_PER_NODE");
    const char* tasks = step ? step : std::getenv("SLURM_TASKS_PER_NODE");
    const long here = tasks ? detail::dp::slurm_tasks_on_node(tasks, env_int("SLURM_NODEID", 0, 0, 1 << 20)) : 0;
    p.local_world_size = here >= 1 && here <= p.world_size ? static_cast<int>(here) : 1;
  }
  if (const char* a = std::getenv("MASTER_ADDR"); a && *a)
    p.master_addr = a;
  else if (p.world_size > 1 && slurm)
    throw error("raif: under Slurm set MASTER_ADDR to the first node's address, e.g. "
                "MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)");
  p.master_port = static_cast<std::uint16_t>(env_int("MASTER_PORT", 29500, 1, 65535));
  if (const char* agent = std::getenv("TORCHELASTIC_USE_AGENT_STORE"); agent && std::string(agent) == "True")
    p.agent_restart = static_cast<int>(env_int("TORCHELASTIC_RESTART_COUNT", 0, 0, 1 << 20));
  return p;
}

#if RAIF_HAVE_C10D

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
  int rank = 0, size = 1;
  std::chrono::milliseconds timeout{};
  std::string backend = "auto"; // this rank's RAIF_DIST_BACKEND
  bool bound = false;           // bind() ran: use_nccl is every rank's decision
  bool use_nccl = false;        // CUDA tensors go to NCCL
  std::string why_not_nccl;     // the first rank's reason, when not NCCL
#if RAIF_HAVE_NCCL
  mutable c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl; // made at the first CUDA tensor
#endif

  // Runs a collective; its failure (a dead or silent peer) as a CollectiveError naming it.
  template <class Start> void run(const std::string& what, Start&& start) const {
    try {
      start()->wait();
    } catch (const std::exception& e) {
      const std::string why = e.what();
      throw CollectiveError(fmt::format("raif: rank {} lost contact with another rank during {} (it failed or "
                                        "stopped answering; see its message): {}",
                                        rank, what, why.substr(0, why.find('\n'))));
    }
  }
  bool on_nccl(const torch::Device& device) const { return use_nccl && device.is_cuda(); }
  // Runs `collective(group)` on the group that carries tensors on `device`. NCCL's wait() orders
  // the current CUDA stream after the collective without blocking the host; Gloo's blocks.
  template <class Collective>
  void run_on([[maybe_unused]] const torch::Device& device, const char* what, Collective&& collective) const {
#if RAIF_HAVE_NCCL
    if (on_nccl(device)) {
      if (!nccl) { // every rank gets here at the same collective; communicators come at the first use
        auto options = c10d::ProcessGroupNCCL::Options::create();
        options->timeout = timeout;
        nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", store),
                                                           rank, size, options);
      }
      return run(std::string(what) + " over NCCL", [&] { return collective(*nccl); });
    }
#endif
    run(what, [&] { return collective(*gloo); });
  }
  void all_reduce(torch::Tensor t) const {
    std::vector<torch::Tensor> ts{std::move(t)};
    run_on(ts[0].device(), "an all-reduce", [&](auto& group) { return group.allreduce(ts); });
  }
};

inline DataParallel DataParallel::join(const ProcessPlace& place) {
  const auto timeout = place.timeout;
  DataParallel dp;
  dp.rank_ = place.rank;
  dp.size_ = place.world_size;
  dp.local_rank_ = place.local_rank;
  dp.local_size_ = place.local_world_size;
  if (place.world_size == 1) return dp;
  auto g = std::make_shared<Group>();
  g->rank = place.rank;
  g->size = place.world_size;
  g->timeout = timeout;
  g->backend = place.backend;
  try {
    c10d::TCPStoreOptions o;
    o.port = place.master_port;
    o.isServer = place.rank == 0 && place.agent_restart < 0;
    o.numWorkers = static_cast<std::size_t>(place.world_size);
    o.waitWorkers = true;
    o.timeout = timeout;
    g->store = c10::make_intrusive<c10d::TCPStore>(place.master_addr, o);
    if (place.agent_restart >= 0) // the agent's store outlives restarts: each attempt keeps its own keys
      g->store =
          c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::to_string(place.agent_restart), g->store);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    // GLOO_SOCKET_IFNAME picks the network interface, as in PyTorch; else the host name's address.
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    options->devices.push_back(ifname && *ifname ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
                                                 : c10d::ProcessGroupGloo::createDefaultDevice());
    g->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, place.rank, place.world_size, options);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw error(fmt::format("raif: rank {} of {} could not join the process group at {}:{}: {}", place.rank,
                            place.world_size, place.master_addr, place.master_port, what.substr(0, what.find('\n'))));
  }
  dp.group_ = std::move(g);
  return dp;
}

inline void DataParallel::broadcast(const std::vector<torch::Tensor>& tensors) const {
  if (size_ == 1) return;
  bind(tensors.empty() ? torch::Device(torch::kCPU) : tensors.front().device());
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) { // one at a time: parameters are few and the start is paid once
    // NCCL takes the tensor where it lies; Gloo a float32 copy on the host (exact for bf16 and fp16).
    const bool in_place = group_->on_nccl(t.device());
    auto carried = in_place ? t.detach().contiguous() : t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<torch::Tensor> ts{carried};
    group_->run_on(carried.device(), "a broadcast", [&](auto& group) { return group.broadcast(ts); });
    if (carried.data_ptr() != t.data_ptr()) t.copy_(carried); // NCCL wrote a contiguous tensor in place
  }
}

inline void DataParallel::sum_gradients(const std::vector<torch::Tensor>& parameters) const {
  if (size_ == 1) return;
  bind(parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device());
  torch::NoGradGuard no_grad;
  // Which parameters have a gradient on some rank: the same set is then reduced everywhere.
  std::vector<double> has(parameters.size());
  for (std::size_t i = 0; i < parameters.size(); ++i) has[i] = parameters[i].grad().defined() ? 1 : 0;
  has = sum(std::move(has));
  std::vector<torch::Tensor> bucket;
  std::int64_t values = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    // A bucket is summed where NCCL can take it (its GPU), else on the host by Gloo.
    const auto device = bucket.front().device();
    const auto home = group_->on_nccl(device) ? device : torch::Device(torch::kCPU);
    std::vector<torch::Tensor> flat;
    for (const auto& g : bucket) flat.push_back(g.detach().to(home, torch::kFloat32).reshape(-1));
    auto buffer = torch::cat(flat);
    group_->all_reduce(buffer);
    std::int64_t at = 0;
    for (auto& g : bucket) {
      g.copy_(buffer.narrow(0, at, g.numel()).view_as(g));
      at += g.numel();
    }
    bucket.clear();
    values = 0;
  };
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (has[i] == 0) continue;
    auto p = parameters[i];
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    if (values + p.numel() > bucket_values || (!bucket.empty() && bucket.front().device() != p.device())) flush();
    bucket.push_back(p.grad());
    values += p.numel();
  }
  flush();
}

inline std::vector<double> DataParallel::sum(std::vector<double> values) const {
  if (size_ == 1 || values.empty()) return values;
  auto t = torch::tensor(values, torch::kFloat64);
  group_->all_reduce(t);
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

inline std::vector<double> DataParallel::gather(const std::vector<double>& mine) const {
  if (size_ == 1) return mine;
  std::vector<double> sizes(static_cast<std::size_t>(size_));
  sizes[static_cast<std::size_t>(rank_)] = static_cast<double>(mine.size());
  sizes = sum(std::move(sizes));
  const auto offset = std::accumulate(sizes.begin(), sizes.begin() + rank_, 0.0);
  const auto total = std::accumulate(sizes.begin(), sizes.end(), 0.0);
  std::vector<double> all(static_cast<std::size_t>(total));
  std::copy(mine.begin(), mine.end(), all.begin() + static_cast<std::ptrdiff_t>(offset));
  return sum(std::move(all)); // exact: every slot holds one rank's value and zeros
}

inline void DataParallel::barrier() const {
  if (size_ > 1) group_->run("a barrier", [&] { return group_->gloo->barrier(); });
}

namespace detail::dp {
// This rank's readiness for NCCL: "gpu:" and where its GPU is (its host as NCCL tells hosts apart:
// NCCL_HOSTID, else host name and boot id; and the GPU's PCI address: ranks on the same GPU are
// what NCCL refuses), or "no:" and why not. Never throws: every rank must reach the gather in bind().
inline std::string nccl_readiness([[maybe_unused]] const torch::Device& device, const std::string& backend) {
  if (backend == "gloo") return "no:its RAIF_DIST_BACKEND is gloo";
#if !RAIF_HAVE_NCCL
  return "no:this build of raif has no NCCL (it needs a LibTorch built with CUDA and NCCL, such as the PyPI "
         "wheel's, and its nccl.h; docs/distributed.md)";
#else
  if (!device.is_cuda()) return "no:its tensors are on the " + device.str();
  // ProcessGroupNCCL's inline Options embed ncclConfig_t, which grows between NCCL releases: the
  // header raif was compiled with must be the one LibTorch was (major.minor; the patch keeps it).
  const auto torch_nccl = torch::cuda::nccl::version();
  const auto major = torch_nccl >> 32, minor = (torch_nccl >> 16) & 0xffff;
  if (major != NCCL_MAJOR || minor != NCCL_MINOR)
    return fmt::format("no:raif was compiled with nccl.h {}.{}, LibTorch with NCCL {}.{} (configure with the "
                       "nccl.h of the nvidia-nccl wheel that torch requires: RAIF_NCCL_INCLUDE_DIR)",
                       NCCL_MAJOR, NCCL_MINOR, major, minor);
  try {
    const auto* gpu = at::cuda::getDeviceProperties(device.has_index() ? device.index() : c10::cuda::current_device());
    std::string host;
    if (const char* id = std::getenv("NCCL_HOSTID"); id && *id) {
      host = id;
    } else {
      std::array<char, 256> name{};
      ::gethostname(name.data(), name.size() - 1);
      std::ifstream boot("/proc/sys/kernel/random/boot_id");
      std::string boot_id;
      std::getline(boot, boot_id);
      host = std::string(name.data()) + "/" + boot_id;
    }
    return fmt::format("gpu:{}/{:04x}:{:02x}:{:02x}", host, gpu->pciDomainID, gpu->pciBusID, gpu->pciDeviceID);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    return "no:its GPU " + device.str() + " did not answer: " + what.substr(0, what.find('\n'));
  }
#endif
}
} // namespace detail::dp

// Every rank gathers every rank's readiness, whatever its build, so that all decide alike.
inline void DataParallel::bind(const torch::Device& device) const {
  if (size_ == 1 || group_->bound) return;
  group_->bound = true;
  const std::string mine = detail::dp::nccl_readiness(device, group_->backend);
  const auto all = gather(std::vector<std::string>{(group_->backend == "nccl" ? "!" : "") + mine});
  bool demanded = false;
  std::string why;
  std::vector<std::string> gpus;
  for (std::size_t r = 0; r < all.size(); ++r) {
    const std::string_view state = all[r][0] == '!' ? std::string_view(all[r]).substr(1) : std::string_view(all[r]);
    demanded = demanded || all[r][0] == '!';
    const auto same = std::find(gpus.begin(), gpus.end(), state);
    if (why.empty() && state.substr(0, 3) == "no:")
      why = fmt::format("rank {}: {}", r, state.substr(3));
    else if (why.empty() && same != gpus.end()) // e.g. more ranks on a machine than its GPUs
      why = fmt::format("ranks {} and {} share a GPU (NCCL needs one per rank)", same - gpus.begin(), r);
    gpus.emplace_back(state);
  }
  group_->use_nccl = why.empty();
  group_->why_not_nccl = why;
  if (demanded && !why.empty())
    throw error("raif: RAIF_DIST_BACKEND=nccl, but NCCL cannot carry this run's tensors: " + why +
                " (RAIF_DIST_BACKEND=gloo or auto sends them through the host)");
}

inline std::string DataParallel::backend(const torch::Device& device) const {
  if (size_ == 1) return "none";
  if (!group_->bound) return "unbound";
  if (group_->on_nccl(device)) return "nccl";
  if (device.is_cuda()) return "gloo (not NCCL: " + group_->why_not_nccl + ")";
  return "gloo";
}

#else // built without c10d: one process only

struct DataParallel::Group {};

inline DataParallel DataParallel::join(const ProcessPlace& place) {
  if (place.world_size > 1)
    throw error(fmt::format("raif: WORLD_SIZE is {}, but this build of raif has no c10d (LibTorch's distributed "
                            "headers and Gloo were not found when it was configured)",
                            place.world_size));
  return {};
}
inline void DataParallel::broadcast(const std::vector<torch::Tensor>&) const {}
inline void DataParallel::sum_gradients(const std::vector<torch::Tensor>&) const {}
inline std::vector<double> DataParallel::sum(std::vector<double> values) const { return values; }
inline std::vector<double> DataParallel::gather(const std::vector<double>& mine) const { return mine; }
inline void DataParallel::barrier() const {}
inline void DataParallel::bind(const torch::Device&) const {}
inline std::string DataParallel::backend(const torch::Device&) const { return "none"; }

#endif

// Strings travel through the vector gather: each as its length, then its bytes six to a double.
// Integers below 2^48 are exact in a double, and the gather only adds zeros to them.
inline std::vector<std::string> DataParallel::gather(const std::vector<std::string>& mine) const {
  if (size_ == 1) return mine;
  constexpr std::size_t per_value = 6;
  std::vector<double> packed;
  for (const auto& s : mine) {
    packed.push_back(static_cast<double>(s.size()));
    for (std::size_t at = 0; at < s.size(); at += per_value) {
      std::uint64_t word = 0;
      for (std::size_t k = 0; k < per_value && at + k < s.size(); ++k)
        word |= std::uint64_t{static_cast<unsigned char>(s[at + k])} << (8 * k);
      packed.push_back(static_cast<double>(word));
    }
  }
  const auto all = gather(packed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < all.size();) {
    std::string s(static_cast<std::size_t>(all[i++]), '\0');
    for (std::size_t at = 0; at < s.size(); at += per_value) {
      const auto word = static_cast<std::uint64_t>(all[i++]);
      for (std::size_t k = 0; k < per_value && at + k < s.size(); ++k)
        s[at + k] = static_cast<char>((word >> (8 * k)) & 0xff);
    }
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace raif
