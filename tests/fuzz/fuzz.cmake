# libFuzzer targets (issue 6, item 1). Included by the top-level CMakeLists.txt when
# -DKELISIM_FUZZ=ON in the native configuration; clang only:
#   CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -DKELISIM_FUZZ=ON
# scripts/fuzz.sh configures, builds, generates the seed corpora and runs every target.
#
# kelisim_core itself is rebuilt instrumented (coverage + ASan + UBSan) in this build tree,
# with assertions ON (nlohmann's JSON_ASSERT catches misuse of the DOM) and JSON_NOEXCEPTION
# (already a PUBLIC definition of kelisim_core), so any nlohmann "throw" shows up as an abort.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "KELISIM_FUZZ needs clang (libFuzzer): configure with CC=clang-14 CXX=clang++-14")
endif()

set(KELISIM_FUZZ_SANITIZE
  -fsanitize=address,undefined
  -fno-sanitize-recover=undefined   # any UB report is a crash libFuzzer saves
  -fno-omit-frame-pointer
  -g
  -O1
  -UNDEBUG                          # keep assert() (the Release config adds -DNDEBUG earlier)
)
target_compile_options(kelisim_core PRIVATE ${KELISIM_FUZZ_SANITIZE} -fsanitize=fuzzer-no-link)

# kelisim_fuzz_target(<name> <source> [extra sources...])
function(kelisim_fuzz_target name)
  add_executable(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz)
  target_link_libraries(${name} PRIVATE kelisim_core)
  target_compile_options(${name} PRIVATE ${KELISIM_FUZZ_SANITIZE} -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  list(APPEND KELISIM_FUZZ_TARGETS ${name})
  set(KELISIM_FUZZ_TARGETS ${KELISIM_FUZZ_TARGETS} PARENT_SCOPE)
endfunction()

set(KELISIM_FUZZ_TARGETS "")
# Consent module: through the C bridge functions the wasm exports, compiled natively. The
# bridge's wasm-only arena (wasm/bridge/common.h) runs on an emulated linear memory
# (tests/fuzz/wasm_shim.{h,cpp}, force-included), so it is fuzzed as written.
set(KELISIM_CONSENT_BRIDGE wasm/bridge/consent_bridge.cpp tests/fuzz/wasm_shim.cpp)
set(KELISIM_WASM_SHIM -include ${CMAKE_SOURCE_DIR}/tests/fuzz/wasm_shim.h)
kelisim_fuzz_target(fuzz_record   tests/fuzz/fuzz_record.cpp   ${KELISIM_CONSENT_BRIDGE})
kelisim_fuzz_target(fuzz_manifest tests/fuzz/fuzz_manifest.cpp ${KELISIM_CONSENT_BRIDGE})
target_compile_options(fuzz_record PRIVATE ${KELISIM_WASM_SHIM})
target_compile_options(fuzz_manifest PRIVATE ${KELISIM_WASM_SHIM})
# Policy module: through the C++ API (the bridge adds only a cache and JSON framing).
kelisim_fuzz_target(fuzz_import   tests/fuzz/fuzz_import.cpp)
kelisim_fuzz_target(fuzz_lint     tests/fuzz/fuzz_lint.cpp)
kelisim_fuzz_target(fuzz_body     tests/fuzz/fuzz_body.cpp)
kelisim_fuzz_target(fuzz_render   tests/fuzz/fuzz_render.cpp)
kelisim_fuzz_target(fuzz_search   tests/fuzz/fuzz_search.cpp)
kelisim_fuzz_target(fuzz_diff     tests/fuzz/fuzz_diff.cpp)
kelisim_fuzz_target(fuzz_translate tests/fuzz/fuzz_translate.cpp)
# The ledger server's ingest parser (server/src/ledger/ingest.cpp), through kelisim_ledger,
# rebuilt instrumented like the core.
if(TARGET kelisim_ledger)
  target_compile_options(kelisim_ledger PRIVATE ${KELISIM_FUZZ_SANITIZE} -fsanitize=fuzzer-no-link)
  kelisim_fuzz_target(fuzz_ingest tests/fuzz/fuzz_ingest.cpp)
  target_link_libraries(fuzz_ingest PRIVATE kelisim_ledger)
  # Proof documents and exports handed to the operator (POST /v1/proof/verify, verify --export).
  kelisim_fuzz_target(fuzz_proof tests/fuzz/fuzz_proof.cpp)
  target_link_libraries(fuzz_proof PRIVATE kelisim_ledger)
endif()

# Seed-corpus generator (a plain program, not a fuzzer): seeds, policies/ and tests/fixtures/
# -> <dir>/<target>/… files. Run by scripts/fuzz.sh.
add_executable(fuzz_make_corpus tests/fuzz/make_corpus.cpp ${KELISIM_CONSENT_BRIDGE})
target_include_directories(fuzz_make_corpus PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz)
target_link_libraries(fuzz_make_corpus PRIVATE kelisim_core)
target_compile_options(fuzz_make_corpus PRIVATE ${KELISIM_FUZZ_SANITIZE} ${KELISIM_WASM_SHIM})
target_link_options(fuzz_make_corpus PRIVATE -fsanitize=address,undefined)
target_compile_definitions(fuzz_make_corpus PRIVATE KELISIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

add_custom_target(fuzz_all DEPENDS ${KELISIM_FUZZ_TARGETS} fuzz_make_corpus)
