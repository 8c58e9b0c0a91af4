// RenderArena: see jinja_arena.h. Containers are allocated apart from their control blocks
// (shared_ptr(new T), not make_shared), so the weak references kept here hold no container
// memory once a container is freed; expired entries are pruned as the lists grow.
#include "tokenizers/chat/jinja_arena.h"

#include <algorithm>
#include <iterator>

namespace mhub::tokenizers::jinja {
namespace {

thread_local RenderArena* current_arena = nullptr;

template <typename T>
void DropExpired(std::vector<std::weak_ptr<T>>& list) {
  list.erase(std::remove_if(list.begin(), list.end(), [](const std::weak_ptr<T>& w) { return w.expired(); }),
             list.end());
}

}  // namespace

RenderArena::RenderArena() : outer_(current_arena) { current_arena = this; }

RenderArena::~RenderArena() {
  current_arena = outer_;
  // First empty every live container into one flat list: after this no container owns another,
  // so no cycle is left and dropping the values below recurses at most one level.
  std::vector<std::shared_ptr<std::vector<Value>>> arrays;
  std::vector<std::shared_ptr<ObjectMap>> objects;
  std::vector<Value> contents;
  for (const auto& w : arrays_) {
    if (auto a = w.lock()) {
      std::move(a->begin(), a->end(), std::back_inserter(contents));
      a->clear();
      arrays.push_back(std::move(a));
    }
  }
  for (const auto& w : objects_) {
    if (auto o = w.lock()) {
      o->MoveValuesTo(contents);
      objects.push_back(std::move(o));
    }
  }
  contents.clear();
}

RenderArena* RenderArena::Current() { return current_arena; }

void RenderArena::Track(const std::shared_ptr<std::vector<Value>>& array) {
  arrays_.push_back(array);
  PruneIfLarge();
}

void RenderArena::Track(const std::shared_ptr<ObjectMap>& object) {
  objects_.push_back(object);
  PruneIfLarge();
}

// Amortized O(1) per container: prune when the lists have doubled since the last prune.
void RenderArena::PruneIfLarge() {
  if (arrays_.size() + objects_.size() < prune_at_) return;
  DropExpired(arrays_);
  DropExpired(objects_);
  prune_at_ = std::max<size_t>(1024, 2 * (arrays_.size() + objects_.size()));
}

std::shared_ptr<std::vector<Value>> NewArrayStorage(std::vector<Value> items) {
  std::shared_ptr<std::vector<Value>> a(new std::vector<Value>(std::move(items)));
  if (RenderArena* arena = RenderArena::Current()) arena->Track(a);
  return a;
}

std::shared_ptr<ObjectMap> NewObjectStorage(ObjectMap m) {
  std::shared_ptr<ObjectMap> o(new ObjectMap(std::move(m)));
  if (RenderArena* arena = RenderArena::Current()) arena->Track(o);
  return o;
}

}  // namespace mhub::tokenizers::jinja
