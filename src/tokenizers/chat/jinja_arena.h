// Cycle breaking for one render. Arrays, objects and namespaces are shared by reference, so a
// template can make them own themselves (`{% set ns.self = ns %}`, `a.append(a)`, a bound method
// stored in its own list); reference counting alone would leak those on every render, and a
// template comes from a repo anyone may push. While a RenderArena lives on a thread, every
// container made on that thread is recorded (weakly); when it ends it empties every container
// still alive, so every cycle falls apart, and frees their contents flat: no recursive
// destruction of deeply nested values either.
#pragma once

#include <memory>
#include <vector>

#include "tokenizers/chat/jinja_value.h"

namespace mhub::tokenizers::jinja {

class RenderArena {
 public:
  // Becomes the thread's current arena until destroyed (an outer one is restored then).
  RenderArena();
  ~RenderArena();
  RenderArena(const RenderArena&) = delete;
  RenderArena& operator=(const RenderArena&) = delete;

  // The thread's current arena, or null outside a render.
  static RenderArena* Current();
  void Track(const std::shared_ptr<std::vector<Value>>& array);
  void Track(const std::shared_ptr<ObjectMap>& object);

 private:
  void PruneIfLarge();

  RenderArena* outer_;
  std::vector<std::weak_ptr<std::vector<Value>>> arrays_;
  std::vector<std::weak_ptr<ObjectMap>> objects_;
  size_t prune_at_ = 1024;
};

}  // namespace mhub::tokenizers::jinja
