#include "server/web/card_render.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <mutex>

#include "server/web/html.h"

namespace mhub::server::web {
namespace {

std::string JsonText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string Field(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key)) return "";
  return JsonText(obj[key]);
}

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  // CMARK_OPT_DEFAULT is cmark's safe mode: raw HTML becomes a comment and javascript:/vbscript:/
  // data: (non-image) links are emptied. CMARK_OPT_UNSAFE is never set.
  const int options = CMARK_OPT_DEFAULT | CMARK_OPT_GITHUB_PRE_LANG | CMARK_OPT_VALIDATE_UTF8;
  cmark_parser* parser = cmark_parser_new(options);
  for (const char* name : {"table", "strikethrough", "autolink", "tagfilter"}) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, ext);
  }
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* html = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser));
  std::string out = html ? html : "";
  std::free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return out;
}

std::string_view CardBody(std::string_view readme) {
  if (readme.substr(0, 3) != "---") return readme;
  size_t first_nl = readme.find('\n');
  if (first_nl == std::string_view::npos) return readme;
  std::string_view first = readme.substr(0, first_nl);
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.remove_suffix(1);
  if (first != "---") return readme;
  size_t pos = first_nl + 1;
  while (pos < readme.size()) {
    size_t nl = readme.find('\n', pos);
    std::string_view line = readme.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line == "---") return nl == std::string_view::npos ? std::string_view() : readme.substr(nl + 1);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return readme;  // no closing line: not front matter
}

std::string MetadataChips(const CardData& card) {
  std::string h = "<ul class=\"chips\" aria-label=\"Metadata\">";
  auto chip = [&](const char* kind, const std::string& value) {
    if (value.empty()) return;
    h +=
        "<li data-kind=\"" + std::string(kind) + "\"><span class=\"k\">" + kind + ":</span> " + Escape(value) + "</li>";
  };
  chip("task", card.pipeline_tag);
  chip("library", card.library_name);
  for (const auto& l : card.languages) chip("language", l);
  chip("license", card.license);
  for (const auto& d : card.datasets) chip("dataset", d);
  for (const auto& b : card.base_models) chip("base_model", b);
  for (const auto& t : card.tags) chip("tag", t);
  h += "</ul>";
  return h;
}

std::string EvalResultsTable(const Json& model_index) {
  if (!model_index.is_array()) return "";
  std::string rows;
  for (const auto& model : model_index) {
    if (!model.is_object() || !model.contains("results") || !model["results"].is_array()) continue;
    std::string model_name = Field(model, "name");
    for (const auto& result : model["results"]) {
      if (!result.is_object()) continue;
      Json task = result.value("task", Json::object());
      Json dataset = result.value("dataset", Json::object());
      std::string task_text = Field(task, "name");
      if (task_text.empty()) task_text = Field(task, "type");
      std::string dataset_text = Field(dataset, "name");
      if (dataset_text.empty()) dataset_text = Field(dataset, "type");
      Json metrics = result.value("metrics", Json::array());
      if (!metrics.is_array()) continue;
      for (const auto& m : metrics) {
        if (!m.is_object()) continue;
        std::string metric = Field(m, "name");
        if (metric.empty()) metric = Field(m, "type");
        rows += "<tr><td>" + Escape(model_name) + "</td><td>" + Escape(task_text) + "</td><td>" + Escape(dataset_text) +
                "</td><td>" + Escape(metric) + "</td><td>" + Escape(Field(m, "value")) + "</td></tr>";
      }
    }
  }
  if (rows.empty()) return "";
  return "<table class=\"eval\" aria-label=\"Evaluation results\"><caption>Evaluation results</caption><thead><tr>"
         "<th scope=\"col\">Model</th><th scope=\"col\">Task</th><th scope=\"col\">Dataset</th><th scope=\"col\">Metric"
         "</th><th scope=\"col\">Value</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

}  // namespace mhub::server::web
