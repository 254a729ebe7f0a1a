// ledger/ingest: from request bodies to checked rows (docs/ledger.md §1–2). Events are made by
// the core's apply(), as the page makes them; every refusal names its code and event index.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/ledger.h"
#include "core/sha256.h"
#include "ledger/ingest.h"
#include "ledger/writer.h"
#include "server_test_util.h"
#include "store/store.h"

using namespace kelisim;
using namespace kelisim::server;
using namespace kelisim::server::testutil;

namespace {

const int64_t kAt = 1796551200123;

IngestError parse(const std::string& body, std::vector<CheckedEvent>* out, IngestOptions opt = {}) {
  return parseEvents(body, opt, &repoPolicies(), "203.0.113.77", out);
}

ojson validChange(const std::string& recordId = "Visitor_0001") {
  std::string stored;
  return changeEvent(knownPolicy(), recordId, Op::AcceptAll, kAt, &stored);
}

/** Expects a 400 refusal with this code at this index. */
void expectRefused(const std::string& body, const std::string& code, int index) {
  std::vector<CheckedEvent> out;
  IngestError e = parse(body, &out);
  EXPECT_EQ(e.code, code) << e.message;
  EXPECT_EQ(e.index, index) << e.message;
  EXPECT_EQ(e.httpStatus, 400);
  EXPECT_FALSE(e.message.empty());
  EXPECT_TRUE(out.empty());
}

}  // namespace

TEST(Ingest, ValidChangeEventBecomesANormalizedRow) {
  ojson ev = validChange();
  std::vector<CheckedEvent> out;
  IngestError e = parse(ev.dump(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  ASSERT_EQ(out.size(), 1u);
  const NewRow& r = out[0].row;
  EXPECT_EQ(out[0].eventId, ev["id"].get<std::string>());
  EXPECT_TRUE(out[0].flags.empty());
  EXPECT_EQ(r.kind, "change");
  EXPECT_EQ(r.op, "accept-all");
  EXPECT_EQ(r.method, "explicit");
  EXPECT_EQ(r.policyId, "smartaqkol");
  EXPECT_EQ(r.policyVersion, "2");
  EXPECT_EQ(r.clientAt, kAt);
  EXPECT_EQ(r.recordId, "Visitor_0001");
  EXPECT_EQ(r.eventKey, ledger::eventKey("Visitor_0001", ev["id"].get<std::string>()));
  EXPECT_EQ(r.personalHash, ledger::personalHash(r.personal));
  // The body is non-personal; the record id and record string live in personal only.
  EXPECT_EQ(r.body.find("Visitor_0001"), std::string::npos);
  ojson body = ojson::parse(r.body);
  EXPECT_EQ(body["type"], "change");
  EXPECT_EQ(body["event"]["hash"], ev["event"]["hash"]);
  EXPECT_EQ(body["event"]["choices"].dump(), ev["event"]["choices"].dump());  // order kept
  ojson personal = ojson::parse(r.personal);
  EXPECT_EQ(personal["recordId"], "Visitor_0001");
  EXPECT_EQ(personal["record"], ev["record"]);
  EXPECT_TRUE(personal["ip"].is_null());  // --keep-ip none
  EXPECT_EQ(personal["salt"].get<std::string>().size(), 32u);
}

TEST(Ingest, KeepIpTruncatedStoresOnlyTheNetwork) {
  std::vector<CheckedEvent> out;
  IngestOptions opt;
  opt.keepIp = true;
  ASSERT_TRUE(parse(validChange().dump(), &out, opt).ok());
  EXPECT_EQ(ojson::parse(out[0].row.personal)["ip"], "203.0.113.0/24");
  EXPECT_EQ(truncateIp("2001:db8:abcd:12::1"), "2001:db8:abcd::/48");
}

TEST(Ingest, ValidDisplayEventGetsItsContentHash) {
  TestPolicy p = knownPolicy();
  ojson ev = displayEvent(p, "Visitor_0001", "d-AAAAbbbbCCCCdddd", kAt);
  std::vector<CheckedEvent> out;
  IngestError e = parse(ev.dump(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  const NewRow& r = out[0].row;
  EXPECT_EQ(r.kind, "display");
  EXPECT_EQ(r.op, "banner");
  EXPECT_EQ(r.method, "");
  // contentHash as docs/ledger.md and ingest.h state it, spelled out by hand: SHA-256 of the
  // sorted, compact JSON of {categories, kind, language, layout, strings}.
  std::string cats;
  for (const std::string& c : p.categories) cats += (cats.empty() ? "\"" : ",\"") + c + "\"";
  std::string canonical = "{\"categories\":[" + cats +
                          "],\"kind\":\"banner\",\"language\":\"ru\",\"layout\":\"bar\",\"strings\":{\"accept\":"
                          "\"Принять\",\"text\":\"Текст баннера\",\"title\":\"Мы используем cookie\"}}";
  ojson body = ojson::parse(r.body);
  EXPECT_EQ(body["contentHash"], sha256_hex(canonical));
  EXPECT_EQ(body["display"]["strings"]["title"], "Мы используем cookie");
  EXPECT_TRUE(ojson::parse(r.personal)["record"].is_null());
}

TEST(Ingest, BatchFormsAreAccepted) {
  ojson a = validChange("Visitor_0001"), b = validChange("Visitor_0002");
  std::vector<CheckedEvent> out;
  ASSERT_TRUE(parse(ojson::array({a, b}).dump(), &out).ok());
  EXPECT_EQ(out.size(), 2u);
  ASSERT_TRUE(parse(ojson{{"events", ojson::array({a, b, a})}}.dump(), &out).ok());
  EXPECT_EQ(out.size(), 3u);
}

TEST(Ingest, MalformedTooDeepTooBigTooManyAreRefused) {
  expectRefused("{\"type\": ", "bad-json", -1);
  expectRefused("\"\xff\"", "bad-json", -1);
  expectRefused(std::string(17, '[') + std::string(17, ']'), "too-deep", -1);
  expectRefused("[]", "empty-batch", -1);
  ojson many = ojson::array();
  for (int i = 0; i < 101; ++i) many.push_back(ojson::object());
  expectRefused(many.dump(), "too-many", -1);
  std::vector<CheckedEvent> out;
  IngestError e = parse(std::string(256 * 1024 + 1, ' '), &out);
  EXPECT_EQ(e.httpStatus, 413);
  EXPECT_EQ(e.code, "too-large");
}

TEST(Ingest, BadRecordStringIsRefusedAtItsIndex) {
  ojson bad = validChange("Visitor_0002");
  bad["record"] = "k1~garbage";
  expectRefused(ojson::array({validChange(), bad}).dump(), "bad-record", 1);
  std::string rec = validChange()["record"];
  rec[rec.size() - 3] = rec[rec.size() - 3] == 'A' ? 'B' : 'A';  // breaks the record's check
  bad["record"] = rec;
  expectRefused(ojson::array({validChange(), validChange(), bad}).dump(), "bad-record", 2);
}

TEST(Ingest, RecordOfAnotherVisitorOrPolicyIsRefused) {
  ojson ev = validChange("Visitor_0001");
  ev["record"] = validChange("Visitor_0002")["record"];
  expectRefused(ev.dump(), "record-mismatch", 0);
  ojson other = validChange("Visitor_0001");
  other["policy"]["id"] = "toolpars";
  expectRefused(other.dump(), "record-mismatch", 0);
}

TEST(Ingest, ForgedEntryHashIsRefused) {
  ojson ev = validChange();
  // A visitor who refused analytics reported as accepting it: the entry no longer hashes to
  // event.hash (and the record's history head).
  for (auto& kv : ev["event"]["choices"].items()) kv.value() = true;
  ev["event"]["op"] = "set";
  expectRefused(ev.dump(), "bad-hash", 0);
  ojson moved = validChange();
  moved["event"]["atMs"] = kAt + 1;
  moved["event"]["at"] = iso(kAt + 1);
  expectRefused(moved.dump(), "bad-hash", 0);
  ojson reordered = validChange();
  ojson rev = ojson::object();
  auto& ch = reordered["event"]["choices"];
  std::vector<std::pair<std::string, bool>> items;
  for (auto& kv : ch.items()) items.emplace_back(kv.key(), kv.value().get<bool>());
  for (auto it = items.rbegin(); it != items.rend(); ++it) rev[it->first] = it->second;
  ch = rev;
  expectRefused(reordered.dump(), "bad-hash", 0);  // the hash covers the order sent
}

TEST(Ingest, BadIdsAndFieldsAreRefused) {
  ojson ev = validChange();
  ev["recordId"] = "short";
  expectRefused(ev.dump(), "bad-record-id", 0);
  ev = validChange();
  ev["policy"]["id"] = "Not A Policy";
  expectRefused(ev.dump(), "bad-policy", 0);
  ev = validChange();
  ev["policy"]["bodyHash"] = std::string(64, 'Z');
  expectRefused(ev.dump(), "bad-policy", 0);
  ev = validChange();
  ev["v"] = 1;
  expectRefused(ev.dump(), "bad-version", 0);
  ev = validChange();
  ev["event"]["op"] = "accept-everything";
  expectRefused(ev.dump(), "bad-entry", 0);
  ev = validChange();
  ev["event"]["at"] = "2026-12-06 10:00";
  expectRefused(ev.dump(), "bad-time", 0);
  ev = validChange();
  ev["id"] = std::string(64, 'a');
  expectRefused(ev.dump(), "bad-entry", 0);  // a change event's id is its entry hash
  ojson d = displayEvent(knownPolicy(), "Visitor_0001", "d-short", kAt);
  expectRefused(d.dump(), "bad-id", 0);
  d = displayEvent(knownPolicy(), "Visitor_0001", "d-AAAAbbbbCCCCdddd", kAt);
  d["display"]["strings"]["text"] = std::string(4097, 'x');
  expectRefused(d.dump(), "bad-display", 0);
  d = displayEvent(knownPolicy(), "Visitor_0001", "d-AAAAbbbbCCCCdddd", kAt);
  for (int i = 0; i < 33; ++i) d["display"]["categories"].push_back("c" + std::to_string(i));
  expectRefused(d.dump(), "bad-display", 0);
  d = displayEvent(knownPolicy(), "Visitor_0001", "d-AAAAbbbbCCCCdddd", kAt);
  d["display"]["kind"] = "popup";
  expectRefused(ojson::array({validChange(), d}).dump(), "bad-display", 1);
}

TEST(Ingest, UnknownPolicyOrHashIsFlaggedNotRefused) {
  TestPolicy p = knownPolicy();
  p.id = "not-in-policies";
  std::string stored;
  ojson unknown = changeEvent(p, "Visitor_0003", Op::AcceptAll, kAt, &stored);
  TestPolicy q = knownPolicy();
  q.bodyHash = std::string(64, 'b');
  stored.clear();
  ojson otherHash = changeEvent(q, "Visitor_0004", Op::RejectAll, kAt, &stored);
  std::vector<CheckedEvent> out;
  IngestError e = parse(ojson::array({unknown, otherHash}).dump(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(out[0].flags, std::vector<std::string>{"unknown-policy"});
  EXPECT_EQ(out[1].flags, std::vector<std::string>{"unknown-hash"});
  EXPECT_NE(out[0].row.body.find("\"flags\":[\"unknown-policy\"]"), std::string::npos);
}

TEST(Ingest, SameEventTwiceIsOneRowTwoVisitorsAreTwo) {
  TempDir dir;
  std::string err;
  auto store = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(store) << err;
  ASSERT_TRUE(store->migrate().ok());
  // Two visitors, the same choice in the same millisecond: the same entry hash (event id),
  // two record ids, so two events.
  ojson a = validChange("Visitor_000A"), b = validChange("Visitor_000B");
  ASSERT_EQ(a["id"], b["id"]);
  std::vector<CheckedEvent> out;
  ASSERT_TRUE(parse(ojson::array({a, b, a}).dump(), &out).ok());
  std::vector<NewRow> rows;
  for (auto& c : out) rows.push_back(c.row);
  std::vector<AppendResult> res;
  ASSERT_TRUE(store->append(rows, 1000, sealRow, &res).ok());
  ASSERT_EQ(res.size(), 3u);
  EXPECT_TRUE(res[0].stored);
  EXPECT_TRUE(res[1].stored);
  EXPECT_FALSE(res[2].stored);
  EXPECT_EQ(res[2].seq, res[0].seq);
  // The same event delivered again later (a retry): still one row.
  ASSERT_TRUE(parse(a.dump(), &out).ok());
  ASSERT_TRUE(store->append({out[0].row}, 2000, sealRow, &res).ok());
  EXPECT_FALSE(res[0].stored);
  Head h;
  ASSERT_TRUE(store->head(&h).ok());
  EXPECT_EQ(h.seq, 2);
}

// ---- Consent documents (docs/ledger.md: event.docs) -------------------------------------------

namespace {

/** toolpars version 2 as committed, with its analytics consent document (policies/toolpars/
 *  consent/analytics), as the page passes it to the core. */
TestPolicy toolparsWithDocument() {
  TestPolicy p = knownPolicy("toolpars", "2");
  std::string index = repoFile("policies/toolpars/consent/analytics/index.json");
  ojson di = ojson::parse(index, nullptr, false);
  p.docs["analytics"] = di["versions"][0]["hash"].get<std::string>();
  return p;
}

}  // namespace

TEST(Ingest, ChoiceUnderAConsentDocumentCarriesItAndTheHashCoversIt) {
  std::string stored;
  ojson ev = changeEvent(toolparsWithDocument(), "Visitor_0d01", Op::AcceptAll, kAt, &stored);
  ASSERT_TRUE(ev["event"].contains("docs"));
  EXPECT_EQ(ev["event"]["docs"].size(), 1u);
  std::vector<CheckedEvent> out;
  IngestError e = parse(ev.dump(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  ojson body = ojson::parse(out[0].row.body);
  EXPECT_EQ(body["event"]["docs"], ev["event"]["docs"]);
  // Without its docs (or with another document) the entry hash no longer matches.
  ojson stripped = ev;
  stripped["event"].erase("docs");
  expectRefused(stripped.dump(), "bad-hash", 0);
  ojson other = ev;
  other["event"]["docs"]["analytics"] = "00000000";
  expectRefused(other.dump(), "bad-hash", 0);
  // docs of the wrong form: a category turned off, or not 8 hex.
  ojson off = ev;
  off["event"]["docs"]["necessary"] = "3f9a2c1b";
  off["event"]["choices"]["necessary"] = false;
  expectRefused(off.dump(), "bad-entry", 0);
  ojson form = ev;
  form["event"]["docs"]["analytics"] = "3F9A2C1B";
  expectRefused(form.dump(), "bad-entry", 0);
  // The ledger's policies know the document by its hash prefix.
  const ConsentDocument* d = repoPolicies().findDocument("toolpars", ev["event"]["docs"]["analytics"].get<std::string>());
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->id, "analytics");
  EXPECT_EQ(d->version, "1");
  EXPECT_EQ(d->textPath, "toolpars/consent/analytics/1/body.json");
  EXPECT_EQ(repoPolicies().findDocument("smartaqkol", d->hash.substr(0, 8)), nullptr);
}

TEST(Ingest, ServiceStatesAreCoveredByTheEntryHash) {
  // Issue 12: a policy with services reports every service's state in event.services; the
  // entry hash covers them (HistoryEntry::canonical), so a changed, dropped or added service
  // state is a forgery. The record is a k2 record (service marks), decoded by the core.
  TestPolicy p = knownPolicy();
  std::string optional;
  for (const std::string& c : p.categories)
    if (std::find(p.required.begin(), p.required.end(), c) == p.required.end()) optional = c;
  ASSERT_FALSE(optional.empty());
  Manifest m = p.manifest();
  m.services.push_back({"yandex-metrica", optional});
  m.services.push_back({"hotjar", optional});
  ApplyInput in;
  in.op = Op::Set;
  in.newId = "Visitor_0001";
  in.choices.push_back(Choice{Id("yandex-metrica"), true});
  ApplyResult r;
  ASSERT_TRUE(apply(m, "", kAt, {}, in, &r).ok());
  ojson ev = validChange();
  std::string stored = encodeRecord(r.record).str();
  ASSERT_EQ(stored.substr(0, 3), "k2~");
  ev["id"] = std::string(r.entry.hash.view());
  ev["record"] = stored;
  ojson choices = ojson::object(), services = ojson::object();
  for (const Choice& c : r.entry.choices) choices[std::string(c.category.view())] = c.on;
  for (const Choice& c : r.entry.services) services[std::string(c.category.view())] = c.on;
  ev["event"]["op"] = "set";
  ev["event"]["choices"] = choices;
  ev["event"]["services"] = services;
  ev["event"]["prevHash"] = "";
  ev["event"]["hash"] = std::string(r.entry.hash.view());
  EXPECT_EQ(services.dump(), R"({"yandex-metrica":true,"hotjar":false})");

  std::vector<CheckedEvent> out;
  IngestError e = parse(ev.dump(), &out);
  ASSERT_TRUE(e.ok()) << e.code << ": " << e.message;
  ASSERT_EQ(out.size(), 1u);
  ojson body = ojson::parse(out[0].row.body);
  EXPECT_EQ(body["event"]["services"].dump(), services.dump());

  ojson flipped = ev;
  flipped["event"]["services"]["hotjar"] = true;
  expectRefused(flipped.dump(), "bad-hash", 0);
  ojson dropped = ev;
  dropped["event"].erase("services");
  expectRefused(dropped.dump(), "bad-hash", 0);
  ojson malformed = ev;
  malformed["event"]["services"] = ojson::array({"yandex-metrica"});
  expectRefused(malformed.dump(), "bad-entry", 0);
  ojson badId = ev;
  badId["event"]["services"] = {{"Yandex", true}};
  expectRefused(badId.dump(), "bad-entry", 0);
  // An entry without services never gains one: its normalized body has no "services".
  std::vector<CheckedEvent> plain;
  ASSERT_TRUE(parse(validChange().dump(), &plain).ok());
  EXPECT_FALSE(ojson::parse(plain[0].row.body)["event"].contains("services"));
}
