// Sweeps: parsing, expansion, the manifest, and the parallel, resumable runner (sweep/sweep.hpp).
#include <loraflow/decimal.hpp>
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/io/input_error.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/sweep/sweep.hpp>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

namespace loraflow {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad(const std::string& source, const std::string& what) { throw input_error(source + ": " + what); }

std::string quote(const std::string& s) { return "\"" + s + "\""; }

// "logspace:a:b:n" with integer exponents a, b and n points -> "1e<a>", ..., "1e<b>" (exact decimal strings).
std::vector<std::string> logspace(const std::string& spec, const std::string& source, const std::string& key) {
  long a = 0, b = 0, n = 0;
  char tail = 0;
  if (std::sscanf(spec.c_str(), "logspace:%ld:%ld:%ld%c", &a, &b, &n, &tail) != 3 || n < 1)
    bad(source, "axis '" + key + "': expected \"logspace:A:B:N\" with integer exponents A, B and N >= 1 points, got '" + spec + "'");
  if (n == 1 && a != b) bad(source, "axis '" + key + "': logspace with 1 point needs A = B, got '" + spec + "'");
  if (n > 1 && (b - a) % (n - 1) != 0)
    bad(source, "axis '" + key + "': logspace exponents must be integers: (B - A) / (N - 1) is not, in '" + spec + "'");
  std::vector<std::string> v;
  for (long k = 0; k < n; ++k) v.push_back("1e" + std::to_string(a + (n > 1 ? k * (b - a) / (n - 1) : 0)));
  return v;
}

std::vector<long> int_range(const std::string& spec, const std::string& source, const std::string& key) {
  long a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(spec.c_str(), "range:%ld:%ld%c", &a, &b, &tail) != 2)
    bad(source, "axis '" + key + "': expected \"range:A:B\" (integers A <= k < B), got '" + spec + "'");
  if (b <= a) bad(source, "axis '" + key + "': empty range '" + spec + "' (expected A < B)");
  std::vector<long> v;
  for (long k = a; k < b; ++k) v.push_back(k);
  return v;
}

sweep_axis read_axis(const toml::table& t, const std::string& source, std::size_t i) {
  const std::string where = "axis " + std::to_string(i + 1);
  for (auto&& [k, v] : t) {
    (void)v;
    if (k.str() != "key" && k.str() != "values")
      bad(source, where + ": unknown key '" + std::string(k.str()) + "' (known: key, values)");
  }
  sweep_axis ax;
  const auto key = t["key"].value<std::string>();
  if (!key || key->find('.') == std::string::npos)
    bad(source, where + ": expected key = \"section.key\" (e.g. \"lora.alpha\")");
  ax.key = *key;
  const toml::node* vals = t.get("values");
  if (!vals) bad(source, "axis '" + ax.key + "': missing 'values' (a list, \"logspace:A:B:N\" or \"range:A:B\")");
  if (auto s = vals->value_exact<std::string>()) {
    if (s->rfind("logspace:", 0) == 0) {
      for (const std::string& d : logspace(*s, source, ax.key)) ax.values.push_back(quote(d)), ax.labels.push_back(d);
    } else if (s->rfind("range:", 0) == 0) {
      for (long k : int_range(*s, source, ax.key)) ax.values.push_back(std::to_string(k)), ax.labels.push_back(std::to_string(k));
    } else {
      bad(source, "axis '" + ax.key + "': expected a list, \"logspace:A:B:N\" or \"range:A:B\", got '" + *s + "'");
    }
  } else if (const toml::array* a = vals->as_array()) {
    for (const toml::node& n : *a) {
      if (auto s = n.value_exact<std::string>()) ax.values.push_back(quote(*s)), ax.labels.push_back(*s);
      else if (auto i = n.value_exact<int64_t>()) ax.values.push_back(std::to_string(*i)), ax.labels.push_back(std::to_string(*i));
      else if (auto b = n.value_exact<bool>()) ax.values.push_back(*b ? "true" : "false"), ax.labels.push_back(*b ? "true" : "false");
      else bad(source, "axis '" + ax.key + "': values must be strings, integers or booleans (write decimals as strings, e.g. \"1e-5\")");
    }
  } else {
    bad(source, "axis '" + ax.key + "': expected a list, \"logspace:A:B:N\" or \"range:A:B\"");
  }
  if (ax.values.empty()) bad(source, "axis '" + ax.key + "': empty list of values");
  return ax;
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

std::string point_name(std::size_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "%05zu", i);
  return b;
}

std::string host_name() {
  char b[256] = {};
  if (gethostname(b, sizeof b - 1) != 0) return "unknown-host";
  return b;
}

/// This process, as a claim names it: the host, the pid, and what tells this process from a later one with the same
/// pid (its start time since boot, /proc/<pid>/stat field 22, and the boot's id).
struct claim_owner {
  std::string host;
  long pid = 0;
  std::string start, boot;
};

/// Field 22 of /proc/<pid>/stat (the start time in clock ticks since boot) and its state letter; empty when the
/// process does not exist (or /proc is not there).
std::pair<std::string, char> proc_start(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return {};
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');  // "pid (comm) S f4 f5 ...": comm may hold spaces and ')'
  if (close == std::string::npos || close + 2 >= text.size()) return {};
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  char state = '?';
  for (int k = 3; rest >> field; ++k) {
    if (k == 3) state = field[0];
    if (k == 22) return {field, state};
  }
  return {};
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  in >> id;
  return id.empty() ? "-" : id;
}

const claim_owner& this_runner() {
  static const claim_owner me = [] {
    claim_owner o{host_name(), static_cast<long>(getpid()), proc_start(getpid()).first, boot_id()};
    if (o.start.empty()) o.start = "-";
    return o;
  }();
  return me;
}

std::optional<claim_owner> read_claim(const fs::path& f) {
  std::ifstream in(f);
  claim_owner o;
  if (!(in >> o.host >> o.pid >> o.start >> o.boot)) return std::nullopt;  // damaged: treated as held
  return o;
}

/// Whether a claim's runner may still be running: true unless it ran on this host and, there, its process is gone
/// (no such pid, a zombie: a killed rank whose mpirun has not been reaped yet, or another process that has since
/// taken the pid, told apart by its start time) or the machine has rebooted since.
bool claim_live(const fs::path& f) {
  const std::optional<claim_owner> o = read_claim(f);
  const claim_owner& me = this_runner();
  if (!o || o->host != me.host) return true;
  if (o->boot != me.boot) return false;
  const auto [start, state] = proc_start(o->pid);
  if (start.empty()) return !(kill(static_cast<pid_t>(o->pid), 0) != 0 && errno == ESRCH);  // no /proc: the pid only
  return state != 'Z' && state != 'X' && state != 'x' && (o->start == "-" || start == o->start);
}

/// Removes a claim whose runner is gone, without ever removing a live one that replaced it meanwhile: the claim is
/// first renamed (one runner wins the rename), judged again under its new name, and put back if it turns out live.
void reap_claim(const fs::path& f) {
  const fs::path held = f.string() + ".reap." + std::to_string(getpid());
  std::error_code ec;
  fs::rename(f, held, ec);
  if (ec) return;  // another runner reaped it first
  // Live after all (a runner replaced the dead claim between the judgement and the rename): put it back. link()
  // fails if a third runner claimed the point in the instant the claim was away; that runner then holds it too,
  // the one window this scheme leaves (three runners on one point within microseconds).
  if (claim_live(held)) (void)link(held.c_str(), f.c_str());
  fs::remove(held, ec);
}

}  // namespace

sweep_spec load_sweep(const std::string& path) {
  sweep_spec s;
  s.source = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ": " << e.description();
    throw input_error(os.str());
  } catch (const std::exception&) {
    throw input_error(path + ": cannot read the sweep file (expected a readable TOML file)");
  }
  for (auto&& [k, v] : root) {
    (void)v;
    const std::string key(k.str());
    if (key != "base" && key != "seeds" && key != "axis")
      bad(path, "unknown key '" + key + "' (known: base, seeds, [[axis]])");
  }
  const auto base = root["base"].value<std::string>();
  if (!base) bad(path, "key 'base': missing (the run config the grid varies, relative to this file)");
  s.base = (fs::path(path).parent_path() / *base).lexically_normal().string();
  if (const toml::node* n = root.get("seeds")) {
    const auto v = n->value_exact<int64_t>();
    if (!v || *v < 1 || *v > 100000) bad(path, "key 'seeds': expected an integer >= 1 (the number of replicates)");
    s.seeds = static_cast<long>(*v);
  }
  if (const toml::node* n = root.get("axis")) {
    const toml::array* a = n->as_array();
    if (!a) bad(path, "key 'axis': expected [[axis]] tables");
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::table* t = (*a)[i].as_table();
      if (!t) bad(path, "key 'axis': expected [[axis]] tables");
      s.axes.push_back(read_axis(*t, path, i));
      for (std::size_t j = 0; j + 1 < s.axes.size(); ++j)
        if (s.axes[j].key == s.axes.back().key) bad(path, "axis '" + s.axes.back().key + "' appears twice");
      if (s.seeds > 0 && (s.axes.back().key == "problem.seed" || s.axes.back().key == "lora.seed"))
        bad(path, "axis '" + s.axes.back().key + "': conflicts with seeds = " + std::to_string(s.seeds) + " (use one or the other)");
    }
  }
  if (s.axes.empty() && s.seeds == 0) bad(path, "no [[axis]] and no seeds: the grid is empty");
  if (!fs::exists(s.base)) bad(path, "key 'base': file '" + s.base + "' not found");
  const run_config base_cfg = load_config(s.base);
  s.base_problem_seed = static_cast<long>(base_cfg.problem.seed);
  // The network (problem.kind = "network") has no [lora]: its replicates vary problem.seed alone (-1: no lora.seed).
  s.base_lora_seed = base_cfg.problem.kind == "network" ? -1 : static_cast<long>(base_cfg.lora.seed);
  s.base_json = config_json(base_cfg);
  // Every point must be a valid run config: check them all before anything runs or is written.
  for (const sweep_point& p : expand(s)) {
    try {
      (void)load_config(s.base, p.sets);
    } catch (const input_error& e) {
      std::string where;
      for (std::size_t a = 0; a < s.axes.size(); ++a) where += (a ? ", " : "") + s.axes[a].key + " = " + p.labels[a];
      throw input_error(path + ": point " + std::to_string(p.index) + " (" + where + "): " + e.what());
    }
  }
  return s;
}

std::vector<sweep_point> expand(const sweep_spec& s) {
  std::vector<sweep_point> out;
  std::vector<std::size_t> idx(s.axes.size(), 0);
  const long reps = s.seeds > 0 ? s.seeds : 1;
  for (;;) {
    for (long r = 0; r < reps; ++r) {
      sweep_point p;
      p.index = out.size();
      for (std::size_t a = 0; a < s.axes.size(); ++a) {
        p.sets.push_back(s.axes[a].key + "=" + s.axes[a].values[idx[a]]);
        p.labels.push_back(s.axes[a].labels[idx[a]]);
      }
      if (s.seeds > 0) {
        p.seed = r;
        p.sets.push_back("problem.seed=" + std::to_string(s.base_problem_seed + r));
        if (s.base_lora_seed >= 0) p.sets.push_back("lora.seed=" + std::to_string(s.base_lora_seed + r));
      }
      out.push_back(std::move(p));
    }
    std::size_t a = s.axes.size();
    while (a > 0) {
      --a;
      if (++idx[a] < s.axes[a].values.size()) break;
      idx[a] = 0;
      if (a == 0) return out;
    }
    if (s.axes.empty()) return out;
  }
}

std::string manifest_json(const sweep_spec& s) {
  nlohmann::ordered_json j;
  j["base_file"] = fs::path(s.base).filename().string();
  j["base"] = nlohmann::ordered_json::parse(s.base_json);
  j["axes"] = nlohmann::ordered_json::array();
  for (const sweep_axis& a : s.axes) j["axes"].push_back({{"key", a.key}, {"values", a.labels}});
  j["seeds"] = s.seeds;
  j["points"] = expand(s).size();
  return j.dump(2) + "\n";
}

std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [](const std::string& t) -> long {
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stol(t);
  };
  const long k = slash == std::string::npos ? -1 : number(text.substr(0, slash));
  const long n = slash == std::string::npos ? -1 : number(text.substr(slash + 1));
  if (k < 1 || n < 1 || k > n)
    throw input_error("sweep: --shard '" + text + "': expected K/N with 1 <= K <= N (e.g. --shard 2/8)");
  return {static_cast<unsigned>(k - 1), static_cast<unsigned>(n)};
}

sweep_result run_sweep(const sweep_spec& s, const sweep_options& o) {
  if (o.shards == 0 || o.shard >= o.shards)
    throw std::invalid_argument("run_sweep: sweep_options::shard " + std::to_string(o.shard) + " of " +
                                std::to_string(o.shards) + " (expected shard < shards)");
  if (o.point_command.empty())
    throw std::invalid_argument("run_sweep: sweep_options::point_command is empty (the command that runs one point, e.g. {loraflow, run})");
  if (o.share && o.cancel)
    throw std::invalid_argument("run_sweep: a cancel flag with a share (a runner that stopped alone would leave the others waiting)");
  sweep_share* const share = o.share;
  const bool lead = !share || share->leader();
  const fs::path dir(o.out_dir);
  const std::string manifest = manifest_json(s);
  const fs::path mpath = dir / "sweep.json";
  auto claim_path = [&](const std::string& id) { return dir / "points" / (id + ".claim"); };
  auto same_manifest = [&] {
    std::ifstream in(mpath);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str() != manifest)
      throw input_error(o.out_dir + ": holds a different sweep (its sweep.json differs from " + s.source +
                        "'s grid); expected the same sweep file and base config, or a new directory");
  };
  // 1. The leader makes DIR a sweep directory (or checks that it is this sweep's).
  if (lead) {
    if (!fs::exists(mpath) && fs::exists(dir)) {
      // A new sweep directory may already hold what another runner starting at the same moment made of it:
      // points/, logs/ and sweep.json's temporary file. Anything else is someone's data.
      for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (n != "points" && n != "logs" && n.rfind("sweep.json", 0) != 0)
          throw input_error(o.out_dir + ": exists, is not empty and has no sweep.json; expected a new or sweep directory");
      }
    }
    fs::create_directories(dir);
    if (!fs::exists(mpath)) write_file_atomic(mpath.string(), manifest);
    same_manifest();  // read back: a runner of another sweep that started at the same moment may have won
    fs::create_directories(dir / "points");
    fs::create_directories(dir / "logs");
  }
  if (share) share->barrier();
  if (!lead) {
    if (!fs::exists(mpath))
      throw std::runtime_error(o.out_dir + ": the leading runner's sweep.json is not there (is DIR on a file system every runner shares?)");
    same_manifest();
  }
  // 2. Every runner removes the claims of runners that died on its own host (with MPI: one rank per host does the
  // work, the others find nothing left), before any point is claimed again.
  for (const auto& e : fs::directory_iterator(dir / "points"))
    if (e.path().extension() == ".claim" && !claim_live(e.path())) reap_claim(e.path());
  if (share) share->barrier();
  // 3. The leader removes the staging directories no live runner holds (points in flight when an earlier sweep was
  // killed: their processes died with it, children get SIGKILL when their runner dies), whose points run again.
  const std::vector<sweep_point> points = expand(s);
  sweep_result r;
  r.total = points.size();
  std::vector<const sweep_point*> todo;
  auto done = [&](const sweep_point& p) { return fs::exists(dir / "points" / point_name(p.index) / "summary.json"); };
  if (lead) {
    for (const auto& e : fs::directory_iterator(dir / "points")) {
      const std::string n = e.path().filename().string();
      if (n.find(".tmp.") == std::string::npos && n.find(".old.") == std::string::npos) continue;
      if (!fs::exists(claim_path(n.substr(0, n.find('.'))))) fs::remove_all(e.path());
    }
    for (const sweep_point& p : points) {
      if (p.index % o.shards != o.shard) ++r.other_shards;
      else if (done(p)) ++r.already_done;
      else todo.push_back(&p);
    }
    if (share) {
      std::vector<std::size_t> indices;
      for (const sweep_point* p : todo) indices.push_back(p->index);
      share->start(std::move(indices));
    }
  }
  const unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  const std::string exe = o.point_command.front();
  const bool tty = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  auto last_print = t0 - std::chrono::hours(1);
  std::map<pid_t, const sweep_point*> running;
  std::size_t next = 0, finished = 0, skipped = 0;

  auto progress = [&](bool force) {
    if (!o.progress || !lead) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && !tty && now - last_print < std::chrono::seconds(5)) return;
    last_print = now;
    const double el = std::chrono::duration<double>(now - t0).count();
    const double rate = el > 0 ? finished / el : 0;
    const std::size_t left = todo.size() > finished + skipped ? todo.size() - finished - skipped : 0;
    const double eta = rate > 0 ? left / rate : 0;
    char b[256];
    std::snprintf(b, sizeof b, "sweep: %zu/%zu points done (%zu this run), %.2f points/s, ETA %.0f s, %zu failed",
                  r.already_done + finished + skipped, r.total - r.other_shards, finished, rate, eta,
                  r.numerical_failures + r.errors);
    std::cerr << (tty ? "\r" : "") << b << (tty ? "" : "\n") << std::flush;
  };

  // Claims a point for this runner: false when another runner holds it, or ran it since the todo list was made.
  // The claim is written under a temporary name and linked into place, so it never exists half-written.
  const claim_owner& me = this_runner();
  const std::string claim_text = me.host + " " + std::to_string(me.pid) + " " + me.start + " " + me.boot + "\n";
  auto claim = [&](const sweep_point& p) {
    const fs::path f = claim_path(point_name(p.index));
    const fs::path tmp = f.string() + ".tmp." + std::to_string(me.pid);
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << claim_text;
      if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot write the point's claim");
    }
    const int rc = link(tmp.c_str(), f.c_str());
    const int err = errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    if (rc != 0) {
      if (err != EEXIST) throw std::runtime_error(f.string() + ": cannot create the point's claim: " + std::strerror(err));
      ++r.claimed_elsewhere;
      ++skipped;
      return false;
    }
    if (done(p)) {  // finished by another runner between the todo list and this claim
      fs::remove(f, ec);
      ++r.already_done;
      ++skipped;
      return false;
    }
    return true;
  };
  auto release = [&](const sweep_point& p) {
    std::error_code ec;
    fs::remove(claim_path(point_name(p.index)), ec);
  };
  // However run_sweep leaves (an exception included), no point of this runner is left running or claimed.
  struct stop_all {
    std::map<pid_t, const sweep_point*>& running;
    const std::function<void(const sweep_point&)> release;
    ~stop_all() {
      for (const auto& [pid, p] : running) kill(pid, SIGKILL);
      for (const auto& [pid, p] : running) waitpid(pid, nullptr, 0), release(*p);
      running.clear();
    }
  } guard{running, release};

  auto launch = [&](const sweep_point& p) {
    if (!claim(p)) return;
    std::vector<std::string> args = o.point_command;
    args.push_back(s.base);
    for (const std::string& set : p.sets) args.push_back("--set"), args.push_back(set);
    args.push_back("--out");
    args.push_back((dir / "points" / point_name(p.index)).string());
    args.push_back("--quiet");
    args.push_back("--no-progress");
    const std::string log = (dir / "logs" / (point_name(p.index) + ".txt")).string();
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
      release(p);
      throw std::runtime_error("sweep: fork failed: " + std::string(std::strerror(errno)));
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed sweep takes its points in flight with it
      if (getppid() != parent) _exit(127);
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) dup2(fd, STDOUT_FILENO), dup2(fd, STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(exe.c_str(), argv.data());
      _exit(127);
    }
    running[pid] = &p;
  };
  // The next point to run here: from this runner's list, or from the share's leader.
  auto take = [&]() -> const sweep_point* {
    if (share) {
      const std::optional<std::size_t> i = share->next();
      return i && *i < points.size() ? &points[*i] : nullptr;
    }
    return next < todo.size() ? todo[next++] : nullptr;
  };
  // A point ended (here, or at another runner of the share): count it.
  auto ended = [&](std::size_t index, int code) {
    ++finished;
    if (code == 0) ++r.ran;
    else if (code == 3) ++r.ran, ++r.numerical_failures;  // written, with its status in summary.json
    else {
      ++r.errors;
      r.error_messages.push_back("point " + std::to_string(index) + ": exit " + std::to_string(code) + ": " +
                                 last_line((dir / "logs" / (point_name(index) + ".txt")).string()));
    }
    progress(false);
  };
  // One of this runner's points has ended: the waited-for pid and status, or {0, 0} when none has. Blocking waits
  // on any child; polling waits on this runner's own children only (a program holding this runner, such as the
  // Python module, may have children of its own that are not ours to reap).
  const bool poll_wait = o.cancel || share;
  const auto poll_interval = std::chrono::milliseconds(1);
  auto reap = [&]() -> std::pair<pid_t, int> {
    for (;;) {
      int status = 0;
      if (!poll_wait) {
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid > 0) return {pid, status};
      } else {
        for (const auto& [pid, p] : running)
          if (waitpid(pid, &status, WNOHANG) == pid) return {pid, status};
        return {0, 0};
      }
      if (errno != EINTR) throw std::runtime_error(std::string("sweep: waitpid failed: ") + std::strerror(errno));
    }
  };

  auto cancelled = [&] { return o.cancel && o.cancel->load(std::memory_order_relaxed); };
  bool exhausted = false;
  for (;;) {
    if (cancelled()) {  // stop: the guard kills the points in flight (their staging directories go on the next run)
      r.cancelled = true;
      break;
    }
    if (share)
      for (const auto& [index, code] : share->poll()) ended(index, code);
    while (!exhausted && running.size() < jobs) {
      const sweep_point* p = take();
      if (!p) exhausted = true;
      else launch(*p);
    }
    if (running.empty()) {
      if (exhausted && !(share && share->others_running())) break;
      std::this_thread::sleep_for(poll_interval);
      continue;
    }
    const auto [pid, status] = reap();
    if (pid == 0) {
      std::this_thread::sleep_for(poll_interval);
      continue;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const sweep_point& p = *it->second;
    running.erase(it);
    release(p);  // after the point's directory is in place (or it failed): no other runner starts it meanwhile
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (share) share->finished(p.index, code);
    if (lead) ended(p.index, code);
    else ++finished;
  }
  if (share) share->end(r);
  progress(true);
  if (o.progress && lead && tty) std::cerr << "\n";
  for (const sweep_point& p : points) r.missing += done(p) ? 0 : 1;
  // Other shards or runners still owe points: the table waits for them (sweep --table, the Python module).
  r.table_waits = r.missing > 0 && (o.shards > 1 || r.claimed_elsewhere > 0);
  return r;
}

}  // namespace loraflow
