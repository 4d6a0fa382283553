// atomic_file.cpp: temporary-then-rename writers for files and directories (see loraflow/io/atomic_file.hpp).
#include "loraflow/io/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace loraflow {
namespace detail {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) { return std::strerror(err); }

/// Flushes `path` (a file or a directory) to stable storage. Returns 0 or the errno of the failing call.
int fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  if (::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

/// Makes a completed rename durable. Best effort: some file systems refuse to fsync a directory, and the rename
/// itself has already happened, so a failure here is not reported.
void fsync_parent_dir(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  (void)fsync_path(parent.empty() ? std::string(".") : parent.string());
}

std::string pid_text() { return std::to_string(static_cast<long long>(::getpid())); }

unsigned long long next_counter() {
  static std::atomic<unsigned long long> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

// Staging directories in use by live staging_dir objects of this process (keyed by absolute path), so that a
// stale "<dir>.tmp.<pid>" left by a killed process with a recycled pid can be told from one we are filling.
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& registry() {
  static std::set<std::string> s;
  return s;
}
void unregister_staging(const std::string& key) {
  if (key.empty()) return;
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry().erase(key);
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------------------------- atomic_file

atomic_file::atomic_file(const std::string& path)
    : m_path(path), m_tmp_path(path + ".tmp." + detail::pid_text() + "." + std::to_string(detail::next_counter())) {
  if (path.empty()) throw std::invalid_argument("atomic_file: empty path");
  errno = 0;
  m_out.open(m_tmp_path, std::ios::binary | std::ios::out | std::ios::trunc);
  if (!m_out.is_open()) {
    const int err = errno;
    throw std::runtime_error(m_path + ": cannot create temporary file '" + m_tmp_path + "'" +
                             (err != 0 ? ": " + detail::errno_text(err) : std::string()));
  }
}

atomic_file::~atomic_file() {
  if (m_committed) return;
  if (m_out.is_open()) m_out.close();
  std::error_code ec;
  std::filesystem::remove(m_tmp_path, ec);  // nothing more can be done from a destructor
}

std::ostream& atomic_file::stream() {
  if (m_committed) throw std::logic_error("atomic_file::stream: '" + m_path + "' was already committed");
  return m_out;
}

void atomic_file::commit() {
  if (m_committed) throw std::logic_error("atomic_file::commit: '" + m_path + "' was already committed");
  m_out.flush();
  if (!m_out) throw std::runtime_error(m_path + ": write failed (temporary file '" + m_tmp_path + "')");
  m_out.close();
  if (m_out.fail()) throw std::runtime_error(m_path + ": closing temporary file '" + m_tmp_path + "' failed");
  // The data must be on disk before the rename makes it visible; otherwise a crash can leave an empty target.
  if (int err = detail::fsync_path(m_tmp_path); err != 0)
    throw std::runtime_error(m_path + ": fsync of temporary file '" + m_tmp_path + "' failed: " +
                             detail::errno_text(err));
  if (std::rename(m_tmp_path.c_str(), m_path.c_str()) != 0) {
    const int err = errno;
    throw std::runtime_error(m_path + ": cannot rename temporary file '" + m_tmp_path + "' onto it: " +
                             detail::errno_text(err));
  }
  m_committed = true;
  detail::fsync_parent_dir(m_path);
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  atomic_file f(path);
  f.stream().write(contents.data(), static_cast<std::streamsize>(contents.size()));
  f.commit();
}

// ---------------------------------------------------------------------------------------------- staging_dir

staging_dir::staging_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();  // "out/" and "out" name the same directory
  const fs::path dp(d);
  const std::string leaf = dp.filename().string();
  if (d.empty() || leaf.empty() || leaf == "." || leaf == "..")
    throw std::invalid_argument("staging_dir: '" + dir + "' does not name a directory that can be replaced");
  m_dir = d;
  m_staging = d + ".tmp." + detail::pid_text();

  std::error_code ec;
  const fs::path parent = dp.parent_path();
  if (!parent.empty() && !fs::exists(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) throw std::runtime_error(m_dir + ": cannot create parent directory '" + parent.string() + "': " +
                                     ec.message());
  }

  std::string key = fs::absolute(fs::path(m_staging), ec).lexically_normal().string();
  if (ec) throw std::runtime_error(m_dir + ": cannot resolve staging path: " + ec.message());
  {
    std::lock_guard<std::mutex> lock(detail::registry_mutex());
    if (!detail::registry().insert(key).second)
      throw std::logic_error("staging_dir: another staging_dir is already filling '" + m_staging + "'");
  }
  m_key = key;

  // From here on the constructor may still throw, and then no destructor runs: undo the registration by hand.
  try {
    if (fs::symlink_status(m_staging, ec).type() != fs::file_type::not_found) {
      // Same pid but not ours: left behind by a killed process (pids repeat, e.g. in containers).
      fs::remove_all(m_staging, ec);
      if (ec) throw std::runtime_error(m_dir + ": cannot remove stale staging directory '" + m_staging + "': " +
                                       ec.message());
    }
    if (!fs::create_directory(m_staging, ec) || ec)
      throw std::runtime_error(m_dir + ": cannot create staging directory '" + m_staging + "'" +
                               (ec ? ": " + ec.message() : std::string()));
  } catch (...) {
    detail::unregister_staging(m_key);
    throw;
  }
}

staging_dir::~staging_dir() {
  if (!m_committed) {
    std::error_code ec;
    std::filesystem::remove_all(m_staging, ec);  // nothing more can be done from a destructor
  }
  detail::unregister_staging(m_key);
}

std::string staging_dir::path(const std::string& name) const {
  namespace fs = std::filesystem;
  if (m_committed) throw std::logic_error("staging_dir::path: '" + m_dir + "' was already committed");
  const fs::path p(name);
  if (name.empty() || p.has_root_path())
    throw std::invalid_argument("staging_dir::path: '" + name + "' must be a non-empty relative path");
  for (const fs::path& part : p)
    if (part == "..") throw std::invalid_argument("staging_dir::path: '" + name + "' must not contain '..'");
  return (fs::path(m_staging) / p).string();
}

void staging_dir::commit() {
  namespace fs = std::filesystem;
  if (m_committed) throw std::logic_error("staging_dir::commit: '" + m_dir + "' was already committed");
  std::error_code ec;

  // Everything written inside must be on disk before the directory becomes visible under its final name.
  for (fs::recursive_directory_iterator it(m_staging, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    const fs::file_type type = it->symlink_status(type_ec).type();
    if (type == fs::file_type::regular || type == fs::file_type::directory) {
      if (int err = detail::fsync_path(it->path().string()); err != 0)
        throw std::runtime_error(m_dir + ": fsync of '" + it->path().string() + "' failed: " +
                                 detail::errno_text(err));
    }
  }
  if (ec) throw std::runtime_error(m_dir + ": cannot list staging directory '" + m_staging + "': " + ec.message());
  if (int err = detail::fsync_path(m_staging); err != 0)
    throw std::runtime_error(m_dir + ": fsync of staging directory '" + m_staging + "' failed: " +
                             detail::errno_text(err));

  const fs::file_status target = fs::symlink_status(m_dir, ec);
  if (target.type() == fs::file_type::not_found) {
    fs::rename(m_staging, m_dir, ec);
    if (ec) throw std::runtime_error(m_dir + ": cannot rename staging directory '" + m_staging + "' onto it: " +
                                     ec.message());
  } else {
    if (!fs::is_directory(m_dir, ec))
      throw std::runtime_error(m_dir + ": exists and is not a directory; not replacing it");
    const std::string old = m_dir + ".old." + detail::pid_text();
    if (fs::symlink_status(old, ec).type() != fs::file_type::not_found) {
      fs::remove_all(old, ec);
      if (ec) throw std::runtime_error(m_dir + ": cannot remove stale '" + old + "': " + ec.message());
    }
    fs::rename(m_dir, old, ec);
    if (ec) throw std::runtime_error(m_dir + ": cannot move the existing directory aside to '" + old + "': " +
                                     ec.message());
    fs::rename(m_staging, m_dir, ec);
    if (ec) {
      const std::string why = ec.message();
      std::error_code undo;
      fs::rename(old, m_dir, undo);  // put the previous output back; the staging dir is removed by the destructor
      throw std::runtime_error(m_dir + ": cannot rename staging directory '" + m_staging + "' onto it: " + why +
                               (undo ? "; the previous directory remains at '" + old + "'" : std::string()));
    }
    m_committed = true;
    fs::remove_all(old, ec);  // the new output is in place; a leftover old copy is only clutter
  }
  m_committed = true;
  detail::unregister_staging(m_key);
  m_key.clear();  // a later staging_dir for the same target may register it again
  detail::fsync_parent_dir(m_dir);
}

}  // namespace loraflow
