// docs/LIMITS.md tells the defaults of the settings it names: every row
// whose value names a setting ("30 s (config `idle_timeout_s`)") must show
// that setting's default (as `serve --help` does). Quantities are read with
// their unit (s, ms, KiB, MiB, or the setting's own unit when none); a row
// with "default N" is checked against N; ranges ("1..50") are not defaults;
// "off" is 0; several quantities go with several settings in order (a
// `prefix_*` stands for the settings that start so, in --help order). Rows
// the reader cannot pair up are counted, not checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"

namespace boxoffice::app {
namespace {

struct Quantity {
  int64_t value = 0;
  std::string unit;  // "s", "ms", "KiB", "MiB" or ""
};

// Every setting's default in --help order, from DescribeServeConfig.
std::vector<std::pair<std::string, std::string>> Defaults() {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(DescribeServeConfig(ServeConfig{}));
  for (std::string item; in >> item;) {
    const size_t eq = item.find('=');
    if (eq != std::string::npos) out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

// The quantities of a value cell: "1 MiB", "50/s, bursts of 100", "off",
// "1..50, show default 10". Digits glued to a letter or '-' ("SHA-256")
// and both ends of a range are not quantities.
std::vector<Quantity> Quantities(std::string_view text) {
  if (const size_t d = text.find("default "); d != std::string_view::npos) {
    text = text.substr(d + 8);
  }
  std::vector<Quantity> out;
  if (text.starts_with("off")) out.push_back({0, ""});
  for (size_t i = 0; i < text.size();) {
    const bool starts = std::isdigit(static_cast<unsigned char>(text[i])) &&
                        (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
                                     text[i - 1] == '-' || text[i - 1] == '.'));
    if (!starts) {
      ++i;
      continue;
    }
    Quantity q;
    size_t j = i;
    for (; j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == ',');
         ++j) {
      if (text[j] != ',') q.value = q.value * 10 + (text[j] - '0');
    }
    if (j > i && text[j - 1] == ',') --j;  // "50/s, bursts": the comma ends the number
    const bool in_range = text.substr(j).starts_with("..");
    size_t k = j;
    while (k < text.size() && text[k] == ' ') ++k;
    for (const char* unit : {"MiB", "KiB", "ms", "s"}) {
      const std::string_view u(unit);
      const bool whole = text.substr(k).starts_with(u) &&
                         (k + u.size() == text.size() ||
                          !std::isalpha(static_cast<unsigned char>(text[k + u.size()])));
      if (whole) {
        q.unit = unit;
        break;
      }
    }
    if (!in_range) out.push_back(q);
    i = in_range ? text.find_first_not_of("0123456789,.", j) : j;
    if (i == std::string_view::npos) break;
  }
  return out;
}

// A quantity in the unit of the setting (seconds for *_s, milliseconds for
// *_ms, bytes for *bytes*; a bare number is in it already), or nullopt when
// the units do not fit.
std::optional<int64_t> InSettingUnit(const Quantity& q, std::string_view setting) {
  const bool seconds = setting.ends_with("_s");
  const bool millis = setting.ends_with("_ms");
  const bool bytes = setting.find("bytes") != std::string_view::npos;
  if (q.unit.empty()) return q.value;
  if (q.unit == "s" && (seconds || millis)) return millis ? q.value * 1000 : q.value;
  if (q.unit == "ms" && millis) return q.value;
  if (q.unit == "KiB" && bytes) return q.value * 1024;
  if (q.unit == "MiB" && bytes) return q.value * 1024 * 1024;
  return std::nullopt;
}

// The settings a cell names: `a`, `b`, or every setting starting `prefix_`.
std::vector<std::string> Named(std::string_view cell,
                               const std::vector<std::pair<std::string, std::string>>& defaults) {
  std::vector<std::string> out;
  for (size_t at = 0; (at = cell.find('`', at)) != std::string_view::npos;) {
    const size_t end = cell.find('`', at + 1);
    if (end == std::string_view::npos) break;
    const std::string_view name = cell.substr(at + 1, end - at - 1);
    at = end + 1;
    for (const auto& [setting, value] : defaults) {
      const bool matches = name.ends_with('*')
                               ? setting.starts_with(name.substr(0, name.size() - 1))
                               : setting == name;
      if (matches) out.push_back(setting);
    }
  }
  return out;
}

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::istringstream in(row);
  std::string cell;
  std::getline(in, cell, '|');  // before the first bar
  while (std::getline(in, cell, '|')) cells.push_back(cell);
  return cells;
}

TEST(LimitsDocTest, EveryConfiguredLimitShowsItsSettingsDefault) {
  std::ifstream in(BOXOFFICE_LIMITS_FILE);
  ASSERT_TRUE(in) << BOXOFFICE_LIMITS_FILE;
  const auto defaults = Defaults();
  const std::map<std::string, std::string> by_name(defaults.begin(), defaults.end());
  std::vector<std::string> checked;
  int unpaired = 0;
  for (std::string row; std::getline(in, row);) {
    const std::vector<std::string> cells = Cells(row);
    const size_t config = cells.size() > 1 ? cells[1].find("(config ") : std::string::npos;
    if (config == std::string::npos) continue;
    const std::vector<Quantity> quantities =
        Quantities(std::string_view(cells[1]).substr(0, config));
    const std::vector<std::string> settings =
        Named(std::string_view(cells[1]).substr(config), defaults);
    if (quantities.empty() || settings.size() < quantities.size()) {
      ++unpaired;
      continue;
    }
    for (size_t i = 0; i < quantities.size(); ++i) {
      const Quantity& q = quantities[i];
      const std::string& setting = settings[i];
      const std::optional<int64_t> doc = InSettingUnit(q, setting);
      EXPECT_EQ(doc, std::stoll(by_name.at(setting)))
          << "docs/LIMITS.md says " << q.value << " " << q.unit << " for " << setting
          << ", whose default is " << by_name.at(setting) << ":\n"
          << row;
      checked.push_back(setting);
    }
  }
  std::printf("[limits] %zu settings checked, %d rows not paired up\n", checked.size(), unpaired);
  EXPECT_GE(checked.size(), 15u);
  for (const char* must : {"idle_timeout_s", "drain_timeout_s", "body_bytes_max"}) {
    EXPECT_NE(std::find(checked.begin(), checked.end(), must), checked.end()) << must;
  }
}

}  // namespace
}  // namespace boxoffice::app
