#include "addon.h"

namespace pemn {

namespace {
// Slot index in the low 24 bits, generation above: an id stays below 2^53 (exact in a
// JavaScript number) and a stale id never matches a slot that was reused.
constexpr double kSlotSpan = 16777216.0;  // 2^24
constexpr uint32_t kMaxGeneration = (1u << 29) - 1;

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 0;
  int64_t reported_bytes = 0;
};

// Process-global and unlocked: the addon serves the main JavaScript thread only, and Init
// refuses any other (native/addon.cc, docs/engine.md "Threads"). A lock here would not be
// enough anyway: a second thread would see, and could dispose, the first one's ids.
// Never destroyed at exit: tensors still live then may be on a GPU whose driver is already
// shutting down, and freeing them would abort the process (c10's "driver shutting down").
std::vector<Slot>& slots = *new std::vector<Slot>();
std::vector<uint32_t>& free_slots = *new std::vector<uint32_t>();
int64_t live = 0;

int64_t ByteSize(const at::Tensor& tensor) {
  return static_cast<int64_t>(tensor.numel() * tensor.element_size());
}

bool Decode(double id, uint32_t* slot, uint32_t* generation) {
  if (!(id >= 0) || id >= kSlotSpan * (kMaxGeneration + 1.0) || id != static_cast<double>(static_cast<int64_t>(id))) {
    return false;
  }
  auto value = static_cast<int64_t>(id);
  *slot = static_cast<uint32_t>(value % static_cast<int64_t>(kSlotSpan));
  *generation = static_cast<uint32_t>(value / static_cast<int64_t>(kSlotSpan));
  return *slot < slots.size();
}
}  // namespace

Napi::Value TensorTable::Insert(Napi::Env env, at::Tensor tensor) {
  uint32_t index;
  if (free_slots.empty()) {
    if (slots.size() >= static_cast<size_t>(kSlotSpan)) {
      throw std::runtime_error("more than 16,777,216 live tensors: dispose tensors or use tidy()");
    }
    index = static_cast<uint32_t>(slots.size());
    slots.emplace_back();
  } else {
    index = free_slots.back();
    free_slots.pop_back();
  }
  Slot& slot = slots[index];
  slot.reported_bytes = 0;
  slot.tensor = std::move(tensor);
  live++;
  return Napi::Number::New(env, slot.generation * kSlotSpan + index);
}

// Tells V8 how much host memory hangs off a JavaScript object, so that collection (and with
// it the JavaScript side's finalizer backstop) happens under memory pressure. Only for
// tensors no scope frees: reporting every activation made V8 run a full collection for each
// 64 MB a training step allocated (1,004 in 2,000 allocations of 64 MB). Device memory is
// not V8's to weigh.
void TensorTable::ReportExternal(Napi::Env env, double id) {
  if (!IsLive(id)) return;
  uint32_t index = 0, generation = 0;
  Decode(id, &index, &generation);
  Slot& slot = slots[index];
  if (slot.reported_bytes > 0 || !slot.tensor.is_cpu()) return;
  slot.reported_bytes = ByteSize(slot.tensor);
  if (slot.reported_bytes > 0) Napi::MemoryManagement::AdjustExternalMemory(env, slot.reported_bytes);
}

at::Tensor& TensorTable::Get(double id) {
  uint32_t index, generation;
  if (!Decode(id, &index, &generation) || slots[index].generation != generation || !slots[index].tensor.defined()) {
    throw DisposedTensorError();
  }
  return slots[index].tensor;
}

bool TensorTable::IsLive(double id) {
  uint32_t index, generation;
  return Decode(id, &index, &generation) && slots[index].generation == generation && slots[index].tensor.defined();
}

void TensorTable::Release(Napi::Env env, double id) {
  if (!IsLive(id)) return;  // releasing twice, or a stale id, is harmless
  uint32_t index = 0, generation = 0;
  Decode(id, &index, &generation);
  Slot& slot = slots[index];
  slot.tensor.reset();
  if (slot.reported_bytes > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -slot.reported_bytes);
  slot.reported_bytes = 0;
  slot.generation = slot.generation == kMaxGeneration ? 0 : slot.generation + 1;
  free_slots.push_back(index);
  live--;
}

int64_t TensorTable::LiveCount() { return live; }

}  // namespace pemn
