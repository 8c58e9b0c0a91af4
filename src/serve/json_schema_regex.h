// JSON grammars for constrained decoding, as regular expressions for RegexAutomaton (the way
// outlines does it): a JSON schema becomes a pattern whose every match is a JSON document valid
// under the schema. Supported: type (one or a list), const, enum, anyOf/oneOf, object properties
// (written in declaration order, all of them), array items with minItems/maxItems, string
// minLength/maxLength, integer/number (range keywords are not enforced), boolean, null; `true` or
// no type means any JSON value (nesting bounded). Whitespace: one optional space after ':' and ','.
// $ref, pattern and patternProperties are refused (InvalidArgument), as are schemas nested deeper
// than 8 levels.
#pragma once

#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::serve {

Result<std::string> JsonSchemaToRegex(const Json& schema);
// Any JSON object (OpenAI response_format {"type": "json_object"}), nesting bounded to 3 levels.
std::string AnyJsonObjectRegex();

}  // namespace mhub::serve
