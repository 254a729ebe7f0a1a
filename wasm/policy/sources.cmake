# Policy sources of kelisim_core (included by the top-level CMakeLists.txt).
# Part A (import, lint, build, text) and part B (body, render, search, diff) each edit only their lines.
list(APPEND KELISIM_POLICY_SOURCES
  wasm/policy/text.cpp
  wasm/policy/import.cpp
  wasm/policy/lint.cpp
  wasm/policy/build.cpp
  wasm/policy/translate.cpp
  wasm/policy/history.cpp
)
# part B: body, render, search, diff
list(APPEND KELISIM_POLICY_SOURCES
  wasm/policy/body.cpp
  wasm/policy/render.cpp
  wasm/policy/search.cpp
  wasm/policy/diff.cpp
)
