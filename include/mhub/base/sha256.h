// SHA-256 through OpenSSL, streaming or one-shot. Hex digests are lowercase, 64 characters.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Finishes the digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> Finish();
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view data);
// Streams the file in 1 MiB blocks.
Result<std::string> Sha256File(const std::string& path);
std::string ToHex(const uint8_t* data, size_t size);

}  // namespace mhub
