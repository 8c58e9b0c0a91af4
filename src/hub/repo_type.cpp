#include "mhub/hub/repo_type.h"

#include <string>

namespace mhub::hub {
namespace {

// Every spelling of each repo type.
struct RepoTypeSpelling {
  RepoType type;
  std::string_view name;
  std::string_view plural;
  std::string_view url_prefix;
};

constexpr RepoTypeSpelling kSpellings[] = {
    {RepoType::kModel, "model", "models", ""},
    {RepoType::kDataset, "dataset", "datasets", "datasets/"},
    {RepoType::kSpace, "space", "spaces", "spaces/"},
};

// A value outside the enum reads as a model.
const RepoTypeSpelling& SpellingOf(RepoType type) {
  for (const RepoTypeSpelling& s : kSpellings) {
    if (s.type == type) return s;
  }
  return kSpellings[0];
}

}  // namespace

std::string_view RepoTypeName(RepoType type) { return SpellingOf(type).name; }

std::string_view RepoTypePlural(RepoType type) { return SpellingOf(type).plural; }

std::string_view RepoTypeUrlPrefix(RepoType type) { return SpellingOf(type).url_prefix; }

std::optional<RepoType> RepoTypeFromName(std::string_view name) {
  for (const RepoTypeSpelling& s : kSpellings) {
    if (name == s.name || name == s.plural) return s.type;
  }
  return std::nullopt;
}

Result<RepoType> ParseRepoType(std::string_view name) {
  if (std::optional<RepoType> type = RepoTypeFromName(name)) return *type;
  return Status::InvalidArgument("unknown repo type '" + std::string(name) + "' (expected model, dataset or space)");
}

}  // namespace mhub::hub
