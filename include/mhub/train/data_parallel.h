// Data parallel training across processes (issue 13): each process trains on its shard of every
// global batch and the gradients are summed over processes before the optimizer step, so all
// processes keep identical weights (DDP's all-reduce). Open MPI carries the sums when mhub is built
// with it (CMake finds MPI; Debian openmpi-bin + libopenmpi-dev); `mpirun -np N mhub train ...`.
#pragma once

#include <memory>
#include <span>

#include "mhub/base/result.h"

namespace mhub::train {

class DataParallel {
 public:
  virtual ~DataParallel() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // Element-wise sum over every process, in place, the result the same on all of them. Every
  // process calls it in the same order with the same length.
  virtual Status AllReduceSum(std::span<float> values) = 0;
  virtual Status AllReduceSum(std::span<double> values) = 0;
};

// Launched by mpirun with more than one process (OMPI_COMM_WORLD_SIZE / PMI_SIZE > 1): the MPI
// world (MPI_Init once, MPI_Finalize at exit). Otherwise null: one process, nothing to reduce.
// Unsupported when launched that way by a build without MPI.
Result<std::unique_ptr<DataParallel>> DataParallelFromEnvironment();

}  // namespace mhub::train
