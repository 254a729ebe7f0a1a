// consent-cookie and decode-cookie for the native CLI: every rule is the consent engine's
// (wasm/core/consent.h apply, encodeRecord, decodeRecord, parseInstant); this file reads the
// manifest JSON into the engine's Manifest the way web/src/engine/core.js's manifestArgs does,
// and prints.
#include "consent_cmds.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/consent.h"

namespace kelisim {
namespace cli {
namespace {

using json = nlohmann::json;

int fail(const std::string& msg, bool usage = false) {
  std::fprintf(stderr, "kelisim: %s\n%s", msg.c_str(), usage ? "Run `kelisim --help` for usage.\n" : "");
  return 2;
}

// A string member of `o`, or "" (the core then refuses the empty field by name).
std::string_view text(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : std::string_view();
}

// A number member in days as milliseconds (rounded, as core.js's ms()); `def` when absent.
// False when present but not a number.
bool daysMs(const json& o, const char* key, double def, int64_t* out) {
  auto it = o.find(key);
  double d = def;
  if (it != o.end()) {
    if (!it->is_number()) return false;
    d = it->get<double>();
  }
  if (!std::isfinite(d) || std::fabs(d) > 1e6) return false;
  *out = int64_t(std::llround(d * double(kDayMs)));
  return true;
}

/** Fills `m` from the manifest JSON `j` (viewing its strings: `j` must outlive `m`). Returns ""
 *  or what is wrong; the engine's validate() checks the values themselves. */
std::string manifestOf(const json& j, Manifest* m) {
  if (!j.is_object()) return "not a policy manifest (a JSON object)";
  auto cats = j.find("categories");
  if (cats == j.end() || !cats->is_array()) return "manifest.categories must be an array";
  m->policyId = text(j, "id");
  m->version = text(j, "version");
  m->bodyHash = text(j, "bodyHash");
  std::string_view published = text(j, "publishedAt");
  if (!parseInstant(published, &m->publishedAtMs, &m->offsetMinutes))
    return "manifest: publishedAt '" + std::string(published) + "' is not an ISO 8601 instant with an offset";
  auto rule = j.find("updateRule");
  if (rule != j.end() && rule->is_object()) {
    std::string_view type = text(*rule, "type");
    if (type != "implicit" && type != "explicit") return "manifest.updateRule.type must be \"implicit\" or \"explicit\"";
    m->rule = type == "explicit" ? UpdateRule::Explicit : UpdateRule::Implicit;
    auto days = rule->find("days");
    if (days != rule->end()) {
      if (!days->is_number() || std::fabs(days->get<double>()) > 100000) return "manifest.updateRule.days must be a number";
      m->implicitDays = int32_t(days->get<double>());
    }
  }
  auto material = j.find("material");
  m->material = material != j.end() && material->is_boolean() && material->get<bool>();
  static const json kEmpty = json::object();
  auto ages = j.find("maxAgeDays");
  const json& age = ages != j.end() && ages->is_object() ? *ages : kEmpty;
  if (!daysMs(age, "accepted", 365, &m->maxAgeAcceptedMs)) return "manifest.maxAgeDays.accepted must be a number of days";
  if (!daysMs(age, "rejected", 182, &m->maxAgeRejectedMs)) return "manifest.maxAgeDays.rejected must be a number of days";
  for (const json& c : *cats) {
    if (!c.is_object()) return "manifest.categories must list objects";
    auto flag = [&](const char* k) {
      auto it = c.find(k);
      return it != c.end() && it->is_boolean() && it->get<bool>();
    };
    auto consent = c.find("consent");  // the category's consent document, if any
    std::string_view doc = consent != c.end() && consent->is_object() ? text(*consent, "hash") : std::string_view();
    m->categories.push_back({text(c, "id"), flag("required"), flag("gpcOff"), doc});
  }
  auto services = j.find("services");  // per-service consent (issue 12), as core.js passes it
  if (services != j.end() && services->is_array())
    for (const json& x : *services) {
      if (!x.is_object()) return "manifest.services must list objects";
      m->services.push_back({text(x, "id"), text(x, "category")});
    }
  return "";
}

/** 12 characters of [A-Za-z0-9_-] from the OS's random source (as web/src/random-id.js draws them). */
std::string randomId() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 12; ++i) s += kAlphabet[rd() & 63];
  return s;
}

}  // namespace

int consentCookie(const ConsentCookieArgs& a) {
  if (a.manifestPath.empty()) return fail("consent-cookie needs --manifest <manifest.json>", true);
  bool some = !a.accept.empty() || !a.reject.empty();
  if (int(a.all) + int(a.none) + int(some) != 1)
    return fail("consent-cookie needs exactly one of --all, --none, or --accept/--reject", true);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  int32_t offset = 0;
  if (!a.at.empty() && !parseInstant(a.at, &now, &offset))
    return fail("--at " + a.at + " is not an ISO 8601 instant with an offset (e.g. 2026-01-01T00:00:00Z)", true);

  std::ifstream f(a.manifestPath, std::ios::binary);
  if (!f) return fail(a.manifestPath + ": cannot read file");
  std::ostringstream ss;
  ss << f.rdbuf();
  std::string bytes = ss.str();
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return fail(a.manifestPath + ": not JSON");
  Manifest m;
  std::string err = manifestOf(j, &m);
  if (!err.empty()) return fail(a.manifestPath + ": " + err);

  ApplyInput in;
  in.op = a.all ? Op::AcceptAll : a.none ? Op::RejectAll : Op::Set;
  for (const auto* list : {&a.accept, &a.reject})
    for (const std::string& id : *list) {
      for (const Choice& c : in.choices)
        if (c.category.view() == id) return fail("category " + id + " is both accepted and rejected", true);
      Choice c;
      if (!c.category.assign(id) || !(validCategoryId(id) || validServiceId(id)))
        return fail(a.manifestPath + ": unknown category '" + id + "'");
      c.on = list == &a.accept;
      if (!in.choices.push_back(c)) return fail("too many categories", true);
    }
  std::string id = a.id.empty() ? randomId() : a.id;
  in.newId = id;
  ApplyResult r;
  Status st = apply(m, "", now, Signals(), in, &r);
  if (!st.ok()) return fail(a.manifestPath + ": " + st.message());
  std::string value = encodeRecord(r.record).str();
  value += '\n';
  std::fwrite(value.data(), 1, value.size(), stdout);
  return 0;
}

int decodeCookie(const std::string& value) {
  DecodeResult d = decodeRecord(value);
  if (!d.ok) {
    std::fprintf(stderr, "kelisim: not a valid record: %s\n", name(d.error));
    return 1;
  }
  const Record& r = d.record;
  nlohmann::ordered_json o;
  o["id"] = std::string(r.id.view());
  o["policyId"] = std::string(r.policyId.view());
  o["version"] = std::string(r.version.view());
  o["bodyHash16"] = std::string(r.bodyHash16.view());
  o["givenAt"] = r.givenAtMs;
  o["method"] = name(r.method);
  nlohmann::ordered_json choices = nlohmann::ordered_json::object();
  nlohmann::ordered_json docs = nlohmann::ordered_json::object();
  for (const Choice& c : r.choices) {
    choices[std::string(c.category.view())] = c.on;
    if (!c.doc.empty()) docs[std::string(c.category.view())] = std::string(c.doc.view());
  }
  o["choices"] = choices;
  o["docs"] = docs;  // the consent document each "on" choice was given under (hash prefix)
  o["noticeVersion"] = std::string(r.noticeVersion.view());
  o["noticeAt"] = r.noticeAtMs;
  o["historyHead"] = std::string(r.historyHead.view());
  Text marks;
  appendMarks(marks, r.services);
  o["serviceMarks"] = marks.str();  // the per-service marks as the record stores them ("" in k1)
  std::string out = o.dump() + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace cli
}  // namespace kelisim
