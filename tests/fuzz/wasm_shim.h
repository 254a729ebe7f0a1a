// Native stand-ins for the wasm-only pieces the consent bridge uses (its bump arena in
// wasm/bridge/common.h, KELISIM_BRIDGE_ARENA): linear memory is emulated by one 64 KiB-aligned
// region whose start is the linker symbol __heap_base (wasm_shim.cpp), so the arena code runs
// natively under ASan/UBSan exactly as written. Force-included (-include) into the consent
// fuzz targets only; does nothing when compiling for wasm.
#pragma once
#if !defined(__wasm__)
#include <cstddef>
#include <cstdint>

namespace fuzz_wasm {
/** Bytes reserved for the emulated heap (wasm_shim.cpp) and pages of it "grown" so far. */
constexpr size_t kHeapBytes = size_t(64) << 20;
size_t memorySizePages();
size_t memoryGrowPages(size_t n);
}  // namespace fuzz_wasm

#define __builtin_wasm_memory_size(index) ::fuzz_wasm::memorySizePages()
#define __builtin_wasm_memory_grow(index, n) ::fuzz_wasm::memoryGrowPages(n)
#endif
