// Hub client facts for `mhub env`: endpoint, token source, cache folders, offline mode, libcurl.
#include <curl/curl.h>

#include <cstdlib>

#include "command_registry.h"
#include "mhub/hub/hub_config.h"

MHUB_REGISTER_ENV_FACTS(hub, 20) {
  auto config = mhub::hub::HubConfig::FromEnv();
  std::string token_source = "none";
  for (const char* name : {"MHUB_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') {
      token_source = std::string("$") + name;
      break;
    }
  }
  if (token_source == "none" && !config.token.empty()) token_source = mhub::hub::TokenPath();
  std::vector<mhub::cli::EnvFact> facts;
  facts.push_back({"Endpoint", config.endpoint, true});
  facts.push_back({"Token", token_source, false});
  facts.push_back({"HF_HOME", config.hf_home, false});
  facts.push_back({"Cache dir", config.cache_dir, true});
  facts.push_back({"Offline", config.offline ? "yes" : "no", false});
  facts.push_back({"libcurl", curl_version_info(CURLVERSION_NOW)->version, false});
  return facts;
}
