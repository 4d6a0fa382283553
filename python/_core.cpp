// python/_core.cpp: loraflow._core, the compiled half of the Python module (python/loraflow/__init__.py is the
// other). A thin layer over the library's non-template interface, exactly as the CLI (tools/loraflow.cpp) is: the
// config is parsed and validated by run/config.hpp, runs go through run/run.hpp's execute (or run/certify.hpp's
// execute_certified), sweeps and tables through sweep/ and report/. Nothing numerical happens here.
//
// Threads and signals: a run executes on a worker thread while the calling thread, holding the GIL only briefly
// every 50 ms, delivers Python's signals (PyErr_CheckSignals: a Ctrl-C cancels the run through run_options::cancel,
// and the run ends with status "stopped") and calls the progress callback. Other Python threads run meanwhile.
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/io/input_error.hpp>
#include <loraflow/report/table.hpp>
#include <loraflow/run/certify.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/run/run.hpp>
#include <loraflow/sweep/sweep.hpp>

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
                     bool* interrupted) {
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
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
          PyErr_Clear();
          cancel.store(true);
          if (interrupted) *interrupted = true;
        } else {
          throw py::error_already_set();
        }
      }
      if (progress) progress();
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
        if (progress) report = [&] { progress(done.load(), total.load(), steps.load()); };
        const loraflow::certified_run r = run_on_worker<loraflow::certified_run>(
            [&]() -> loraflow::certified_run {
              if (!certify) return {loraflow::execute(c, o), std::nullopt};
              return loraflow::execute_certified(c, o, [&](const std::string& line) {
                if (progress_line) std::cerr << line << std::endl;
              });
            },
            cancel, report, &interrupted);
        py::dict d = result_dict(r.run);
        if (interrupted && r.run.status == loraflow::run_status::stopped) d["message"] = "interrupted (Ctrl-C)";
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
        loraflow::field_result r;
        {
          py::gil_scoped_release release;
          r = loraflow::evaluate_field(c);
        }
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
      [](const std::string& file, const std::string& out, unsigned jobs, bool progress, const std::string& cli) {
        const loraflow::sweep_spec spec = loraflow::load_sweep(file);
        loraflow::sweep_options o;
        o.out_dir = out;
        o.jobs = jobs;
        o.progress = progress;
        o.point_command = {cli, "run"};  // each point is `loraflow run` in its own process, as under the CLI
        loraflow::sweep_result r;
        {  // each point is its own process: a Ctrl-C in a terminal reaches them too, and the same call resumes
          py::gil_scoped_release release;
          r = loraflow::run_sweep(spec, o);
        }
        py::dict d;
        d["total"] = r.total;
        d["already_done"] = r.already_done;
        d["ran"] = r.ran;
        d["numerical_failures"] = r.numerical_failures;
        d["errors"] = r.errors;
        d["error_messages"] = r.error_messages;
        return d;
      },
      py::arg("file"), py::arg("out"), py::arg("jobs"), py::arg("progress"), py::arg("cli"),
      "Runs the missing points of a sweep file into out (sweep/sweep.hpp run_sweep)");

  m.def(
      "table",
      [](const std::string& dir) {
        loraflow::table_result t;
        {
          py::gil_scoped_release release;
          t = loraflow::write_tables(dir);
        }
        py::dict d;
        d["groups"] = t.groups;
        d["points"] = t.points;
        d["missing"] = t.missing;
        d["failed"] = t.failed;
        d["markdown"] = t.markdown;
        return d;
      },
      py::arg("dir"), "Writes a sweep directory's tables (report/table.hpp write_tables)");

  m.def("version", &loraflow::version_string, "The build's version string (as loraflow --version prints it)");
}
