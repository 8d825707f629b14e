// A rank of the 2-process tests in test_distributed.cpp, started by raif::launch_local:
//   dp_probe collectives [G]   checks every DataParallel collective against values computed by hand
//   dp_probe cuda [G]          the same with the parameters and gradients on the rank's GPU; G: how
//                              DataParallel::backend must begin ("gloo" by default, "nccl", ...)
//   dp_probe fail              rank 1 exits with status 5 at once; rank 0 waits in a barrier (10 minutes)
// Exit status 0 when every check holds; otherwise 1, with the failed check on stderr; 3 when a peer
// was lost (raif::lost_peer_status); 4 for raif's error (printed, and written to the file
// $RAIF_PROBE_ERRORS.RANK when that variable is set), e.g. a refused RAIF_DIST_BACKEND.
#include <raif/trainer/distributed.hpp>
#include <raif/trainer/mixed_precision.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace {
int failures = 0;
void expect(bool ok, const std::string& what, int rank) {
  if (!ok) std::cerr << "rank " << rank << ": failed: " << what << std::endl, ++failures;
}
} // namespace

int probe(const std::string& mode, const std::string& group);

int main(int argc, char** argv) {
  try {
    return probe(argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "gloo");
  } catch (const raif::CollectiveError& e) { // rank 0 of "fail": its peer is gone, as intended
    std::cerr << e.what() << std::endl;
    return 3;
  } catch (const raif::error& e) { // also in $RAIF_PROBE_ERRORS.RANK, for the test to read
    const char* rank = std::getenv("RANK");
    const char* file = std::getenv("RAIF_PROBE_ERRORS");
    if (file) std::ofstream(std::string(file) + "." + (rank ? rank : "0")) << e.what();
    std::cerr << e.what() << std::endl;
    return 4;
  }
}

int probe(const std::string& mode, const std::string& group) {
  auto place = raif::ProcessPlace::from_environment();
  place.timeout = std::chrono::minutes(10);
  auto dp = raif::DataParallel::join(place);
  const int r = dp.rank();
  if (mode == "fail") {
    if (r == 1) return 5;
    dp.barrier(); // never passes: rank 1 is gone; the launcher must stop this rank
    return 0;
  }
  expect(dp.size() == 2, "two ranks", r);
  const auto gpus = mode == "cuda" ? static_cast<int>(torch::cuda::device_count()) : 0;
  const torch::Device device = gpus ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(dp.local_rank() % gpus))
                                    : torch::Device(torch::kCPU);
  if (mode == "cuda" && !gpus) return 77;
  dp.bind(device);
  expect(dp.backend(device).rfind(group, 0) == 0, "the group for " + device.str() + ": " + dp.backend(device), r);
  const auto [first, last] = dp.shard(5); // 5 rows: rank 0 gets 2, rank 1 gets 3
  expect(first == (r == 0 ? 0u : 2u) && last == (r == 0 ? 2u : 5u), "shard(5)", r);

  const auto sums = dp.sum(std::vector<double>{1.0 + r, 0.5, -2.0 * r});
  expect(sums == std::vector<double>{3.0, 1.0, -2.0}, "sum", r);
  // Rank 0 gives {7}, rank 1 gives {8, 9}: every rank sees them in rank order.
  const auto all = dp.gather(r == 0 ? std::vector<double>{7} : std::vector<double>{8, 9});
  expect(all == std::vector<double>{7, 8, 9}, "gather", r);
  // Strings of any bytes and lengths (none, under and over one six-byte word), in rank order.
  const std::string bytes("a\0\xff\x80z\n\"\xc3\xa9!", 10);
  const std::vector<std::string> mine = r == 0 ? std::vector<std::string>{"", bytes} : std::vector<std::string>{"ok"};
  expect(dp.gather(mine) == std::vector<std::string>{"", bytes, "ok"}, "gather strings", r);
  expect(dp.gather(std::vector<std::string>{}).empty(), "gather no strings", r);

  torch::manual_seed(static_cast<std::uint64_t>(100 + r)); // the ranks start apart
  auto a = torch::randn({4, 3}).to(device).requires_grad_(), b = torch::randn({5}).to(device).requires_grad_(),
       c = torch::randn({2}).to(device).requires_grad_();
  dp.broadcast({a, b, c});
  torch::manual_seed(100);
  const auto a0 = torch::randn({4, 3}), b0 = torch::randn({5}), c0 = torch::randn({2});
  expect(a.device() == device && torch::equal(a.detach().cpu(), a0) && torch::equal(b.detach().cpu(), b0) &&
             torch::equal(c.detach().cpu(), c0),
         "broadcast gives rank 0's values, where they were", r);
  // bf16 (exact through Gloo's float32 copy) and a transposed, non-contiguous view (copied back).
  auto half = torch::full({3}, 1.5 + r, torch::kBFloat16).to(device);
  auto square = torch::arange(6, torch::kFloat32).reshape({2, 3}).add(10 * r).to(device);
  auto transposed = square.t();
  dp.broadcast({half, transposed});
  expect(half.scalar_type() == torch::kBFloat16 && torch::equal(half.cpu(), torch::full({3}, 1.5, torch::kBFloat16)),
         "broadcast of bf16", r);
  expect(torch::equal(square.cpu(), torch::arange(6, torch::kFloat32).reshape({2, 3})), "broadcast into a view", r);

  // a: a gradient on both ranks (1 and 2 per element); b: only on rank 1 (3 each); c: on none.
  (a * static_cast<double>(r + 1)).sum().backward();
  if (r == 1) (b * 3.0).sum().backward();
  dp.bucket_values = 4; // a (12 values) and b (5) each in a bucket of their own
  dp.sum_gradients({a, b, c});
  expect(a.grad().device() == device && torch::equal(a.grad().cpu(), torch::full({4, 3}, 3.0)),
         "gradient summed over both ranks, where it was", r);
  expect(b.grad().defined() && torch::equal(b.grad().cpu(), torch::full({5}, 3.0)), "gradient of one rank reaches all",
         r);
  expect(!c.grad().defined(), "no gradient anywhere stays none", r);

  // bf16 parameters under MixedPrecision, as the trainer updates them: each rank's micro-batches
  // sum in float32 (1 + 16 · 2^-9 on rank 0, whose small ones bf16 would round away; 2 on rank 1),
  // the masters' gradients are summed over the ranks, and both ranks step to the same weights.
  auto w = torch::full({2}, 0.5, torch::kBFloat16).to(device).requires_grad_();
  raif::MixedPrecision opt({w}, raif::Sgd{}, 1.0, 0.0);
  auto micro_batch = [&](double g) {
    (w.to(torch::kFloat32) * g).sum().backward();
    raif::accumulate_gradients(opt);
  };
  micro_batch(r == 0 ? 1.0 : 2.0);
  for (int i = 0; r == 0 && i < 16; ++i) micro_batch(std::ldexp(1.0, -9));
  const auto gradients = raif::update_gradients(opt, {w});
  dp.sum_gradients(gradients);
  expect(gradients[0].grad().scalar_type() == torch::kFloat32 &&
             torch::equal(gradients[0].grad().cpu(), torch::full({2}, 3.03125)),
         "float32 gradient sums over micro-batches and ranks", r);
  opt.step();
  expect(torch::equal(w.cpu(), torch::full({2}, 0.5 - 3.03125, torch::kBFloat16)), "the same bf16 step on each rank",
         r);
  dp.barrier();
  return failures == 0 ? 0 : 1;
}
