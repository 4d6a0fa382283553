// tools/sweep_mpi.cpp: `mpirun -np N loraflow sweep ...`: the ranks of an MPI job share one sweep's points
// (sweep/sweep.hpp, sweep_share), rank 0 leading. Compiled only when CMake finds MPI (LORAFLOW_HAVE_MPI); the
// library itself never uses MPI.
//
// Protocol (MPI_COMM_WORLD, longs): a rank with a free slot sends REQUEST to rank 0 and waits for POINT, the index
// of its next point or -1 when none is left; after each of its points it sends DONE {index, exit status}; when it
// has nothing left it sends BYE {points left to another runner's claim, points found done}. Rank 0 serves these
// between its own points (run_sweep calls poll() every few ms), so points go out one at a time, to whichever rank
// is free: a slow point at small alpha never leaves the others idle. Points are written into the shared DIR by the
// rank that ran them, atomically and under a claim, so the table does not depend on the layout.
#include "sweep_mpi.hpp"

#include <cstdlib>

namespace loraflow_cli {

bool launched_by_mpi() {
  // The job size the launchers of Open MPI and of MPICH / Hydra or Slurm's PMI put in every rank's environment; a
  // job of one rank is a runner on its own.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* n = std::getenv(v); n && std::atoi(n) > 1) return true;
  return false;
}

}  // namespace loraflow_cli

#ifdef LORAFLOW_HAVE_MPI

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>

namespace loraflow_cli {

namespace {

enum tag : int { REQUEST = 1, POINT = 2, DONE = 3, BYE = 4 };

/// Waits for a request to complete by testing it every 200 us: Open MPI's blocking calls spin on a core, which the
/// points of this node need (on a machine of two cores, a rank spinning in a wait halves a point's speed).
void wait_gently(MPI_Request& req) {
  for (int flag = 0;;) {
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (flag) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

class mpi_share final : public loraflow::sweep_share {
 public:
  mpi_share(int rank, int size) : m_rank(rank), m_others(size - 1) {}
  bool leader() const override { return m_rank == 0; }
  void barrier() override { wait_for_all(); }
  void start(std::vector<std::size_t> todo) override { m_queue.assign(todo.begin(), todo.end()); }

  std::optional<std::size_t> next() override {
    if (leader()) return pop();
    long ask = 0, answer = -1;
    MPI_Request req;
    MPI_Irecv(&answer, 1, MPI_LONG, 0, POINT, MPI_COMM_WORLD, &req);
    MPI_Send(&ask, 1, MPI_LONG, 0, REQUEST, MPI_COMM_WORLD);
    wait_gently(req);
    if (answer < 0) return std::nullopt;
    return static_cast<std::size_t>(answer);
  }

  void finished(std::size_t index, int code) override {
    if (leader()) return;  // run_sweep counts the leader's own points
    const long msg[2] = {static_cast<long>(index), code};
    MPI_Send(msg, 2, MPI_LONG, 0, DONE, MPI_COMM_WORLD);
  }

  std::vector<std::pair<std::size_t, int>> poll() override {
    std::vector<std::pair<std::size_t, int>> ended;
    if (!leader()) return ended;
    for (;;) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) break;
      long msg[2] = {0, 0};
      MPI_Recv(msg, 2, MPI_LONG, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (st.MPI_TAG == REQUEST) {
        const std::optional<std::size_t> p = pop();
        const long answer = p ? static_cast<long>(*p) : -1;
        MPI_Send(&answer, 1, MPI_LONG, st.MPI_SOURCE, POINT, MPI_COMM_WORLD);
      } else if (st.MPI_TAG == DONE) {
        ended.emplace_back(static_cast<std::size_t>(msg[0]), static_cast<int>(msg[1]));
      } else if (st.MPI_TAG == BYE) {
        --m_others;
        m_claimed_elsewhere += static_cast<std::size_t>(msg[0]);
        m_found_done += static_cast<std::size_t>(msg[1]);
      }
    }
    return ended;
  }

  bool others_running() override { return leader() && m_others > 0; }

  void end(loraflow::sweep_result& r) override {
    if (leader()) {
      r.claimed_elsewhere += m_claimed_elsewhere;
      r.already_done += m_found_done;
    } else {
      const long msg[2] = {static_cast<long>(r.claimed_elsewhere), static_cast<long>(r.already_done)};
      MPI_Send(msg, 2, MPI_LONG, 0, BYE, MPI_COMM_WORLD);
    }
    wait_for_all();  // every rank done: MPI_Finalize then has nothing to wait for
  }

 private:
  static void wait_for_all() {
    MPI_Request req;
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    wait_gently(req);
  }
  std::optional<std::size_t> pop() {
    if (m_queue.empty()) return std::nullopt;
    const std::size_t i = m_queue.front();
    m_queue.pop_front();
    return i;
  }
  int m_rank;
  int m_others;  // ranks that have not said BYE (leader)
  std::deque<std::size_t> m_queue;
  std::size_t m_claimed_elsewhere = 0, m_found_done = 0;
};

}  // namespace

mpi_session::mpi_session() {
  // Open MPI: ranks that wait give their core away (unless the user set it otherwise).
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &m_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &m_size);
  MPI_Comm local;  // the ranks on this node, which share its cores
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &m_local_size);
  MPI_Comm_free(&local);
  m_share = std::make_unique<mpi_share>(m_rank, m_size);
}

mpi_session::~mpi_session() {
  m_share.reset();
  MPI_Finalize();
}

loraflow::sweep_share* mpi_session::share() { return m_size > 1 ? m_share.get() : nullptr; }

unsigned mpi_session::default_jobs() const {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return std::max(1u, cores / static_cast<unsigned>(std::max(1, m_local_size)));
}

[[noreturn]] void mpi_session::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace loraflow_cli

#endif
