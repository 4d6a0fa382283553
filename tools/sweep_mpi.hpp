// tools/sweep_mpi.hpp: `loraflow sweep` under MPI (tools/sweep_mpi.cpp): an MPI session for the sweep subcommand,
// whose sweep_share lets the ranks share one sweep's points, rank 0 leading (docs/sweep.md, "MPI").
#pragma once

#include <loraflow/sweep/sweep.hpp>

#include <memory>

namespace loraflow_cli {

/// Whether this process is a rank of an MPI job (its launcher's environment variables are set).
bool launched_by_mpi();

#ifdef LORAFLOW_HAVE_MPI
/// MPI_Init for the life of the object, MPI_Finalize after it.
class mpi_session {
 public:
  mpi_session();
  ~mpi_session();
  mpi_session(const mpi_session&) = delete;
  mpi_session& operator=(const mpi_session&) = delete;
  int rank() const { return m_rank; }
  int size() const { return m_size; }
  /// The share of the sweep among the ranks; null for a job of one rank (it runs the sweep alone).
  loraflow::sweep_share* share();
  /// Points run at once on this rank when --jobs is not given: this node's cores divided among its ranks.
  unsigned default_jobs() const;
  /// Ends the whole job (bad input seen by a rank: the others would wait for it).
  [[noreturn]] void abort(int code);

 private:
  int m_rank = 0, m_size = 1, m_local_size = 1;
  std::unique_ptr<loraflow::sweep_share> m_share;
};
#endif

}  // namespace loraflow_cli
