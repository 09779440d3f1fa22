#pragma once
// Prices of the demo market: a reference price per GPU model (minor units of CNY per GPU-hour),
// adjusted by zone, and per product a mid price that random-walks around it so that the
// participants' quotes keep crossing. Thread-safe: traders on several threads share one model.

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace ghx::sim {

// Reference price of a GPU model in a zone, minor units per GPU-hour (1800 = 18.00 CNY).
int64_t reference_price(const std::string& gpu, const std::string& zone);

class PriceModel {
 public:
  // One entry per product: its reference price and tick size.
  PriceModel(std::vector<int64_t> reference_prices, std::vector<int64_t> tick_sizes,
             uint64_t seed);

  // Advances product `index`'s walk by one step and returns its mid.
  double step(size_t index);

  // `mid * factor` rounded to the product's tick, at least one tick.
  int64_t quote(size_t index, double mid, double factor) const;

  size_t size() const { return mids_.size(); }

 private:
  std::mutex mutex_;
  std::vector<int64_t> references_;
  std::vector<int64_t> ticks_;
  std::vector<double> mids_;
  std::mt19937_64 rng_;
};

}  // namespace ghx::sim
