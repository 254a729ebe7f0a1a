// Emulated wasm linear memory for the natively compiled consent bridge (see wasm_shim.h).
// In wasm, memory spans [0, size) and the heap starts at __heap_base; here addresses are
// native, so "memory size" is reported as (heap start + committed bytes) in 64 KiB pages,
// which keeps the bridge's `end <= size << 16` comparisons meaningful.
#include "wasm_shim.h"

extern "C" {
// The heap region; its first byte is what the bridge sees as &__heap_base. Declared there as
// `extern "C" unsigned char __heap_base;` (one byte): only its address is used.
alignas(65536) unsigned char __heap_base[fuzz_wasm::kHeapBytes];
}

namespace fuzz_wasm {
namespace {
size_t gCommittedPages = 1;  // like a module whose memory ends one page above __heap_base
}
size_t memorySizePages() { return (reinterpret_cast<uintptr_t>(&__heap_base[0]) >> 16) + gCommittedPages; }
size_t memoryGrowPages(size_t n) {
  if ((gCommittedPages + n) * 65536 > kHeapBytes) return size_t(-1);  // "cannot grow"
  size_t old = memorySizePages();
  gCommittedPages += n;
  return old;
}
}  // namespace fuzz_wasm
