#include "mhub/hub/hub_config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "mhub/base/env.h"

namespace mhub::hub {
namespace {

std::string GetEnv(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string FirstEnv(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    std::string v = GetEnv(n);
    if (!v.empty()) return v;
  }
  return "";
}

bool TruthyEnv(const char* name) {
  std::string v = GetEnv(name);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "1" || v == "true" || v == "yes" || v == "on";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

std::string HfHome() {
  std::string home = GetEnv("HF_HOME");
  if (!home.empty()) return home;
  std::string xdg = GetEnv("XDG_CACHE_HOME");
  if (!xdg.empty()) return xdg + "/huggingface";
  std::string user_home = GetEnv("HOME");
  if (user_home.empty()) user_home = "/tmp";
  return user_home + "/.cache/huggingface";
}

}  // namespace

std::string TokenPath() {
  std::string p = GetEnv("HF_TOKEN_PATH");
  return p.empty() ? HfHome() + "/token" : p;
}

HubConfig HubConfig::FromEnv() {
  HubConfig c;
  std::string endpoint = FirstEnv({"MHUB_ENDPOINT", "HF_ENDPOINT"});
  if (!endpoint.empty()) c.endpoint = endpoint;
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  c.token = FirstEnv({"MHUB_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"});
  if (c.token.empty()) {
    auto stored = ReadFile(TokenPath());
    if (stored.ok()) c.token = Trim(*stored);
  }
  c.hf_home = HfHome();
  c.cache_dir = FirstEnv({"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"});
  if (c.cache_dir.empty()) c.cache_dir = c.hf_home + "/hub";
  c.offline = TruthyEnv("HF_HUB_OFFLINE") || TruthyEnv("TRANSFORMERS_OFFLINE");
  return c;
}

Status StoreToken(const std::string& token) {
  std::string path = TokenPath();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Status::IOError("cannot create the folder of " + path + ": " + ec.message());
  MHUB_RETURN_IF_ERROR(WriteFileAtomic(path, token));
  if (::chmod(path.c_str(), 0600) != 0) return Status::IOError("cannot chmod " + path);
  return Status::OK();
}

Status DeleteStoredToken() {
  std::error_code ec;
  std::filesystem::remove(TokenPath(), ec);
  if (ec) return Status::IOError("cannot remove " + TokenPath() + ": " + ec.message());
  return Status::OK();
}

}  // namespace mhub::hub
