// validation/check/pipeline_run.hpp: a config run in process through execute() (run/run.hpp), the code path of
// `loraflow run`, with its outputs read back: trajectory.csv as columns of decimal strings (every digit of the
// working precision) and summary.json. For claims that check what a user's run writes, row by row.
#pragma once

#include <loraflow/run/run.hpp>
#include <loraflow/scalar.hpp>

#include <nlohmann/json.hpp>

#include <limits>
#include <map>
#include <string>
#include <vector>

namespace loraflow::check {

struct pipeline_output {
  run_result result;
  std::map<std::string, std::vector<std::string>> columns;  ///< trajectory.csv, by column name
  nlohmann::json summary;                                   ///< summary.json

  /// A column at precision Real (the decimal strings parsed there: no digit lost; "nan", "inf", "-inf" as written
  /// by to_string). Throws std::out_of_range for a column the run did not write.
  template <class Real> std::vector<Real> column(const std::string& name) const {
    std::vector<Real> v;
    for (const std::string& s : columns.at(name)) {
      if (s == "nan") v.push_back(std::numeric_limits<Real>::quiet_NaN());
      else if (s == "inf" || s == "-inf") v.push_back(s == "inf" ? std::numeric_limits<Real>::infinity() : -std::numeric_limits<Real>::infinity());
      else v.push_back(parse<Real>(s));
    }
    return v;
  }
  /// A summary.json number (a JSON number, or a decimal string beyond double) at precision Real; NaN for null.
  template <class Real> static Real number(const nlohmann::json& v) {
    if (v.is_null()) return std::numeric_limits<Real>::quiet_NaN();
    return parse<Real>(v.is_string() ? v.get<std::string>() : v.dump());
  }
};

/// Runs the config text (TOML, as a user writes it; paths relative to the working directory) into a private
/// temporary directory, reads the outputs back and removes the directory. Bad input throws input_error as
/// `loraflow run` reports it; a numerical failure is in result.status.
pipeline_output run_pipeline(const std::string& toml, const std::string& label);

}  // namespace loraflow::check
