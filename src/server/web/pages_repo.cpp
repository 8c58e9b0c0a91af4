// The repo page (/{id}, /datasets/{id}, /spaces/{id}): header and tabs, the card rendered from
// README.md on main, metadata chips, eval results, downloads and likes, "use this model"
// snippets and the safetensors parameter count.
#include <cstdio>

#include "server/http/handler_common.h"
#include "server/web/card_render.h"
#include "server/web/pages.h"
#include "server/web/safetensors_summary.h"

namespace mhub::server::web {
namespace {

std::string Snippet(const std::string& label, const std::string& code) {
  return "<h3>" + Escape(label) + "</h3><pre class=\"code\"><code>" + Escape(code) + "</code></pre>";
}

std::string UseSnippets(const WebCall& call, const RepoRecord& r) {
  std::string base = BaseUrl(call.ctx, call.req);
  std::string id = r.key.id.ToString();
  std::string type_flag = r.key.type == RepoType::kDataset ? " --repo-type dataset"
                          : r.key.type == RepoType::kSpace ? " --repo-type space"
                                                           : "";
  std::string prefix(RepoTypeUrlPrefix(r.key.type));
  std::string h =
      "<section aria-labelledby=\"use\"><h2 id=\"use\">Use this " + std::string(RepoTypeName(r.key.type)) + "</h2>";
  h += Snippet("mhub CLI", "MHUB_ENDPOINT=" + base + " mhub download " + id + type_flag);
  h += Snippet("curl", "curl -L " + base + "/" + prefix + id + "/resolve/main/README.md");
  std::string js_repo = r.key.type == RepoType::kModel
                            ? "\"" + id + "\""
                            : "{ type: \"" + std::string(RepoTypeName(r.key.type)) + "\", name: \"" + id + "\" }";
  h += Snippet("@huggingface/hub",
               "import { listFiles } from \"@huggingface/hub\";\nfor await (const f of listFiles({ repo: " + js_repo +
                   ", hubUrl: \"" + base + "\" })) console.log(f.path);");
  if (r.key.type == RepoType::kModel) {
    h += Snippet("transformers", "# HF_ENDPOINT=" + base +
                                     "\nfrom transformers import AutoModel\nmodel = "
                                     "AutoModel.from_pretrained(\"" +
                                     id + "\")");
  } else if (r.key.type == RepoType::kDataset) {
    h += Snippet("datasets",
                 "# HF_ENDPOINT=" + base + "\nfrom datasets import load_dataset\nds = load_dataset(\"" + id + "\")");
  }
  return h + "</section>";
}

std::string SafetensorsPanel(const SafetensorsSummary& s) {
  char buf[64];
  double total = static_cast<double>(s.total);
  if (total >= 1e9) {
    std::snprintf(buf, sizeof(buf), "%.2fB", total / 1e9);
  } else if (total >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.1fM", total / 1e6);
  } else {
    std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(s.total));
  }
  std::string h =
      "<section aria-labelledby=\"st\"><h2 id=\"st\">Safetensors</h2><p>Model size: <strong "
      "data-params=\"" +
      std::to_string(s.total) + "\">" + buf +
      " params</strong></p><table><thead><tr><th "
      "scope=\"col\">Tensor type</th><th scope=\"col\">Parameters</th></tr></thead><tbody>";
  for (const auto& [dtype, n] : s.parameters) {
    h += "<tr><td>" + Escape(dtype) + "</td><td>" + std::to_string(n) + "</td></tr>";
  }
  return h + "</tbody></table></section>";
}

}  // namespace

std::optional<RepoRecord> ReadableRepo(WebCall& call, const RepoKey& key) {
  auto record = RequireRead(call.ctx, call.v.who, key);
  if (!record.ok()) {
    SendNotFound(call.v, call.res, "No such repository: " + key.id.ToString());
    return std::nullopt;
  }
  return *record;
}

std::string RepoHeader(WebCall& call, const RepoRecord& r, const std::string& tab) {
  std::string href = RepoHref(r.key);
  std::string h =
      "<div class=\"repo-head\"><p class=\"muted\">" + std::string(RepoTypeName(r.key.type)) + "</p><h1><a href=\"/" +
      (r.key.type == RepoType::kModel ? std::string("models") : std::string(RepoTypePlural(r.key.type))) +
      "?author=" + UrlPart(r.key.id.ns) + "\">" + Escape(r.key.id.ns) + "</a> / " + Escape(r.key.id.name) + "</h1>";
  if (r.is_private) h += "<span class=\"badge\">private</span> ";
  h += "<span class=\"muted\">" + HumanCount(r.likes) + " likes · " + HumanCount(r.downloads) +
       " downloads last month</span></div>";
  auto tab_link = [&](const std::string& name, const std::string& label, const std::string& url) {
    h += "<li><a href=\"" + url + "\"" + (tab == name ? " aria-current=\"page\"" : "") + ">" + label + "</a></li>";
  };
  h += "<nav aria-label=\"Repository\"><ul class=\"tabs\">";
  tab_link("card",
           r.key.type == RepoType::kModel     ? "Model card"
           : r.key.type == RepoType::kDataset ? "Dataset card"
                                              : "App",
           href);
  tab_link("files", "Files and versions", href + "/tree/main");
  tab_link("commits", "History", href + "/commits/main");
  tab_link("community", "Community", href + "/discussions");
  if (RequireWrite(call.ctx, call.v.who, r.key).ok()) tab_link("settings", "Settings", href + "/settings");
  h += "</ul></nav>";
  return h;
}

void PageRepo(WebCall& call, const RepoKey& key) {
  auto record = ReadableRepo(call, key);
  if (!record) return;
  std::string body = RepoHeader(call, *record, "card");
  auto sha = call.ctx.repos->ResolveRevision(key, "main");
  std::string card_html;
  std::string side;
  CardData card = CardDataFromJson(ParseJson(record->card_data_json).value_or(Json::object()));
  if (sha.ok()) {
    auto readme = call.ctx.repos->ReadFile(key, *sha, "README.md");
    if (readme.ok() && !readme->lfs) {
      auto parsed = ParseModelCard(readme->data);
      if (parsed.ok()) {
        card = parsed->data;
        card_html = RenderMarkdown(parsed->body);
      } else {
        card_html = "<p class=\"banner\" role=\"alert\">The card's YAML metadata is malformed: " +
                    Escape(parsed.status().message()) + "</p>" + RenderMarkdown(CardBody(readme->data));
      }
    } else {
      card_html = "<p class=\"note\">No card yet: this repository has no README.md.</p>";
    }
    if (key.type == RepoType::kModel) {
      if (auto st = SummarizeSafetensors(call.ctx, key, *sha)) side += SafetensorsPanel(*st);
    }
  } else {
    card_html = "<p class=\"note\">This repository has no commit yet.</p>";
  }
  body += MetadataChips(card);
  body += "<div class=\"repo-grid\"><article class=\"card-body\" aria-label=\"Card\">" + card_html;
  body += EvalResultsTable(card.model_index);
  body +=
      "</article><aside aria-label=\"About\"><section aria-labelledby=\"stats\"><h2 id=\"stats\">Stats</h2><p>"
      "Downloads last month: <strong data-downloads>" +
      std::to_string(record->downloads) + "</strong><br>Likes: <strong data-likes>" + std::to_string(record->likes) +
      "</strong></p></section>";
  body += side;
  if (key.type == RepoType::kDataset) {
    body +=
        "<section aria-labelledby=\"dv\"><h2 id=\"dv\">Dataset viewer</h2><p><a href=\"/api/viewer/splits?"
        "dataset=" +
        UrlPart(key.id.ToString()) + "\">Splits (JSON)</a></p></section>";
  }
  body += UseSnippets(call, *record);
  body += "</aside></div>";
  SendHtml(call.res, 200, RenderPage(call.v, key.id.ToString(), body));
}

}  // namespace mhub::server::web
