// python/_core.cpp: loraflow._core, the compiled half of the Python module (python/loraflow/__init__.py is the
// other). A thin layer over the library's non-template interface, exactly as the CLI (tools/loraflow.cpp) is: the
// config is parsed and validated by run/config.hpp, runs go through run/run.hpp's execute (or run/certify.hpp's
// execute_certified), sweeps and tables through sweep/ and report/. Nothing numerical happens here.
//
// Threads and signals: a run executes on a worker thread while the calling thread, holding the GIL only briefly
// every 50 ms, delivers Python's signals (PyErr_CheckSignals: a Ctrl-C cancels the run through run_options::cancel,
// and the run ends with status "stopped"; one that arrives when nothing is left to stop is raised as
// KeyboardInterrupt) and calls the progress callback. Other Python threads run meanwhile, except that runs whose
// precision (or certify reference) is mpfr_float take turns: MPFR's working precision is one per process.
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/io/input_error.hpp>
#include <loraflow/report/table.hpp>
#include <loraflow/run/certify.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/run/run.hpp>
#include <loraflow/scalar.hpp>
#include <loraflow/sweep/sweep.hpp>

#include <mpfr.h>

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

namespace py = pybind11;

namespace {

/// One matrix of run_result / field_result as Python sees it: (name, rows, cols, float64 values column-major, texts).
py::tuple matrix_tuple(const std::string& name, const loraflow::memory_matrix& m) {
  return py::make_tuple(name, m.rows, m.cols, py::cast(m.f64), py::cast(m.text));
}

py::list matrices(const loraflow::named_matrices& ms) {
  py::list out;
  for (const auto& [name, m] : ms) out.append(matrix_tuple(name, m));
  return out;
}

/// The arrays given from Python: {name: (rows, cols, float64 list or None, text list or None)}, column-major.
std::shared_ptr<const loraflow::memory_arrays> arrays_of(const py::dict& d) {
  if (d.empty()) return nullptr;
  auto out = std::make_shared<loraflow::memory_arrays>();
  for (const auto& [k, v] : d) {
    const auto t = v.cast<py::tuple>();
    loraflow::memory_matrix m;
    m.rows = t[0].cast<std::size_t>();
    m.cols = t[1].cast<std::size_t>();
    if (!t[2].is_none()) m.f64 = t[2].cast<std::vector<double>>();
    if (!t[3].is_none()) m.text = t[3].cast<std::vector<std::string>>();
    (*out)[k.cast<std::string>()] = std::move(m);
  }
  return out;
}

/// Runs work() on a worker thread; meanwhile the calling thread (which holds the GIL on entry and on return) checks
/// Python's signals and calls progress() every 50 ms. A pending signal (Ctrl-C) sets cancel and is consumed: the
/// run stops at its next step with status "stopped". An exception from progress() cancels the run, waits for it,
/// and propagates; one from work() propagates after the thread ends.
template <class Result>
Result run_on_worker(const std::function<Result()>& work, std::atomic<bool>& cancel, const std::function<void()>& progress,
                     bool& interrupted) {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::optional<Result> result;
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      result.emplace(work());
    } catch (...) {
      error = std::current_exception();
    }
    mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);  // MPFR's thread-local caches, before the thread ends (MPFR manual 5.2)
    {
      std::lock_guard<std::mutex> lock(mu);
      finished = true;
    }
    cv.notify_all();
  });
  auto wait_end = [&] {
    py::gil_scoped_release release;
    worker.join();
  };
  try {
    for (;;) {
      {
        py::gil_scoped_release release;
        std::unique_lock<std::mutex> lock(mu);
        if (cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; })) break;
      }
      if (PyErr_CheckSignals() != 0) {  // Ctrl-C (KeyboardInterrupt) or a Python signal handler that raised
        if (!PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) throw py::error_already_set();
        PyErr_Clear();
        cancel.store(true);
        interrupted = true;
      }
      if (progress && !interrupted) {
        try {
          progress();
        } catch (py::error_already_set& e) {  // a Ctrl-C that lands in the callback's Python code is a Ctrl-C too
          if (!e.matches(PyExc_KeyboardInterrupt)) throw;
          cancel.store(true);
          interrupted = true;
        }
      }
    }
  } catch (...) {
    cancel.store(true);
    wait_end();
    throw;
  }
  wait_end();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

/// f() with the GIL released (library work that calls no Python).
template <class F> auto without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

/// Whether a run of c (or its certify reference) computes in mpfr_float, whose precision is process-wide.
bool uses_mpfr(const loraflow::run_config& c, bool certify) {
  if (loraflow::plan_precision(c).scalar.type == loraflow::scalar_traits<loraflow::mpfr_float>::name) return true;
  return certify && loraflow::plan_precision(loraflow::plan_certify(c).reference).scalar.type ==
                        loraflow::scalar_traits<loraflow::mpfr_float>::name;
}

/// Held (with the GIL released) by every mpfr_float run of this process, one at a time.
std::mutex& mpfr_turn() {
  static std::mutex m;
  return m;
}

py::dict result_dict(const loraflow::run_result& r) {
  py::dict d;
  d["status"] = loraflow::status_name(r.status);
  d["message"] = r.message;
  d["summary_json"] = r.summary_json;
  d["human"] = r.human;
  d["trajectory_csv"] = r.trajectory_csv;
  d["state"] = matrices(r.state);
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "loraflow's compiled core (use the loraflow package, python/loraflow/__init__.py)";
  // Bad input: the one-line message the CLI prints (file or source, key, what was expected).
  static py::exception<loraflow::input_error> config_error(m, "ConfigError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const loraflow::input_error& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    }
  });

  py::class_<loraflow::run_config>(m, "RunConfig", "A validated configuration (run/config.hpp)")
      .def("json", [](const loraflow::run_config& c) { return loraflow::config_json(c); },
           "The resolved configuration as JSON text (summary.json's \"config\" block)")
      .def_property_readonly("source", [](const loraflow::run_config& c) { return c.source; });

  m.def(
      "parse_config",
      [](const std::string& text, const std::string& source, const std::string& base_dir,
         const std::vector<std::string>& overrides, const py::dict& arrays) {
        loraflow::run_config c = loraflow::parse_config(text, source, base_dir, overrides);
        c.arrays = arrays_of(arrays);
        return c;
      },
      py::arg("text"), py::arg("source"), py::arg("base_dir"), py::arg("overrides"), py::arg("arrays"),
      "Parses and validates TOML text as loraflow run reads a config file (raises ConfigError)");

  m.def(
      "load_config",
      [](const std::string& path, const std::vector<std::string>& overrides, const py::dict& arrays) {
        loraflow::run_config c = loraflow::load_config(path, overrides);
        c.arrays = arrays_of(arrays);
        return c;
      },
      py::arg("path"), py::arg("overrides"), py::arg("arrays"),
      "Reads and validates a config file as loraflow run does (raises ConfigError)");
  m.attr("file_keys") = loraflow::file_keys();
  m.attr("memory_path_prefix") = loraflow::memory_path_prefix;

  m.def(
      "run",
      [](const loraflow::run_config& c, const std::string& out_dir, bool save_state, bool certify, bool progress_line,
         const std::function<void(double, double, std::size_t)>& progress) {
        std::atomic<bool> cancel{false};
        std::atomic<double> done{0}, total{0};
        std::atomic<std::size_t> steps{0};
        loraflow::run_options o;
        o.out_dir = out_dir;
        o.save_state = save_state;
        o.progress = progress_line;
        o.keep_outputs = true;
        o.cancel = &cancel;
        o.on_progress = [&](double d, double t, std::size_t s) {
          done.store(d, std::memory_order_relaxed);
          total.store(t, std::memory_order_relaxed);
          steps.store(s, std::memory_order_relaxed);
        };
        bool interrupted = false;
        std::function<void()> report;
        if (progress)  // from the run's first step on (total is 0 before it)
          report = [&] {
            if (steps.load() > 0) progress(done.load(), total.load(), steps.load());
          };
        const bool serial = uses_mpfr(c, certify);
        const loraflow::certified_run r = run_on_worker<loraflow::certified_run>(
            [&]() -> loraflow::certified_run {
              std::unique_lock<std::mutex> turn(mpfr_turn(), std::defer_lock);
              if (serial) turn.lock();
              if (!certify) return {loraflow::execute(c, o), std::nullopt};
              return loraflow::execute_certified(c, o, [&](const std::string& line) {
                if (progress_line) std::cerr << line << std::endl;
              });
            },
            cancel, report, interrupted);
        if (interrupted && r.run.status != loraflow::run_status::stopped) {
          // The Ctrl-C came when the run had ended (during its certify reference, or after its last step): nothing
          // was stopped by it, so it is Python's KeyboardInterrupt, as anywhere else.
          PyErr_SetNone(PyExc_KeyboardInterrupt);
          throw py::error_already_set();
        }
        py::dict d = result_dict(r.run);
        if (interrupted) d["message"] = "interrupted (Ctrl-C)";
        if (r.certified) {
          d["certify_json"] = r.certified->json;
          d["certify_human"] = r.certified->human;
          if (!out_dir.empty())  // as `loraflow run --certify` writes it
            loraflow::write_file_atomic((std::filesystem::path(out_dir) / "certify.json").string(), r.certified->json);
        }
        return d;
      },
      py::arg("config"), py::arg("out_dir"), py::arg("save_state"), py::arg("certify"), py::arg("progress_line"),
      py::arg("progress"),
      "Runs a config (run/run.hpp execute; with certify, run/certify.hpp execute_certified) on a worker thread");

  m.def(
      "field",
      [](const loraflow::run_config& c) {
        const bool serial = uses_mpfr(c, false);
        const loraflow::field_result r = without_gil([&] {
          std::unique_lock<std::mutex> turn(mpfr_turn(), std::defer_lock);
          if (serial) turn.lock();
          return loraflow::evaluate_field(c);
        });
        py::dict d;
        d["precision"] = r.precision;
        d["loss"] = r.loss;
        d["state"] = matrices(r.state);
        d["field"] = matrices(r.field);
        return d;
      },
      py::arg("config"), "The gradient flow's right-hand side at the config's initial state (run/run.hpp evaluate_field)");

  m.def(
      "sweep",
      [](const std::string& file, const std::string& out, unsigned jobs, bool progress, const std::string& cli,
         const std::string& shard) {
        const loraflow::sweep_spec spec = loraflow::load_sweep(file);
        loraflow::sweep_options o;
        o.out_dir = out;
        o.jobs = jobs;
        o.progress = progress;
        if (!shard.empty()) std::tie(o.shard, o.shards) = loraflow::parse_shard(shard);
        o.point_command = {cli, "run"};  // each point is `loraflow run` in its own process, as under the CLI
        std::atomic<bool> cancel{false};
        o.cancel = &cancel;
        bool interrupted = false;  // a Ctrl-C stops the sweep (the same call resumes it), then is raised
        const loraflow::sweep_result r = run_on_worker<loraflow::sweep_result>(
            [&] { return loraflow::run_sweep(spec, o); }, cancel, {}, interrupted);
        if (interrupted) {
          PyErr_SetNone(PyExc_KeyboardInterrupt);
          throw py::error_already_set();
        }
        py::dict d;
        d["total"] = r.total;
        d["already_done"] = r.already_done;
        d["ran"] = r.ran;
        d["numerical_failures"] = r.numerical_failures;
        d["errors"] = r.errors;
        d["other_shards"] = r.other_shards;
        d["claimed_elsewhere"] = r.claimed_elsewhere;
        d["missing"] = r.missing;
        d["table_waits"] = r.table_waits;
        d["error_messages"] = r.error_messages;
        return d;
      },
      py::arg("file"), py::arg("out"), py::arg("jobs"), py::arg("progress"), py::arg("cli"), py::arg("shard"),
      "Runs the missing points of a sweep file into out (sweep/sweep.hpp run_sweep)");

  m.def(
      "table",
      [](const std::string& dir) {
        const loraflow::table_result t = without_gil([&] { return loraflow::write_tables(dir); });
        py::dict d;
        d["groups"] = t.groups;
        d["points"] = t.points;
        d["missing"] = t.missing;
        d["failed"] = t.failed;
        d["markdown"] = t.markdown;
        d["missing_points"] = t.missing_points;
        return d;
      },
      py::arg("dir"), "Writes a sweep directory's tables (report/table.hpp write_tables)");

  m.def("version", &loraflow::version_string, "The build's version string (as loraflow --version prints it)");
}
