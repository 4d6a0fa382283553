// validation/check/report.cpp: runs claims and renders their verdicts as text, JSON, Markdown and CSV (report.hpp).
#include "check/report.hpp"

#include <loraflow/io/atomic_file.hpp>
#include <loraflow/run/run.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace loraflow::check {

verdict overall(const claim_run& r) { return r.error.empty() ? r.r.overall() : verdict::fail; }

std::vector<claim_run> run_claims(const std::vector<std::string>& ids, const check_options& o) {
  std::vector<const claim*> todo;
  for (const std::string& id : ids) {
    const auto& reg = registry();
    const auto it = std::find_if(reg.begin(), reg.end(), [&](const claim& c) { return c.id == id; });
    if (it == reg.end())
      throw std::invalid_argument("unknown claim id '" + id + "' (loraflow check --list shows the ids)");
    todo.push_back(&*it);
  }
  if (ids.empty())
    for (const claim& c : registry()) todo.push_back(&c);
  std::vector<claim_run> runs;
  context ctx;
  ctx.quick = o.quick;
  ctx.log = o.progress ? &std::cerr : nullptr;
  std::size_t k = 0;
  for (const claim* c : todo) {
    ++k;
    if (o.progress) std::cerr << "[" << k << "/" << todo.size() << "] " << c->id << ": " << c->title << std::endl;
    claim_run cr;
    cr.c = c;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      cr.r = c->run(ctx);
      const std::string broken = check_rows(cr.r.rows);
      if (!broken.empty()) cr.error = "verdict rules broken (validation/check/claim.hpp): " + broken;
    } catch (const std::exception& e) {
      cr.error = e.what();
    }
    cr.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (o.progress)
      std::cerr << "[" << k << "/" << todo.size() << "] " << c->id << ": " << verdict_name(overall(cr)) << " ("
                << std::fixed << std::setprecision(1) << cr.wall_s << " s)" << std::defaultfloat << std::endl;
    runs.push_back(std::move(cr));
  }
  return runs;
}

namespace {
std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string summary_line(const std::vector<claim_run>& runs) {
  int pass = 0, viol = 0, fail = 0, inc = 0, viol_rows = 0;
  for (const claim_run& r : runs) {
    const verdict v = overall(r);
    (v == verdict::fail ? fail : v == verdict::inconclusive ? inc : v == verdict::violation ? viol : pass)++;
    for (const row& w : r.r.rows) viol_rows += w.v == verdict::violation;
  }
  return std::to_string(runs.size()) + " claims: " + std::to_string(pass) + " pass, " + std::to_string(viol) +
         " pass but for expected violations, " + std::to_string(fail) + " fail, " + std::to_string(inc) +
         " inconclusive; " + std::to_string(viol_rows) + " rows are expected violations";
}
}  // namespace

std::string render_table(const std::vector<claim_run>& runs, bool quick) {
  std::ostringstream o;
  o << version_string() << ", loraflow check" << (quick ? " --quick" : "") << "\n";
  for (const claim_run& cr : runs) {
    o << "\n" << cr.c->id << "  [" << verdict_name(overall(cr)) << "]  " << cr.c->title << "\n  " << cr.c->paper
      << ", " << cr.c->location << "  (" << std::fixed << std::setprecision(1) << cr.wall_s << " s)"
      << std::defaultfloat << "\n";
    if (!cr.error.empty()) o << "  error: " << cr.error << "\n";
    std::size_t wq = 8, wp = 9, wm = 8, wg = 6;
    for (const row& r : cr.r.rows) {
      wq = std::max(wq, r.quantity.size());
      wp = std::max(wp, r.predicted.size());
      wm = std::max(wm, r.measured.size());
      wg = std::max(wg, r.margin.size());
    }
    o << "  " << pad("quantity", wq) << "  " << pad("predicted", wp) << "  " << pad("measured", wm) << "  "
      << pad("margin", wg) << "  verdict\n";
    for (const row& r : cr.r.rows) {
      o << "  " << pad(r.quantity, wq) << "  " << pad(r.predicted, wp) << "  " << pad(r.measured, wm) << "  "
        << pad(r.margin, wg) << "  " << verdict_name(r.v) << "  [" << source_kind_name(r.kind) << ": " << r.source
        << "]\n";
      if (!r.explanation.empty()) o << "    " << (r.v == verdict::violation ? "violation" : "expected violation")
                                    << ": " << r.explanation << "\n";
    }
    for (const std::string& n : cr.r.notes) o << "  note: " << n << "\n";
  }
  o << "\n" << summary_line(runs) << "\n";
  return o.str();
}

std::string render_json(const std::vector<claim_run>& runs, bool quick) {
  nlohmann::ordered_json j;
  j["version"] = version_string();
  j["quick"] = quick;
  j["summary"] = summary_line(runs);
  j["claims"] = nlohmann::ordered_json::array();
  for (const claim_run& cr : runs) {
    nlohmann::ordered_json c;
    c["id"] = cr.c->id;
    c["paper"] = cr.c->paper;
    c["location"] = cr.c->location;
    c["title"] = cr.c->title;
    c["verdict"] = verdict_name(overall(cr));
    c["wall_s"] = cr.wall_s;
    if (!cr.error.empty()) c["error"] = cr.error;
    c["rows"] = nlohmann::ordered_json::array();
    for (const row& r : cr.r.rows)
      c["rows"].push_back({{"quantity", r.quantity}, {"predicted", r.predicted}, {"measured", r.measured},
                           {"margin", r.margin}, {"verdict", verdict_name(r.v)}, {"rule", r.rule},
                           {"source_kind", source_kind_name(r.kind)}, {"source", r.source},
                           {"explanation", r.explanation}});
    c["notes"] = cr.r.notes;
    c["tables"] = nlohmann::ordered_json::array();
    for (const table& t : cr.r.data) c["tables"].push_back(cr.c->id + "." + t.name + ".csv");
    j["claims"].push_back(c);
  }
  return j.dump(2) + "\n";
}

namespace {
// A Markdown table cell: the pipes of norms (||x||) would end the cell, so they are escaped.
std::string cell(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
  return o;
}
}  // namespace

std::string render_markdown(const std::vector<claim_run>& runs, bool quick) {
  std::ostringstream o;
  o << "Generated by `loraflow check" << (quick ? " --quick" : "") << "` (" << version_string() << "). "
    << summary_line(runs) << ".\n";
  // The summary: one line per claim with its rows counted by verdict.
  o << "\n| claim | where | verdict | rows: pass / violation / FAIL / inconclusive / report | wall |\n"
       "|---|---|---|---|---|\n";
  for (const claim_run& cr : runs) {
    int n[5] = {0, 0, 0, 0, 0};
    for (const row& r : cr.r.rows) ++n[static_cast<int>(r.v)];
    o << "| `" << cr.c->id << "` | " << cell(cr.c->location) << " | " << verdict_name(overall(cr)) << " | "
      << n[static_cast<int>(verdict::pass)] << " / " << n[static_cast<int>(verdict::violation)] << " / "
      << n[static_cast<int>(verdict::fail)] << " / " << n[static_cast<int>(verdict::inconclusive)] << " / "
      << n[static_cast<int>(verdict::report)] << " | " << std::fixed << std::setprecision(1) << cr.wall_s << " s"
      << std::defaultfloat << " |\n";
  }
  // Every violation, with its explanation, in one place.
  bool any = false;
  for (const claim_run& cr : runs)
    for (const row& r : cr.r.rows) {
      if (r.v != verdict::violation) continue;
      if (!any) o << "\nPrinted statements the measurements contradict (expected violations, each asserted by its "
                     "test):\n\n| claim | statement | source | measured | why |\n|---|---|---|---|---|\n";
      any = true;
      o << "| `" << cr.c->id << "` | " << cell(r.quantity) << ": " << cell(r.predicted) << " | " << cell(r.source)
        << " | " << cell(r.measured) << " | " << cell(r.explanation) << " |\n";
    }
  for (const claim_run& cr : runs) {
    o << "\n### `" << cr.c->id << "`: " << cr.c->title << "\n\n"
      << cr.c->paper << ", " << cr.c->location << ". Verdict: **" << verdict_name(overall(cr)) << "** ("
      << std::fixed << std::setprecision(1) << cr.wall_s << " s)" << std::defaultfloat << ".\n\n";
    if (!cr.error.empty()) o << "Error: " << cr.error << "\n\n";
    o << "| quantity | predicted | source | measured | margin | verdict | rule |\n|---|---|---|---|---|---|---|\n";
    for (const row& r : cr.r.rows) {
      std::string v = verdict_name(r.v);
      if (r.v == verdict::violation) v = "**violation**: " + r.explanation;
      o << "| " << cell(r.quantity) << " | " << cell(r.predicted) << " | " << source_kind_name(r.kind) << ": "
        << cell(r.source) << " | " << cell(r.measured) << " | " << cell(r.margin) << " | " << cell(v) << " | "
        << cell(r.rule) << " |\n";
    }
    if (!cr.r.notes.empty()) o << "\n";
    for (const std::string& n : cr.r.notes) o << "- " << n << "\n";
  }
  return o.str();
}

namespace {
// RFC 4180: a field holding a comma, a quote or a newline is quoted, quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}
}  // namespace

void write_outputs(const std::string& dir, const std::vector<claim_run>& runs, bool quick) {
  staging_dir out(dir);
  write_file_atomic(out.path("check.json"), render_json(runs, quick));
  write_file_atomic(out.path("check.md"), render_markdown(runs, quick));
  for (const claim_run& cr : runs)
    for (const table& t : cr.r.data) {
      std::ostringstream csv;
      for (std::size_t i = 0; i < t.columns.size(); ++i) csv << (i ? "," : "") << csv_field(t.columns[i]);
      csv << "\n";
      for (const auto& r : t.rows) {
        for (std::size_t i = 0; i < r.size(); ++i) csv << (i ? "," : "") << csv_field(r[i]);
        csv << "\n";
      }
      write_file_atomic(out.path(cr.c->id + "." + t.name + ".csv"), csv.str());
    }
  out.commit();
}

}  // namespace loraflow::check
