// Lets inspect and tokenize take a hub repo id where they take a folder: installs the resolver of
// command_registry.h when the hub client is compiled in.
#include "command_registry.h"
#include "mhub/hub/resolve.h"

namespace {

mhub::Result<std::string> ResolveWithHub(const std::string& path, const std::string& revision,
                                         const std::vector<std::string>& patterns) {
  mhub::hub::ResolveOptions options;
  options.revision = revision;
  options.allow_patterns = patterns;
  return mhub::hub::ResolveModelPath(path, options);
}

[[maybe_unused]] const bool kInstalled = (mhub::cli::model_path_resolver() = &ResolveWithHub, true);

}  // namespace
