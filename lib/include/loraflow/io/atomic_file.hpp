// loraflow/io/atomic_file.hpp: write a file or a whole output directory so that it appears complete or not at all.
//
// Provides: atomic_file (write to "<path>.tmp.<pid>.<n>", then fsync and rename onto <path>),
// write_file_atomic (the same for a string), and staging_dir (fill "<dir>.tmp.<pid>", then rename it onto <dir>).
//
// Why: a run that fails or is interrupted must leave neither a partial file nor a half-filled output directory;
// rename(2) within one file system is atomic, so readers see the old state or the new one, never a mix.
//
// Not for: paths on different file systems (the temporary always sits next to the target, so this holds), or
// several processes writing the same target at once (the last commit wins).
#pragma once

#include <fstream>
#include <ostream>
#include <string>

namespace loraflow {

/// A file written under a temporary name and renamed onto its target by commit(). If commit() is never called
/// (an exception, an early return), the destructor removes the temporary and the target is left untouched.
/// Throws std::runtime_error naming the target path on any I/O failure.
///
/// **Example**
/// ```
/// loraflow::atomic_file f("out/report.csv");
/// f.stream() << "a,b\n1,2\n";
/// f.commit();                       // out/report.csv now exists, complete
/// ```
class atomic_file {
 public:
  /// Opens "<path>.tmp.<pid>.<counter>" for binary writing; the directory of `path` must exist.
  explicit atomic_file(const std::string& path);
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  /// Removes the temporary file unless commit() succeeded; never throws.
  ~atomic_file();

  /// The stream to write to; valid until commit().
  std::ostream& stream();
  /// Flushes, checks the stream, fsyncs the data and renames the temporary onto the target path.
  /// Throws std::runtime_error on failure (the temporary is then removed by the destructor);
  /// std::logic_error if called twice.
  void commit();

  const std::string& target_path() const { return m_path; }
  const std::string& temporary_path() const { return m_tmp_path; }

 private:
  std::string m_path;
  std::string m_tmp_path;
  std::ofstream m_out;
  bool m_committed = false;
};

/// Writes `contents` to `path` through an atomic_file: afterwards `path` holds exactly `contents`, or the call
/// threw std::runtime_error and `path` is as it was before.
void write_file_atomic(const std::string& path, const std::string& contents);

/// An output directory built under "<dir>.tmp.<pid>" and renamed onto <dir> by commit(). If <dir> already exists
/// as a directory, commit() moves it aside to "<dir>.old.<pid>", renames the staging directory into place and then
/// deletes the old one. Without commit() the destructor deletes the staging directory, so a failed run leaves no
/// output directory at all.
///
/// **Example**
/// ```
/// loraflow::staging_dir out("results/run1");
/// loraflow::write_file_atomic(out.path("table.csv"), csv);
/// out.commit();                     // results/run1/ appears with table.csv in it
/// ```
class staging_dir {
 public:
  /// Creates the parent of `dir` if missing, then the staging directory (a stale one left by a killed process
  /// with the same pid is removed first). Throws std::invalid_argument for an empty `dir`, std::logic_error if
  /// another live staging_dir in this process targets the same directory, std::runtime_error on I/O failure.
  explicit staging_dir(const std::string& dir);
  staging_dir(const staging_dir&) = delete;
  staging_dir& operator=(const staging_dir&) = delete;
  /// Removes the staging directory and everything in it unless commit() succeeded; never throws.
  ~staging_dir();

  /// Path of `name` inside the staging directory, for the caller to write to. `name` must be relative and must not
  /// contain "..": std::invalid_argument otherwise; std::logic_error after commit().
  std::string path(const std::string& name) const;
  /// Fsyncs the files written, then renames the staging directory onto the target (see the class comment).
  /// Throws std::runtime_error if the target exists and is not a directory, or on I/O failure (the previous
  /// <dir> is then put back where possible); std::logic_error if called twice.
  void commit();

  const std::string& target_path() const { return m_dir; }
  const std::string& staging_path() const { return m_staging; }

 private:
  std::string m_dir;
  std::string m_staging;
  std::string m_key;  // absolute staging path, registered so two live staging_dirs never share one
  bool m_committed = false;
};

}  // namespace loraflow
