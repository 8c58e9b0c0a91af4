// Unicode normalization forms and lowercasing with HF alignment semantics.
#include <utf8proc.h>

#include "tokenizers/normalizers/normalizer.h"

namespace mhub::tokenizers {

static utf8proc_option_t OptionsFor(UnicodeForm form) {
  switch (form) {
    case UnicodeForm::kNFC:
      return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    case UnicodeForm::kNFD:
      return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
    case UnicodeForm::kNFKC:
      return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    case UnicodeForm::kNFKD:
      return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
  }
  return UTF8PROC_STABLE;
}

void NormalizeUnicode(NormalizedString& s, UnicodeForm form) {
  std::string_view t = s.text;
  bool ascii = true;
  for (char c : t) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return;
  const utf8proc_option_t opts = OptionsFor(form);
  NormalizedRewrite rewrite(s, t.size() + 8);
  Rewriter& rw = rewrite.rw();
  std::vector<utf8proc_int32_t> buffer(64);
  std::vector<size_t> in_lens;
  size_t i = 0;
  while (i < t.size()) {
    // A normalization segment: a boundary char and the chars that may combine with it.
    size_t seg_start = i;
    in_lens.clear();
    size_t j = i;
    char32_t first = unicode::NextChar(t, j);
    in_lens.push_back(j - i);
    while (j < t.size()) {
      size_t k = j;
      char32_t c = unicode::NextChar(t, k);
      if (unicode::IsNormalizationBoundary(c)) break;
      in_lens.push_back(k - j);
      j = k;
    }
    i = j;
    if (in_lens.size() == 1 && first < 0xA0) {
      rw.Copy(in_lens[0]);
      continue;
    }
    utf8proc_ssize_t n;
    for (;;) {
      n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(t.data() + seg_start),
                             static_cast<utf8proc_ssize_t>(j - seg_start), buffer.data(),
                             static_cast<utf8proc_ssize_t>(buffer.size()), opts);
      if (n < 0 || static_cast<size_t>(n) <= buffer.size()) break;
      buffer.resize(static_cast<size_t>(n));
    }
    if (n < 0) {  // cannot happen on valid UTF-8; keep the text as it is
      for (size_t len : in_lens) rw.Copy(len);
      continue;
    }
    if (opts & UTF8PROC_COMPOSE) n = utf8proc_normalize_utf32(buffer.data(), n, opts);
    const size_t m = in_lens.size();
    const size_t out_n = static_cast<size_t>(n);
    if (out_n >= m) {
      for (size_t k = 0; k < m; ++k) rw.Replace(static_cast<char32_t>(buffer[k]), in_lens[k]);
      for (size_t k = m; k < out_n; ++k) rw.Insert(static_cast<char32_t>(buffer[k]));
    } else {
      // Composition: the first output char replaces the first input char and swallows the
      // marks composed into it (HF change -k: e + ́ -> é keeps e's alignment); the remaining
      // outputs replace the remaining inputs one to one.
      const size_t removed = m - out_n;
      if (out_n == 0) {
        for (size_t k = 0; k < m; ++k) rw.Skip(in_lens[k]);
      } else {
        rw.Replace(static_cast<char32_t>(buffer[0]), in_lens[0]);
        for (size_t k = 1; k <= removed; ++k) rw.Skip(in_lens[k]);
        for (size_t k = 1; k < out_n; ++k) rw.Replace(static_cast<char32_t>(buffer[k]), in_lens[removed + k]);
      }
    }
  }
  rewrite.Finish();
}

void LowercaseString(NormalizedString& s) {
  bool ascii = true;
  for (char& c : s.text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (char& c : s.text)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return;
  }
  std::string_view t = s.text;
  NormalizedRewrite rewrite(s, s.text.size());
  Rewriter& rw = rewrite.rw();
  size_t i = 0;
  char32_t lower[2];
  while (i < t.size()) {
    size_t start = i;
    char32_t c = unicode::NextChar(t, i);
    int n = unicode::ToLower(c, lower);
    if (n == 1 && lower[0] == c) {
      rw.Copy(i - start);
      continue;
    }
    rw.Replace(lower[0], i - start);
    for (int k = 1; k < n; ++k) rw.Insert(lower[k]);
  }
  rewrite.Finish();
}

}  // namespace mhub::tokenizers
