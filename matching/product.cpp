#include "matching/product.h"

#include <chrono>
#include <cstdio>

namespace ghx::matching {
namespace {

bool is_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }

// Empty string when `text` is a valid GPU model or zone name, else what is wrong with it.
std::string check_name(std::string_view what, std::string_view text, size_t chars_max) {
  if (text.empty()) return std::string(what) + " is empty";
  if (text.size() > chars_max) {
    return std::string(what) + " '" + std::string(text) + "' is longer than " +
           std::to_string(chars_max) + " characters";
  }
  for (char c : text) {
    if (!is_name_char(c)) {
      return std::string(what) + " '" + std::string(text) +
             "' may hold only upper-case letters, digits and '-'";
    }
  }
  return {};
}

bool parse_digits(std::string_view text, int& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

bool parse_window_length(std::string_view text, WindowLength& length) {
  for (auto candidate : {WindowLength::hour_1, WindowLength::hour_4, WindowLength::day,
                         WindowLength::week}) {
    if (text == to_string(candidate)) {
      length = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(WindowLength length) {
  switch (length) {
    case WindowLength::hour_1: return "1H";
    case WindowLength::hour_4: return "4H";
    case WindowLength::day: return "DAY";
    case WindowLength::week: return "WEEK";
  }
  return "?";
}

std::string_view to_string(ProductState state) {
  switch (state) {
    case ProductState::trading: return "trading";
    case ProductState::gate_closed: return "gate_closed";
    case ProductState::delivered: return "delivered";
    case ProductState::halted: return "halted";
    case ProductState::auction:
      return "auction";
  }
  return "?";
}

std::string_view ShortName::view() const {
  size_t size = 0;
  while (size < chars.size() && chars[size] != '\0') ++size;
  return {chars.data(), size};
}

ShortName ShortName::from(std::string_view text) {
  ShortName name;
  for (size_t i = 0; i < text.size() && i + 1 < name.chars.size(); ++i) name.chars[i] = text[i];
  return name;
}

bool parse_utc_hour(std::string_view text, int64_t& hours_since_epoch) {
  // YYYY-MM-DDTHH
  if (text.size() != 13 || text[4] != '-' || text[7] != '-' || text[10] != 'T') return false;
  int year = 0, month = 0, day = 0, hour = 0;
  if (!parse_digits(text.substr(0, 4), year) || !parse_digits(text.substr(5, 2), month) ||
      !parse_digits(text.substr(8, 2), day) || !parse_digits(text.substr(11, 2), hour)) {
    return false;
  }
  if (hour > 23) return false;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return false;
  const int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  hours_since_epoch = days * 24 + hour;
  return true;
}

std::string format_utc_hour(int64_t hours_since_epoch) {
  int64_t days = hours_since_epoch / 24;
  int64_t hour = hours_since_epoch % 24;
  if (hour < 0) {
    hour += 24;
    days -= 1;
  }
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(hour));
  return text;
}

std::string format_symbol(const ProductSpec& spec) {
  std::string symbol;
  symbol.append(spec.gpu.view()).append(".");
  symbol.append(spec.zone.view()).append(".");
  symbol.append(format_utc_hour(spec.start_hour)).append(".");
  symbol.append(to_string(spec.length));
  return symbol;
}

SymbolParse parse_symbol(std::string_view symbol) {
  SymbolParse result;
  std::string_view parts[4];
  size_t count = 0;
  size_t begin = 0;
  for (size_t i = 0; i <= symbol.size(); ++i) {
    if (i == symbol.size() || symbol[i] == '.') {
      if (count == 4) {
        result.error = "symbol '" + std::string(symbol) +
                       "' has more than 4 parts; expected GPU.ZONE.START.LENGTH";
        return result;
      }
      parts[count++] = symbol.substr(begin, i - begin);
      begin = i + 1;
    }
  }
  if (count != 4) {
    result.error = "symbol '" + std::string(symbol) + "' has " + std::to_string(count) +
                   " parts; expected GPU.ZONE.START.LENGTH";
    return result;
  }
  if (auto error = check_name("GPU model", parts[0], gpu_model_chars_max); !error.empty()) {
    result.error = error;
    return result;
  }
  if (auto error = check_name("zone", parts[1], zone_chars_max); !error.empty()) {
    result.error = error;
    return result;
  }
  if (!parse_utc_hour(parts[2], result.spec.start_hour)) {
    result.error = "delivery start '" + std::string(parts[2]) +
                   "' is not a UTC hour like 2026-12-01T08";
    return result;
  }
  if (result.spec.start_hour >= start_hour_limit) {
    result.error = "delivery start '" + std::string(parts[2]) + "' is in 2200 or later";
    return result;
  }
  if (!parse_window_length(parts[3], result.spec.length)) {
    result.error = "window length '" + std::string(parts[3]) + "' is not one of 1H, 4H, DAY, WEEK";
    return result;
  }
  result.spec.gpu = ShortName::from(parts[0]);
  result.spec.zone = ShortName::from(parts[1]);
  result.ok = true;
  return result;
}

std::string validate_spec(const ProductSpec& spec) {
  if (auto error = check_name("GPU model", spec.gpu.view(), gpu_model_chars_max); !error.empty()) {
    return error;
  }
  if (auto error = check_name("zone", spec.zone.view(), zone_chars_max); !error.empty()) {
    return error;
  }
  if (spec.start_hour < 0) return "delivery start is before 1970";
  if (spec.start_hour >= start_hour_limit) return "delivery start is in 2200 or later";
  if (window_hours(spec.length) == 0) return "unknown window length";
  if (spec.lot_size_gpus < 1 || spec.lot_size_gpus > 1024) return "lot size must be 1..1024 GPUs";
  if (spec.tick_size < 1 || spec.tick_size > 1'000'000) return "tick size must be 1..1000000";
  return {};
}

}  // namespace ghx::matching
