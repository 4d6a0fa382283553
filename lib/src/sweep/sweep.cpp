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

/// A point's claim (DIR/points/<id>.claim): "<host> <pid>" of the runner that runs it.
struct claim_owner {
  std::string host;
  long pid = 0;
};

std::optional<claim_owner> read_claim(const fs::path& f) {
  std::ifstream in(f);
  claim_owner o;
  if (!(in >> o.host >> o.pid)) return std::nullopt;  // being written, or damaged: treated as held
  return o;
}

/// Whether process pid of this host is alive: it exists and is not a zombie (a killed runner whose parent, such as
/// mpirun, has not been reaped yet is dead for this purpose).
bool process_alive(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (stat) {  // "pid (comm) S ...": the state after the last ')'
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos || close + 2 >= text.size()) return true;
    const char state = text[close + 2];
    return state != 'Z' && state != 'X' && state != 'x';
  }
  return !(kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
}

/// Whether a claim's runner may still be running: true unless it ran on this host and its process is gone.
bool claim_live(const fs::path& f, const std::string& host) {
  const std::optional<claim_owner> o = read_claim(f);
  if (!o || o->host != host) return true;
  return process_alive(o->pid);
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
  sweep_share* const share = o.share;
  const bool lead = !share || share->leader();
  const fs::path dir(o.out_dir);
  const std::string manifest = manifest_json(s);
  const fs::path mpath = dir / "sweep.json";
  const std::string host = host_name();
  auto claim_path = [&](const std::string& id) { return dir / "points" / (id + ".claim"); };
  if (!lead) share->ready();  // the leader has prepared DIR
  if (fs::exists(mpath)) {
    std::ifstream in(mpath);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str() != manifest)
      throw input_error(o.out_dir + ": holds a different sweep (its sweep.json differs from " + s.source +
                        "'s grid); expected the same sweep file and base config, or a new directory");
  } else if (!lead) {
    throw std::runtime_error(o.out_dir + ": the leading runner did not write sweep.json (is DIR on a file system all runners share?)");
  } else if (fs::exists(dir)) {
    // A new sweep directory may already hold what another runner starting at the same moment made of it: points/,
    // logs/ and sweep.json's temporary file. Anything else is someone's data.
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n != "points" && n != "logs" && n.rfind("sweep.json", 0) != 0)
        throw input_error(o.out_dir + ": exists, is not empty and has no sweep.json; expected a new or sweep directory");
    }
  }
  if (lead) {
    fs::create_directories(dir);
    if (!fs::exists(mpath)) write_file_atomic(mpath.string(), manifest);  // first: DIR is then a sweep directory
    fs::create_directories(dir / "points");
    fs::create_directories(dir / "logs");
    // Claims of runners that died on this host go; then the staging directories of points no live runner holds
    // (in flight when an earlier sweep was killed: their processes died with it, children get SIGKILL when the
    // sweep dies) are removed, and those points run again.
    for (const auto& e : fs::directory_iterator(dir / "points"))
      if (e.path().extension() == ".claim" && !claim_live(e.path(), host)) fs::remove(e.path());
    for (const auto& e : fs::directory_iterator(dir / "points")) {
      const std::string n = e.path().filename().string();
      if (n.find(".tmp.") == std::string::npos && n.find(".old.") == std::string::npos) continue;
      if (!fs::exists(claim_path(n.substr(0, n.find('.'))))) fs::remove_all(e.path());
    }
    if (share) share->ready();
  }

  const std::vector<sweep_point> points = expand(s);
  sweep_result r;
  r.total = points.size();
  std::vector<const sweep_point*> todo;
  auto done = [&](const sweep_point& p) { return fs::exists(dir / "points" / point_name(p.index) / "summary.json"); };
  if (lead) {
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
  std::size_t next = 0, finished = 0;

  auto progress = [&](bool force) {
    if (!o.progress || !lead) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && !tty && now - last_print < std::chrono::seconds(5)) return;
    last_print = now;
    const double el = std::chrono::duration<double>(now - t0).count();
    const double rate = el > 0 ? finished / el : 0;
    const double eta = rate > 0 ? (todo.size() > finished ? todo.size() - finished : 0) / rate : 0;
    char b[256];
    std::snprintf(b, sizeof b, "sweep: %zu/%zu points done (%zu this run), %.2f points/s, ETA %.0f s, %zu failed",
                  r.already_done + finished, r.total, finished, rate, eta, r.numerical_failures + r.errors);
    std::cerr << (tty ? "\r" : "") << b << (tty ? "" : "\n") << std::flush;
  };

  // Claims a point for this runner: false when another runner holds it, or ran it since the todo list was made.
  auto claim = [&](const sweep_point& p) {
    const fs::path f = claim_path(point_name(p.index));
    const int fd = open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
      if (errno != EEXIST) throw std::runtime_error(f.string() + ": cannot create the point's claim: " + std::strerror(errno));
      ++r.claimed_elsewhere;
      return false;
    }
    const std::string text = host + " " + std::to_string(getpid()) + "\n";
    const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    if (!written) throw std::runtime_error(f.string() + ": cannot write the point's claim");
    if (done(p)) {  // finished by another runner between the todo list and this claim
      fs::remove(f);
      ++r.already_done;
      return false;
    }
    return true;
  };
  auto release = [&](const sweep_point& p) {
    std::error_code ec;
    fs::remove(claim_path(point_name(p.index)), ec);
  };

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
    if (pid < 0) throw std::runtime_error("sweep: fork failed");
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

  auto cancelled = [&] { return o.cancel && o.cancel->load(std::memory_order_relaxed); };
  // Wait for points by looking every millisecond, not by blocking, when something else must be watched too: the
  // cancel flag, or the share (the leader answers the other runners' requests between its looks, so a coarser
  // interval would be latency added to every point of the job: measured in bench/mpi_sweep.sh).
  const bool poll_wait = o.cancel || share;
  const auto poll_interval = std::chrono::milliseconds(1);
  bool exhausted = false;
  for (;;) {
    if (cancelled()) {  // stop: kill the points in flight (their staging directories go on the next run)
      for (const auto& [pid, p] : running) kill(pid, SIGKILL);
      for (const auto& [pid, p] : running) waitpid(pid, nullptr, 0), release(*p);
      running.clear();
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
    int status = 0;
    const pid_t pid = waitpid(-1, &status, poll_wait ? WNOHANG : 0);
    if (pid == 0) {
      std::this_thread::sleep_for(poll_interval);
      continue;
    }
    if (pid < 0) break;
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
  return r;
}

}  // namespace loraflow
