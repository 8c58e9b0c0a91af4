// Where the hub client talks to and keeps things, read from the environment the way
// huggingface_hub does (with MHUB_* taking precedence):
//   endpoint: MHUB_ENDPOINT, HF_ENDPOINT, else http://127.0.0.1:8080 (trailing '/' removed)
//   token:    MHUB_TOKEN, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, else the file $HF_TOKEN_PATH
//             (default $HF_HOME/token)
//   HF_HOME:  default ${XDG_CACHE_HOME:-~/.cache}/huggingface
//   cache:    HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub
//   offline:  HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) in {1, true, yes, on}
#pragma once

#include <string>

#include "mhub/base/result.h"

namespace mhub::hub {

inline constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8080";

struct HubConfig {
  std::string endpoint = kDefaultEndpoint;
  std::string token;  // "" = anonymous
  std::string hf_home;
  std::string cache_dir;
  bool offline = false;

  static HubConfig FromEnv();
};

// $HF_TOKEN_PATH or $HF_HOME/token.
std::string TokenPath();
// Writes the token where huggingface_hub reads it (mode 0600, atomic).
Status StoreToken(const std::string& token);
// Removes the stored token; OK if there was none.
Status DeleteStoredToken();

}  // namespace mhub::hub
