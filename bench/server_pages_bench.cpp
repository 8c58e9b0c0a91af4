// Server-side render time of the website's pages at 10,000 repos (issue 15): the model page (card
// through cmark-gfm, chips, eval table, safetensors summary), the /models listing (search +
// facets + sort) and a tree page. 10,000 repo records are written into the metadata DB before the
// hub starts (their card metadata varied over tasks, libraries, languages, licenses); one real
// repo gets the card and files the pages render. Then 64 closed-loop clients on keep-alive
// connections ask for each page for a fixed time. Prints p50/p90/p99/max per page and the CPU;
// the target is p99 < 20 ms.
//
//   server_pages_bench [--repos N] [--clients C] [--seconds S] [--mhub PATH]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_http_client.h"
#include "mhub/base/base64.h"
#include "mhub/base/json.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/server.h"

namespace {

using mhub::bench::Connect;
using mhub::bench::CpuName;
using mhub::bench::Exchange;
using mhub::bench::Percentiles;
using mhub::bench::Summarize;
using Clock = std::chrono::steady_clock;

const char* kReadme = R"md(---
license: apache-2.0
language: [en, fr]
library_name: transformers
pipeline_tag: text-classification
tags: [sentiment, bench]
datasets: [imdb]
model-index:
- name: bench-model
  results:
  - task: {type: text-classification}
    dataset: {name: IMDB, type: imdb}
    metrics:
    - {type: accuracy, value: 0.93}
    - {type: f1, value: 0.91}
---
# Bench model

A card of typical length: a few sections, a table and code.

## Usage

```python
from transformers import pipeline
clf = pipeline("text-classification", model="team/bench-model")
print(clf("I love this"))
```

## Results

| split | accuracy | f1 |
|---|---|---|
| test | 0.93 | 0.91 |
| validation | 0.94 | 0.92 |

## Training

Trained for 3 epochs with AdamW, learning rate 2e-5, batch size 32, on *IMDB*; see the
[paper](https://arxiv.org/abs/1810.04805) for the architecture.
)md";

std::string Safetensors() {
  std::string header = "{";
  for (int i = 0; i < 200; ++i) {
    if (i) header += ",";
    header +=
        "\"layer." + std::to_string(i) + ".weight\":{\"dtype\":\"BF16\",\"shape\":[768,768],\"data_offsets\":[0,0]}";
  }
  header += "}";
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header;
}

}  // namespace

int main(int argc, char** argv) {
  int repos = 10000;
  int clients = 64;
  double seconds = 5;
  std::string mhub =
      (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "apps/mhub/mhub").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--repos") repos = std::atoi(argv[i + 1]);
    if (a == "--clients") clients = std::atoi(argv[i + 1]);
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--mhub") mhub = argv[i + 1];
  }
  const std::string data =
      (std::filesystem::temp_directory_path() / ("pages-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(data);
  const std::string token =
      mhub::bench::LastOutputLine(mhub + " admin create-user bench --data " + data + " --org team");
  if (token.rfind("hf_", 0) != 0) {
    std::fprintf(stderr, "mhub admin create-user failed (is %s built?)\n", mhub.c_str());
    return 1;
  }
  {
    const auto t0 = Clock::now();
    auto db = mhub::server::OpenSqliteMetadataDb(data + "/db.sqlite");
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      return 1;
    }
    const char* tasks[] = {"text-classification", "token-classification", "fill-mask",         "text-generation",
                           "translation",         "summarization",        "feature-extraction"};
    const char* libs[] = {"transformers", "sentence-transformers", "gguf", "diffusers", "timm"};
    const char* langs[] = {"en", "fr", "de", "es", "zh", "ja"};
    const char* licenses[] = {"apache-2.0", "mit", "cc-by-4.0", "llama3"};
    for (int i = 0; i < repos; ++i) {
      mhub::server::RepoRecord r;
      r.key.type = mhub::server::RepoType::kModel;
      r.key.id = {"org" + std::to_string(i % 200), "model-" + std::to_string(i)};
      r.author = r.key.id.ns;
      r.is_private = i % 10 == 0;
      r.pipeline_tag = tasks[i % 7];
      r.library_name = libs[i % 5];
      r.languages = {langs[i % 6]};
      r.license = licenses[i % 4];
      r.tags = {r.library_name, r.pipeline_tag, r.languages[0], "license:" + r.license, "tag" + std::to_string(i % 50)};
      r.downloads = (i * 7919) % 100000;
      r.likes = (i * 104729) % 1000;
      if (!db.value()->InsertRepo(r).ok()) {
        std::fprintf(stderr, "insert %d failed\n", i);
        return 1;
      }
    }
    std::printf("%d repo records written in %.1f s\n", repos, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  mhub::server::ServerOptions options;
  options.data_dir = data;
  options.port = 0;
  options.threads = 128;
  auto server = mhub::server::HubServer::Open(options);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::fprintf(stderr, "cannot start the hub\n");
    return 1;
  }
  const int port = (*server)->port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string auth = "-H 'Authorization: Bearer " + token + "'";
  std::system(("curl -sS -o /dev/null " + auth +
               " -H 'Content-Type: application/json' -d '{\"name\":\"bench-model\",\"organization\":\"team\"}' " + url +
               "/api/repos/create")
                  .c_str());
  std::string commit = "{\"key\":\"header\",\"value\":{\"summary\":\"bench files\"}}\n";
  auto add = [&](const std::string& path, const std::string& content) {
    commit += mhub::DumpJson(mhub::Json{
                  {"key", "file"},
                  {"value", {{"path", path}, {"content", mhub::Base64Encode(content)}, {"encoding", "base64"}}}}) +
              "\n";
  };
  add("README.md", kReadme);
  add("model.safetensors", Safetensors());
  for (int i = 0; i < 30; ++i)
    add("configs/config-" + std::to_string(i) + ".json", "{\"i\": " + std::to_string(i) + "}\n");
  add("config.json", "{\"model_type\": \"bert\"}\n");
  std::ofstream(data + "/commit.ndjson", std::ios::binary) << commit;
  if (std::system(("curl -sS -o /dev/null " + auth + " -H 'Content-Type: application/x-ndjson' --data-binary @" + data +
                   "/commit.ndjson " + url + "/api/models/team/bench-model/commit/main")
                      .c_str()) != 0) {
    return 1;
  }

  struct Target {
    const char* name;
    std::string path;
  };
  const std::vector<Target> targets = {
      {"model page", "/team/bench-model"},
      {"listing", "/models?search=model-1&pipeline_tag=text-classification&sort=likes"},
      {"listing (all)", "/models"},
      {"tree", "/team/bench-model/tree/main/configs"}};
  bool pass = true;
  for (const auto& t : targets) {
    std::string body;
    int fd0 = Connect(port);
    int st = Exchange(fd0, "GET " + t.path + " HTTP/1.1\r\nHost: b\r\nAccept: text/html\r\n\r\n", body);
    ::close(fd0);
    if (st != 200) {
      std::fprintf(stderr, "%s answered %d\n", t.path.c_str(), st);
      return 1;
    }
    std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
    std::atomic<int> errors{0};
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        int cfd = Connect(port);
        std::string b;
        const std::string req = "GET " + t.path + " HTTP/1.1\r\nHost: b\r\nAccept: text/html\r\n\r\n";
        while (Clock::now() < deadline) {
          const auto s = Clock::now();
          int status = Exchange(cfd, req, b);
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s).count();
          if (status != 200) {
            ++errors;
            ::close(cfd);
            cfd = Connect(port);
            continue;
          }
          lat[static_cast<size_t>(c)].push_back(ms);
        }
        ::close(cfd);
      });
    }
    for (auto& th : threads) th.join();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    Percentiles p = Summarize(all);
    pass = pass && p.p99 < 20;
    std::printf(
        "%-14s %s: %d clients, %.0f s: %zu requests (%.0f/s), %d errors, page %zu bytes; latency ms p50 %.2f p90 "
        "%.2f p99 %.2f max %.2f -> %s (target p99 < 20 ms)\n",
        t.name, t.path.c_str(), clients, seconds, all.size(), static_cast<double>(all.size()) / seconds, errors.load(),
        body.size(), p.p50, p.p90, p.p99, p.max, p.p99 < 20 ? "PASS" : "FAIL");
  }
  std::printf("%d repos; CPU: %s, %u hardware threads (server and clients share them)\n", repos, CpuName().c_str(),
              std::thread::hardware_concurrency());
  (*server)->Stop();
  std::error_code ec;
  std::filesystem::remove_all(data, ec);
  return pass ? 0 : 2;
}
