// Parsing and validation of run configurations (see run/config.hpp and docs/config.md).
#include <loraflow/decimal.hpp>
#include <loraflow/integrate/method.hpp>
#include <loraflow/integrate/step_rule.hpp>
#include <loraflow/model/objective.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/scalar.hpp>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace loraflow {

namespace {

namespace fs = std::filesystem;

struct reader {
  const std::string& source;
  std::string base_dir;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw input_error(source + ": key '" + key + "': " + what);
  }

  static std::string describe(const toml::node& n) {
    std::ostringstream os;
    if (n.is_string()) os << "'" << *n.value<std::string>() << "'";
    else if (n.is_table()) os << "a table";
    else if (n.is_array()) os << "an array";
    else if (auto i = n.value_exact<int64_t>()) os << *i;
    else if (auto d = n.value_exact<double>()) os << *d;
    else if (auto b = n.value_exact<bool>()) os << (*b ? "true" : "false");
    else os << "a " << n.type() << " value";
    return os.str();
  }

  // A number kept as an exact decimal string (strings verbatim, floats in shortest round-trip form).
  std::string decimal(const toml::node& n, const std::string& key) const {
    std::string text;
    if (auto s = n.value_exact<std::string>()) text = *s;
    else if (auto i = n.value_exact<int64_t>()) text = std::to_string(*i);
    else if (auto d = n.value_exact<double>()) {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, *d);
      text.assign(buf, r.ptr);
    } else fail(key, "expected a decimal number (e.g. 5, 1e-5 or \"1e-5\"), got " + describe(n));
    if (!detail::is_decimal_literal(text))
      fail(key, "expected a finite decimal number (e.g. 1e-5), got '" + text + "'");
    return text;
  }
  std::string positive_decimal(const toml::node& n, const std::string& key) const {
    const std::string t = decimal(n, key);
    if (!detail::is_positive_decimal(t)) fail(key, "expected a number > 0, got '" + t + "'");
    return t;
  }
  std::string nonnegative_decimal(const toml::node& n, const std::string& key) const {
    const std::string t = decimal(n, key);
    if (!t.empty() && t[0] == '-' && detail::is_positive_decimal(t.substr(1))) fail(key, "expected a number >= 0, got '" + t + "'");
    return t;
  }
  long integer(const toml::node& n, const std::string& key, long lo, long hi) const {
    auto i = n.value_exact<int64_t>();
    if (!i) fail(key, "expected an integer, got " + describe(n));
    if (*i < lo || *i > hi)
      fail(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(*i));
    return static_cast<long>(*i);
  }
  std::uint64_t seed(const toml::node& n, const std::string& key) const {
    return static_cast<std::uint64_t>(integer(n, key, 0, std::numeric_limits<long>::max()));
  }
  std::string string(const toml::node& n, const std::string& key) const {
    auto s = n.value_exact<std::string>();
    if (!s) fail(key, "expected a string, got " + describe(n));
    return *s;
  }
  std::string choice(const toml::node& n, const std::string& key, const std::vector<std::string>& allowed) const {
    const std::string s = string(n, key);
    for (const auto& a : allowed)
      if (s == a) return s;
    std::string list;
    for (std::size_t i = 0; i < allowed.size(); ++i) list += (i ? (i + 1 == allowed.size() ? " or " : ", ") : "") + allowed[i];
    fail(key, "expected " + list + ", got '" + s + "'");
  }
  std::string path(const toml::node& n, const std::string& key) const {
    if (std::find(file_keys().begin(), file_keys().end(), key) == file_keys().end())
      throw std::logic_error("config: '" + key + "' is read as a path but is not in file_keys() (run/config.cpp)");
    const std::string s = string(n, key);
    if (s.empty()) fail(key, "expected a file path, got an empty string");
    if (is_memory_path(s)) {  // an in-memory matrix (run_config::arrays), read when the run starts
      if (s.size() == std::string(memory_path_prefix).size()) fail(key, "expected array:NAME, got '" + s + "'");
      return s;
    }
    fs::path p(s);
    if (p.is_relative()) p = fs::path(base_dir) / p;
    return p.lexically_normal().string();
  }
};

}  // namespace

const std::vector<std::string>& file_keys() {
  static const std::vector<std::string> k{"problem.W1",  "problem.W2", "problem.dY", "problem.W0", "problem.S",
                                          "problem.X",   "problem.Y",  "lora.A1",    "lora.B1",    "lora.A2",
                                          "lora.B2",     "lora.state", "objective.weights", "objective.operator",
                                          "objective.features", "objective.labels"};
  return k;
}

namespace {

const std::map<std::string, std::set<std::string>>& known_keys() {
  static const std::map<std::string, std::set<std::string>> k{
      {"problem", {"kind", "m", "n", "h", "sigma", "scale", "pair", "seed", "W1", "W2", "dY", "W0", "S", "recipe", "noise", "X", "Y"}},
      {"lora", {"rank", "adapters", "init", "alpha", "seed", "scale", "weight_decay", "A1", "B1", "A2", "B2", "state"}},
      {"solve", {"method", "precision", "rtol", "atol", "t_end", "dt", "max_steps", "digits", "taylor_order", "frame",
                 "step_rule", "step_c", "smoothness", "steps", "c1", "c2", "eta0"}},
      {"objective", {"kind", "seed", "weights", "ratio", "operator", "measurements", "noise", "features", "labels",
                     "samples", "separable"}},
      {"observe", {"times", "steps", "stationary", "general_metrics"}},
  };
  return k;
}

std::string join(const std::set<std::string>& s) {
  std::string r;
  for (const auto& x : s) r += (r.empty() ? "" : ", ") + x;
  return r;
}

// "section.key=value": value parsed as TOML, else taken as a bare string.
void apply_override(toml::table& root, const std::string& ov, const std::string& source) {
  const auto eq = ov.find('=');
  const auto dot = ov.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq)
    throw input_error(source + ": --set '" + ov + "': expected section.key=value (e.g. lora.alpha=1e-6)");
  const std::string section = ov.substr(0, dot), key = ov.substr(dot + 1, eq - dot - 1), value = ov.substr(eq + 1);
  if (!known_keys().count(section))
    throw input_error(source + ": --set '" + ov + "': unknown section '" + section + "' (known: problem, lora, objective, solve, observe)");
  toml::table* t = root[section].as_table();
  if (!t) {
    root.insert_or_assign(section, toml::table{});
    t = root[section].as_table();
  }
  try {
    toml::table parsed = toml::parse("v = " + value);
    t->insert_or_assign(key, *parsed["v"].node());
  } catch (const toml::parse_error&) {
    t->insert_or_assign(key, value);
  }
}

// Keys that only some kinds of a section read (problem.kind, objective.kind): any key set that `kind` does not read
// is an error naming the kinds that do. With selector = "recipe" (problem.kind = "network"), the same for the
// recipes, over the keys some recipe reads.
void check_kind_keys(const reader& rd, const toml::table& root, const std::string& section, const std::string& kind,
                     const std::map<std::string, std::set<std::string>>& keys_of, const std::string& selector = "kind") {
  for (const auto& key : known_keys().at(section)) {
    if (key == "kind" || key == selector || !root[section][key].node() || keys_of.at(kind).count(key)) continue;
    std::string owners;
    for (const auto& [k, ks] : keys_of)
      if (ks.count(key)) owners += std::string(owners.empty() ? "" : " or ") + "\"" + k + "\"";
    if (owners.empty() && selector != "kind") continue;  // not a recipe key: the kinds' check judged it
    rd.fail(section + "." + key, "only used with " + selector + " = " + owners + " (" + selector + " is \"" + kind + "\")");
  }
}

/// The recipes of problem.kind = "network" (run/network.hpp, build_network) and the keys each reads: the one list
/// behind the choice, the key checks and config_json.
const std::map<std::string, std::set<std::string>>& network_recipes() {
  static const std::map<std::string, std::set<std::string>> r{{"xu2023-fig1", {"n", "h", "scale", "seed"}},
                                                              {"xu2023-fig2", {"n", "h", "noise", "seed"}},
                                                              {"xu2025tmlr", {"n", "h", "noise", "seed"}},
                                                              {"files", {"X", "Y", "W1", "W2"}}};
  return r;
}

long pair_index(const toml::node& n, const std::string& key, const reader& rd) {
  if (auto s = n.value_exact<std::string>()) {
    if (*s == "top") return 0;
    if (*s == "bottom") return -1;
    rd.fail(key, "expected \"top\", \"bottom\" or a 1-based pair number, got '" + *s + "'");
  }
  return rd.integer(n, key, 1, 1000000) - 1;
}

}  // namespace

std::string singular_frame_unavailable(const run_config& c) {
  if (c.problem.kind == "network")
    return "problem.kind = \"network\": the singular frame is the LoRA model's (the network integrates W1, W2 as they are)";
  if (c.problem.kind != "xu2025")
    return "problem.kind = \"" + c.problem.kind + "\": the frame is known exactly only for the xu2025 generator's "
           "problems (problem.kind = \"xu2025\"); a problem from files is aligned only to its rounding";
  if (c.objective.kind != "frobenius")
    return "objective.kind = \"" + c.objective.kind + "\": the frame's field is the frobenius (squared) loss only";
  if (c.solve.step_rule != "constant")
    return "solve.step_rule = \"" + c.solve.step_rule + "\": the step rules read the model in its natural coordinates";
  if (c.solve.method != "auto" && !find_method(c.solve.method)->singular_frame) {
    std::vector<std::string> ok;
    for (const method_info& m : method_table)
      if (m.singular_frame) ok.push_back(m.name);
    std::string list;
    for (std::size_t i = 0; i < ok.size(); ++i) list += (i == 0 ? "" : i + 1 == ok.size() ? " or " : ", ") + ok[i];
    return "method = \"" + c.solve.method + "\": the frame has no such method (it has " + list + ")";
  }
  return {};
}

run_config parse_config(const std::string& text, const std::string& source, const std::string& base_dir,
                        const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ":" << e.source().begin.line << ": " << e.description();
    throw input_error(os.str());
  }
  for (const auto& ov : overrides) apply_override(root, ov, source);
  reader rd{source, base_dir};
  for (auto&& [k, v] : root) {
    const std::string name(k.str());
    if (!known_keys().count(name))
      throw input_error(source + ": unknown section '" + name + "' (known: problem, lora, objective, solve, observe)");
    if (!v.is_table()) throw input_error(source + ": '" + name + "' must be a table ([" + name + "])");
    for (auto&& [kk, vv] : *v.as_table()) {
      (void)vv;
      const std::string key(kk.str());
      if (!known_keys().at(name).count(key))
        throw input_error(source + ": unknown key '" + name + "." + key + "' (known in [" + name + "]: " +
                          join(known_keys().at(name)) + ")");
    }
  }
  run_config c;
  c.source = source;
  auto get = [&](const std::string& section, const std::string& key) -> const toml::node* {
    return root[section][key].node();
  };

  // [problem]
  if (auto n = get("problem", "kind")) c.problem.kind = rd.choice(*n, "problem.kind", {"xu2025", "files", "one_matrix", "network"});
  auto& P = c.problem;
  // Which keys each kind reads; any other key set is an error naming the kinds it belongs to.
  check_kind_keys(rd, root, "problem", P.kind,
                  {{"xu2025", {"m", "n", "h", "sigma", "scale", "pair", "seed"}},
                   {"files", {"W1", "W2", "dY"}},
                   {"one_matrix", {"m", "n", "sigma", "seed", "W0", "S"}},
                   {"network", [] {
                      std::set<std::string> keys{"recipe"};  // the union of the recipes' keys
                      for (const auto& [recipe, ks] : network_recipes()) keys.insert(ks.begin(), ks.end());
                      return keys;
                    }()}});
  if (P.kind == "one_matrix") {
    const bool files = get("problem", "W0") || get("problem", "S");
    if (files) {
      for (const char* k : {"m", "n", "sigma", "seed"})
        if (get("problem", k))
          rd.fail(std::string("problem.") + k, "conflicts with problem.W0 / problem.S (give files or the generator's m, n, sigma, seed, not both)");
      for (auto [k, dst] : {std::pair<const char*, std::string*>{"W0", &P.W0}, {"S", &P.S}}) {
        auto n = get("problem", k);
        if (!n) rd.fail(std::string("problem.") + k, "missing; kind = \"one_matrix\" from files needs W0 and S");
        *dst = rd.path(*n, std::string("problem.") + k);
      }
    } else {
      if (auto n = get("problem", "m")) P.m = rd.integer(*n, "problem.m", 1, 100000);
      if (auto n = get("problem", "n")) P.n = rd.integer(*n, "problem.n", 1, 100000);
      if (auto n = get("problem", "seed")) P.seed = rd.seed(*n, "problem.seed");
      if (auto n = get("problem", "sigma")) {
        P.sigma.clear();
        if (auto a = n->as_array())
          for (std::size_t i = 0; i < a->size(); ++i) P.sigma.push_back(rd.positive_decimal(*a->get(i), "problem.sigma"));
        else P.sigma.push_back(rd.positive_decimal(*n, "problem.sigma"));
      }
      if (P.sigma.empty() || static_cast<long>(P.sigma.size()) > std::min(P.m, P.n))
        rd.fail("problem.sigma", "expected 1.." + std::to_string(std::min(P.m, P.n)) + " singular values of S (min(m, n)), got " +
                                     std::to_string(P.sigma.size()));
    }
    P.h = P.m;  // W2 = I_m
  } else if (P.kind == "network") {
    // The two-layer linear network (model/xu2023.hpp): a paper's recipe or files; [lora] does not apply.
    std::vector<std::string> recipes;
    for (const auto& [recipe, keys] : network_recipes()) recipes.push_back(recipe);
    auto rn = get("problem", "recipe");
    if (!rn) {
      std::string list;
      for (std::size_t i = 0; i < recipes.size(); ++i) list += (i ? (i + 1 == recipes.size() ? " or " : ", ") : "") + recipes[i];
      rd.fail("problem.recipe", "missing; kind = \"network\" needs a recipe: " + list);
    }
    P.recipe = rd.choice(*rn, "problem.recipe", recipes);
    check_kind_keys(rd, root, "problem", P.recipe, network_recipes(), "recipe");
    if (P.recipe == "files") {
      for (auto [k, dst] : {std::pair<const char*, std::string*>{"X", &P.X}, {"Y", &P.Y}, {"W1", &P.W1}, {"W2", &P.W2}}) {
        auto n = get("problem", k);
        if (!n) rd.fail(std::string("problem.") + k, "missing; recipe = \"files\" needs X, Y and the initial W1, W2");
        *dst = rd.path(*n, std::string("problem.") + k);
      }
    } else {
      // The papers' sizes unless set (model/xu2023.hpp): Xu et al. 2023's Figs. 1 and 2, TMLR 2025's Section 4.
      P.n = P.recipe == "xu2025tmlr" ? xu2025tmlr_paper_n : xu2023_paper_n;
      P.h = xu2023_paper_h;
      if (auto n = get("problem", "n")) P.n = rd.integer(*n, "problem.n", 1, 100000);
      if (auto n = get("problem", "h")) P.h = rd.integer(*n, "problem.h", 1, 1000000);
      P.m = P.recipe == "xu2023-fig2" ? 1 : P.n;
      if (auto n = get("problem", "seed")) P.seed = rd.seed(*n, "problem.seed");
      if (P.recipe == "xu2023-fig1") {
        P.scale = "2";  // the middle panel of Fig. 1 (the paper's scales: 0.1, 2, 10)
        if (auto n = get("problem", "scale")) P.scale = rd.positive_decimal(*n, "problem.scale");
      } else {
        P.noise = P.recipe == "xu2023-fig2" ? xu2023_fig2_noise : xu2025tmlr_noise;
        if (auto n = get("problem", "noise")) P.noise = rd.nonnegative_decimal(*n, "problem.noise");
      }
    }
  } else if (P.kind == "xu2025") {
    if (auto n = get("problem", "m")) P.m = rd.integer(*n, "problem.m", 1, 100000);
    if (auto n = get("problem", "n")) P.n = rd.integer(*n, "problem.n", 1, 100000);
    if (auto n = get("problem", "h")) P.h = rd.integer(*n, "problem.h", 1, 100000);
    if (P.h < std::min(P.m, P.n))
      rd.fail("problem.h", "expected h >= min(m, n) = " + std::to_string(std::min(P.m, P.n)) + " (W2 W1 must equal Y_pre), got " + std::to_string(P.h));
    if (auto n = get("problem", "scale")) P.scale = rd.positive_decimal(*n, "problem.scale");
    if (auto n = get("problem", "seed")) P.seed = rd.seed(*n, "problem.seed");
    if (auto n = get("problem", "pair")) {
      P.pair.clear();
      if (auto a = n->as_array())
        for (std::size_t i = 0; i < a->size(); ++i) P.pair.push_back(pair_index(*a->get(i), "problem.pair", rd));
      else P.pair.push_back(pair_index(*n, "problem.pair", rd));
      if (P.pair.empty()) rd.fail("problem.pair", "expected at least one singular pair");
    }
    const long k = std::min(P.m, P.n);
    for (long& p : P.pair) {
      if (p == -1) p = k - 1;
      if (p >= k) rd.fail("problem.pair", "pair " + std::to_string(p + 1) + " exceeds min(m, n) = " + std::to_string(k));
    }
    if (auto n = get("problem", "sigma")) {
      P.sigma.clear();
      if (auto a = n->as_array())
        for (std::size_t i = 0; i < a->size(); ++i) P.sigma.push_back(rd.positive_decimal(*a->get(i), "problem.sigma"));
      else P.sigma.push_back(rd.positive_decimal(*n, "problem.sigma"));
    }
    if (P.sigma.size() != P.pair.size())
      rd.fail("problem.sigma", "expected one sigma per pair (" + std::to_string(P.pair.size()) + "), got " + std::to_string(P.sigma.size()));
  } else {
    for (auto [k, dst] : {std::pair<const char*, std::string*>{"W1", &P.W1}, {"W2", &P.W2}, {"dY", &P.dY}}) {
      auto n = get("problem", k);
      if (!n) rd.fail(std::string("problem.") + k, "missing; kind = \"files\" needs W1, W2 and dY");
      *dst = rd.path(*n, std::string("problem.") + k);
    }
  }

  // [lora]
  auto& L = c.lora;
  const bool network = P.kind == "network";
  if (network)
    for (const auto& key : known_keys().at("lora"))
      if (get("lora", key))
        rd.fail("lora." + key, "not used with problem.kind = \"network\", which trains the full W1 and W2 (remove [lora])");
  if (auto n = get("lora", "rank")) L.rank = rd.integer(*n, "lora.rank", 1, 100000);
  if (auto n = get("lora", "adapters")) {
    auto a = n->as_array();
    if (!a || a->empty()) rd.fail("lora.adapters", "expected a non-empty array of \"W1\" and/or \"W2\"");
    L.adapt_W1 = L.adapt_W2 = false;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string s = rd.choice(*a->get(i), "lora.adapters", {"W1", "W2"});
      (s == "W1" ? L.adapt_W1 : L.adapt_W2) = true;
    }
  }
  if (P.kind == "one_matrix") {
    if (get("lora", "adapters") && (!L.adapt_W1 || L.adapt_W2))
      rd.fail("lora.adapters", "kind = \"one_matrix\" adapts its one matrix W0 (as the W1 adapter); leave adapters out or set [\"W1\"]");
    L.adapt_W1 = true;
    L.adapt_W2 = false;
  }
  if (auto n = get("lora", "init")) L.init = rd.choice(*n, "lora.init", {"small", "spectral", "files"});
  if (auto n = get("lora", "alpha")) L.alpha = rd.positive_decimal(*n, "lora.alpha");
  else if (L.init != "files" && !network) rd.fail("lora.alpha", "missing; the initialization scale is required (e.g. alpha = \"1e-5\")");
  if (auto n = get("lora", "seed")) L.seed = rd.seed(*n, "lora.seed");
  if (auto n = get("lora", "scale")) L.scale = rd.positive_decimal(*n, "lora.scale");
  if (auto n = get("lora", "weight_decay")) L.weight_decay = rd.nonnegative_decimal(*n, "lora.weight_decay");
  for (auto [k, dst] : {std::pair<const char*, std::string*>{"A1", &L.A1}, {"B1", &L.B1}, {"A2", &L.A2}, {"B2", &L.B2}}) {
    auto n = get("lora", k);
    if (n && L.init != "files") rd.fail(std::string("lora.") + k, "only used with init = \"files\"");
    if (n) *dst = rd.path(*n, std::string("lora.") + k);
  }
  if (auto n = get("lora", "state")) {
    if (L.init != "files") rd.fail("lora.state", "only used with init = \"files\"");
    for (const std::string* k : {&L.A1, &L.B1, &L.A2, &L.B2})
      if (!k->empty()) rd.fail("lora.state", "conflicts with lora.A1 / B1 / A2 / B2 (give a state folder or the files, not both)");
    L.state = rd.path(*n, "lora.state");
    if (is_memory_path(L.state)) rd.fail("lora.state", "expected a state folder of loraflow run --save-state, got '" + L.state + "' (give the arrays as lora.A1 .. B2)");
    // The text files of `loraflow run --save-state` (every digit of the precision they were written in).
    if (L.adapt_W1) L.A1 = (fs::path(L.state) / "A1.txt").string(), L.B1 = (fs::path(L.state) / "B1.txt").string();
    if (L.adapt_W2) L.A2 = (fs::path(L.state) / "A2.txt").string(), L.B2 = (fs::path(L.state) / "B2.txt").string();
  }
  if (L.init == "files") {
    if (L.adapt_W1 && (L.A1.empty() || L.B1.empty())) rd.fail(L.A1.empty() ? "lora.A1" : "lora.B1", "missing; init = \"files\" with the W1 adapter needs A1 and B1");
    if (L.adapt_W2 && (L.A2.empty() || L.B2.empty())) rd.fail(L.A2.empty() ? "lora.A2" : "lora.B2", "missing; init = \"files\" with the W2 adapter needs A2 and B2");
  }
  if (P.kind == "xu2025" || (P.kind == "one_matrix" && P.W0.empty())) {
    const long lim = L.init == "spectral" ? std::min(P.m, P.n) : std::min({P.m, P.n, P.h});
    if (L.rank > lim)
      rd.fail("lora.rank", "expected rank <= " + std::string(L.init == "spectral" ? "min(m, n)" : "min(m, n, h)") + " = " + std::to_string(lim) + ", got " + std::to_string(L.rank));
  }

  // [objective]
  auto& O = c.objective;
  if (auto n = get("objective", "kind")) {
    std::vector<std::string> names;
    for (const objective_info& i : objective_table) names.push_back(i.name);
    O.kind = rd.choice(*n, "objective.kind", names);
    if (network && O.kind != "frobenius")
      rd.fail("objective.kind", "problem.kind = \"network\" has the squared loss 1/2 ||Y - X W1 W2||_F^2 only (kind = \"frobenius\"), got '" + O.kind + "'");
  }
  check_kind_keys(rd, root, "objective", O.kind,
                  {{"frobenius", {}},
                   {"weighted", {"weights", "ratio", "seed"}},
                   {"sensing", {"operator", "measurements", "noise", "seed"}},
                   {"logistic", {"features", "labels", "samples", "separable", "seed"}}});
  if (auto n = get("objective", "seed")) O.seed = rd.seed(*n, "objective.seed");
  // A kind's data: exactly one of its file keys and its generator key.
  auto one_of = [&](const char* file_key, const char* gen_key, const char* example) {
    const bool f = get("objective", file_key) != nullptr, g = get("objective", gen_key) != nullptr;
    if (f == g)
      rd.fail(std::string("objective.") + (f ? gen_key : file_key),
              std::string(f ? "conflicts with objective." : "missing; kind = \"") + (f ? file_key : O.kind.c_str()) +
                  (f ? " (give a file or a generator, not both)"
                     : std::string("\" needs a file (") + file_key + ") or a generator (" + gen_key + "), e.g. " + example));
    return f;
  };
  if (O.kind == "weighted") {
    if (one_of("weights", "ratio", "ratio = 10"))
      O.weights = rd.path(*get("objective", "weights"), "objective.weights");
    else {
      O.ratio = rd.positive_decimal(*get("objective", "ratio"), "objective.ratio");
      if (parse<float100>(O.ratio) < 1) rd.fail("objective.ratio", "expected w_max / w_min >= 1, got '" + O.ratio + "'");
    }
  } else if (O.kind == "sensing") {
    if (one_of("operator", "measurements", "measurements = 40"))
      O.operator_file = rd.path(*get("objective", "operator"), "objective.operator");
    else
      O.measurements = rd.integer(*get("objective", "measurements"), "objective.measurements", 1, 100000000);
    if (auto n = get("objective", "noise")) {
      if (!O.operator_file.empty()) rd.fail("objective.noise", "only used with the generator (measurements); a file operator has no noise");
      O.noise = rd.nonnegative_decimal(*n, "objective.noise");
    }
  } else if (O.kind == "logistic") {
    const bool files = get("objective", "features") || get("objective", "labels");
    if (files && get("objective", "samples"))
      rd.fail("objective.samples", "conflicts with objective.features / objective.labels (give files or a generator, not both)");
    if (files) {
      for (auto [k, dst] : {std::pair<const char*, std::string*>{"features", &O.features}, {"labels", &O.labels}}) {
        auto n = get("objective", k);
        if (!n) rd.fail(std::string("objective.") + k, "missing; logistic data from files need features and labels");
        *dst = rd.path(*n, std::string("objective.") + k);
      }
      if (get("objective", "separable")) rd.fail("objective.separable", "only used with the generator (samples)");
    } else {
      auto n = get("objective", "samples");
      if (!n) rd.fail("objective.samples", "missing; kind = \"logistic\" needs files (features, labels) or a generator (samples), e.g. samples = 200");
      O.samples = rd.integer(*n, "objective.samples", 1, 100000000);
      if (auto s2 = get("objective", "separable")) {
        auto b = s2->value_exact<bool>();
        if (!b) rd.fail("objective.separable", "expected true or false, got " + reader::describe(*s2));
        O.separable = *b;
      }
    }
  }

  // [solve]
  auto& S = c.solve;
  if (auto n = get("solve", "method")) {
    std::vector<std::string> names{"auto"};
    for (const method_info& m : method_table) names.push_back(m.name);
    S.method = rd.choice(*n, "solve.method", names);
  }
  if (auto n = get("solve", "precision")) {
    std::string p;
    if (auto i = n->value_exact<int64_t>()) p = std::to_string(*i);
    else p = rd.string(*n, "solve.precision");
    if (p != "auto" && !parse_scalar_spec(p))
      rd.fail("solve.precision", "expected " + scalar_spec_grammar() + ", or auto, got '" + p + "'");
    if (p == "auto" && network)
      rd.fail("solve.precision", "\"auto\" plans digits from the LoRA scale lora.alpha, which problem.kind = \"network\" has not; "
                                 "give a type, e.g. precision = \"double\" or \"50\"");
    S.precision = p;
  }
  if (auto n = get("solve", "rtol")) S.rtol = rd.positive_decimal(*n, "solve.rtol");
  if (auto n = get("solve", "atol")) S.atol = rd.nonnegative_decimal(*n, "solve.atol");
  if (auto n = get("solve", "t_end")) S.t_end = rd.positive_decimal(*n, "solve.t_end");
  if (auto n = get("solve", "dt")) S.dt = rd.positive_decimal(*n, "solve.dt");
  if (auto n = get("solve", "max_steps")) S.max_steps = rd.integer(*n, "solve.max_steps", 1, std::numeric_limits<long>::max());
  if (auto n = get("solve", "digits")) S.digits = rd.integer(*n, "solve.digits", 1, 1000);
  if (auto n = get("solve", "taylor_order")) {
    S.taylor_order = rd.integer(*n, "solve.taylor_order", 0, 200);
    if (S.taylor_order > 0 && S.taylor_order < 4)
      rd.fail("solve.taylor_order", "expected 0 (adaptive) or an order in 4..200, got " + std::to_string(S.taylor_order));
    if (S.method != "taylor") rd.fail("solve.taylor_order", "only used with method = \"taylor\"");
  }
  // GD's step rules and iteration count (integrate/step_rule.hpp).
  if (auto n = get("solve", "step_rule")) {
    std::vector<std::string> names;
    for (const step_rule_info& i : step_rule_table) names.push_back(i.name);
    S.step_rule = rd.choice(*n, "solve.step_rule", names);
    if (S.step_rule != "constant" && S.method != "gd")
      rd.fail("solve.step_rule", "only used with method = \"gd\" (method is \"" + S.method + "\")");
  }
  const step_rule_info& rule = *find_step_rule(S.step_rule);
  if (const std::string why = step_rule_class_mismatch(rule.id, network); !why.empty()) rd.fail("solve.step_rule", why);
  for (auto [k, dst] : {std::pair<const char*, std::string*>{"c1", &S.c1}, {"c2", &S.c2}}) {
    auto n = get("solve", k);
    if (!n) continue;
    if (!network) rd.fail(std::string("solve.") + k, "only used with problem.kind = \"network\" (Xu et al. 2023's Theorem 3.1)");
    *dst = rd.positive_decimal(*n, std::string("solve.") + k);
  }
  if (!(parse<float100>(S.c1) < 1)) rd.fail("solve.c1", "expected 0 < c1 < 1 (Xu et al. 2023, Theorem 3.1), got '" + S.c1 + "'");
  if (!(parse<float100>(S.c2) > 1)) rd.fail("solve.c2", "expected c2 > 1 (Xu et al. 2023, Theorem 3.1), got '" + S.c2 + "'");
  if (auto n = get("solve", "step_c")) {
    if (!rule.needs_c) rd.fail("solve.step_c", "only used with step_rule = \"adapt\", \"adapt2\" or \"norm\" (step_rule is \"" + S.step_rule + "\")");
    S.step_c = rd.positive_decimal(*n, "solve.step_c");
  } else if (rule.needs_c) {
    rd.fail("solve.step_c", "missing; step_rule = \"" + S.step_rule + "\" needs its constant c (" + rule.formula + "), e.g. step_c = \"0.1\"");
  }
  if (auto n = get("solve", "smoothness")) {
    if (rule.id != step_rule::mu_klabjan) rd.fail("solve.smoothness", "only used with step_rule = \"mu-klabjan\"");
    S.smoothness = rd.positive_decimal(*n, "solve.smoothness");
  }
  if (rule.id == step_rule::mu_klabjan) {
    if (P.kind != "one_matrix")
      rd.fail("solve.step_rule", "\"mu-klabjan\" is stated for one adapted matrix W0 + s B A; it needs problem.kind = \"one_matrix\" (kind is \"" + P.kind + "\")");
    if (parse<float100>(L.weight_decay) != 0)
      rd.fail("solve.step_rule", "\"mu-klabjan\" is stated without weight decay; it needs lora.weight_decay = 0 (is " + L.weight_decay + ")");
  }
  if (auto n = get("solve", "eta0")) {
    if (rule.id != step_rule::xu2025_growing)
      rd.fail("solve.eta0", "only used with step_rule = \"xu2025-growing\" (step_rule is \"" + S.step_rule + "\")");
    S.eta0 = rd.positive_decimal(*n, "solve.eta0");
  }
  if (rule.id != step_rule::constant && get("solve", "dt"))
    rd.fail("solve.dt", "not used with step_rule = \"" + S.step_rule + "\" (the rule sets every step); remove it");
  if (auto n = get("solve", "steps")) {
    if (S.method != "gd") rd.fail("solve.steps", "only used with method = \"gd\" (the number of GD iterations)");
    S.steps = rd.integer(*n, "solve.steps", 1, 1000000000000L);
    if (S.steps > S.max_steps)
      rd.fail("solve.steps", std::to_string(S.steps) + " iterations exceed the step budget solve.max_steps = " +
                                 std::to_string(S.max_steps) + "; raise max_steps");
    if (get("solve", "t_end"))
      rd.fail("solve.t_end", "conflicts with solve.steps (a GD run of solve.steps iterations ends after them; its time is the sum of its steps)");
  } else if (rule.id != step_rule::constant) {
    rd.fail("solve.steps", "missing; step_rule = \"" + S.step_rule + "\" runs a number of GD iterations, e.g. steps = 1000");
  } else if (network && S.method == "gd") {
    rd.fail("solve.steps", "missing; GD on problem.kind = \"network\" runs a number of iterations (the papers' axis), e.g. steps = 500");
  }
  if (auto n = get("solve", "frame")) {
    S.frame = rd.choice(*n, "solve.frame", {"auto", "natural", "singular"});
    if (S.frame == "singular") {
      const std::string why = singular_frame_unavailable(c);
      if (!why.empty()) rd.fail("solve.frame", "\"singular\" is not available: " + why + "; use frame = \"natural\" or \"auto\"");
    }
  }
  if (S.method == "taylor" && network)
    rd.fail("solve.method", "\"taylor\" has no series for problem.kind = \"network\"; use an adaptive method (dopri5, "
                            "bulirsch_stoer, ...) or gd");
  if (S.method == "taylor" && !info_of(*parse_objective_kind(O.kind)).quadratic) {
    std::string others;
    for (const method_info& m : method_table)
      if (std::string(m.name) != "taylor") others += std::string(others.empty() ? "" : ", ") + m.name;
    rd.fail("solve.method", "\"taylor\" cannot expand objective.kind = \"" + O.kind +
                                "\" (not a polynomial field); use one of " + others);
  }
  if (S.method != "auto" && !find_method(S.method)->adaptive && S.dt.empty() && rule.id == step_rule::constant)
    rd.fail("solve.dt", "missing; method = \"" + S.method + "\" needs a step (the GD step eta for gd), e.g. dt = \"1e-4\"");

  // [observe]
  if (S.steps > 0) {  // a GD run by iterations is observed at iterations (observe.steps, below), not at times
    if (get("observe", "times"))
      rd.fail("observe.times", "not used by a GD run of solve.steps iterations, which is observed at iterations; use observe.steps");
  } else if (auto n = get("observe", "times")) {
    if (auto a = n->as_array()) {
      c.observe.spacing = "list";
      for (std::size_t i = 0; i < a->size(); ++i) c.observe.list.push_back(rd.nonnegative_decimal(*a->get(i), "observe.times"));
      if (c.observe.list.empty()) rd.fail("observe.times", "expected at least one time");
    } else {
      c.observe = parse_time_grid(rd.string(*n, "observe.times"), source);
    }
  } else {
    c.observe = parse_time_grid("linspace:0:" + S.t_end + ":501", source);
  }
  if (S.steps > 0) {
    auto& ob = c.observe;
    if (auto n = get("observe", "steps")) {
      if (auto a = n->as_array()) {
        ob.steps_spacing = "list";
        for (std::size_t i = 0; i < a->size(); ++i) ob.steps_list.push_back(rd.integer(*a->get(i), "observe.steps", 0, S.steps));
        if (ob.steps_list.empty()) rd.fail("observe.steps", "expected at least one iteration");
      } else {
        const observe_config g = parse_time_grid(rd.string(*n, "observe.steps"), source, "observe.steps");
        ob.steps_spacing = g.spacing, ob.steps_a = g.a, ob.steps_b = g.b, ob.steps_n = g.n;
        const float100 lo = parse<float100>(g.a), hi = parse<float100>(g.b);
        const bool lin = g.spacing == "linspace";
        if ((lin && lo < 0) || (lin ? hi : float100(pow(float100(10), hi))) > float100(S.steps) + float100(1) / 2)
          rd.fail("observe.steps", "the grid '" + rd.string(*n, "observe.steps") + "' reaches outside the iterations 0.." +
                                       std::to_string(S.steps) + " of solve.steps");
      }
    } else {  // the default: every iteration up to 1000 of them, else 1001 evenly spaced
      ob.steps_spacing = "linspace", ob.steps_a = "0", ob.steps_b = std::to_string(S.steps);
      ob.steps_n = std::min(S.steps, 1000L) + 1;
    }
  } else if (get("observe", "steps")) {
    rd.fail("observe.steps", "only used with solve.steps (a GD run by iterations); a run to t_end is observed at observe.times");
  }
  if (auto n = get("observe", "stationary")) {
    auto b = n->value_exact<bool>();
    if (!b) rd.fail("observe.stationary", "expected true or false, got " + reader::describe(*n));
    c.observe.stationary = *b;
    if (*b && network) rd.fail("observe.stationary", "the stationary-point analysis is the LoRA model's; not used with problem.kind = \"network\"");
  }
  if (auto n = get("observe", "general_metrics")) {
    auto b = n->value_exact<bool>();
    if (!b) rd.fail("observe.general_metrics", "expected true or false, got " + reader::describe(*n));
    c.observe.general_metrics = *b;
    if (*b && network) rd.fail("observe.general_metrics", "the general metrics are the LoRA model's; not used with problem.kind = \"network\"");
  }
  return c;
}

observe_config parse_time_grid(const std::string& t, const std::string& source, const std::string& key) {
  auto bad = [&]() {
    throw input_error(source + ": key '" + key + "': expected linspace:a:b:n, logspace:a:b:n (a < b, n >= 2) or a list of " +
                      (key == "observe.steps" ? "iterations" : "times") + ", got '" + t + "'");
  };
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= t.size(); ++i)
    if (i == t.size() || t[i] == ':') parts.push_back(t.substr(start, i - start)), start = i + 1;
  if (parts.size() != 4 || (parts[0] != "linspace" && parts[0] != "logspace")) bad();
  if (!detail::is_decimal_literal(parts[1]) || !detail::is_decimal_literal(parts[2])) bad();
  if (parts[3].empty() || parts[3].size() > 9 || parts[3].find_first_not_of("0123456789") != std::string::npos) bad();
  const long n = std::stol(parts[3]);
  if (n < 2 || n > 100000000) bad();
  try {  // compared at 100 digits (a grid end outside the working precision's range is caught when it is parsed there)
    if (!(parse<float100>(parts[1]) < parse<float100>(parts[2]))) bad();
  } catch (const std::invalid_argument&) {
    bad();
  }
  observe_config o;
  o.spacing = parts[0];
  o.a = parts[1];
  o.b = parts[2];
  o.n = n;
  return o;
}

run_config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string base = fs::absolute(fs::path(path)).parent_path().string();
  return parse_config(ss.str(), path, base, overrides);
}

std::string config_json(const run_config& c) {
  nlohmann::ordered_json j;
  auto& p = j["problem"];
  p["kind"] = c.problem.kind;
  if (c.problem.kind == "xu2025") {
    p["m"] = c.problem.m;
    p["n"] = c.problem.n;
    p["h"] = c.problem.h;
    p["sigma"] = c.problem.sigma;
    std::vector<long> pairs;
    for (long q : c.problem.pair) pairs.push_back(q + 1);
    p["pair"] = pairs;
    p["scale"] = c.problem.scale;
    p["seed"] = c.problem.seed;
  } else if (c.problem.kind == "network") {
    p["recipe"] = c.problem.recipe;
    const problem_config& P = c.problem;
    const std::map<std::string, nlohmann::ordered_json> value{{"n", P.n},         {"h", P.h},   {"scale", P.scale}, {"noise", P.noise},
                                                              {"seed", P.seed},   {"X", P.X},   {"Y", P.Y},         {"W1", P.W1},
                                                              {"W2", P.W2}};
    for (const std::string& key : network_recipes().at(P.recipe)) p[key] = value.at(key);  // the keys the recipe reads
  } else if (c.problem.kind == "files") {
    p["W1"] = c.problem.W1;
    p["W2"] = c.problem.W2;
    p["dY"] = c.problem.dY;
  } else if (!c.problem.W0.empty()) {
    p["W0"] = c.problem.W0;
    p["S"] = c.problem.S;
  } else {
    p["m"] = c.problem.m;
    p["n"] = c.problem.n;
    p["sigma"] = c.problem.sigma;
    p["seed"] = c.problem.seed;
  }
  if (c.problem.kind != "network") {  // the network has no adapters ([lora] is refused there)
    auto& l = j["lora"];
    l["rank"] = c.lora.rank;
    std::vector<std::string> ad;
    if (c.lora.adapt_W1) ad.push_back("W1");
    if (c.lora.adapt_W2) ad.push_back("W2");
    l["adapters"] = ad;
    l["init"] = c.lora.init;
    l["alpha"] = c.lora.alpha;
    l["seed"] = c.lora.seed;
    l["scale"] = c.lora.scale;
    l["weight_decay"] = c.lora.weight_decay;
    if (c.lora.init == "files" && !c.lora.state.empty()) {
      l["state"] = c.lora.state;
    } else if (c.lora.init == "files") {
      l["A1"] = c.lora.A1;
      l["B1"] = c.lora.B1;
      l["A2"] = c.lora.A2;
      l["B2"] = c.lora.B2;
    }
  }
  auto& o = j["objective"];
  const objective_config& O = c.objective;
  o["kind"] = O.kind;
  if (O.kind == "weighted" && !O.weights.empty()) {
    o["weights"] = O.weights;
  } else if (O.kind == "weighted") {
    o["ratio"] = O.ratio;
    o["seed"] = O.seed;
  } else if (O.kind == "sensing" && !O.operator_file.empty()) {
    o["operator"] = O.operator_file;
  } else if (O.kind == "sensing") {
    o["measurements"] = O.measurements;
    o["noise"] = O.noise;
    o["seed"] = O.seed;
  } else if (O.kind == "logistic" && !O.features.empty()) {
    o["features"] = O.features;
    o["labels"] = O.labels;
  } else if (O.kind == "logistic") {
    o["samples"] = O.samples;
    o["separable"] = O.separable;
    o["seed"] = O.seed;
  }
  auto& s = j["solve"];
  s["method"] = c.solve.method;
  s["precision"] = c.solve.precision;
  s["rtol"] = c.solve.rtol;
  s["atol"] = c.solve.atol;
  s["t_end"] = c.solve.t_end;
  s["dt"] = c.solve.dt;
  s["max_steps"] = c.solve.max_steps;
  s["digits"] = c.solve.digits;
  if (c.solve.method == "taylor") s["taylor_order"] = c.solve.taylor_order;
  s["frame"] = c.solve.frame;
  s["step_rule"] = c.solve.step_rule;
  if (!c.solve.step_c.empty()) s["step_c"] = c.solve.step_c;
  if (!c.solve.smoothness.empty()) s["smoothness"] = c.solve.smoothness;
  if (c.problem.kind == "network") {
    s["c1"] = c.solve.c1;
    s["c2"] = c.solve.c2;
  }
  if (!c.solve.eta0.empty()) s["eta0"] = c.solve.eta0;
  if (c.solve.steps > 0) {
    s["steps"] = c.solve.steps;
    s.erase("t_end");
    if (c.observe.steps_spacing == "list") j["observe"]["steps"] = c.observe.steps_list;
    else j["observe"]["steps"] = c.observe.steps_grid_text();
  } else if (c.observe.spacing == "list") {
    j["observe"]["times"] = c.observe.list;
  } else {
    j["observe"]["times"] = c.observe.grid_text();
  }
  j["observe"]["stationary"] = c.observe.stationary;
  j["observe"]["general_metrics"] = c.observe.general_metrics;
  return j.dump(2);
}

run_config config_from_json(const std::string& json_text, const std::string& source) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw input_error(source + ": not JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw input_error(source + ": expected a JSON object of config sections");
  std::string toml_text;
  for (auto sec = j.begin(); sec != j.end(); ++sec) {
    if (!sec->is_object()) throw input_error(source + ": section '" + sec.key() + "': expected an object");
    toml_text += "[" + sec.key() + "]\n";
    for (auto kv = sec->begin(); kv != sec->end(); ++kv) {
      if (kv->is_string() && kv->get<std::string>().empty()) continue;  // an unset optional key (atol, dt, alpha)
      toml_text += kv.key() + " = " + kv->dump() + "\n";               // JSON scalars and arrays are TOML values
    }
  }
  return parse_config(toml_text, source, "/");
}

}  // namespace loraflow
