#include "command_registry.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

namespace mhub::cli {

std::vector<RegisteredCommand>& command_registry() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

std::vector<EnvFactSource>& env_fact_sources() {
  static std::vector<EnvFactSource> sources;
  return sources;
}

std::vector<EnvFact> CollectEnvFacts() {
  std::vector<EnvFactSource> sources = env_fact_sources();
  std::stable_sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  std::vector<EnvFact> out;
  for (const auto& s : sources)
    for (auto& f : s.facts()) out.push_back(std::move(f));
  return out;
}

ModelPathResolver& model_path_resolver() {
  static ModelPathResolver resolver = nullptr;
  return resolver;
}

AdapterResolver& adapter_resolver() {
  static AdapterResolver resolver = nullptr;
  return resolver;
}

Result<std::string> ResolveLocalOrRepo(const std::string& path, const std::string& revision,
                                       const std::vector<std::string>& patterns) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) || model_path_resolver() == nullptr) return path;
  return model_path_resolver()(path, revision, patterns);
}

int print_error(std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "mhub: error: %s\n", line.c_str());
  return 1;
}

void print_warning(std::string_view message) {
  std::fprintf(stderr, "mhub: warning: %.*s\n", static_cast<int>(message.size()), message.data());
}

namespace {

bool Contains(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

// "http://host:port" of the first URL in `message`, or "".
std::string OriginIn(const std::string& message) {
  size_t start = message.find("http://");
  if (start == std::string::npos) start = message.find("https://");
  if (start == std::string::npos) return "";
  size_t host = message.find("://", start) + 3;
  size_t end = message.find_first_of("/ :", host);
  if (end != std::string::npos && message[end] == ':') {  // a port, unless it is the ": " after the URL
    size_t port_end = message.find_first_not_of("0123456789", end + 1);
    if (port_end != end + 1) end = port_end;
  }
  return message.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string ErrorText(const Status& status) {
  std::string text = status.message();
  switch (status.code()) {
    case StatusCode::kUnavailable:
      // Transport failures from libcurl: say which hub, and how to point mhub at another one.
      if (Contains(text, "Couldn't connect") || Contains(text, "resolve host") || Contains(text, "Timeout") ||
          Contains(text, "timed out") || Contains(text, "Connection refused") ||
          Contains(text, "Failure when receiving")) {
        std::string origin = OriginIn(text);
        text = "cannot reach the hub" + (origin.empty() ? std::string() : " at " + origin) + " (" + text +
               "); is `mhub server` running there? Set MHUB_ENDPOINT (or HF_ENDPOINT) to the hub's URL";
      }
      break;
    case StatusCode::kNotFound:
      if (Contains(text, "RepoNotFound") || Contains(text, "Repository not found") ||
          Contains(text, "repository not found"))
        text +=
            " (check the spelling of the id; datasets and Spaces need --type dataset or --type space; a private "
            "repo needs `mhub login` or --token)";
      break;
    case StatusCode::kUnauthenticated:
      text += " (log in with `mhub login`, or pass --token or set MHUB_TOKEN)";
      break;
    default:
      break;
  }
  return text;
}

int print_error(const Status& status) { return print_error(ErrorText(status)); }

}  // namespace mhub::cli
