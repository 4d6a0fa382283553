// Convergence-rate tables and figure data from a sweep directory (report/table.hpp).
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/io/input_error.hpp>
#include <loraflow/observe/fit.hpp>
#include <loraflow/report/table.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace loraflow {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr double nan_ = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double x, int digits = 6) {
  if (std::isnan(x)) return "nan";
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", digits, x);
  return b;
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw input_error(p.string() + ": cannot read");
  try {
    return json::parse(in);
  } catch (const std::exception&) {
    throw input_error(p.string() + ": not valid JSON");
  }
}

double num(const json& j) { return j.is_number() ? j.get<double>() : nan_; }

/// s[a][b], or null when either is missing: a summary of another problem kind (the network of run/network.hpp)
/// has no LoRA direction, T1 or misalignment, and its table columns are then empty.
const json& field(const json& s, const char* a, const char* b) {
  static const json null_json;
  if (!s.contains(a) || !s[a].is_object() || !s[a].contains(b)) return null_json;
  return s[a][b];
}

struct point_data {
  bool present = false, ok = false;
  std::string status;
  double T1 = nan_, misalign = nan_, imbalance = nan_, final_loss = nan_, rate = nan_;
  double ss = nan_, dw = nan_;
  std::string precision, rtol, method, frame, version;
  std::vector<double> t, log_loss, log_mis, log_esc;
};

double log10_or_nan(double x) { return x > 0 ? std::log10(x) : nan_; }

point_data read_point(const fs::path& pdir) {
  point_data d;
  if (!fs::exists(pdir / "summary.json")) return d;
  d.present = true;
  const json s = read_json(pdir / "summary.json");
  d.status = s["solver"]["status"].get<std::string>();
  d.ok = d.status == "ok";
  d.version = s["loraflow"].get<std::string>();
  d.precision = s["precision"]["type"].get<std::string>();
  const json& pr = s["precision"];
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  d.rtol = pr.contains("rtol") ? text(pr["rtol"]) : pr.contains("dt") ? "(gd eta " + text(pr["dt"]) + ")" : "-";
  d.method = s["precision"]["method"].get<std::string>();
  // The frame the point integrated in (summaries written before frame = "auto" have no key: natural then).
  d.frame = pr.contains("frame") ? pr["frame"].get<std::string>() : "natural";
  d.ss = num(field(s, "problem", "sigma")) * num(field(s, "problem", "sigma_W2"));
  d.dw = num(field(s, "problem", "delta_w"));
  d.T1 = num(field(s, "events", "T1"));
  if (field(s, "at", "T1").is_object()) {
    d.misalign = num(s["at"]["T1"]["misalign"]);
    d.imbalance = num(s["at"]["T1"]["imbalance_fro"]);
  }
  d.final_loss = num(field(s, "final", "loss"));
  // trajectory.csv: t, loss, F_norm, misalign, misalign2, imbalance_fro, imbalance_spec, escape, ...
  std::ifstream in(pdir / "trajectory.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> cols;
  {
    std::stringstream h(line);
    std::string c;
    while (std::getline(h, c, ',')) cols.push_back(c);
  }
  auto col = [&](const std::string& n, bool required = true) {
    for (std::size_t i = 0; i < cols.size(); ++i)
      if (cols[i] == n) return i;
    if (!required) return cols.size();  // the network's trajectory has no misalign, escape (NaN then)
    throw input_error((pdir / "trajectory.csv").string() + ": no column '" + n + "'");
  };
  const std::size_t it = col("t"), il = col("loss"), im = col("misalign", false), ie = col("escape", false);
  std::vector<double> loss;
  while (std::getline(in, line)) {
    std::vector<double> v;
    std::stringstream ls(line);
    std::string c;
    while (std::getline(ls, c, ',')) v.push_back(std::strtod(c.c_str(), nullptr));
    if (v.size() != cols.size()) continue;
    d.t.push_back(v[it]);
    loss.push_back(v[il]);
    d.log_loss.push_back(log10_or_nan(v[il]));
    d.log_mis.push_back(im < v.size() ? log10_or_nan(v[im]) : nan_);
    d.log_esc.push_back(ie < v.size() ? log10_or_nan(v[ie]) : nan_);
  }
  const window_fit w = fit_rate_window(d.t, loss, 1e-8, 1e-2, std::isnan(d.T1) ? 0.0 : d.T1);
  if (w.ok) d.rate = w.fit.slope;
  return d;
}

struct stat {
  double mean = nan_, sd = nan_;
  std::size_t n = 0;
};

stat stats(const std::vector<double>& v, bool log10_) {
  stat s;
  double sum = 0, sum2 = 0;
  for (double x : v) {
    const double y = log10_ ? log10_or_nan(x) : x;
    if (std::isnan(y)) continue;
    sum += y;
    sum2 += y * y;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  s.sd = s.n > 1 ? std::sqrt(std::max(0.0, (sum2 - s.n * s.mean * s.mean) / (s.n - 1))) : nan_;
  return s;
}

struct group {
  std::vector<std::string> labels;
  std::vector<const point_data*> pts;
  std::size_t failed = 0, missing = 0;
  stat T1, mis, imb, rate, loss, ss, dw;  // mis, imb, loss: log10
};

}  // namespace

table_result write_tables(const std::string& dir_s) {
  const fs::path dir(dir_s);
  if (!fs::exists(dir / "sweep.json"))
    throw input_error(dir_s + ": no sweep.json; expected a directory written by loraflow sweep");
  const json man = read_json(dir / "sweep.json");
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;
  for (const json& a : man["axes"]) {
    keys.push_back(a["key"].get<std::string>());
    values.push_back(a["values"].get<std::vector<std::string>>());
  }
  const long seeds = man["seeds"].get<long>();
  const std::size_t npts = man["points"].get<std::size_t>();
  const std::size_t reps = seeds > 0 ? static_cast<std::size_t>(seeds) : 1;

  table_result res;
  res.points = npts;
  std::vector<point_data> pd(npts);
  std::vector<group> groups(npts / reps);
  for (std::size_t i = 0; i < npts; ++i) {
    char name[24];  // %05zu of a size_t: up to 20 digits and the terminator
    std::snprintf(name, sizeof name, "%05zu", i);
    pd[i] = read_point(dir / "points" / name);
    group& g = groups[i / reps];
    if (g.labels.empty()) {  // mixed radix: the last axis varies fastest
      std::size_t k = i / reps;
      g.labels.assign(keys.size(), "");
      for (std::size_t a = keys.size(); a-- > 0;) {
        g.labels[a] = values[a][k % values[a].size()];
        k /= values[a].size();
      }
    }
    if (!pd[i].present) ++g.missing, ++res.missing, res.missing_points.push_back(name);
    else if (!pd[i].ok) ++g.failed, ++res.failed;
    else g.pts.push_back(&pd[i]);
  }
  auto collect = [](const group& g, double point_data::*f) {
    std::vector<double> v;
    for (const point_data* p : g.pts) v.push_back(p->*f);
    return v;
  };
  for (group& g : groups) {
    g.T1 = stats(collect(g, &point_data::T1), false);
    g.mis = stats(collect(g, &point_data::misalign), true);
    g.imb = stats(collect(g, &point_data::imbalance), true);
    g.rate = stats(collect(g, &point_data::rate), false);
    g.loss = stats(collect(g, &point_data::final_loss), true);
    g.ss = stats(collect(g, &point_data::ss), false);
    g.dw = stats(collect(g, &point_data::dw), false);
  }
  res.groups = groups.size();

  // Provenance (from the points themselves).
  std::set<std::string> versions, precisions, rtols, methods, frames;
  for (const point_data& p : pd)
    if (p.present)
      versions.insert(p.version), precisions.insert(p.precision), rtols.insert(p.rtol), methods.insert(p.method),
          frames.insert(p.frame);
  auto join = [](const std::set<std::string>& s) {
    std::string r;
    for (const std::string& x : s) r += (r.empty() ? "" : ", ") + x;
    return r.empty() ? std::string("none") : r;
  };
  const json& base = man["base"];
  // The network (problem.kind = "network") has no [lora] and varies problem.seed alone (sweep.cpp).
  const std::string k_suffix = seeds > 0 ? " + k" : "";
  const std::string seed_sets = "problem.seed = " + field(base, "problem", "seed").dump() + k_suffix +
                                (base.contains("lora") ? ", lora.seed = " + field(base, "lora", "seed").dump() + k_suffix : "");
  std::string seeds_text = seeds > 0 ? std::to_string(seeds) + " replicates: " + seed_sets + ", k = 0.." + std::to_string(seeds - 1)
                                     : seed_sets;
  json prov;
  prov["loraflow"] = join(versions);
  prov["precision"] = join(precisions);
  prov["rtol"] = join(rtols);
  prov["method"] = join(methods);
  prov["frame"] = join(frames);
  prov["seeds"] = seeds_text;
  prov["t_end"] = field(base, "solve", "t_end");  // null for GD runs of solve.steps iterations
  if (!field(base, "solve", "steps").is_null()) prov["steps"] = field(base, "solve", "steps");
  prov["observations"] = base["observe"];
  prov["local_rate_rule"] = "slope of ln L on observations after T1 with 1e-8 <= L <= 1e-2";

  // Columns of the group table.
  std::vector<std::string> cols = keys;
  for (const char* c : {"n", "failed", "missing", "T1_mean", "T1_std", "misalign_T1_gmean", "misalign_T1_log10_std",
                        "imbalance_fro_T1_gmean", "imbalance_fro_T1_log10_std", "local_rate_mean", "local_rate_std",
                        "final_loss_gmean", "final_loss_log10_std"})
    cols.push_back(c);
  auto p10 = [](double l) { return std::isnan(l) ? nan_ : std::pow(10.0, l); };
  std::vector<std::vector<std::string>> rows;
  for (const group& g : groups) {
    std::vector<std::string> r = g.labels;
    r.push_back(std::to_string(g.pts.size()));
    r.push_back(std::to_string(g.failed));
    r.push_back(std::to_string(g.missing));
    for (double x : {g.T1.mean, g.T1.sd, p10(g.mis.mean), g.mis.sd, p10(g.imb.mean), g.imb.sd, g.rate.mean, g.rate.sd,
                     p10(g.loss.mean), g.loss.sd})
      r.push_back(fmt(x));
    rows.push_back(r);
  }

  // Fits against alpha, for each combination of the other axes.
  json fits = json::array();
  std::size_t ia = keys.size();
  for (std::size_t a = 0; a < keys.size(); ++a)
    if (keys[a] == "lora.alpha") ia = a;
  if (ia < keys.size() && values[ia].size() >= 2) {
    std::map<std::vector<std::string>, std::vector<const group*>> by;
    for (const group& g : groups) {
      std::vector<std::string> k = g.labels;
      k.erase(k.begin() + static_cast<long>(ia));
      by[k].push_back(&g);
    }
    for (const auto& [other, gs] : by) {
      std::vector<double> la, lna, t1, mis, imb, loss, rate;
      double ss = 0, dw = 0;
      bool complete = true;
      for (const group* g : gs) {
        if (g->pts.empty() || std::isnan(g->T1.mean) || std::isnan(g->mis.mean) || std::isnan(g->imb.mean)) complete = false;
        const double alpha = std::strtod(g->labels[ia].c_str(), nullptr);
        la.push_back(std::log(alpha));
        lna.push_back(-std::log(alpha));
        t1.push_back(g->T1.mean);
        mis.push_back(g->mis.mean * std::log(10.0));
        imb.push_back(g->imb.mean * std::log(10.0));
        loss.push_back(g->loss.mean * std::log(10.0));
        rate.push_back(g->rate.mean);
        ss += g->ss.mean / gs.size();
        dw += g->dw.mean / gs.size();
      }
      std::string init = base["lora"]["init"].get<std::string>();
      for (std::size_t a = 0, k = 0; a < keys.size(); ++a)
        if (a != ia) {
          if (keys[a] == "lora.init") init = other[k];
          ++k;
        }
      const bool small = init == "small";
      json f;
      std::string where;
      for (std::size_t a = 0, k = 0; a < keys.size(); ++a)
        if (a != ia) where += (where.empty() ? "" : ", ") + keys[a] + " = " + other[k++];
      f["where"] = where.empty() ? "all" : where;
      f["delta_w"] = dw;
      f["sigma_sigma_W2"] = ss;
      if (!complete) {
        f["note"] = "some alpha has no successful point with T1: no fit";
        fits.push_back(f);
        continue;
      }
      const line_fit ft = fit_line(lna, t1), fm = fit_line(la, mis), fi = fit_line(la, imb), fl = fit_line(la, loss);
      double rmin = std::numeric_limits<double>::infinity();
      for (double x : rate) rmin = std::min(rmin, x);
      f["rows"] = json::array(
          {{{"quantity", "c1 = dT1/dln(1/alpha) sigma sigma_W2"}, {"measured", ft.slope * ss}, {"se", ft.slope_se * ss},
            {"predicted", "1 (catalogue 2.5; the paper's c1 is unspecified)"}},
           {{"quantity", "misalign(T1) exponent in alpha"}, {"measured", fm.slope}, {"se", fm.slope_se},
            {"predicted", small ? "2 (sharp law); bounds >= (1+dw)/(3+dw) = " + fmt((1 + dw) / (3 + dw), 4) +
                                      " (Claim 3.2), >= (3+dw)/(5-dw) = " + fmt((3 + dw) / (5 - dw), 4) + " (Thm C.1)"
                                : "no theorem for spectral init (Thm 4.1 decouples the directions; the padding "
                                  "directions leave an O(alpha^2)-small non-aligned part)"}},
           {{"quantity", "imbalance_fro(T1) exponent in 1/alpha"}, {"measured", -fi.slope}, {"se", fi.slope_se},
            {"predicted", std::string(small ? "" : "(stated for small init) ") + "between 2(1-dw) = " +
                              fmt(2 * (1 - dw), 4) + " and 2; bound >= 2(1-dw)/(5-dw) = " +
                              fmt(2 * (1 - dw) / (5 - dw), 4) + " (Thm C.1)"}},
           {{"quantity", "final loss exponent in alpha"}, {"measured", fl.slope}, {"se", fl.slope_se},
            {"predicted", small ? "> 0, ~4 at dw ~ 0.9, not universal (Thm 3.1: L <= 2 alpha^c3)"
                                : "0: no alpha floor, the loss reaches the integration floor (Thm 4.1)"}},
           {{"quantity", "local rate after T1 (min over alpha)"}, {"measured", rmin}, {"se", nullptr},
            {"predicted", ">= (1-dw) sigma sigma_W2 / 32 = " + fmt((1 - dw) * ss / 32, 4) + " (Thm 3.2)"}}});
      fits.push_back(f);
    }
  }

  // Writers.
  std::ostringstream csv, md, tex;
  for (std::size_t i = 0; i < cols.size(); ++i) csv << (i ? "," : "") << cols[i];
  csv << "\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) csv << (i ? "," : "") << r[i];
    csv << "\n";
  }
  md << "# Convergence-rate table\n\n";
  md << "Sweep of `" << man["base_file"].get<std::string>() << "`";
  md << " (" << npts << " points; " << res.missing << " missing, " << res.failed << " numerical failures).\n\n";
  md << "Provenance: " << prov["loraflow"].get<std::string>() << "; precision " << prov["precision"].get<std::string>()
     << ", rtol " << prov["rtol"].get<std::string>() << ", method " << prov["method"].get<std::string>() << ", frame "
     << prov["frame"].get<std::string>() << "; seeds: "
     << seeds_text << ". Means and standard deviations are over seeds; misalign, imbalance and the final loss are "
     << "geometric means with the standard deviation of log10. Local rate: " << prov["local_rate_rule"].get<std::string>()
     << ".\n\n|";
  for (const std::string& c : cols) md << " " << c << " |";
  md << "\n|";
  for (std::size_t i = 0; i < cols.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& r : rows) {
    md << "|";
    for (const std::string& x : r) md << " " << x << " |";
    md << "\n";
  }
  if (!fits.empty()) {
    md << "\n## Fitted exponents against alpha\n\n| where | quantity | measured | s.e. | predicted |\n|---|---|---|---|---|\n";
    for (const json& f : fits) {
      if (!f.contains("rows")) {
        md << "| " << f["where"].get<std::string>() << " | - | - | - | " << f["note"].get<std::string>() << " |\n";
        continue;
      }
      for (const json& r : f["rows"])
        md << "| " << f["where"].get<std::string>() << " (dw = " << fmt(f["delta_w"].get<double>(), 5) << ") | "
           << r["quantity"].get<std::string>() << " | " << fmt(r["measured"].get<double>()) << " | "
           << (r["se"].is_null() ? std::string("-") : fmt(r["se"].get<double>(), 2)) << " | "
           << r["predicted"].get<std::string>() << " |\n";
    }
  }
  auto tex_escape = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '_' || c == '%' || c == '&' || c == '#') o += '\\';
      o += c;
    }
    return o;
  };
  tex << "% Convergence-rate table written by loraflow table (" << tex_escape(prov["loraflow"].get<std::string>())
      << "); precision " << prov["precision"].get<std::string>() << ", rtol " << prov["rtol"].get<std::string>()
      << ", method " << prov["method"].get<std::string>() << ", frame " << prov["frame"].get<std::string>()
      << "; seeds: " << seeds_text << "\n";
  tex << "\\begin{tabular}{" << std::string(cols.size(), 'l') << "}\n\\hline\n";
  for (std::size_t i = 0; i < cols.size(); ++i) tex << (i ? " & " : "") << tex_escape(cols[i]);
  tex << " \\\\\n\\hline\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) tex << (i ? " & " : "") << tex_escape(r[i]);
    tex << " \\\\\n";
  }
  tex << "\\hline\n\\end{tabular}\n";
  if (!fits.empty()) {
    tex << "\n\\begin{tabular}{llll}\n\\hline\nwhere & quantity & measured & predicted \\\\\n\\hline\n";
    for (const json& f : fits)
      if (f.contains("rows"))
        for (const json& r : f["rows"])
          tex << tex_escape(f["where"].get<std::string>()) << " & " << tex_escape(r["quantity"].get<std::string>()) << " & "
              << fmt(r["measured"].get<double>()) << (r["se"].is_null() ? std::string() : " $\\pm$ " + fmt(r["se"].get<double>(), 2))
              << " & " << tex_escape(r["predicted"].get<std::string>()) << " \\\\\n";
    tex << "\\hline\n\\end{tabular}\n";
  }
  json tj;
  tj["provenance"] = prov;
  tj["axes"] = keys;
  tj["columns"] = cols;
  tj["groups"] = json::array();
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    json g;
    g["group"] = gi;
    for (std::size_t a = 0; a < keys.size(); ++a) g["axes"][keys[a]] = groups[gi].labels[a];
    g["row"] = rows[gi];
    tj["groups"].push_back(g);
  }
  tj["fits"] = fits;

  // curves.csv: per group and observation time, mean and std over seeds of log10 loss, misalign, escape.
  std::ostringstream cv;
  cv << "group";
  for (const std::string& k : keys) cv << "," << k;
  cv << ",t,log10_loss_mean,log10_loss_std,log10_misalign_mean,log10_misalign_std,log10_escape_mean,log10_escape_std,n\n";
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const group& g = groups[gi];
    if (g.pts.empty()) continue;
    const std::size_t nt = g.pts[0]->t.size();
    bool same = true;
    for (const point_data* p : g.pts) same = same && p->t.size() == nt;
    if (!same) continue;
    for (std::size_t k = 0; k < nt; ++k) {
      std::vector<double> l, m, e;
      for (const point_data* p : g.pts) l.push_back(p->log_loss[k]), m.push_back(p->log_mis[k]), e.push_back(p->log_esc[k]);
      const stat sl = stats(l, false), sm = stats(m, false), se = stats(e, false);
      cv << gi;
      for (const std::string& x : g.labels) cv << "," << x;
      cv << "," << fmt(g.pts[0]->t[k], 10) << "," << fmt(sl.mean) << "," << fmt(sl.sd) << "," << fmt(sm.mean) << ","
         << fmt(sm.sd) << "," << fmt(se.mean) << "," << fmt(se.sd) << "," << g.pts.size() << "\n";
    }
  }
  write_file_atomic((dir / "table.csv").string(), csv.str());
  write_file_atomic((dir / "table.md").string(), md.str());
  write_file_atomic((dir / "table.tex").string(), tex.str());
  write_file_atomic((dir / "table.json").string(), tj.dump(2) + "\n");
  write_file_atomic((dir / "curves.csv").string(), cv.str());
  res.markdown = md.str();
  return res;
}

}  // namespace loraflow
