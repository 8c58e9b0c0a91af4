// push_to_hub through mhub's hub client (src/hub): the repo is created (exist_ok, hub_private_repo)
// on first use; each Upload is one commit of the folder (upload_folder with the Trainer's ignores).
#pragma once

#include <memory>
#include <string>

#include "mhub/base/result.h"
#include "mhub/hub/hub_client.h"
#include "mhub/train/trainer.h"

namespace mhub::train {

// `repo_id`: args.hub_model_id, or "<user>/<basename(output_dir)>" resolved with whoami when it has
// no namespace. `token`: args.hub_token, else the client's (MHUB_TOKEN / HF_TOKEN / login).
Result<std::unique_ptr<HubPusher>> MakeHubPusher(const TrainingArguments& args);
// The same over an explicit client (tests point it at their server).
Result<std::unique_ptr<HubPusher>> MakeHubPusher(const TrainingArguments& args, hub::HubClient client);

}  // namespace mhub::train
