// Shared part of every kel_* bridge: memory for strings crossing the JS boundary and the
// one result slot. Include exactly once per wasm module (from its bridge .cpp).
//
// Calling convention (owned by web/src/engine/loader.js):
//   - JS copies each UTF-8 string argument into memory from kel_alloc(n) and passes (ptr, len);
//     JS frees them with kel_free after the call, in `finally`.
//   - A bridge function returns an int32 status: 0 = ok, otherwise an ErrorCode value
//     (constants.json). Its text output (the result on success, a message on error) is left
//     in the result slot, read through kel_result_ptr/kel_result_len until the next call.
//
// Memory: by default kel_alloc/kel_free are malloc/free. A bridge whose code never uses the
// heap (the consent module) defines KELISIM_BRIDGE_ARENA before including this file: then
// argument strings and the result text live in one bump arena (see the section below), and
// the module links no allocator at all.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/constants.h"

namespace kelisim_bridge {

// The result slot: the last call's text output.
inline const char* g_resultPtr = "";
inline uint32_t g_resultLen = 0;

/** Leaves `text` in the result slot (kept until the next finish) and returns `status`. */
inline int32_t finish(int32_t status, std::string text) {
  static std::string slot;
  slot = std::move(text);
  g_resultPtr = slot.data();
  g_resultLen = uint32_t(slot.size());
  return status;
}

inline std::string_view view(const char* p, uint32_t n) { return p ? std::string_view(p, n) : std::string_view(); }

}  // namespace kelisim_bridge

#ifdef KELISIM_BRIDGE_ARENA
// ===========================================================================
// Bump arena (wasm only). Nothing a call computes outlives it, so memory is one region
// above __heap_base: kel_alloc bumps a pointer (growing linear memory when needed), kel_free
// only counts, and the first kel_alloc after every block was freed starts again from the
// bottom. The result text is written just above the live arguments (Out below) and stays
// readable until the next call's first kel_alloc.
// ===========================================================================
extern "C" unsigned char __heap_base;  // end of data + stack, set by the linker

namespace kelisim_bridge {

inline uintptr_t g_arenaTop = 0;   // end of the live blocks
inline uint32_t g_arenaLive = 0;   // blocks kel_alloc'd and not yet kel_free'd

/** Makes linear memory at least `end` bytes long; false when it cannot grow. */
inline bool reach(uint64_t end) {
  uint64_t have = uint64_t(__builtin_wasm_memory_size(0)) << 16;
  return end <= have || __builtin_wasm_memory_grow(0, size_t((end - have + 0xffff) >> 16)) != size_t(-1);
}

inline uintptr_t arenaTop() { return g_arenaLive ? g_arenaTop : uintptr_t(&__heap_base); }

/** The calling bridge function's text output, appended in place at the top of the arena.
 *  If memory cannot grow the module traps (the loader reports wasm-trap and restarts it),
 *  as a failed allocation did with malloc. */
class Out {
 public:
  void put(std::string_view s) {
    if (!reach(uint64_t(start_) + n_ + s.size())) __builtin_trap();
    __builtin_memcpy(reinterpret_cast<char*>(start_) + n_, s.data(), s.size());
    n_ += uint32_t(s.size());
  }
  void put(char c) { put(std::string_view(&c, 1)); }
  /** Publishes the text as the call's result and returns `status`. */
  int32_t finish(int32_t status) {
    g_resultPtr = reinterpret_cast<const char*>(start_);
    g_resultLen = n_;
    return status;
  }

 private:
  uintptr_t start_ = arenaTop();
  uint32_t n_ = 0;
};

}  // namespace kelisim_bridge

extern "C" {
/** Allocates n bytes (at least 1, 8-aligned) for the caller; returns null when memory cannot grow. */
__attribute__((used)) void* kel_alloc(uint32_t n) {
  using namespace kelisim_bridge;
  uint64_t start = (uint64_t(arenaTop()) + 7) & ~uint64_t(7);
  uint64_t end = start + (n ? n : 1);
  if (!reach(end)) return nullptr;
  g_arenaTop = uintptr_t(end);
  ++g_arenaLive;
  return reinterpret_cast<void*>(uintptr_t(start));
}
/** Releases a block from kel_alloc; null is ignored. */
__attribute__((used)) void kel_free(void* p) {
  if (p && kelisim_bridge::g_arenaLive) --kelisim_bridge::g_arenaLive;
}
}
#else
extern "C" {
/** Allocates n bytes (at least 1) for the caller; returns null when memory cannot grow. */
__attribute__((used)) void* kel_alloc(uint32_t n) { return std::malloc(n ? n : 1); }
/** Frees memory from kel_alloc; null is ignored. */
__attribute__((used)) void kel_free(void* p) { std::free(p); }
}
#endif

extern "C" {
/** The bridge ABI this module was built with (constants.json BridgeVersion and lists): the
 *  loader refuses a module whose ABI is not its own (web/src/engine/loader.js loadWasm). */
__attribute__((used)) uint32_t kel_abi() { return kelisim::kBridgeAbi; }
/** Address of the last call's text output (UTF-8, not NUL-terminated). */
__attribute__((used)) const char* kel_result_ptr() { return kelisim_bridge::g_resultPtr; }
/** Length in bytes of the last call's text output. */
__attribute__((used)) uint32_t kel_result_len() { return kelisim_bridge::g_resultLen; }
}
