// Trainer checkpoints (checkpoint-N/ written into tmp-checkpoint-N/ and renamed), save_model and
// the hub pushes per hub_strategy (training.md §2.9-2.10, §9).
#include <filesystem>

#include "checkpoint_io.h"
#include "mhub/base/env.h"
#include "mhub/train/model_card.h"
#include "mhub/train/training_curve.h"
#include "trainer_impl.h"

namespace mhub::train {
namespace fs = std::filesystem;
using internal::WriteJsonFile;

Status Trainer::SaveModel(const std::string& dir_in) {
  if (!is_world_process_zero()) return Status::OK();  // save_model writes on process 0 only
  const std::string dir = dir_in.empty() ? args_.output_dir : dir_in;
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(dir));
  MHUB_RETURN_IF_ERROR(impl_->model->SavePretrained(dir));
  return WriteJsonFile(dir + "/training_args.json", Json::parse(args_.ToDict().dump()));
}

Status Trainer::SaveCheckpoint() {
  Impl& s = *impl_;
  if (!is_world_process_zero()) return Status::OK();  // process 0 writes; the weights are the same everywhere
  const std::string out = args_.output_dir;
  const std::string name = "checkpoint-" + std::to_string(s.global_step);
  const std::string final_dir = out + "/" + name, tmp = out + "/tmp-" + name;
  MHUB_RETURN_IF_ERROR(internal::RemoveTree(tmp));
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(tmp));
  auto fail = [&](const Status& st) {
    (void)internal::RemoveTree(tmp);  // never leave a partial checkpoint behind
    return st.WithContext("while saving " + name);
  };
  Status st = s.model->SavePretrained(tmp);
  if (!st.ok()) return fail(st);
  if (!args_.save_only_model) {
    if (!(st = s.optimizer->Save(tmp + "/optimizer.safetensors")).ok()) return fail(st);
    if (!(st = WriteJsonFile(tmp + "/scheduler.json", s.scheduler->State())).ok()) return fail(st);
    Json rng = {{"seed", args_.seed},
                {"data_seed", args_.data_seed.value_or(args_.seed)},
                {"micro_batches_seen", s.micro_batches_seen},
                {"collator", s.collator->SaveState()}};
    if (!(st = WriteJsonFile(tmp + "/rng_state.json", rng)).ok()) return fail(st);
  }
  if (!(st = WriteJsonFile(tmp + "/training_args.json", Json::parse(args_.ToDict().dump()))).ok()) return fail(st);
  // best_model_checkpoint names the final folder once it will exist (this one, if it is the best).
  if (args_.metric_for_best_model && s.best_global_step) {
    const std::string best = out + "/checkpoint-" + std::to_string(*s.best_global_step);
    if (*s.best_global_step == s.global_step || fs::exists(best)) s.best_model_checkpoint = best;
  }
  if (!(st = WriteJsonFile(tmp + "/trainer_state.json", StateJson())).ok()) return fail(st);
  if (!(st = internal::CommitFolder(tmp, final_dir)).ok()) return fail(st);
  if (args_.push_to_hub && s.pusher && args_.hub_strategy != "end") MHUB_RETURN_IF_ERROR(PushCheckpoint(final_dir));
  if (args_.save_total_limit)
    MHUB_RETURN_IF_ERROR(internal::RotateCheckpoints(out, *args_.save_total_limit, s.best_model_checkpoint));
  return Status::OK();
}

Status Trainer::PushCheckpoint(const std::string& checkpoint_dir) {
  Impl& s = *impl_;
  // _push_from_checkpoint: the checkpoint's model files go to output_dir, which is uploaded without
  // checkpoint-* and _*; "checkpoint" also uploads it as last-checkpoint/, "all_checkpoints" as itself.
  const std::string out = args_.output_dir;
  for (const auto& e : fs::directory_iterator(checkpoint_dir)) {
    const std::string f = e.path().filename().string();
    if (f == "config.json" || f.rfind("model", 0) == 0 || f.rfind("adapter_", 0) == 0 || f == "training_args.json" ||
        f == "generation_config.json") {
      std::error_code ec;
      fs::copy_file(e.path(), out + "/" + f, fs::copy_options::overwrite_existing, ec);
      if (ec) return Status::IOError("copying " + f + " for push: " + ec.message());
    }
  }
  const std::string msg = args_.save_strategy == "epoch"
                              ? "Training in progress, epoch " + std::to_string(int64_t(s.epoch))
                              : "Training in progress, step " + std::to_string(s.global_step);
  const std::vector<std::string> ignore = {"_*", "checkpoint-*", "tmp-checkpoint-*", "trainer_log.jsonl"};
  MHUB_RETURN_IF_ERROR(s.pusher->Upload(out, "", ignore, msg));
  const std::string name = fs::path(checkpoint_dir).filename().string();
  if (args_.hub_strategy == "checkpoint")
    MHUB_RETURN_IF_ERROR(s.pusher->Upload(checkpoint_dir, "last-checkpoint", {}, msg));
  if (args_.hub_strategy == "all_checkpoints") MHUB_RETURN_IF_ERROR(s.pusher->Upload(checkpoint_dir, name, {}, msg));
  return Status::OK();
}

Status Trainer::PushToHub(const std::string& commit_message) {
  Impl& s = *impl_;
  if (!is_world_process_zero()) return Status::OK();
  if (!s.pusher) return Status::InvalidArgument("push_to_hub: no hub client (set_hub_pusher)");
  MHUB_RETURN_IF_ERROR(SaveModel());
  MHUB_RETURN_IF_ERROR(WriteTrainingCurveSvg(s.log_history, args_.output_dir + "/training_curve.svg"));
  ModelCardInput card;
  card.args = args_;
  card.log_history = s.log_history;
  card.info = s.card_info;
  card.model_info = s.model->info();
  card.task = s.model->task();
  MHUB_ASSIGN_OR_RETURN(std::string readme, CreateModelCard(card));
  MHUB_RETURN_IF_ERROR(WriteFileAtomic(args_.output_dir + "/README.md", readme));
  return s.pusher->Upload(args_.output_dir, "", {"_*", "checkpoint-*", "tmp-checkpoint-*", "trainer_log.jsonl"},
                          commit_message);
}

}  // namespace mhub::train
