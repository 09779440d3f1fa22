#include "gateway/option_numbers.h"

#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace ghx::gateway {
namespace {

// As short as it can be and still exact for a range's ends: 0.01, 100000000.
std::string decimal_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", value);
  return text;
}

}  // namespace

uint64_t parse_whole_option(std::string_view text, std::string_view option, uint64_t min,
                            uint64_t max) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < min || value > max) {
    throw std::invalid_argument(std::string(option) + " needs a whole number within " +
                                std::to_string(min) + ".." + std::to_string(max) + ", not '" +
                                std::string(text) + "'");
  }
  return value;
}

uint64_t parse_size_option(std::string_view text, std::string_view option) {
  constexpr uint64_t size_min = uint64_t{1} << 20;
  constexpr uint64_t size_max = uint64_t{1} << 50;
  const std::invalid_argument wrong(std::string(option) +
                                    " needs a size such as 64G or 512M (at least 1M), not '" +
                                    std::string(text) + "'");
  std::string_view number = text;
  unsigned shift = 0;
  if (!number.empty()) {
    switch (number.back()) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      case 'T':
      case 't':
        shift = 40;
        break;
      default:
        break;
    }
    if (shift != 0) number.remove_suffix(1);
  }
  try {
    const uint64_t bytes = parse_whole_option(number, option, 0, size_max >> shift) << shift;
    if (bytes < size_min) throw wrong;
    return bytes;
  } catch (const std::invalid_argument&) {
    throw wrong;  // the size's own message: the number alone is not what was asked for
  }
}

double parse_decimal_option(std::string_view text, std::string_view option, double min,
                            double max) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  // Written so that NaN ("nan" parses) is out of range too.
  const bool in_range = value >= min && value <= max;
  if (text.empty() || error != std::errc() || stop != end || !in_range) {
    throw std::invalid_argument(std::string(option) + " needs a number within " +
                                decimal_text(min) + ".." + decimal_text(max) + ", not '" +
                                std::string(text) + "'");
  }
  return value;
}

}  // namespace ghx::gateway
