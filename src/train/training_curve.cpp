// Training-curve SVG: two polylines (train loss, eval loss) on shared axes, with tick labels.
#include "mhub/train/training_curve.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "mhub/base/env.h"

namespace mhub::train {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

}  // namespace

std::string TrainingCurveSvg(const Json& log_history) {
  std::vector<std::pair<double, double>> train, eval;
  for (const auto& e : log_history) {
    if (!e.is_object() || !e.contains("step")) continue;
    const double step = e["step"].get<double>();
    if (e.contains("loss") && e["loss"].is_number() && std::isfinite(e["loss"].get<double>()))
      train.push_back({step, e["loss"].get<double>()});
    if (e.contains("eval_loss") && e["eval_loss"].is_number() && std::isfinite(e["eval_loss"].get<double>()))
      eval.push_back({step, e["eval_loss"].get<double>()});
  }
  const double W = 640, H = 400, L = 60, R = 20, T = 30, B = 50;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool any = false;
  for (const auto* series : {&train, &eval})
    for (auto [x, y] : *series) {
      if (!any) x0 = x1 = x, y0 = y1 = y, any = true;
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double y) { return H - B - (y - y0) / (y1 - y0) * (H - T - B); };
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" viewBox=\"0 0 640 400\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"640\" height=\"400\" fill=\"white\"/>\n";
  svg += "<text x=\"320\" y=\"18\" text-anchor=\"middle\">Training curve</text>\n";
  svg += "<line x1=\"" + Num(L) + "\" y1=\"" + Num(H - B) + "\" x2=\"" + Num(W - R) + "\" y2=\"" + Num(H - B) +
         "\" stroke=\"black\"/>\n<line x1=\"" + Num(L) + "\" y1=\"" + Num(T) + "\" x2=\"" + Num(L) + "\" y2=\"" +
         Num(H - B) + "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double xv = x0 + (x1 - x0) * i / 4, yv = y0 + (y1 - y0) * i / 4;
    svg +=
        "<text x=\"" + Num(px(xv)) + "\" y=\"" + Num(H - B + 16) + "\" text-anchor=\"middle\">" + Num(xv) + "</text>\n";
    svg += "<text x=\"" + Num(L - 6) + "\" y=\"" + Num(py(yv) + 4) + "\" text-anchor=\"end\">" + Num(yv) + "</text>\n";
  }
  svg += "<text x=\"320\" y=\"392\" text-anchor=\"middle\">step</text>\n";
  auto line = [&](const std::vector<std::pair<double, double>>& s, const char* color, const char* label, int row) {
    if (s.empty()) return;
    svg += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\" points=\"";
    for (auto [x, y] : s) svg += Num(px(x)) + "," + Num(py(y)) + " ";
    svg += "\"/>\n<text x=\"" + Num(W - R - 90) + "\" y=\"" + Num(T + 14 * row) + "\" fill=\"" + color + "\">" + label +
           "</text>\n";
  };
  line(train, "#1f77b4", "train loss", 1);
  line(eval, "#ff7f0e", "eval loss", 2);
  svg += "</svg>\n";
  return svg;
}

Status WriteTrainingCurveSvg(const Json& log_history, const std::string& path) {
  return WriteFileAtomic(path, TrainingCurveSvg(log_history));
}

}  // namespace mhub::train
