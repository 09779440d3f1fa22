#pragma once
// Numbers given to a program's options (ghxd, ghx-load, ghx-sim): the whole text is the number
// and it is within the option's range, or the error names the option and the text given. A
// typo must stop the program rather than run it otherwise: "--port 12x" is not port 12, and
// "--port 73236" is not port 7700 (73236 mod 65536).
//
// Errors are std::invalid_argument, for the program's start-up edge to print.

#include <cstdint>
#include <string_view>

namespace ghx::gateway {

// A whole decimal number in min..max: no sign, no spaces, nothing after it.
uint64_t parse_whole_option(std::string_view text, std::string_view option, uint64_t min,
                            uint64_t max);

// A size in bytes: a whole number, or one with a suffix K, M, G or T (powers of 1024), from
// 1 MiB to 1 PiB: "64G", "512M", "1048576".
uint64_t parse_size_option(std::string_view text, std::string_view option);

// A decimal number such as 20, 0.5 or 1e3, in min..max.
double parse_decimal_option(std::string_view text, std::string_view option, double min, double max);

}  // namespace ghx::gateway
