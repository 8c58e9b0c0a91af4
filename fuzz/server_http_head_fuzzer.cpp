// Fuzzes the HTTP request-head parser (bytes any client can send before authentication). Beyond
// "no crash", it checks the parser's promises: a complete head never exceeds the limits, its
// framing is unambiguous, and feeding the same bytes in two pieces (as a socket delivers them)
// gives the same answer as feeding them at once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/http/http_head_parser.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mhub::server;
  if (size < 1) return 0;
  // First byte: where to split the input for the two-piece check; small limits so they are hit.
  const size_t split = data[0] % (size);
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  HttpHeadLimits limits;
  limits.max_head_bytes = 2048;
  limits.max_headers = 16;
  limits.max_target_bytes = 256;
  RequestHead head;
  HeadParseResult whole = ParseRequestHead(input, limits, &head);
  if (whole.state == HeadState::kComplete) {
    Check(whole.head_bytes <= input.size() && whole.head_bytes <= limits.max_head_bytes);
    Check(head.headers.size() <= limits.max_headers);
    Check(head.target.size() <= limits.max_target_bytes && !head.target.empty());
    Check(!(head.chunked && head.content_length.has_value()));
    for (const auto& [name, value] : head.headers) {
      Check(!name.empty() && value.find_first_of("\r\n") == std::string_view::npos);
      Check(value.find('\0') == std::string_view::npos);
    }
  } else if (whole.state == HeadState::kError) {
    Check(whole.status >= 400 && whole.status < 600 && !whole.message.empty());
  }
  // A prefix is never complete before the whole is, and never an error the whole is not.
  RequestHead part_head;
  HeadParseResult part = ParseRequestHead(input.substr(0, split), limits, &part_head);
  if (part.state == HeadState::kComplete) {
    Check(whole.state == HeadState::kComplete && whole.head_bytes == part.head_bytes);
  }
  if (part.state == HeadState::kError) Check(whole.state == HeadState::kError && whole.status == part.status);
  return 0;
}
