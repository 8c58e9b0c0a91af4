// GET /api/spaces/{id}/runtime (reference/web.md 3.3): the Hub's SpaceRuntime object
// (huggingface_hub SpaceRuntime, @huggingface/hub SpaceRuntime). This hub runs no containers: a
// static Space with its app file is RUNNING on "cpu-basic" (the Hub's free tier); without it
// NO_APP_FILE; a Space of another SDK cannot be started here, which is its CONFIG_ERROR.
#include "server/spaces/space_handlers.h"

namespace mhub::server::spaces {

Json SpaceRuntimeJson(HubContext& ctx, const RepoRecord& record) {
  // main's head as the repo store sees it now (record.sha may lag a push by git).
  auto head = ctx.repos->ResolveRevision(record.key, "main");
  std::string sha = head.ok() ? *head : "";
  SpaceConfig config = ReadSpaceConfig(ctx, record, sha);
  std::string stage;
  Json error_message = nullptr;
  if (!config.card_error.empty()) {
    stage = "CONFIG_ERROR";
    error_message = "README.md metadata: " + config.card_error;
  } else if (!config.app_file_exists) {
    stage = "NO_APP_FILE";
  } else if (config.sdk == "static") {
    stage = "RUNNING";
  } else {
    stage = "CONFIG_ERROR";
    error_message = "this hub serves static Spaces only (sdk: " + config.sdk + ")";
  }
  Json hardware = Json{{"current", "cpu-basic"}, {"requested", "cpu-basic"}};
  Json runtime = Json{{"stage", stage},
                      {"hardware", hardware},
                      {"storage", nullptr},
                      {"gcTimeout", nullptr},
                      {"replicas", Json{{"current", stage == "RUNNING" ? 1 : 0}, {"requested", 1}}},
                      {"devMode", false},
                      {"domains", Json::array()},
                      {"sdk", config.sdk.empty() ? Json(nullptr) : Json(config.sdk)}};
  if (!error_message.is_null()) runtime["errorMessage"] = error_message;
  return runtime;
}

HubError HandleSpaceRuntime(RepoCall& call) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireRead(call.ctx, call.who, call.key));
  SetJson(call.res, SpaceRuntimeJson(call.ctx, record));
  return {};
}

HubError HandleSpaceControl(RepoCall& call, const std::string& action) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireWrite(call.ctx, call.who, call.key));
  if (action == "pause") {
    // huggingface_hub's pause_space: static Spaces cannot be paused (they use no hardware), nor
    // can any Space here, where none runs on hardware of its own.
    return HubError::BadRequest("Space " + record.key.id.ToString() +
                                " cannot be paused: this hub runs no hardware for Spaces (static Spaces are "
                                "always served)");
  }
  SetJson(call.res, SpaceRuntimeJson(call.ctx, record));
  return {};
}

}  // namespace mhub::server::spaces
