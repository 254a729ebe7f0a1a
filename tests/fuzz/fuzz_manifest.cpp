// Fuzz target: manifest field validation and the consent decisions behind it, through the C
// bridge exactly as core.js drives it — kel_decide and kel_apply with fuzzed manifest fields,
// stored record, time, GPC, op, choices, record id and history hash. The manifest is written
// as "key=value" lines (id v h p r d m a j c, as core.js once sent them) and turned into the
// positional arguments the way core.js builds them (Args below).
//
// Input: <manifest lines> \x01 <stored record> \x01 <op>\n<choices>\n<newId>\n<prevHash>\n<now>\n<gpc>
// (missing parts take defaults). The stored record is tried as is and with its integrity check
// recomputed, so stored records that really decode reach the decision logic.
//
// Invariants (DESIGN.md "Consent semantics"):
//  - a failing call names an error and produces no record (a message, not result fields);
//  - decide: required categories are always on; an optional category is on only if the stored
//    record of this policy has it on (implicit acceptance never turns on anything new); GPC
//    turns gpcOff categories off in anything implicitly accepted;
//  - every record decide or apply produces decodes, belongs to the manifest's policy, and, fed
//    back as the stored value at the same instant, gives back exactly its choices (a stored
//    choice is never lost or changed) — action none, except after notice-shown;
//  - apply failures leave nothing to store: the passed stored record stays what decide sees.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "bridge_c.h"
#include "core/constants.h"
#include "core/sha256.h"
#include "fuzz_util.h"

using kelisim::Action;
using kelisim::ErrorCode;
using kelisim::Op;

namespace {

std::string num(Action a) { return std::to_string(int32_t(a)); }

std::vector<std::string> split(const std::string& s, char sep, size_t max) {
  std::vector<std::string> out;
  size_t start = 0;
  while (out.size() + 1 < max) {
    size_t p = s.find(sep, start);
    if (p == std::string::npos) break;
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

// The manifest lines as kel_decide/kel_apply take them. Strings: the last line of a key wins;
// c lines are joined by '\n'. A value core.js would never send (r not i|e, m not 0|1, d, a, j not
// decimal integers, an unknown key, a line without '=') becomes an argument the bridge must
// refuse (rule 2); d, a, j are otherwise passed as read, so out-of-range numbers reach it too.
struct Args {
  std::string id, v, h, p, c;
  int32_t rule = 0, days = 7, material = 0;
  double acc = 365.0 * 86400000, rej = 182.0 * 86400000;
  bool bad = false;

  static bool dec(const std::string& s, double* out) {
    size_t i = !s.empty() && s[0] == '-';
    if (s.size() == i || s.size() > 19) return false;
    for (size_t j = i; j < s.size(); ++j)
      if (s[j] < '0' || s[j] > '9') return false;
    *out = double(std::strtoll(s.c_str(), nullptr, 10));
    return true;
  }

  explicit Args(const std::string& manifest) {
    bool first = true;
    for (const std::string& l : split(manifest, '\n', 100000)) {
      if (l.empty()) continue;
      size_t eq = l.find('=');
      if (eq == std::string::npos) { bad = true; continue; }
      std::string k = l.substr(0, eq), val = l.substr(eq + 1);
      double n = 0;
      if (k == "id") id = val;
      else if (k == "v") v = val;
      else if (k == "h") h = val;
      else if (k == "p") p = val;
      else if (k == "r") { if (val == "i" || val == "e") rule = val == "e"; else bad = true; }
      else if (k == "m") { if (val == "0" || val == "1") material = val == "1"; else bad = true; }
      else if (k == "d") { if (dec(val, &n) && n > -2e9 && n < 2e9) days = int32_t(n); else bad = true; }
      else if (k == "a") { if (dec(val, &n)) acc = n; else bad = true; }
      else if (k == "j") { if (dec(val, &n)) rej = n; else bad = true; }
      else if (k == "c") { c += (first ? "" : "\n") + val; first = false; }
      else bad = true;
    }
    if (bad) rule = 2;
  }
};

int32_t decideCall(const std::string& manifest, const std::string& rec, double now, int gpc) {
  Args a(manifest);
  return kel_decide(a.id.data(), uint32_t(a.id.size()), a.v.data(), uint32_t(a.v.size()), a.h.data(),
                    uint32_t(a.h.size()), a.p.data(), uint32_t(a.p.size()), a.c.data(), uint32_t(a.c.size()), a.rule,
                    a.days, a.material, a.acc, a.rej, rec.data(), uint32_t(rec.size()), now, gpc);
}

int32_t applyCall(const std::string& manifest, const std::string& rec, double now, int gpc, int op,
                  const std::string& choices, const std::string& newId, const std::string& prevHash) {
  Args a(manifest);
  return kel_apply(a.id.data(), uint32_t(a.id.size()), a.v.data(), uint32_t(a.v.size()), a.h.data(),
                   uint32_t(a.h.size()), a.p.data(), uint32_t(a.p.size()), a.c.data(), uint32_t(a.c.size()), a.rule,
                   a.days, a.material, a.acc, a.rej, rec.data(), uint32_t(rec.size()), now, gpc, op, choices.data(),
                   uint32_t(choices.size()), newId.data(), uint32_t(newId.size()), prevHash.data(),
                   uint32_t(prevHash.size()));
}

// record.cpp's check: first 16 hex of SHA-256("kelisim/record/k1\n" + text before "~check").
std::string checkOf(const std::string& body) {
  return kelisim::sha256_hex("kelisim/record/k1\n" + body).substr(0, 16);
}

// The decoded record's fields (kel_decode_record), or "" when it does not decode.
std::string decoded(const std::string& rec) {
  return kel_decode_record(rec.data(), uint32_t(rec.size())) == 0 ? fuzz::result() : std::string();
}

// "id:1.id:0" -> pairs (the bridge's own form; already validated when it comes from the bridge).
std::vector<std::pair<std::string, bool>> pairs(const std::string& text) {
  std::vector<std::pair<std::string, bool>> out;
  if (text.empty()) return out;
  for (std::string item : split(text, '.', 1000)) {
    // "id:1:<8 hex>": a choice given under a consent document (its hash prefix).
    if (item.size() > 12 && item[item.size() - 9] == ':') item.resize(item.size() - 9);
    FUZZ_CHECK(item.size() >= 3 && item[item.size() - 2] == ':', "bad choice item in output: " + text);
    out.push_back({item.substr(0, item.size() - 2), item.back() == '1'});
  }
  return out;
}

struct Cat {
  std::string id;
  bool required = false, gpcOff = false;
};

// The categories as the bridge reads them (c=id:flags lines), for checking outputs.
std::vector<Cat> categoriesOf(const std::string& manifest) {
  std::vector<Cat> out;
  for (const std::string& l : split(manifest, '\n', 100000)) {
    if (l.rfind("c=", 0) != 0) continue;
    size_t colon = l.find(':');
    Cat c;
    c.id = l.substr(2, colon == std::string::npos ? std::string::npos : colon - 2);
    if (colon != std::string::npos) {
      c.required = l.find('r', colon) != std::string::npos;
      c.gpcOff = l.find('g', colon) != std::string::npos;
    }
    out.push_back(c);
  }
  return out;
}

const Cat* findCat(const std::vector<Cat>& cats, const std::string& id) {
  for (const Cat& c : cats)
    if (c.id == id) return &c;
  return nullptr;
}

std::string policyIdOf(const std::string& manifest) {
  std::string id;
  for (const std::string& l : split(manifest, '\n', 100000))
    if (l.rfind("id=", 0) == 0) id = l.substr(3);  // last one wins, as in the bridge
  return id;
}

// A record the engine produced: it decodes, is this policy's, and deciding on it at `now`
// gives back exactly its choices.
void checkProduced(const std::string& manifest, const std::string& rec, double now, int gpc, bool expectCurrent,
                   const std::string& context) {
  std::string d = decoded(rec);
  FUZZ_CHECK(!d.empty(), context + ": produced a record that does not decode (" + fuzz::result() + "): " + rec);
  FUZZ_CHECK(fuzz::field(d, fuzz::kPolicyId) == policyIdOf(manifest), context + ": record of another policy: " + rec);
  int32_t st = decideCall(manifest, rec, now, gpc);
  std::string out = fuzz::result();
  FUZZ_CHECK(st == 0, context + ": decide on the produced record failed: " + out);
  if (!expectCurrent) return;
  FUZZ_CHECK(fuzz::field(out, fuzz::kAction) == num(Action::None), context + ": produced record is not current: " + out + "\n" + rec);
  FUZZ_CHECK(fuzz::field(out, fuzz::kEffective) == fuzz::field(d, fuzz::kChoices),
             context + ": stored choices not in force: " + out + "\n" + rec);
}

void run(const std::string& manifest, const std::string& stored, double now, int gpc, int op,
         const std::string& choices, const std::string& newId, const std::string& prevHash) {
  std::vector<Cat> cats = categoriesOf(manifest);
  std::string storedRec = decoded(stored);
  bool storedOurs = !storedRec.empty() && fuzz::field(storedRec, fuzz::kPolicyId) == policyIdOf(manifest);
  std::vector<std::pair<std::string, bool>> storedChoices;
  if (storedOurs) storedChoices = pairs(fuzz::field(storedRec, fuzz::kChoices));

  // ---- decide ----
  int32_t st = decideCall(manifest, stored, now, gpc);
  std::string out = fuzz::result();
  if (st != 0) {
    FUZZ_CHECK(st == int32_t(ErrorCode::ManifestInvalid) || st == int32_t(ErrorCode::BadArgument),
               "decide failed with an unexpected code " + std::to_string(st) + ": " + out);
    FUZZ_CHECK(!out.empty(), "decide failed without a message");
    // Result fields end in '\n'; a message has none (no fuzzed argument holds one: they come from lines).
    FUZZ_CHECK(out.find('\n') == std::string::npos, "failed decide left result fields: " + out);
  } else {
    std::string action = fuzz::field(out, fuzz::kAction);
    for (auto& [id, on] : pairs(fuzz::field(out, fuzz::kEffective))) {
      const Cat* c = findCat(cats, id);
      FUZZ_CHECK(c != nullptr, "effective lists an unknown category " + id);
      if (c->required) {
        FUZZ_CHECK(on, "required category off: " + out);
      } else if (on) {
        bool consented = false;
        for (auto& [sid, son] : storedChoices) consented = consented || (sid == id && son);
        FUZZ_CHECK(consented, "category " + id + " on without the visitor's consent: " + out);
        if (action == num(Action::ImplicitAccept) && gpc) FUZZ_CHECK(!c->gpcOff, "implicit acceptance ignored GPC: " + out);
      }
    }
    std::string n = fuzz::field(out, fuzz::kNewRecord);
    FUZZ_CHECK(n.empty() == (action != num(Action::ImplicitAccept)), "new record iff implicit-accept: " + out);
    if (!n.empty()) checkProduced(manifest, n, now, gpc, true, "decide/implicit-accept");
  }

  // ---- apply ----
  st = applyCall(manifest, stored, now, gpc, op, choices, newId, prevHash);
  out = fuzz::result();
  if (st != 0) {
    FUZZ_CHECK(st >= int32_t(ErrorCode::ManifestInvalid) && st <= int32_t(ErrorCode::NoRecord),
               "apply failed with an unexpected code " + std::to_string(st) + ": " + out);
    FUZZ_CHECK(out.find('\n') == std::string::npos, "failed apply left result fields: " + out);
    return;
  }
  std::string n = fuzz::field(out, 0);  // the encoded record
  bool notice = op == int32_t(Op::NoticeShown);
  checkProduced(manifest, n, now, gpc, !notice, "apply op " + std::to_string(op));
  if (notice) return;
  std::vector<std::pair<std::string, bool>> got = pairs(fuzz::field(decoded(n), fuzz::kChoices));
  FUZZ_CHECK(got.size() == cats.size(), "apply: record does not list every category: " + n);
  for (auto& [id, on] : got) {
    const Cat* c = findCat(cats, id);
    FUZZ_CHECK(c != nullptr, "apply: unknown category in record: " + n);
    if (c->required) FUZZ_CHECK(on, "apply: required category off: " + n);
    if (op == int32_t(Op::RejectAll) || op == int32_t(Op::Withdraw))
      FUZZ_CHECK(on == c->required, "reject/withdraw left an optional category on: " + n);
    if (op == int32_t(Op::AcceptAll)) FUZZ_CHECK(on, "accept-all left a category off: " + n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  std::vector<std::string> parts = split(std::string(reinterpret_cast<const char*>(data), size), '\x01', 3);
  const std::string& manifest = parts[0];
  std::string stored = parts.size() > 1 ? parts[1] : std::string();
  std::vector<std::string> args = split(parts.size() > 2 ? parts[2] : std::string(), '\n', 6);
  auto arg = [&](size_t i, const char* def) { return i < args.size() ? args[i] : std::string(def); };
  int op = 0;
  std::string opText = arg(0, "0");
  if (!opText.empty() && opText.size() < 5) op = std::atoi(opText.c_str());  // "-1", "6", "255"…
  std::string choices = arg(1, "");
  std::string newId = arg(2, "FuzzRecord_0001");
  std::string prevHash = arg(3, "");
  int64_t nowInt = 1750000000000;
  std::string nowText = arg(4, "");
  if (!nowText.empty() && nowText.size() <= 18) nowInt = std::strtoll(nowText.c_str(), nullptr, 10);
  double now = double(nowInt);
  if (nowText == "nan") now = __builtin_nan("");
  if (nowText == "inf") now = __builtin_inf();
  int gpc = arg(5, "0") == "1";

  run(manifest, stored, now, gpc, op, choices, newId, prevHash);
  if (stored.size() >= 17 && stored[stored.size() - 17] == '~') {
    std::string fixed = stored.substr(0, stored.size() - 16) + checkOf(stored.substr(0, stored.size() - 17));
    if (fixed != stored) run(manifest, fixed, now, gpc, op, choices, newId, prevHash);
  }
  return 0;
}
