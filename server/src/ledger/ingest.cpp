// POST /v1/events body → checked rows (ingest.h, docs/ledger.md §1–2). JSON is parsed with
// nlohmann ordered_json without exceptions (JSON_NOEXCEPTION is set for the whole build), so
// every access below checks the type first; choices keep the order sent because the history
// entry hash covers them in that order.
#include "ledger/ingest.h"

#include <arpa/inet.h>
#include <algorithm>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "core/consent.h"
#include "core/ledger.h"
#include "core/sha256.h"
#include "ledger/json_access.h"
#include "ledger/policies.h"

namespace kelisim {
namespace server {

namespace {
using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

const char* kChange = "kelisim:consent-event";
const char* kDisplay = "kelisim:display";

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }


struct Ctx {
  const IngestOptions& opt;
  const Policies* policies;
  const std::string& clientIp;
  int index;
  IngestError err;
  bool fail(const char* code, std::string msg) {
    err.httpStatus = 400;
    err.code = code;
    err.message = "event " + std::to_string(index) + ": " + msg;
    err.index = index;
    return false;
  }
};

/** obj[key] as a string within maxLen bytes; false (ctx error) otherwise. */
bool getString(Ctx& c, const ojson& obj, const char* key, size_t maxLen, std::string* out, const char* where = "") {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string())
    return c.fail("bad-field", std::string(where) + key + " must be a string");
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() > maxLen)
    return c.fail("bad-field", std::string(where) + key + " is longer than " + std::to_string(maxLen) + " bytes");
  *out = s;
  return true;
}

/** at (ISO with offset) and/or atMs: the instant in epoch ms; both given must agree. */
bool getInstant(Ctx& c, const ojson& obj, const char* where, std::string* at, int64_t* ms) {
  auto a = obj.find("at");
  auto m = obj.find("atMs");
  bool hasAt = a != obj.end() && a->is_string(), hasMs = m != obj.end() && m->is_number_integer();
  if (!hasAt && !hasMs) return c.fail("bad-time", std::string(where) + "at/atMs missing");
  int64_t fromAt = 0;
  int32_t off = 0;
  if (hasAt) {
    *at = a->get<std::string>();
    if (at->size() > 64 || !parseInstant(*at, &fromAt, &off))
      return c.fail("bad-time", std::string(where) + "at is not an ISO 8601 instant with an offset");
  }
  if (hasMs) {
    *ms = m->get<int64_t>();
    if (*ms < 0 || *ms >= kMaxMs) return c.fail("bad-time", std::string(where) + "atMs is out of range");
    if (hasAt && fromAt != *ms) return c.fail("bad-time", std::string(where) + "at and atMs disagree");
  } else {
    *ms = fromAt;
  }
  return true;
}

bool validLanguage(const std::string& s) {
  if (s.size() < 2 || s.size() > 16) return false;
  for (char ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' || (ch >= '0' && ch <= '9'))) return false;
  return true;
}

bool validToken(const std::string& s, size_t minLen, size_t maxLen) {
  if (s.size() < minLen || s.size() > maxLen) return false;
  for (char ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      return false;
  return true;
}

struct Common {
  std::string type, id, recordId, policyId, version, bodyHash, language;
};

bool checkCommon(Ctx& c, const ojson& e, Common* out) {
  if (!getString(c, e, "type", 64, &out->type)) return false;
  if (out->type != kChange && out->type != kDisplay)
    return c.fail("bad-type", "type must be \"kelisim:consent-event\" or \"kelisim:display\"");
  auto v = e.find("v");
  if (v == e.end() || !v->is_number_integer() || v->get<int64_t>() != 2) return c.fail("bad-version", "v must be 2");
  if (!getString(c, e, "id", 128, &out->id)) return false;
  if (!getString(c, e, "recordId", 64, &out->recordId)) return false;
  if (!validRecordId(out->recordId)) return c.fail("bad-record-id", "recordId must match [A-Za-z0-9_-]{8,32}");
  auto p = e.find("policy");
  if (p == e.end() || !p->is_object()) return c.fail("bad-policy", "policy must be an object");
  if (!getString(c, *p, "id", 64, &out->policyId, "policy.") || !getString(c, *p, "version", 32, &out->version, "policy.") ||
      !getString(c, *p, "bodyHash", 64, &out->bodyHash, "policy."))
    return false;
  if (!validPolicyId(out->policyId)) return c.fail("bad-policy", "policy.id is not a valid policy id");
  if (!validVersion(out->version)) return c.fail("bad-policy", "policy.version is not a valid version");
  if (!isHex(out->bodyHash, 64)) return c.fail("bad-policy", "policy.bodyHash must be 64 lowercase hex digits");
  if (!getString(c, e, "language", 16, &out->language)) return false;
  if (!validLanguage(out->language)) return c.fail("bad-field", "language must be a language tag such as ru, kk, en");
  return true;
}

std::vector<std::string> flagsFor(const Policies* policies, const Common& cm) {
  const PolicyVersion* pv = policies ? policies->find(cm.policyId, cm.version) : nullptr;
  if (!pv) return {"unknown-policy"};
  if (pv->bodyHash != cm.bodyHash) return {"unknown-hash"};
  return {};
}

ojson policyJson(const Common& cm) {
  ojson p = ojson::object();
  p["id"] = cm.policyId;
  p["version"] = cm.version;
  p["bodyHash"] = cm.bodyHash;
  return p;
}

std::string randomSaltHex() {
  unsigned char salt[16];
  randombytes_buf(salt, sizeof salt);
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char b : salt) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

std::string personalJson(Ctx& c, const Common& cm, const std::string* record) {
  ojson p = ojson::object();
  p["recordId"] = cm.recordId;
  p["record"] = record ? ojson(*record) : ojson(nullptr);
  std::string ip = c.opt.keepIp ? truncateIp(c.clientIp) : std::string();
  p["ip"] = ip.empty() ? ojson(nullptr) : ojson(ip);
  p["salt"] = randomSaltHex();
  return dump(p);
}

/** A change event's history entry as sent, and as the core's HistoryEntry. */
struct Entry {
  HistoryEntry h;
  std::string opName, at, version, methodName, prevHash, hash;
  ojson choices;  // as sent, in the order sent
  ojson services;  // event.services as sent (issue 12), or null when the event has none
  ojson docs;     // consent documents of "on" choices {id: 8 hex}, as sent (null when none)
};

/** event: op, time, version, method, choices (in order), hashes; event.hash must be the core's
 *  entryHash of the rest (a forged or altered entry is refused). */
bool parseEntry(Ctx& c, const ojson& ev, Entry* out) {
  HistoryEntry& h = out->h;
  if (!getString(c, ev, "op", 32, &out->opName, "event.")) return false;
  if (!fromName(out->opName, &h.op)) return c.fail("bad-entry", "event.op is not a known op");
  if (!getInstant(c, ev, "event.", &out->at, &h.atMs)) return false;
  if (!getString(c, ev, "version", 32, &out->version, "event.")) return false;
  if (!validVersion(out->version)) return c.fail("bad-entry", "event.version is not a valid version");
  if (!getString(c, ev, "method", 16, &out->methodName, "event.")) return false;
  if (!fromName(out->methodName, &h.method)) return c.fail("bad-entry", "event.method must be explicit or implicit");
  auto ch = ev.find("choices");
  if (ch == ev.end() || !ch->is_object()) return c.fail("bad-entry", "event.choices must be an object");
  if (ch->size() > kMaxChoices) return c.fail("bad-entry", "event.choices has more than 64 items");
  for (auto it = ch->begin(); it != ch->end(); ++it) {
    if (!validCategoryId(it.key()) || !it.value().is_boolean())
      return c.fail("bad-entry", "event.choices must map category ids to true/false");
    h.choices.push_back(Choice{Id(it.key()), it.value().get<bool>(), {}});
  }
  out->choices = *ch;
  // Per-service states (issue 12): optional; when present the entry hash covers them.
  auto sv = ev.find("services");
  if (sv != ev.end()) {
    if (!sv->is_object() || sv->empty() || sv->size() > kMaxServices)
      return c.fail("bad-entry", "event.services must be an object of 1..32 services");
    for (auto it = sv->begin(); it != sv->end(); ++it) {
      if (!validServiceId(it.key()) || !it.value().is_boolean())
        return c.fail("bad-entry", "event.services must map service ids to true/false");
      h.services.push_back(Choice{Id(it.key()), it.value().get<bool>(), {}});
    }
    out->services = *sv;
  }
  // docs: the consent document each "on" choice was given under (policies/README.md "Consent
  // documents"); the entry hash covers them (choicesText "id:1:<8 hex>").
  auto docs = ev.find("docs");
  if (docs != ev.end() && !docs->is_null()) {
    if (!docs->is_object()) return c.fail("bad-entry", "event.docs must be an object");
    for (auto it = docs->begin(); it != docs->end(); ++it) {
      Choice* target = nullptr;
      for (Choice& x : h.choices)
        if (x.category.view() == it.key()) target = &x;
      if (!target || !target->on || !it.value().is_string() || !isHex(it.value().get_ref<const std::string&>(), kDocHashPrefix))
        return c.fail("bad-entry", "event.docs must map categories turned on to 8 lowercase hex digits");
      target->doc.assign(it.value().get_ref<const std::string&>());
    }
    if (!docs->empty()) out->docs = *docs;
  }
  if (!getString(c, ev, "prevHash", 64, &out->prevHash, "event.") || !getString(c, ev, "hash", 64, &out->hash, "event."))
    return false;
  if (!(out->prevHash.empty() || isHex(out->prevHash, 64)))
    return c.fail("bad-entry", "event.prevHash must be empty or 64 hex");
  if (!isHex(out->hash, 64)) return c.fail("bad-entry", "event.hash must be 64 lowercase hex digits");
  h.version = Id(out->version);
  h.prevHash = Hex64(out->prevHash);
  if (entryHash(h).view() != out->hash)
    return c.fail("bad-hash", "event.hash is not the hash of this entry (forged or altered)");
  return true;
}

/** controller (string ≤ 256 or null) and display (a display event id or null). */
bool parseRefs(Ctx& c, const ojson& e, ojson* controller, ojson* displayRef) {
  auto ctl = e.find("controller");
  if (ctl != e.end() && !ctl->is_null()) {
    if (!ctl->is_string() || ctl->get_ref<const std::string&>().size() > 256)
      return c.fail("bad-field", "controller must be a string of at most 256 bytes");
    *controller = *ctl;
  }
  auto d = e.find("display");
  if (d != e.end() && !d->is_null()) {
    if (!d->is_string() || !validToken(d->get<std::string>(), 1, 64))
      return c.fail("bad-field", "display must be a display event id or null");
    *displayRef = *d;
  }
  return true;
}

/** The normalized body of a change event (key order: ingest.h). */
std::string changeBody(const Common& cm, const ojson& controller, const ojson& displayRef, const Entry& en,
                       const std::vector<std::string>& flags) {
  ojson entry = ojson::object();
  entry["op"] = en.opName;
  entry["at"] = en.at.empty() ? ojson(nullptr) : ojson(en.at);
  entry["atMs"] = en.h.atMs;
  entry["version"] = en.version;
  entry["method"] = en.methodName;
  entry["choices"] = en.choices;
  if (!en.services.is_null()) entry["services"] = en.services;
  if (en.docs.is_object()) entry["docs"] = en.docs;
  entry["prevHash"] = en.prevHash;
  entry["hash"] = en.hash;
  ojson body = ojson::object();
  body["type"] = "change";
  body["v"] = 2;
  body["id"] = cm.id;
  body["policy"] = policyJson(cm);
  body["controller"] = controller;
  body["language"] = cm.language;
  body["display"] = displayRef;
  body["event"] = entry;
  body["flags"] = flags;
  return dump(body);
}

/** A change event: the record string decodes (core decodeRecord) and belongs to this record id
 *  and policy; the entry hashes right; its hash is the event id and the record's history head. */
bool checkChange(Ctx& c, const ojson& e, const Common& cm, CheckedEvent* out) {
  std::string recordText;
  if (!getString(c, e, "record", kMaxRecordLength, &recordText)) return false;
  DecodeResult dr = decodeRecord(recordText);
  if (!dr.ok) return c.fail("bad-record", std::string("record does not decode (") + name(dr.error) + ")");
  if (dr.record.id.view() != cm.recordId) return c.fail("record-mismatch", "record's id is not recordId");
  if (dr.record.policyId.view() != cm.policyId) return c.fail("record-mismatch", "record's policy id is not policy.id");
  ojson controller = nullptr, displayRef = nullptr;
  if (!parseRefs(c, e, &controller, &displayRef)) return false;
  auto ev = e.find("event");
  if (ev == e.end() || !ev->is_object()) return c.fail("bad-entry", "event must be an object");
  Entry en;
  if (!parseEntry(c, *ev, &en)) return false;
  if (cm.id != en.hash) return c.fail("bad-entry", "id must be the entry hash (event.hash)");
  if (dr.record.historyHead.view() != en.hash) return c.fail("record-mismatch", "record's history head is not event.hash");

  out->flags = flagsFor(c.policies, cm);
  NewRow& r = out->row;
  r.kind = "change";
  r.op = en.opName;
  r.method = en.methodName;
  r.clientAt = en.h.atMs;
  r.body = changeBody(cm, controller, displayRef, en, out->flags);
  r.personal = personalJson(c, cm, &recordText);
  return true;
}

/** What a display event says was shown. */
struct Shown {
  std::string kind, reason, layout, at;
  int64_t atMs = 0;
  ojson deadline = nullptr;
  std::vector<std::string> categories;
  std::vector<std::pair<std::string, std::string>> strings;  // in the order sent
};

/** display.kind, reason, layout, at/atMs, deadline. */
bool parseShownContext(Ctx& c, const ojson& d, Shown* out) {
  if (!getString(c, d, "kind", 32, &out->kind, "display.")) return false;
  const std::string& k = out->kind;
  if (k != "banner" && k != "preferences" && k != "update-notice" && k != "implicit-notice")
    return c.fail("bad-display", "display.kind must be banner, preferences, update-notice or implicit-notice");
  if (!getString(c, d, "reason", 64, &out->reason, "display.")) return false;
  if (!validToken(out->reason, 0, 64)) return c.fail("bad-display", "display.reason must be a reason name");
  auto lay = d.find("layout");
  if (lay != d.end() && !lay->is_null()) {
    if (!getString(c, d, "layout", 32, &out->layout, "display.")) return false;
    if (!validToken(out->layout, 0, 32)) return c.fail("bad-display", "display.layout must be a layout name");
  }
  if (!getInstant(c, d, "display.", &out->at, &out->atMs)) return false;
  auto dl = d.find("deadline");
  if (dl != d.end() && !dl->is_null()) {
    int64_t ms;
    int32_t off;
    if (!dl->is_string() || dl->get_ref<const std::string&>().size() > 64 ||
        !parseInstant(dl->get<std::string>(), &ms, &off))
      return c.fail("bad-display", "display.deadline must be null or an ISO 8601 instant with an offset");
    out->deadline = *dl;
  }
  return true;
}

/** display.categories (≤ maxCategories ids) and display.strings (≤ 128 names, each value ≤
 *  maxString bytes). */
bool parseShownContent(Ctx& c, const ojson& d, Shown* out) {
  auto cats = d.find("categories");
  if (cats == d.end() || !cats->is_array()) return c.fail("bad-display", "display.categories must be an array");
  if (cats->size() > c.opt.maxCategories)
    return c.fail("bad-display", "display.categories has more than " + std::to_string(c.opt.maxCategories) + " items");
  for (const ojson& x : *cats) {
    if (!x.is_string() || !validCategoryId(x.get_ref<const std::string&>()))
      return c.fail("bad-display", "display.categories must list category ids");
    out->categories.push_back(x.get<std::string>());
  }
  auto strs = d.find("strings");
  if (strs == d.end() || !strs->is_object()) return c.fail("bad-display", "display.strings must be an object");
  if (strs->size() > 128) return c.fail("bad-display", "display.strings has more than 128 items");
  for (auto it = strs->begin(); it != strs->end(); ++it) {
    if (!validToken(it.key(), 1, 64) || !it.value().is_string())
      return c.fail("bad-display", "display.strings must map names [A-Za-z0-9_-] to strings");
    if (it.value().get_ref<const std::string&>().size() > c.opt.maxString)
      return c.fail("bad-display",
                    "display.strings." + it.key() + " is longer than " + std::to_string(c.opt.maxString) + " bytes");
    out->strings.emplace_back(it.key(), it.value().get<std::string>());
  }
  return true;
}

/** The normalized body of a display event (key order: ingest.h; strings sorted by name). */
std::string displayBody(const Common& cm, Shown sh, const std::string& contentHash, const std::vector<std::string>& flags) {
  ojson sorted = ojson::object();
  std::sort(sh.strings.begin(), sh.strings.end());
  for (auto& kv : sh.strings) sorted[kv.first] = kv.second;
  ojson disp = ojson::object();
  disp["kind"] = sh.kind;
  disp["reason"] = sh.reason;
  disp["layout"] = sh.layout;
  disp["at"] = sh.at.empty() ? ojson(nullptr) : ojson(sh.at);
  disp["atMs"] = sh.atMs;
  disp["deadline"] = sh.deadline;
  disp["categories"] = sh.categories;
  disp["strings"] = sorted;
  ojson body = ojson::object();
  body["type"] = "display";
  body["v"] = 2;
  body["id"] = cm.id;
  body["policy"] = policyJson(cm);
  body["language"] = cm.language;
  body["display"] = disp;
  body["contentHash"] = contentHash;
  body["flags"] = flags;
  return dump(body);
}

/** A display event: its id ("d-" + 16..64 [A-Za-z0-9_-]) and what was shown, bounded. */
bool checkDisplay(Ctx& c, const ojson& e, const Common& cm, CheckedEvent* out) {
  if (cm.id.size() < 18 || cm.id.compare(0, 2, "d-") != 0 || !validToken(cm.id.substr(2), 16, 64))
    return c.fail("bad-id", "a display id is \"d-\" and 16 to 64 characters [A-Za-z0-9_-]");
  auto d = e.find("display");
  if (d == e.end() || !d->is_object()) return c.fail("bad-display", "display must be an object");
  Shown sh;
  if (!parseShownContext(c, *d, &sh) || !parseShownContent(c, *d, &sh)) return false;
  std::string contentHash = displayContentHash(sh.kind, sh.layout, cm.language, sh.categories, sh.strings);
  out->flags = flagsFor(c.policies, cm);
  NewRow& r = out->row;
  r.kind = "display";
  r.op = sh.kind;
  r.method = "";
  r.clientAt = sh.atMs;
  r.body = displayBody(cm, std::move(sh), contentHash, out->flags);
  r.personal = personalJson(c, cm, nullptr);
  return true;
}

bool checkEvent(Ctx& c, const ojson& e, CheckedEvent* out) {
  if (!e.is_object()) return c.fail("bad-event", "an event must be a JSON object");
  Common cm;
  if (!checkCommon(c, e, &cm)) return false;
  bool ok = cm.type == kChange ? checkChange(c, e, cm, out) : checkDisplay(c, e, cm, out);
  if (!ok) return false;
  out->eventId = cm.id;
  NewRow& r = out->row;
  r.eventKey = ledger::eventKey(cm.recordId, cm.id);
  r.policyId = cm.policyId;
  r.policyVersion = cm.version;
  r.recordId = cm.recordId;
  r.personalHash = ledger::personalHash(r.personal);
  return true;
}

IngestError whole(int status, const char* code, std::string msg) {
  IngestError e;
  e.httpStatus = status;
  e.code = code;
  e.message = std::move(msg);
  return e;
}
}  // namespace

IngestError parseEvents(std::string_view body, const IngestOptions& opt, const Policies* policies,
                        const std::string& clientIp, std::vector<CheckedEvent>* out) {
  out->clear();
  if (sodium_init() < 0) return whole(500, "internal", "libsodium failed to initialize");
  if (body.size() > opt.maxBodyBytes)
    return whole(413, "too-large", "the body is larger than " + std::to_string(opt.maxBodyBytes) + " bytes");
  if (!depthWithin(body, opt.maxDepth))
    return whole(400, "too-deep", "JSON nesting is deeper than " + std::to_string(opt.maxDepth));
  ojson doc = ojson::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return whole(400, "bad-json", "the body is not valid JSON (UTF-8)");
  const ojson* list = nullptr;
  ojson single = ojson::array();
  if (doc.is_array()) {
    list = &doc;
  } else if (doc.is_object() && doc.contains("events")) {
    const ojson& ev = doc["events"];
    if (!ev.is_array()) return whole(400, "bad-batch", "\"events\" must be an array");
    list = &ev;
  } else if (doc.is_object()) {
    single.push_back(std::move(doc));
    list = &single;
  } else {
    return whole(400, "bad-batch", "the body must be an event, an array of events or {\"events\": [...]}");
  }
  if (list->empty()) return whole(400, "empty-batch", "no events in the body");
  if (list->size() > opt.maxBatch)
    return whole(400, "too-many", "more than " + std::to_string(opt.maxBatch) + " events in one request");
  for (size_t i = 0; i < list->size(); ++i) {
    Ctx c{opt, policies, clientIp, int(i), {}};
    CheckedEvent ce;
    if (!checkEvent(c, (*list)[i], &ce)) {
      out->clear();
      return c.err;
    }
    out->push_back(std::move(ce));
  }
  return {};
}

std::string displayContentHash(const std::string& kind, const std::string& layout, const std::string& language,
                               const std::vector<std::string>& categories,
                               const std::vector<std::pair<std::string, std::string>>& strings) {
  json j = json::object();  // nlohmann::json keeps object keys sorted (std::map)
  j["kind"] = kind;
  j["layout"] = layout;
  j["language"] = language;
  j["categories"] = categories;
  json s = json::object();
  for (const auto& kv : strings) s[kv.first] = kv.second;
  j["strings"] = s;
  return sha256_hex(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string truncateIp(const std::string& ip) {
  unsigned char b[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, ip.c_str(), b) == 1) {
    b[3] = 0;
    inet_ntop(AF_INET, b, text, sizeof text);
    return std::string(text) + "/24";
  }
  if (inet_pton(AF_INET6, ip.c_str(), b) == 1) {
    for (int i = 6; i < 16; ++i) b[i] = 0;
    inet_ntop(AF_INET6, b, text, sizeof text);
    return std::string(text) + "/48";
  }
  return "";
}

}  // namespace server
}  // namespace kelisim
