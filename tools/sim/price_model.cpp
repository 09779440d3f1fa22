#include "tools/sim/price_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>

namespace ghx::sim {
namespace {

// Mid-points of the market's usual ranges in 2026 (CNY cents per GPU-hour).
const std::map<std::string, int64_t>& model_prices() {
  static const std::map<std::string, int64_t> prices = {
      {"H100SXM", 2200}, {"H800SXM", 1900}, {"H20", 750},
      {"A800", 1100},    {"910B", 850},     {"L40S", 500}};
  return prices;
}
constexpr int64_t unknown_model_price = 1000;

// Inner Mongolia has cheap power and wind; the coastal east pays for land and latency.
double zone_factor(const std::string& zone) {
  if (zone.find("NMG") != std::string::npos) return 0.92;
  if (zone.find("EAST") != std::string::npos) return 1.05;
  return 1.0;
}

constexpr double step_sigma = 0.004;     // relative move per step
constexpr double mean_reversion = 0.01;  // pull back towards the reference per step
constexpr double band = 0.18;            // the mid stays within ±18 % of the reference

}  // namespace

int64_t reference_price(const std::string& gpu, const std::string& zone) {
  const auto found = model_prices().find(gpu);
  const int64_t base = found == model_prices().end() ? unknown_model_price : found->second;
  return static_cast<int64_t>(std::llround(static_cast<double>(base) * zone_factor(zone)));
}

PriceModel::PriceModel(std::vector<int64_t> reference_prices, std::vector<int64_t> tick_sizes,
                       uint64_t seed)
    : references_(std::move(reference_prices)), ticks_(std::move(tick_sizes)), rng_(seed) {
  assert(references_.size() == ticks_.size());
  for (int64_t reference : references_) mids_.push_back(static_cast<double>(reference));
}

double PriceModel::step(size_t index) {
  std::lock_guard lock(mutex_);
  assert(index < mids_.size());
  const double reference = static_cast<double>(references_[index]);
  std::normal_distribution<double> noise(0.0, step_sigma);
  double mid = mids_[index];
  mid += mid * noise(rng_) + (reference - mid) * mean_reversion;
  mid = std::clamp(mid, reference * (1 - band), reference * (1 + band));
  mids_[index] = mid;
  return mid;
}

int64_t PriceModel::quote(size_t index, double mid, double factor) const {
  const int64_t tick = ticks_[index];
  const auto ticks = static_cast<int64_t>(std::llround(mid * factor / static_cast<double>(tick)));
  return std::max<int64_t>(1, ticks) * tick;
}

}  // namespace ghx::sim
