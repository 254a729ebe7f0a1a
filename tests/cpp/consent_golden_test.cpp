// Runs every golden case of tests/fixtures/consent/cases.json (and services.json, the
// per-service cases of issue 12) against the native core, checks it against the expectations,
// and writes one canonical line per case to <build>/consent-golden.txt (and
// consent-services-golden.txt); tests/node/consent.test.js requires the wasm build to produce
// the same lines (native and wasm must agree on every case).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/consent.h"

using json = nlohmann::ordered_json;  // keeps the fixture's key order, as JS objects do
using namespace kelisim;

namespace {

json readJson(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return json::parse(ss.str(), nullptr, false);
}

int64_t instant(const json& iso) {
  int64_t ms = 0;
  int32_t off = 0;
  EXPECT_TRUE(iso.is_string() && parseInstant(iso.get<std::string>(), &ms, &off)) << iso.dump();
  return ms;
}

Choices choicesOf(const json& obj) {
  Choices c;
  for (auto it = obj.begin(); it != obj.end(); ++it) c.push_back({it.key(), it.value().get<bool>()});
  return c;
}

json choicesJson(const Choices& c) {
  json j = json::object();
  for (const Choice& x : c) j[std::string(x.category.view())] = x.on;
  return j;
}

std::string str(std::string_view v) { return std::string(v); }

// The fixture's strings, viewed in place: Manifest and ApplyInput hold string_views, and the
// fixture document outlives every call.
std::string_view text(const json& j) { return j.get_ref<const std::string&>(); }

// The same conversion web/src/engine/core.js makes from a manifest object.
bool manifestOf(const json& j, Manifest* m) {
  m->policyId = text(j["id"]);
  m->version = text(j["version"]);
  m->bodyHash = text(j["bodyHash"]);
  if (!parseInstant(text(j["publishedAt"]), &m->publishedAtMs, &m->offsetMinutes)) return false;
  const json& rule = j["updateRule"];
  m->rule = rule["type"] == "explicit" ? UpdateRule::Explicit : UpdateRule::Implicit;
  if (rule.contains("days")) m->implicitDays = rule["days"].get<int32_t>();
  m->material = j["material"].get<bool>();
  for (const json& c : j["categories"])
    m->categories.push_back({text(c["id"]), c.value("required", false), c.value("gpcOff", false)});
  if (j.contains("services"))
    for (const json& s : j["services"]) m->services.push_back({text(s["id"]), text(s["category"])});
  m->maxAgeAcceptedMs = j["maxAgeDays"]["accepted"].get<int64_t>() * kDayMs;
  m->maxAgeRejectedMs = j["maxAgeDays"]["rejected"].get<int64_t>() * kDayMs;
  return true;
}

Record recordOf(const json& r) {
  Record x;
  EXPECT_TRUE(x.id.assign(text(r["id"])));  // assign() is false when a value does not fit
  EXPECT_TRUE(x.policyId.assign(text(r["policyId"])));
  EXPECT_TRUE(x.version.assign(text(r["version"])));
  EXPECT_TRUE(x.bodyHash16.assign(text(r["bodyHash16"])));
  x.givenAtMs = instant(r["givenAt"]);
  x.method = r["method"] == "implicit" ? Method::Implicit : Method::Explicit;
  x.choices = choicesOf(r["choices"]);
  EXPECT_TRUE(x.noticeVersion.assign(text(r["noticeVersion"])));
  x.noticeAtMs = instant(r["noticeAt"]);
  EXPECT_TRUE(x.historyHead.assign(text(r["historyHead"])));
  if (r.contains("serviceMarks")) EXPECT_TRUE(parseMarks(text(r["serviceMarks"]), &x.services));
  return x;
}

std::string marksText(const ServiceMarks& m) {
  Text t;
  appendMarks(t, m);
  return t.str();
}

bool manifestOf(const json& j, Manifest* m);
const json* g_manifests = nullptr;  // the fixture's named manifests, for "applied" records
const std::map<std::string, Op> kOps = {{"accept-all", Op::AcceptAll},      {"reject-all", Op::RejectAll},
                                        {"set", Op::Set},                   {"withdraw", Op::Withdraw},
                                        {"accept-update", Op::AcceptUpdate}, {"notice-shown", Op::NoticeShown}};

// The stored string a case describes (see the fixture's $comment).
std::string storedOf(const json& r) {
  if (r.is_null()) return "";
  if (r.contains("raw")) return r["raw"].get<std::string>();
  if (r.contains("encode")) return encodeRecord(recordOf(r["encode"])).str();
  if (r.contains("applied")) {  // the record apply() makes (services.json)
    const json& a = r["applied"];
    Manifest m;
    EXPECT_TRUE(manifestOf((*g_manifests)[a["manifest"].get<std::string>()], &m));
    std::string stored = storedOf(a.value("record", json()));
    ApplyInput in;
    in.op = kOps.at(a["op"].get<std::string>());
    if (a.contains("choices")) in.choices = choicesOf(a["choices"]);
    in.newId = "r3cordId01";
    ApplyResult res;
    Status st = apply(m, stored, instant(a["now"]), Signals{}, in, &res);
    EXPECT_TRUE(st.ok()) << st.message();
    return encodeRecord(res.record).str();
  }
  std::string s = storedOf(r["mutate"]);
  if (r.contains("replace")) {
    std::string from = r["replace"][0], to = r["replace"][1];
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos);
    s.replace(at, from.size(), to);
  }
  if (r.contains("truncate")) s.resize(s.size() - r["truncate"].get<size_t>());
  if (r.contains("append")) s += r["append"].get<std::string>();
  if (r.contains("flipLast")) s.back() = s.back() == '0' ? '1' : '0';
  return s;
}

// Checks the fields an expectation lists against a record.
void expectRecord(const json& want, const Record& got, const std::string& where) {
  for (auto it = want.begin(); it != want.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "id") EXPECT_EQ(str(got.id), v) << where;
    else if (k == "policyId") EXPECT_EQ(str(got.policyId), v) << where;
    else if (k == "version") EXPECT_EQ(str(got.version), v) << where;
    else if (k == "method") EXPECT_EQ(name(got.method), v.get<std::string>()) << where;
    else if (k == "choices") EXPECT_EQ(choicesJson(got.choices), v) << where;
    else if (k == "givenAt") EXPECT_EQ(got.givenAtMs, instant(v)) << where;
    else if (k == "noticeVersion") EXPECT_EQ(str(got.noticeVersion), v) << where;
    else if (k == "noticeAt") EXPECT_EQ(got.noticeAtMs, instant(v)) << where;
    else if (k == "historyHead") EXPECT_EQ(str(got.historyHead), v) << where;
    else if (k == "serviceMarks") EXPECT_EQ(marksText(got.services), v) << where;
    else ADD_FAILURE() << where << ": unknown expectation " << k;
  }
}

std::string runCase(const json& c, const json& manifests) {
  const std::string fn = c["fn"], where = c["name"];
  const json& ex = c["expect"];
  if (fn == "deadline") {
    int64_t pub;
    int32_t off;
    EXPECT_TRUE(parseInstant(c["publishedAt"].get<std::string>(), &pub, &off));
    int64_t d = deadline(pub, off, c["days"].get<int32_t>());
    EXPECT_EQ(d, instant(ex)) << where;
    return decimal(d).str();
  }
  if (fn == "instant") {
    int64_t ms;
    int32_t off;
    if (!parseInstant(c["text"].get<std::string>(), &ms, &off)) {
      EXPECT_EQ(ex.value("error", ""), "bad-input") << where;
      return "error:bad-input";
    }
    EXPECT_EQ(ms, ex["ms"].get<int64_t>()) << where;
    EXPECT_EQ(off, ex["offsetMinutes"].get<int32_t>()) << where;
    return decimal(ms).str() + "|" + decimal(off).str();
  }
  if (fn == "decode") {
    DecodeResult d = decodeRecord(storedOf(c["record"]));
    if (!d.ok) {
      EXPECT_EQ(ex.value("error", ""), name(d.error)) << where;
      return std::string("error:") + name(d.error);
    }
    EXPECT_FALSE(ex.contains("error")) << where;
    expectRecord(ex["record"], d.record, where);
    return "ok:" + encodeRecord(d.record).str();
  }
  Manifest m;
  const json& mj = c["manifest"].is_string() ? manifests[c["manifest"].get<std::string>()] : c["manifest"];
  Status err;
  if (!manifestOf(mj, &m)) err = Status{ErrorCode::ManifestInvalid, "publishedAt"};
  std::string stored = storedOf(c["record"]);
  int64_t now = instant(c["now"]);
  Signals sig{c.value("gpc", false)};
  if (fn == "decide") {
    Decision d;
    if (err.ok()) err = decide(m, stored, now, sig, &d);
    if (!err.ok()) {
      EXPECT_EQ(ex.value("error", ""), name(err.code)) << where << ": " << err.message();
      return std::string("error:") + name(err.code);
    }
    EXPECT_EQ(name(d.action), ex["action"].get<std::string>()) << where;
    EXPECT_EQ(name(d.reason), ex["reason"].get<std::string>()) << where;
    EXPECT_EQ(name(d.recordError), ex["recordError"].get<std::string>()) << where;
    EXPECT_EQ(d.deadlineMs, ex["deadline"].is_null() ? -1 : instant(ex["deadline"])) << where;
    EXPECT_EQ(choicesJson(d.effective), ex["effective"]) << where;
    EXPECT_EQ(choicesJson(d.prefill), ex["prefill"]) << where;
    EXPECT_EQ(choicesJson(d.services), ex.value("services", json::object())) << where;
    EXPECT_EQ(choicesJson(d.servicesPrefill), ex.value("servicesPrefill", json::object())) << where;
    EXPECT_EQ(d.hasNewRecord, ex.contains("newRecord")) << where;
    if (d.hasNewRecord) {
      expectRecord(ex["newRecord"], d.newRecord, where);
      DecodeResult back = decodeRecord(encodeRecord(d.newRecord));
      EXPECT_TRUE(back.ok && back.record == d.newRecord) << where;
      EXPECT_EQ(str(d.entry.hash), str(d.newRecord.historyHead)) << where;
    }
    return std::string(name(d.action)) + "|" + name(d.reason) + "|" + name(d.recordError) + "|" +
           (d.deadlineMs < 0 ? "-" : decimal(d.deadlineMs).str()) + "|" + choicesText(d.effective).str() + "|" +
           choicesText(d.prefill).str() + "|" + choicesText(d.services).str() + "|" +
           choicesText(d.servicesPrefill).str() + "|" + (d.hasNewRecord ? encodeRecord(d.newRecord).str() : "-") + "|" +
           (d.hasNewRecord ? str(d.entry.hash) : "-");
  }
  EXPECT_EQ(fn, "apply");
  ApplyInput in;
  in.op = kOps.at(c["op"].get<std::string>());
  if (c.contains("choices")) in.choices = choicesOf(c["choices"]);
  in.newId = text(c["newId"]);
  in.prevHash = text(c["prevHash"]);
  ApplyResult r;
  if (err.ok()) err = apply(m, stored, now, sig, in, &r);
  if (!err.ok()) {
    EXPECT_EQ(ex.value("error", ""), name(err.code)) << where << ": " << err.message();
    return std::string("error:") + name(err.code);
  }
  EXPECT_FALSE(ex.contains("error")) << where;
  if (ex.contains("record")) expectRecord(ex["record"], r.record, where);
  if (ex.contains("entry")) {
    for (auto it = ex["entry"].begin(); it != ex["entry"].end(); ++it) {
      if (it.key() == "op") EXPECT_EQ(name(r.entry.op), it.value().get<std::string>()) << where;
      else if (it.key() == "method") EXPECT_EQ(name(r.entry.method), it.value().get<std::string>()) << where;
      else if (it.key() == "prevHash") EXPECT_EQ(str(r.entry.prevHash), it.value()) << where;
      else if (it.key() == "version") EXPECT_EQ(str(r.entry.version), it.value()) << where;
      else if (it.key() == "services") EXPECT_EQ(choicesJson(r.entry.services), it.value()) << where;
      else ADD_FAILURE() << where << ": unknown entry expectation " << it.key();
    }
  }
  EXPECT_EQ(str(r.record.historyHead), str(r.entry.hash)) << where;
  Text encoded = encodeRecord(r.record);
  if (ex.contains("maxLength")) EXPECT_LE(encoded.size(), ex["maxLength"].get<size_t>()) << where;
  DecodeResult back = decodeRecord(encoded);
  EXPECT_TRUE(back.ok && back.record == r.record) << where;
  return encodeRecord(r.record).str() + "|" + r.entry.canonical().str() + "|" + str(r.entry.hash);
}

}  // namespace

// Runs the cases of one fixture file and writes their lines to <build>/<out>.
void runFile(const char* file, const char* out, size_t atLeast) {
  json doc = readJson(std::string(KELISIM_SOURCE_DIR "/tests/fixtures/consent/") + file);
  ASSERT_FALSE(doc.is_discarded()) << file;
  g_manifests = &doc["manifests"];
  const json& cases = doc["cases"];
  ASSERT_GE(cases.size(), atLeast);
  std::string lines;
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    lines += c["name"].get<std::string>() + "\t" + runCase(c, doc["manifests"]) + "\n";
  }
  std::ofstream(std::string(KELISIM_BINARY_DIR "/") + out) << lines;
}

TEST(ConsentGolden, EveryCaseMatchesAndIsWrittenForTheWasmComparison) {
  runFile("cases.json", "consent-golden.txt", 40);
}

TEST(ConsentGolden, EveryServiceCaseMatchesAndIsWrittenForTheWasmComparison) {
  runFile("services.json", "consent-services-golden.txt", 20);
}

TEST(Consent, ManifestWithTooManyCategoriesIsRefusedHoweverLong) {
  // Manifest::categories keeps one spare slot so that a list longer than 32 (the rest is dropped
  // on push_back) is still refused as too long, with the same message at any length.
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back("c" + std::to_string(i));
  for (size_t n : {32u, 33u, 34u, 100u}) {
    Manifest m;
    m.policyId = "p";
    m.version = "1";
    const std::string hash(64, 'a');
    m.bodyHash = hash;
    m.publishedAtMs = 1749538800000;
    for (size_t i = 0; i < n; ++i) m.categories.push_back({ids[i]});
    Status s = validate(m);
    if (n == 32) {
      EXPECT_TRUE(s.ok()) << s.message();
    } else {
      EXPECT_EQ(s.code, ErrorCode::ManifestInvalid) << n;
      EXPECT_EQ(s.message(), "manifest: categories must list 1..32 categories") << n;
    }
  }
}
