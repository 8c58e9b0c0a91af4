// DataParallel over Open MPI (MPI_COMM_WORLD, MPI_Allreduce with MPI_SUM).
#include <mpi.h>

#include <cstdlib>
#include <string>

#include "mhub/train/data_parallel.h"

namespace mhub::train {
namespace {

int LaunchedWorldSize() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* s = std::getenv(v)) return std::atoi(s);
  return 1;
}

class MpiDataParallel : public DataParallel {
 public:
  MpiDataParallel(int rank, int size) : rank_(rank), size_(size) {}
  ~MpiDataParallel() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int world_size() const override { return size_; }
  Status AllReduceSum(std::span<float> v) override { return Reduce(v.data(), int64_t(v.size()), MPI_FLOAT); }
  Status AllReduceSum(std::span<double> v) override { return Reduce(v.data(), int64_t(v.size()), MPI_DOUBLE); }

 private:
  Status Reduce(void* data, int64_t n, MPI_Datatype type) {
    const size_t elem = type == MPI_FLOAT ? sizeof(float) : sizeof(double);
    // MPI counts are int: reduce in chunks of at most 2^30 elements.
    for (int64_t off = 0; off < n; off += int64_t(1) << 30) {
      const int count = int(std::min<int64_t>(n - off, int64_t(1) << 30));
      const int rc = MPI_Allreduce(MPI_IN_PLACE, static_cast<char*>(data) + off * int64_t(elem), count, type, MPI_SUM,
                                   MPI_COMM_WORLD);
      if (rc != MPI_SUCCESS) return Status::IOError("MPI_Allreduce failed with code " + std::to_string(rc));
    }
    return Status::OK();
  }
  int rank_, size_;
};

}  // namespace

Result<std::unique_ptr<DataParallel>> DataParallelFromEnvironment() {
  if (LaunchedWorldSize() <= 1) return std::unique_ptr<DataParallel>();
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) return Status::Unavailable("MPI_Init failed");
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size <= 1) return std::unique_ptr<DataParallel>();
  return std::unique_ptr<DataParallel>(new MpiDataParallel(rank, size));
}

}  // namespace mhub::train
