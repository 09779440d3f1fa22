#pragma once
// Products: a standard delivery contract for GPU capacity.
//
// A product is GPU model x zone x delivery window. Its symbol is GPU.ZONE.START.LENGTH, e.g.
// H100SXM.CN-EAST-1.2026-12-01T08.1H: START is the delivery start in UTC as a whole hour, LENGTH
// one of 1H, 4H, DAY, WEEK. The notional of a fill is price x lots x lot_size x hours.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "matching/types.h"

namespace ghx::matching {

constexpr int gpu_model_chars_max = 15;  // "H100SXM", "910B"
constexpr int zone_chars_max = 15;       // "CN-EAST-1"
constexpr int64_t lot_size_default_gpus = 8;
constexpr int64_t gate_closure_lead_default_ns = 30 * ns_per_minute;

enum class WindowLength : uint8_t { hour_1, hour_4, day, week };

constexpr int64_t window_hours(WindowLength length) {
  switch (length) {
    case WindowLength::hour_1: return 1;
    case WindowLength::hour_4: return 4;
    case WindowLength::day: return 24;
    case WindowLength::week: return 168;
  }
  return 0;
}

std::string_view to_string(WindowLength length);

// A fixed-size name (no allocation, trivially copyable, comparable). Upper-case letters, digits
// and '-' only; checked when a symbol is parsed or a product is listed.
struct ShortName {
  std::array<char, 16> chars{};
  auto operator<=>(const ShortName&) const = default;
  std::string_view view() const;
  static ShortName from(std::string_view text);  // truncates; validate before calling
};

// 2200-01-01T00 UTC in hours since the epoch: delivery starts before it. Times are nanoseconds
// in an int64, which end in 2262; a later window's start and end would overflow.
constexpr int64_t start_hour_limit = 2'016'144;

struct ProductSpec {
  ShortName gpu;
  ShortName zone;
  int64_t start_hour = 0;  // delivery start: hours since the Unix epoch, UTC
  WindowLength length = WindowLength::hour_1;
  int64_t lot_size_gpus = lot_size_default_gpus;
  int64_t tick_size = 1;  // prices must be multiples of this, in currency minor units
  auto operator<=>(const ProductSpec&) const = default;

  int64_t hours() const { return window_hours(length); }
  Timestamp delivery_start() const { return {start_hour * ns_per_hour}; }
  Timestamp delivery_end() const { return {(start_hour + hours()) * ns_per_hour}; }
};

// GPU.ZONE.START.LENGTH
std::string format_symbol(const ProductSpec& spec);

struct SymbolParse {
  bool ok = false;
  ProductSpec spec;    // valid when ok; lot and tick keep their defaults
  std::string error;   // when !ok: what is wrong, naming the part, e.g. "bad window length '2H'"
};

SymbolParse parse_symbol(std::string_view symbol);

// Checks the parts of a spec that listing depends on; returns an empty string when valid.
std::string validate_spec(const ProductSpec& spec);

// "2026-12-01T08" <-> hours since the epoch. parse_utc_hour returns false on malformed text.
bool parse_utc_hour(std::string_view text, int64_t& hours_since_epoch);
std::string format_utc_hour(int64_t hours_since_epoch);

enum class ProductState : uint8_t {
  trading,      // listed and accepting orders
  gate_closed,  // delivery starts soon: no orders; positions are delivery obligations
  delivered,    // the delivery window has ended
  halted,       // the operator stopped trading: no new orders or replaces, cancels work
  auction,      // call phase: limit orders rest without matching until the uncross
};

std::string_view to_string(ProductState state);

}  // namespace ghx::matching
