// Kernel facts for `mhub env` and `mhub --version`: CPU model, the ISA chosen (and why), the dot
// products in use, threads, oneDNN's version.
#include <oneapi/dnnl/dnnl.h>

#include "command_registry.h"
#include "mhub/core/cpu.h"

MHUB_REGISTER_ENV_FACTS(core, 10) {
  namespace core = mhub::core;
  std::vector<mhub::cli::EnvFact> facts;
  facts.push_back({"CPU", core::CpuModelName(), true});
  std::string isa(core::IsaName(core::ActiveIsa()));
  if (core::StartupIsaSource() != "detected") isa += " (" + std::string(core::StartupIsaSource()) + ")";
  facts.push_back({"ISA", isa, true});
  facts.push_back({"Kernels", core::CpuSummary(), false});
  facts.push_back({"Threads", std::to_string(core::NumThreads()), true});
  const dnnl_version_t* v = dnnl_version();
  facts.push_back(
      {"oneDNN", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch), false});
  return facts;
}
