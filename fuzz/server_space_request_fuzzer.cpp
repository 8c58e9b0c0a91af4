// Fuzzes what a static Space request reads from the client (spaces/space_handlers.h): the URL
// path (which files route to a Space, which repo file it names) and If-None-Match. Beyond "no
// crash": the file named never escapes the repo, and a header holding the ETag itself matches.
// Input: "<raw path>\n<If-None-Match>".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/http/url_codec.h"
#include "server/spaces/space_handlers.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mhub::server;
  const std::string input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string raw_path = input.substr(0, nl);
  std::string inm = nl == std::string::npos ? "" : input.substr(nl + 1);

  HttpRequest req;
  req.method = "GET";
  req.raw_path = raw_path;
  auto seg = SplitRawPath(raw_path);
  if (spaces::IsSpaceAppRoute(req, seg)) {
    Check(seg.size() >= 3 && seg[0] == "spaces");
    bool slash = !raw_path.empty() && raw_path.back() == '/';
    auto file = spaces::SpaceFilePath(seg, slash, "index.html");
    if (file.ok()) {
      const std::string& p = *file;
      Check(!p.empty() && p.front() != '/' && p.back() != '/');
      Check(p != ".." && p.rfind("../", 0) != 0 && p.find("/../") == std::string::npos);
      Check(p.size() < 3 || p.compare(p.size() - 3, 3, "/..") != 0);
      Check(p.find('\0') == std::string::npos);
    }
    spaces::ContentTypeForPath(file.ok() ? *file : raw_path);
  }
  const std::string etag = "\"0123456789abcdef0123456789abcdef01234567\"";
  spaces::IfNoneMatchMatches(inm, etag);
  Check(spaces::IfNoneMatchMatches(inm + ", " + etag, etag));
  Check(spaces::IfNoneMatchMatches(etag + "," + inm, etag));
  return 0;
}
