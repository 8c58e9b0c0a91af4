// Tokenizer::Train / TrainFromIterator (HF tokenizer/mod.rs train_from_files, train): the word
// count pass through the tokenizer's own pipeline, the trainer, then the new model and the
// trainer's special tokens put in place.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "mhub/tokenizers/trainers.h"
#include "tokenizers/tokenizer_impl.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

// Sequences are counted in batches of this many bytes, split across the threads.
constexpr size_t kBatchBytes = 4u << 20;

// Adds the pre-tokens of `text` to `counts` (HF's `process` closure: every split of the
// pre-tokenized string, added-token splits included, as its normalized text).
Status CountWords(const Tokenizer::Impl& impl, std::string_view text, PreTokenized& pt, WordCounts& counts) {
  size_t bad = unicode::FirstInvalidUtf8(text);
  if (bad != text.size()) {
    return Status::InvalidArgument("training text is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  MHUB_RETURN_IF_ERROR(impl.NormalizeAndPreTokenize(text, pt));
  if (pt.byte_level) pt.MaterializeByteLevel();
  for (const Piece& p : pt.pieces) {
    if (p.end == p.begin) continue;
    std::string_view w = pt.PieceText(p);
    auto it = counts.find(std::string(w));
    if (it == counts.end()) {
      counts.emplace(std::string(w), 1);
    } else {
      ++it->second;
    }
  }
  return Status::OK();
}

class WordCounter {
 public:
  WordCounter(const Tokenizer::Impl& impl, int threads)
      : impl_(impl),
        threads_(threads > 0 ? static_cast<size_t>(threads) : std::max(1u, std::thread::hardware_concurrency())),
        per_thread_(threads_) {}

  Status Add(std::string sequence) {
    batch_bytes_ += sequence.size();
    batch_.push_back(std::move(sequence));
    if (batch_bytes_ >= kBatchBytes) return Flush();
    return Status::OK();
  }

  Status Flush() {
    const size_t n = batch_.size();
    const size_t workers = std::min(threads_, std::max<size_t>(1, n / 64));
    std::vector<Status> status(workers);
    auto work = [&](size_t t) {
      PreTokenized pt;
      for (size_t i = t * n / workers; i < (t + 1) * n / workers; ++i) {
        Status s = CountWords(impl_, batch_[i], pt, per_thread_[t]);
        if (!s.ok()) {
          status[t] = std::move(s);
          return;
        }
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < workers; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    batch_.clear();
    batch_bytes_ = 0;
    for (Status& s : status) MHUB_RETURN_IF_ERROR(s);
    return Status::OK();
  }

  WordCounts Take() {
    WordCounts all = std::move(per_thread_[0]);
    for (size_t t = 1; t < per_thread_.size(); ++t) {
      for (auto& [w, c] : per_thread_[t]) all[w] += c;
    }
    return all;
  }

 private:
  const Tokenizer::Impl& impl_;
  size_t threads_;
  std::vector<WordCounts> per_thread_;
  std::vector<std::string> batch_;
  size_t batch_bytes_ = 0;
};

}  // namespace

Status Tokenizer::TrainFromIterator(const std::function<bool(std::string& sequence)>& next, const Trainer& trainer,
                                    int threads) {
  Json model = impl_->model->ToJson();
  const std::string type = model.value("type", "");
  if (type != trainer.ModelType()) {
    return Status::InvalidArgument("a " + std::string(trainer.ModelType()) + " trainer cannot train the tokenizer's " +
                                   type + " model");
  }
  WordCounter counter(*impl_, threads);
  std::string seq;
  while (next(seq)) MHUB_RETURN_IF_ERROR(counter.Add(std::move(seq)));
  MHUB_RETURN_IF_ERROR(counter.Flush());
  MHUB_ASSIGN_OR_RETURN(Json trained, trainer.TrainModel(counter.Take(), model));

  // The new model goes through the loader, so every derived setting (ByteLevel deferral, added
  // token ids against the new vocab) is computed as for a file.
  Json j = ToJson();
  j["model"] = std::move(trained);
  MHUB_ASSIGN_OR_RETURN(Tokenizer fresh, FromJson(j.dump()));
  std::vector<AddedToken> specials;
  for (const std::string& t : trainer.SpecialTokens()) {
    AddedToken a;
    a.content = t;
    a.special = true;
    a.normalized = false;
    specials.push_back(a);
  }
  fresh.AddTokens(specials);
  fresh.impl_->encode_special_tokens = impl_->encode_special_tokens;
  *this = std::move(fresh);
  return Status::OK();
}

Status Tokenizer::Train(const std::vector<std::string>& files, const Trainer& trainer, int threads) {
  if (files.empty()) return Status::InvalidArgument("no training files given");
  std::vector<std::ifstream> streams;
  for (const std::string& f : files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f, ec))
      return Status::IOError("cannot open training file " + f + ": not a readable file");
    std::ifstream in(f, std::ios::binary);
    if (!in) return Status::IOError("cannot open training file " + f);
    streams.push_back(std::move(in));
  }
  // Lines keep their "\n" (and "\r\n"), as HF's lines_with_ending.
  size_t file = 0;
  Status read_error;
  auto next = [&](std::string& line) {
    while (file < streams.size()) {
      line.clear();
      if (std::getline(streams[file], line)) {
        if (!streams[file].eof()) line.push_back('\n');
        return true;
      }
      if (streams[file].bad()) {
        read_error = Status::IOError("cannot read training file " + files[file]);
        return false;
      }
      ++file;
    }
    return false;
  };
  Status s = TrainFromIterator(next, trainer, threads);
  MHUB_RETURN_IF_ERROR(read_error);
  return s;
}

}  // namespace mhub::tokenizers
