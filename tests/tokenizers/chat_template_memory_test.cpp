// Memory of chat-template renders: a template that makes its values own themselves (namespaces
// holding themselves, each other, or a bound method of an object that holds them) must free all
// of it when the render ends. A chat template comes from a repo's tokenizer_config.json, so a
// leak per render lets anyone who can push a repo grow a served model's memory per request.
// Under AddressSanitizer, LeakSanitizer reports any leak at exit; the flat-memory test also
// catches it in a plain build.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "mhub/tokenizers/chat_template.h"

#if defined(__SANITIZE_ADDRESS__)
#define MHUB_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MHUB_TEST_ASAN 1
#endif
#endif
#ifdef MHUB_TEST_ASAN
// From the ASan runtime (sanitizer/allocator_interface.h, which Debian's GCC does not ship).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace mhub::tokenizers {
namespace {

// Templates whose values form reference cycles; `big` is a 16 KiB string copied into each cycle,
// so a leak is 16 KiB or more per render.
const char* kCyclicTemplates[] = {
    "{% set ns = namespace(s=big) %}{% set ns.self = ns %}{{ ns.s|length }}",
    "{% set ns = namespace(s=big) %}{% set ns.l = [1, [ns, {'x': ns}]] %}{{ ns.l|length }}",
    "{% set a = namespace(s=big) %}{% set b = namespace(a=a) %}{% set a.b = b %}{{ a.b.a.s|length }}",
    // A bound method closes over its object: namespace -> method -> object -> namespace.
    "{% set ns = namespace(s=big) %}{% set d = {'n': ns} %}{% set ns.f = d.items %}{{ ns.f()|length }}",
    // Cycles inside a macro's scope and a loop's scope.
    "{% macro m() %}{% set ns = namespace(s=big) %}{% set ns.me = ns %}{% endmacro %}{{ m() }}{{ m() }}",
    "{% for i in range(3) %}{% set ns = namespace(s=big, i=i) %}{% set ns.me = [ns] %}{% endfor %}",
};

OrderedJson Vars() { return OrderedJson{{"big", std::string(16 * 1024, 'x')}}; }

// Bytes the process holds: heap bytes in use under ASan (freed memory sits in its quarantine, so
// RSS would grow without a leak), resident memory otherwise.
size_t MemoryInUse() {
#ifdef MHUB_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<size_t>(resident) * 4096;
#endif
}

TEST(ChatTemplateMemoryTest, CyclicValuesRenderAndAreFreed) {
  // Each renders (LeakSanitizer fails this binary at exit if any cycle outlives its render).
  for (const char* src : kCyclicTemplates) {
    auto t = ChatTemplate::Parse(src);
    ASSERT_TRUE(t.ok()) << src << ": " << t.status();
    auto r = t->Render(Vars());
    ASSERT_TRUE(r.ok()) << src << ": " << r.status();
  }
  auto r = ChatTemplate::Parse(kCyclicTemplates[0])->Render(Vars());
  EXPECT_EQ(*r, "16384");
}

TEST(ChatTemplateMemoryTest, TenThousandHostileRendersKeepMemoryFlat) {
  std::vector<ChatTemplate> templates;
  for (const char* src : kCyclicTemplates) templates.push_back(*ChatTemplate::Parse(src));
  const OrderedJson vars = Vars();
  auto render_all = [&](int rounds) {
    for (int k = 0; k < rounds; ++k) {
      const auto& t = templates[static_cast<size_t>(k) % templates.size()];
      auto r = t.Render(vars);
      ASSERT_TRUE(r.ok()) << r.status();
    }
  };
  render_all(200);  // warm up: allocator pools, thread caches
  const size_t before = MemoryInUse();
  render_all(10000);
  const size_t after = MemoryInUse();
  // A leak of the 16 KiB string per render would be ~160 MB; allow 16 MiB of allocator noise.
  EXPECT_LT(after, before + (16u << 20)) << "before " << before << " after " << after;
}

// Dropping a deeply nested list must not recurse once per level (a stack overflow).
TEST(ChatTemplateMemoryTest, DeeplyNestedListsAreFreedWithoutDeepRecursion) {
  auto t = ChatTemplate::Parse(
      "{% set ns = namespace(l=[]) %}{% for i in range(200000) %}{% set ns.l = [ns.l] %}{% endfor %}done");
  ASSERT_TRUE(t.ok()) << t.status();
  auto r = t->Render(OrderedJson::object());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "done");
}

}  // namespace
}  // namespace mhub::tokenizers
