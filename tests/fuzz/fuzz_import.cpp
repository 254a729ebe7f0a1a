// Fuzz target: the importer (policy source text -> body tree + header), as kel_import runs it.
// Invariants: never a crash; what the importer writes is a valid, canonical format-1 body
// (parseBody accepts it and re-serialises it byte for byte), the header is a JSON object, the
// clause count matches the tree, problems point at real lines, and importJson is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "policy/body.h"
#include "policy/import.h"

using namespace kelisim;
using namespace kelisim::policy;

namespace {
int countClauses(const std::vector<Node>& top) {
  int n = 0;
  std::vector<const std::vector<Node>*> stack{&top};
  while (!stack.empty()) {
    const std::vector<Node>* list = stack.back();
    stack.pop_back();
    for (const Node& x : *list) {
      if (x.kind == Node::Kind::Clause) ++n;
      stack.push_back(&x.children);
    }
  }
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ImportResult r;
  Error e = importText(text, &r);
  FUZZ_CHECK(e.ok(), "import failed on small input: " + e.message);
  FUZZ_CHECK(fuzz::validUtf8(r.bodyJson) && fuzz::validUtf8(r.headerJson), "import wrote invalid UTF-8");
  Body b;
  std::string canonical;
  Error pe = parseBody(r.bodyJson, &b, &canonical);
  FUZZ_CHECK(pe.ok(), "importer body rejected by parseBody: " + pe.message + "\n" + r.bodyJson);
  FUZZ_CHECK(canonical == r.bodyJson, "importer body is not canonical:\n" + r.bodyJson + "\n" + canonical);
  FUZZ_CHECK(countClauses(b.children) == r.clauseCount,
             "clauseCount " + std::to_string(r.clauseCount) + " != clauses in the tree " +
                 std::to_string(countClauses(b.children)));
  nlohmann::json header = nlohmann::json::parse(r.headerJson, nullptr, false);
  FUZZ_CHECK(!header.is_discarded() && header.is_object(), "header is not a JSON object: " + r.headerJson);
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const ImportProblem& p : r.problems) {
    FUZZ_CHECK(p.line >= 1 && size_t(p.line) <= lines && p.col >= 1, "problem outside the text: " + p.code);
    FUZZ_CHECK(!p.code.empty() && !p.message.empty(), "problem without code/message");
  }
  std::string j;
  FUZZ_CHECK(importJson(text, &j).ok(), "importJson failed where importText did not");
  FUZZ_CHECK(fuzz::validJson(j), "importJson is not valid JSON");
  return 0;
}
