// Seed-corpus generator for the fuzz targets (run by scripts/fuzz.sh):
//   fuzz_make_corpus <out-dir>
// writes <out-dir>/<target>/<name> files built from the real material: the seed policies
// (../shared/seeds when present, or $KELISIM_SEEDS_DIR), policies/*/*.md, the golden consent
// manifests (tests/fixtures/consent/cases.json) and tests/fixtures/manifests/*.json.
// Big policies are also cut into ~3 KB pieces at line ends, so the fuzzers (run with
// -max_len=8192) mutate realistic text without spending their time on 25 KB inputs.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ledger.h"

#include "bridge_c.h"
#include "core/consent.h"
#include "core/constants.h"
#include "policy/import.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
constexpr int64_t kDayMs = 86400000;

namespace {

fs::path gOut;
int gCount = 0;

std::string readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void put(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(gOut / target);
  std::ofstream f(gOut / target / name, std::ios::binary);
  f << bytes;
  ++gCount;
}

std::vector<std::string> pieces(const std::string& text, size_t size) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start + size;
    if (end >= text.size()) end = text.size();
    else {
      size_t nl = text.find('\n', end);
      end = nl == std::string::npos ? text.size() : nl + 1;
    }
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string bodyOf(const std::string& text) {
  kelisim::policy::ImportResult r;
  kelisim::policy::importText(text, &r);
  return r.bodyJson;
}

// core.js's manifestText(): manifest.json -> the bridge's lines.
std::string manifestLines(const json& m) {
  auto str = [&](const char* k) {
    auto it = m.find(k);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string s = "id=" + str("id") + "\nv=" + str("version") + "\nh=" + str("bodyHash") + "\np=" + str("publishedAt");
  std::string type = "implicit";
  long days = 7;
  auto rule = m.find("updateRule");
  if (rule != m.end() && rule->is_object()) {
    auto t = rule->find("type");
    if (t != rule->end() && t->is_string()) type = t->get<std::string>();
    auto d = rule->find("days");
    if (d != rule->end() && d->is_number_integer()) days = d->get<long>();
  }
  s += "\nr=" + std::string(type == "explicit" ? "e" : "i") + "\nd=" + std::to_string(days);
  auto mat = m.find("material");
  s += "\nm=" + std::string(mat != m.end() && mat->is_boolean() && mat->get<bool>() ? "1" : "0");
  long acc = 365, rej = 182;
  auto age = m.find("maxAgeDays");
  if (age != m.end() && age->is_object()) {
    auto a = age->find("accepted");
    if (a != age->end() && a->is_number_integer()) acc = a->get<long>();
    auto r = age->find("rejected");
    if (r != age->end() && r->is_number_integer()) rej = r->get<long>();
  }
  s += "\na=" + std::to_string(acc * kDayMs) + "\nj=" + std::to_string(rej * kDayMs);
  auto cats = m.find("categories");
  if (cats != m.end() && cats->is_array())
    for (const json& c : *cats) {
      if (!c.is_object()) continue;
      auto id = c.find("id");
      auto rq = c.find("required");
      auto gp = c.find("gpcOff");
      s += "\nc=" + (id != c.end() && id->is_string() ? id->get<std::string>() : std::string()) + ":";
      if (rq != c.end() && rq->is_boolean() && rq->get<bool>()) s += "r";
      if (gp != c.end() && gp->is_boolean() && gp->get<bool>()) s += "g";
    }
  return s;
}

// A record of manifest m (every category, all on or all optional off), encoded by the bridge.
std::string recordFor(const json& m, const std::string& version, int64_t givenAt, bool allOn, bool implicit) {
  auto str = [&](const char* k, const char* def) {
    auto it = m.find(k);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string(def);
  };
  std::string choices;
  auto cats = m.find("categories");
  if (cats != m.end() && cats->is_array())
    for (const json& c : *cats) {
      if (!c.is_object()) continue;
      auto cid = c.find("id");
      auto rq = c.find("required");
      if (cid == c.end() || !cid->is_string()) continue;
      bool req = rq != c.end() && rq->is_boolean() && rq->get<bool>();
      choices += (choices.empty() ? "" : ".") + cid->get<std::string>() + ((allOn || req) ? ":1" : ":0");
    }
  std::string id = "Fz0RecordId_01", policyId = str("id", "x"), hash16 = str("bodyHash", "0123456789abcdef").substr(0, 16),
              head(64, 'a');
  if (kel_encode_record(id.data(), uint32_t(id.size()), policyId.data(), uint32_t(policyId.size()), version.data(),
                        uint32_t(version.size()), hash16.data(), uint32_t(hash16.size()), double(givenAt),
                        implicit ? 1 : 0, choices.data(), uint32_t(choices.size()), "", 0, 0, head.data(),
                        uint32_t(head.size()), "", 0) != 0)
    return std::string();
  return std::string(kel_result_ptr(), kel_result_len());
}


/** fuzz_proof: a proof document (first byte 0) and an export (first byte 1) of a small ledger
 *  whose row hashes, Merkle root and inclusion paths are the core's; the signatures are made
 *  up (the seeds reach the parsers and the chain, key and tree checks, not a valid signature). */
void proofSeeds() {
  using namespace kelisim;
  using ojson = nlohmann::ordered_json;
  const std::string k1(64, '1'), k2(64, '2'), sig(128, 'f');
  std::vector<ojson> rows;
  std::vector<std::string> hashes;
  ledger::MerkleFrontier tree;
  std::string prev = ledger::kGenesis;
  for (int64_t seq = 1; seq <= 5; ++seq) {
    std::string key = ledger::eventKey("FuzzVisitor01", "e" + std::to_string(seq));
    std::string body = "{\"type\":\"kelisim:consent-event\",\"n\":" + std::to_string(seq) + "}";
    std::string personal = "{\"recordId\":\"FuzzVisitor01\"}";
    std::string ph = ledger::personalHash(personal);
    std::string h = ledger::rowHash(prev, seq, 1796551200000 + seq, key, ph, body);
    tree.push(ledger::merkleLeaf(h));
    hashes.push_back(h);
    rows.push_back({{"seq", seq}, {"serverAt", 1796551200000 + seq}, {"eventKey", key}, {"kind", "change"},
                    {"op", "accept-all"}, {"method", "explicit"}, {"policyId", "p"}, {"policyVersion", "1"},
                    {"clientAt", 0}, {"recordId", "FuzzVisitor01"}, {"body", body}, {"personal", personal},
                    {"personalHash", ph}, {"prevRowHash", prev}, {"rowHash", h}, {"erasedAt", nullptr}});
    prev = h;
  }
  ojson rotation = {{"seq", 3}, {"head", hashes[2]}, {"at", 1796551200100}, {"root", ""}, {"publicKey", k2},
                    {"signature", sig}, {"prevKey", k1}, {"prevSignature", sig}};
  ojson checkpoint = {{"seq", 5}, {"head", hashes[4]}, {"at", 1796551200200}, {"root", tree.root()},
                      {"publicKey", k2}, {"signature", sig}};
  // The export: header, rows, checkpoints.
  std::string exp = ojson{{"format", "kelisim-ledger-export/1"}, {"publicKey", k2},
                          {"head", {{"seq", 5}, {"hash", hashes[4]}}},
                          {"from", {{"seq", 1}, {"prevHash", ledger::kGenesis}}},
                          {"keyRotations", ojson::array({rotation})}}.dump() + "\n";
  for (const ojson& r : rows) {
    ojson line = r;
    line.erase("prevRowHash");
    exp += ojson{{"row", line}}.dump() + "\n";
  }
  exp += ojson{{"checkpoint", rotation}}.dump() + "\n" + ojson{{"checkpoint", checkpoint}}.dump() + "\n";
  put("fuzz_proof", "export", std::string(1, '\x01') + exp);
  // The proof of the record: its rows with their seal inputs and inclusion paths.
  ojson proofRows = ojson::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    ojson path = ojson::array();
    for (auto [b, e] : ledger::inclusionRanges(i, rows.size())) {
      ledger::MerkleFrontier part;
      for (uint64_t j = b; j < e; ++j) part.push(ledger::merkleLeaf(hashes[j]));
      path.push_back(part.root());
    }
    proofRows.push_back({{"seq", rows[i]["seq"]}, {"serverAt", rows[i]["serverAt"]}, {"eventKey", rows[i]["eventKey"]},
                         {"personalHash", rows[i]["personalHash"]}, {"prevRowHash", rows[i]["prevRowHash"]},
                         {"rowHash", rows[i]["rowHash"]}, {"body", rows[i]["body"]}, {"inclusion", path}});
  }
  ojson proof = {{"format", "kelisim-proof/1"}, {"recordId", "FuzzVisitor01"}, {"rows", proofRows},
                 {"checkpoint", checkpoint}, {"publicKey", k2}, {"keyRotations", ojson::array({rotation})},
                 {"decisions", ojson::array()}, {"displays", ojson::array()}, {"signature", sig}};
  put("fuzz_proof", "proof", std::string(1, '\x00') + proof.dump());
  // A consistency document (docs/ledger.md §4.3) from the tree of 3 rows to the tree of 5, with
  // the path the core's ranges give, and the same from a complete tree (2 rows).
  auto treeOf = [&](uint64_t b, uint64_t e) {
    ledger::MerkleFrontier part;
    for (uint64_t j = b; j < e; ++j) part.push(ledger::merkleLeaf(hashes[j]));
    return part.root();
  };
  for (uint64_t m : {3, 2}) {
    ojson path = ojson::array();
    for (auto [b, e] : ledger::consistencyRanges(m, 5)) path.push_back(treeOf(b, e));
    ojson from = {{"seq", m}, {"head", hashes[m - 1]}, {"at", 1796551200050}, {"publicKey", k1},
                  {"signature", sig}, {"root", treeOf(0, m)}};
    ojson doc = {{"format", "kelisim-ledger-consistency/1"}, {"generatedAt", 1796551200300}, {"from", from},
                 {"to", checkpoint}, {"path", path}, {"publicKey", k2}, {"keyRotations", ojson::array({rotation})}};
    put("fuzz_proof", "consistency-" + std::to_string(m), std::string(1, '\x02') + doc.dump());
  }
}

/** fuzz_ingest: POST /v1/events bodies (docs/ledger.md §1) with valid change events made by
 *  the core's apply(), display events, and the batch forms. */
void ingestSeeds() {
  using namespace kelisim;
  Manifest m;
  m.policyId = "smartaqkol";
  m.version = "2";
  std::string bodyHash(64, 'a');
  m.bodyHash = bodyHash;
  m.publishedAtMs = 1749538800000;
  m.offsetMinutes = 300;
  m.categories.push_back({"necessary", true, false});
  m.categories.push_back({"analytics", false, false});
  std::vector<nlohmann::ordered_json> events;  // ordered: the entry hash covers the choices' order
  std::string stored;
  const Op ops[] = {Op::AcceptAll, Op::RejectAll, Op::Withdraw};
  for (int i = 0; i < 3; ++i) {
    ApplyInput in;
    in.op = ops[i];
    in.newId = "FuzzVisitor01";
    ApplyResult r;
    if (!apply(m, stored, 1796551200123 + i, {}, in, &r).ok()) continue;
    stored = encodeRecord(r.record).str();
    nlohmann::ordered_json choices = nlohmann::ordered_json::object();
    for (const Choice& c : r.entry.choices) choices[std::string(c.category.view())] = c.on;
    nlohmann::ordered_json e = {{"type", "kelisim:consent-event"}, {"v", 2}, {"id", std::string(r.entry.hash.view())},
        {"recordId", "FuzzVisitor01"}, {"record", stored},
        {"policy", {{"id", "smartaqkol"}, {"version", "2"}, {"bodyHash", bodyHash}}},
        {"controller", "BTS Digital"}, {"language", "ru"}, {"display", nullptr},
        {"event", {{"op", name(r.entry.op)}, {"atMs", r.entry.atMs}, {"version", "2"},
                   {"method", name(r.entry.method)}, {"choices", choices},
                   {"prevHash", std::string(r.entry.prevHash.view())}, {"hash", std::string(r.entry.hash.view())}}}};
    put("fuzz_ingest", "change-" + std::to_string(i), e.dump());
    events.push_back(e);
  }
  nlohmann::ordered_json d = {{"type", "kelisim:display"}, {"v", 2}, {"id", "d-AAAAbbbbCCCCdddd"},
      {"recordId", "FuzzVisitor01"}, {"policy", {{"id", "smartaqkol"}, {"version", "2"}, {"bodyHash", bodyHash}}},
      {"language", "ru"},
      {"display", {{"kind", "banner"}, {"reason", "no-record"}, {"layout", "bar"}, {"at", "2026-12-06T10:00:00.000Z"},
                   {"atMs", 1796551200000}, {"deadline", nullptr}, {"categories", json::array({"necessary", "analytics"})},
                   {"strings", {{"title", "Cookie"}, {"accept", "Принять"}}}}}};
  put("fuzz_ingest", "display", d.dump());
  events.push_back(d);
  put("fuzz_ingest", "batch-array", nlohmann::ordered_json(events).dump());
  put("fuzz_ingest", "batch-object", nlohmann::ordered_json{{"events", events}}.dump());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus <out-dir>\n");
    return 2;
  }
  gOut = argv[1];
  const fs::path root = KELISIM_SOURCE_DIR;

  // ---- Policy texts: seeds + policies/ ------------------------------------------------------
  std::vector<std::pair<std::string, std::string>> texts;  // (name, text)
  fs::path seeds = std::getenv("KELISIM_SEEDS_DIR") ? fs::path(std::getenv("KELISIM_SEEDS_DIR"))
                                                    : root.parent_path() / "shared" / "seeds";
  std::error_code ec;
  if (fs::is_directory(seeds, ec))
    for (const auto& e : fs::directory_iterator(seeds))
      if (e.is_regular_file()) texts.push_back({"seed-" + e.path().stem().string(), readFile(e.path())});
  std::vector<fs::path> sources;
  if (fs::is_directory(root / "policies", ec))
    for (const auto& e : fs::recursive_directory_iterator(root / "policies"))
      if (e.is_regular_file() && (e.path().extension() == ".md" || e.path().extension() == ".txt"))
        sources.push_back(e.path());
  std::sort(sources.begin(), sources.end());
  for (const fs::path& p : sources)
    texts.push_back({"pol-" + p.parent_path().filename().string() + "-" + p.stem().string(), readFile(p)});
  std::sort(texts.begin(), texts.end());

  const char* queries[] = {"персональн", "Cookie", "ПОЛЬЗОВАТЕЛЬ данные", "ё", "қр", "e-mail", "1.1", "срок"};
  int qi = 0;
  for (const auto& [name, text] : texts) {
    put("fuzz_import", name, text);
    put("fuzz_lint", name, text);
    put("fuzz_body", name, bodyOf(text));
    std::vector<std::string> parts = pieces(text, 2000);
    for (size_t i = 0; i < parts.size(); ++i) {
      std::string n = name + "-" + std::to_string(i);
      const std::string& t = parts[i];
      std::string body = bodyOf(t);
      put("fuzz_import", n, t);
      put("fuzz_lint", n, t);
      put("fuzz_body", n, body);
      uint8_t opt = uint8_t(i * 5);
      put("fuzz_render", n + "-text", std::string(1, '\x01') + char(opt) + t);
      put("fuzz_render", n + "-json", std::string(1, '\x00') + char(opt + 16) + body);
      std::string q = queries[qi++ % 8];
      put("fuzz_search", n + "-text", std::string("\x01\x05") + q + "\n" + t);
      put("fuzz_search", n + "-json", std::string("\x00\x00", 2) + q + "\n" + body);
      // Diff: this piece against the same piece with one line dropped and one renumbered.
      std::string edited = t;
      size_t a = edited.find('\n', edited.size() / 3);
      size_t b = a == std::string::npos ? a : edited.find('\n', a + 1);
      if (b != std::string::npos) edited.erase(a, b - a);
      size_t d = edited.find("1.");
      if (d != std::string::npos) edited.replace(d, 2, "2.");
      put("fuzz_diff", n + "-text", std::string(1, '\x01') + t + '\x01' + edited);
      put("fuzz_diff", n + "-json", std::string(1, '\x00') + body + '\x01' + bodyOf(edited));
      put("fuzz_diff", n + "-words", std::string(1, '\x02') + t.substr(0, 600) + '\x01' + edited.substr(0, 600));
    }
  }
  // Translation pairs (reference '\x01' translation): the fixtures with each defect.
  if (fs::is_directory(root / "tests/fixtures/policy/translations", ec))
    for (const auto& d : fs::directory_iterator(root / "tests/fixtures/policy/translations"))
      if (fs::exists(d.path() / "1.ru.md", ec) && fs::exists(d.path() / "1.kk.md", ec))
        put("fuzz_translate", "tr-" + d.path().filename().string(),
            readFile(d.path() / "1.ru.md") + '\x01' + readFile(d.path() / "1.kk.md"));
  // The demo second versions against their first versions, piece by piece.
  for (const char* pol : {"smartaqkol", "toolpars"}) {
    fs::path v1 = root / "policies" / pol / "1.md", v2 = root / "policies" / pol / "2.md";
    if (!fs::exists(v1, ec) || !fs::exists(v2, ec)) continue;
    std::vector<std::string> p1 = pieces(readFile(v1), 3000), p2 = pieces(readFile(v2), 3000);
    for (size_t i = 0; i < p1.size() && i < p2.size(); ++i)
      put("fuzz_diff", std::string("v1v2-") + pol + "-" + std::to_string(i),
          std::string(1, '\x01') + p1[i] + '\x01' + p2[i]);
  }

  // ---- Consent: manifests and records --------------------------------------------------------
  std::vector<std::pair<std::string, json>> manifests;
  json cases = json::parse(readFile(root / "tests/fixtures/consent/cases.json"), nullptr, false);
  if (!cases.is_discarded() && cases.contains("manifests") && cases["manifests"].is_object())
    for (auto it = cases["manifests"].begin(); it != cases["manifests"].end(); ++it)
      manifests.push_back({"case-" + it.key(), it.value()});
  if (fs::is_directory(root / "tests/fixtures/manifests", ec))
    for (const auto& e : fs::directory_iterator(root / "tests/fixtures/manifests")) {
      json m = json::parse(readFile(e.path()), nullptr, false);
      if (!m.is_discarded() && m.is_object()) manifests.push_back({"fixture-" + e.path().stem().string(), m});
    }
  std::sort(manifests.begin(), manifests.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const int64_t t0 = 1749538800000;  // 2025-06-10T07:00Z
  int k = 0;
  for (const auto& [name, m] : manifests) {
    std::string lines = manifestLines(m);
    std::string version = m.contains("version") && m["version"].is_string() ? m["version"].get<std::string>() : "1";
    std::string current = recordFor(m, version, t0, true, false);
    std::string older = recordFor(m, "0", t0 - 30 * kDayMs, k % 2 == 0, k % 3 == 0);
    std::string stale = recordFor(m, version, t0 - 400 * kDayMs, false, false);
    put("fuzz_record", name + "-current", current);
    put("fuzz_record", name + "-older", older);
    const std::string nows[] = {"1749538800000", "1750186800000", "1750200000000", "1790000000000"};
    const char* choices[] = {"", "analytics:1", "analytics:0.marketing:1", "necessary:0"};
    int op = 0;
    for (const std::string* stored : {&current, &older, &stale}) {
      for (int v = 0; v < 2; ++v) {
        std::string args = std::to_string(op % 6) + "\n" + choices[op % 4] + "\nFz1NewRecord\n" +
                           (op % 3 == 0 ? std::string(64, 'b') : std::string()) + "\n" + nows[(op + v) % 4] + "\n" +
                           (v ? "1" : "0");
        put("fuzz_manifest", name + "-" + std::to_string(op), lines + '\x01' + *stored + '\x01' + args);
        ++op;
      }
    }
    put("fuzz_manifest", name + "-fresh", lines);
    ++k;
  }
  for (const char* foreign : {"_ga=GA1.2.3", "k2~abc~def", "k1~", "%7B%22a%22%3A1%7D", "eyJhbGciOiJIUzI1NiJ9.e30.x"})
    put("fuzz_record", std::string("foreign-") + std::to_string(gCount), foreign);

  ingestSeeds();
  proofSeeds();

  std::printf("fuzz_make_corpus: %d files in %s (%zu policy texts, %zu manifests)\n", gCount, gOut.c_str(),
              texts.size(), manifests.size());
  return texts.empty() || manifests.empty() ? 1 : 0;
}
