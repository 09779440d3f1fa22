#pragma once
// Writers of a clearing report: CSV (one file per table), JSON and a self-contained HTML page.
// Output is deterministic for a given report (golden tests compare it byte for byte).

#include <string>

#include "ledger/report.h"

namespace ghx::cli {

std::string iso_time(ledger::Timestamp t);   // 2026-12-01T08:00:00.000Z
std::string money(int64_t minor_units);      // 1234.56 (two minor digits)
std::string json_string(const std::string& text);  // "text", quoted and escaped for JSON

struct CsvFiles {
  std::string trades;
  std::string deliveries;
  std::string movements;
  std::string obligations;
  std::string balances;
};
CsvFiles render_csv(const ledger::Report& report);
std::string render_json(const ledger::Report& report);
std::string render_html(const ledger::Report& report);

}  // namespace ghx::cli
