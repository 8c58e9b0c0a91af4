// DataParallel in a build without MPI: one process only.
#include <cstdlib>

#include "mhub/train/data_parallel.h"

namespace mhub::train {

Result<std::unique_ptr<DataParallel>> DataParallelFromEnvironment() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* s = std::getenv(v); s != nullptr && std::atoi(s) > 1)
      return Status::Unsupported(
          "launched by mpirun with several processes, but this mhub was built without MPI (install openmpi-bin "
          "libopenmpi-dev and rebuild)");
  return std::unique_ptr<DataParallel>();
}

}  // namespace mhub::train
