// The website's one stylesheet, compiled in (no build step). Colours meet WCAG AA contrast (axe's
// "color-contrast" rule) on the white background: text #1f2328, links #0b57d0, muted #57606a.
#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

constexpr const char* kCss = R"CSS(
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff}
a{color:#0b57d0}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
header.top{display:flex;gap:16px;align-items:center;padding:8px 24px;border-bottom:1px solid #d0d7de;flex-wrap:wrap}
.logo{font-weight:700;font-size:20px;text-decoration:none;color:#1f2328}
.search{display:flex;gap:4px}.search input{width:260px;padding:4px 8px}
nav ul{display:flex;gap:16px;list-style:none;margin:0;padding:0;align-items:center}
button.link{background:none;border:none;color:#0b57d0;text-decoration:underline;cursor:pointer;font:inherit;padding:0}
main{padding:16px 24px;max-width:1200px;margin:0 auto}
footer{border-top:1px solid #d0d7de;padding:8px 24px;color:#57606a;font-size:13px}
.layout{display:grid;grid-template-columns:240px 1fr;gap:24px}
.facets h2{font-size:14px;margin:12px 0 4px}.facets ul{list-style:none;padding:0;margin:0}
.facets li a{display:inline-block;padding:1px 6px;margin:1px 0;border:1px solid #d0d7de;border-radius:8px;text-decoration:none;font-size:13px}
.facets li a.on{background:#0b57d0;color:#fff}
.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:8px}
.cards li{border:1px solid #d0d7de;border-radius:8px;padding:8px 12px}
.cards .meta,.muted{color:#57606a;font-size:13px}
.chips{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.chips li{border:1px solid #d0d7de;border-radius:12px;padding:0 8px;font-size:13px;background:#f6f8fa}
.chips li .k{color:#57606a}
.badge{border:1px solid #9a6700;color:#7d4e00;border-radius:8px;padding:0 6px;font-size:12px}
.tabs{display:flex;gap:16px;border-bottom:1px solid #d0d7de;margin:8px 0 16px;padding:0;list-style:none}
.tabs a{display:inline-block;padding:6px 0;text-decoration:none}.tabs a[aria-current]{border-bottom:2px solid #1f2328;color:#1f2328}
.repo-grid{display:grid;grid-template-columns:1fr 320px;gap:24px}
.card-body{min-width:0;overflow-wrap:anywhere}
.card-body pre,pre.code{background:#f6f8fa;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
table.lines td{border:none;padding:0 8px;font-family:ui-monospace,monospace;font-size:13px;white-space:pre}
table.lines td.n{color:#57606a;text-align:right;user-select:none}
table.files td{border:none;border-bottom:1px solid #eaeef2}
.diff .add{background:#e6ffec}.diff .del{background:#ffebe9}
.banner{border:1px solid #cf222e;background:#ffebe9;padding:8px;border-radius:6px}
.note{border:1px solid #0b57d0;background:#ddf4ff;padding:8px;border-radius:6px}
form.stack{display:grid;gap:8px;max-width:480px}
input,select,textarea,button{font:inherit}
textarea{width:100%;font-family:ui-monospace,monospace}
.pager{display:flex;gap:16px}
@media (max-width:800px){.layout,.repo-grid{grid-template-columns:1fr}}
)CSS";

}  // namespace

bool ServeStatic(WebCall& call, const std::string& name) {
  if (name != "mhub.css") return false;
  call.res.status = 200;
  call.res.content_type = "text/css; charset=utf-8";
  call.res.body = kCss;
  call.res.SetHeader("Cache-Control", "public, max-age=3600");
  call.res.SetHeader("X-Content-Type-Options", "nosniff");
  return true;
}

}  // namespace mhub::server::web
