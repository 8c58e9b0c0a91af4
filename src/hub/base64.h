// Kept for the includes of the former private header; the declarations are public now.
#pragma once

#include "mhub/hub/base64.h"
