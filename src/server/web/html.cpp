#include "server/web/html.h"

#include <cstdio>
#include <ctime>

namespace mhub::server::web {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UrlPart(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string UrlPath(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out += UrlPart(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string RepoHref(const RepoKey& key) {
  std::string prefix = key.type == RepoType::kDataset ? "/datasets/" : key.type == RepoType::kSpace ? "/spaces/" : "/";
  return prefix + UrlPart(key.id.ns) + "/" + UrlPart(key.id.name);
}

std::string HumanSize(uint64_t bytes) {
  static const char* kUnits[] = {"Bytes", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof(buf), "%llu Bytes", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof(buf), "%.3g %s", v, kUnits[u]);
  }
  return buf;
}

std::string HumanCount(int64_t n) {
  char buf[32];
  if (n < 1000) return std::to_string(n);
  if (n < 1000000) {
    std::snprintf(buf, sizeof(buf), "%.3gk", static_cast<double>(n) / 1e3);
  } else if (n < 1000000000) {
    std::snprintf(buf, sizeof(buf), "%.3gM", static_cast<double>(n) / 1e6);
  } else {
    std::snprintf(buf, sizeof(buf), "%.3gB", static_cast<double>(n) / 1e9);
  }
  return buf;
}

std::string DateText(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

std::string CsrfField(const Visitor& v) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Escape(v.csrf) + "\">";
}

std::string RenderPage(const Visitor& v, std::string_view title, std::string_view main_html,
                       std::string_view search_value) {
  std::string h;
  h.reserve(main_html.size() + 3000);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>";
  h += Escape(title);
  h += " - mhub</title><link rel=\"stylesheet\" href=\"/static/mhub.css\"></head><body>"
       "<a class=\"skip\" href=\"#main\">Skip to content</a>"
       "<header class=\"top\"><a class=\"logo\" href=\"/\">mhub</a>"
       "<form class=\"search\" role=\"search\" action=\"/models\" method=\"get\">"
       "<label for=\"q\" class=\"sr\">Search models</label>"
       "<input id=\"q\" type=\"search\" name=\"search\" placeholder=\"Search models\" value=\"";
  h += Escape(search_value);
  h += "\"><button type=\"submit\">Search</button></form>"
       "<nav aria-label=\"Main\"><ul><li><a href=\"/models\">Models</a></li><li><a href=\"/datasets\">Datasets</a>"
       "</li><li><a href=\"/spaces\">Spaces</a></li>";
  if (v.who.authenticated) {
    h += "<li><a href=\"/new\">New</a></li><li><a href=\"/settings/tokens\">Tokens</a></li>"
         "<li><span class=\"user\">";
    h += Escape(v.who.user());
    h += "</span></li>";
    if (!v.csrf.empty()) {
      h += "<li><form method=\"post\" action=\"/logout\">" + CsrfField(v) +
           "<button type=\"submit\" class=\"link\">Sign out</button></form></li>";
    }
  } else {
    h += "<li><a href=\"/login\">Sign in</a></li>";
  }
  h += "</ul></nav></header><main id=\"main\">";
  h += main_html;
  h += "</main><footer><p>mhub, a self-hosted model hub. The Hub API lives under <code>/api</code>.</p></footer>"
       "</body></html>\n";
  return h;
}

void SendHtml(HttpResponse& res, int status, std::string html) {
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.body = std::move(html);
  // No inline script can run, whatever a card or a file name smuggles past the escaping; pages
  // are not framed by others (clickjacking of the forms).
  res.SetHeader("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("X-Frame-Options", "DENY");
  res.SetHeader("Referrer-Policy", "same-origin");
  res.SetHeader("Cache-Control", "no-store");
}

void SendNotFound(const Visitor& v, HttpResponse& res, std::string_view what) {
  std::string body = "<h1>404</h1><p>";
  body += Escape(what);
  body += "</p><p>It does not exist, or you may not see it. <a href=\"/\">Home</a></p>";
  SendHtml(res, 404, RenderPage(v, "Not found", body));
}

void SendMessage(const Visitor& v, HttpResponse& res, int status, std::string_view title, std::string_view message) {
  std::string body = "<h1>" + Escape(title) + "</h1><p class=\"banner\" role=\"alert\">" + Escape(message) + "</p>";
  SendHtml(res, status, RenderPage(v, title, body));
}

void SendRedirect(HttpResponse& res, const std::string& location) {
  res.status = 303;
  res.SetHeader("Location", location);
  res.content_type = "text/plain; charset=utf-8";
  res.body = "See " + location + "\n";
  res.SetHeader("Cache-Control", "no-store");
}

}  // namespace mhub::server::web
