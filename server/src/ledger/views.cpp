// The operator's view of one record, and the daily statistics. See views.h.
// nlohmann_json runs with JSON_NOEXCEPTION here (kelisim_core's public definition): a wrong
// type or a missing key would abort, so every read of a stored body goes through the
// checked accessors below.
#include "ledger/views.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "core/consent.h"
#include "core/ledger.h"
#include "ledger/json_access.h"
#include "ledger/policies.h"

namespace kelisim {
namespace server {

std::string isoUtc(int64_t ms) {
  if (ms < 0) return "";
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

ojson parseBody(const Row& row) { return ojson::parse(row.body, nullptr, false); }

namespace {

/** The event object of one row (oldest-first list of GET /v1/records). */
ojson eventJson(const Row& r, const ojson& body) {
  ojson e = ojson::object();
  e["seq"] = r.seq;
  e["kind"] = r.kind;
  e["op"] = r.op;
  e["method"] = r.method;
  e["eventId"] = jstr(body, "id");
  e["policy"] = {{"id", r.policyId}, {"version", r.policyVersion}, {"bodyHash", jstr(jget(body, "policy"), "bodyHash")}};
  e["language"] = jstr(body, "language");
  e["clientAt"] = r.clientAt;
  e["serverAt"] = r.serverAt;
  if (r.kind == "change") {
    const ojson& ev = jget(body, "event");
    e["choices"] = jget(ev, "choices").is_object() ? jget(ev, "choices") : ojson::object();
    // The consent documents "on" choices were given under (category → 8 hex; docs/ledger.md).
    if (jget(ev, "docs").is_object()) e["docs"] = jget(ev, "docs");
    e["version"] = jstr(ev, "version");
    e["prevHash"] = jstr(ev, "prevHash");
    e["hash"] = jstr(ev, "hash");
    e["display"] = jget(body, "display").is_string() ? jget(body, "display") : ojson();
  } else if (r.kind == "display") {
    const ojson& d = jget(body, "display");
    e["display"] = {{"kind", jstr(d, "kind")}, {"reason", jstr(d, "reason")}, {"layout", jstr(d, "layout")},
                    {"deadline", jget(d, "deadline").is_string() ? jget(d, "deadline") : ojson()},
                    {"contentHash", jstr(body, "contentHash")}};
  } else if (r.kind == "erasure") {
    e["erasure"] = {{"count", jint(body, "count")}, {"reason", jstr(body, "reason")}};
  }
  ojson flags = jget(body, "flags").is_array() ? jget(body, "flags") : ojson::array();
  if (body.is_discarded()) flags.push_back("bad-body");
  e["flags"] = flags;
  e["rowHash"] = r.rowHash;
  e["erased"] = r.erasedAt.has_value();
  return e;
}

/** True when the row's seal recomputes from prevHash, and its personal hash from personal
 *  (when not erased). */
bool sealOk(const Row& r, const std::map<int64_t, std::string>& prevHashes) {
  auto prev = prevHashes.find(r.seq);
  if (prev == prevHashes.end()) return false;
  if (r.personal && ledger::personalHash(*r.personal) != r.personalHash) return false;
  return ledger::rowHash(prev->second, r.seq, r.serverAt, r.eventKey, r.personalHash, r.body) == r.rowHash;
}

struct Change {
  int64_t seq;
  std::string op, method, policyId, version, prevHash, hash;
  int64_t atMs;
};

/** The visitor's own chain: each change's prevHash must be the hash of the change before it
 *  (in the order of the entries' times, then seq). Returns the gaps (empty = continuous). */
ojson chainGaps(const std::vector<Change>& changes) {
  ojson gaps = ojson::array();
  for (size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    std::string expected = i == 0 ? std::string() : changes[i - 1].hash;
    if (c.prevHash != expected) {
      // The first stored change may rest on entries made before reporting was on: that is
      // still a gap (the ledger cannot show them), named as such.
      gaps.push_back({{"seq", c.seq}, {"prevHash", c.prevHash}, {"expected", expected},
                      {"message", i == 0 ? "the first stored change continues an entry the ledger does not hold"
                                         : "prevHash is not the hash of the change before it"}});
    }
  }
  return gaps;
}

/** The implicit acceptance at `c` checked against the record's update-notice displays. */
ImplicitAcceptance checkImplicit(const Change& c, const std::vector<Row>& rows, const Policies* policies) {
  const std::string& policyId = c.policyId;
  ImplicitAcceptance a;
  a.seq = c.seq;
  a.policyId = policyId;
  a.version = c.version;
  a.atMs = c.atMs;
  const PolicyVersion* pv = policies ? policies->find(policyId, c.version) : nullptr;
  if (pv && pv->hasPublishedAt) {
    a.policyKnown = true;
    a.deadlineMs = deadline(pv->publishedAtMs, pv->offsetMinutes, pv->ruleDays);
    a.afterDeadline = a.atMs >= a.deadlineMs;
  }
  // The latest update-notice display of this record and version shown before the acceptance
  // (client clock: the page's own order; the outbox may deliver in another order).
  for (const Row& r : rows) {
    if (r.kind != "display" || r.op != "update-notice" || r.policyId != policyId || r.policyVersion != c.version)
      continue;
    if (r.clientAt > a.atMs) continue;
    if (!a.noticeSeq || r.clientAt >= a.noticeAtMs) {
      a.noticeSeq = r.seq;
      a.noticeAtMs = r.clientAt;
    }
  }
  // The core accepts on continued use after the deadline even when the visitor never saw the
  // notice (seed 003 cl. 1.2 counts from publication, not from display): the proof says so.
  if (!a.noticeSeq) a.flags.push_back("implicit-without-notice");
  if (!a.policyKnown) a.flags.push_back("deadline-unknown");
  else if (!a.afterDeadline) a.flags.push_back("implicit-before-deadline");
  else if (a.noticeSeq && a.noticeAtMs >= a.deadlineMs) a.flags.push_back("notice-after-deadline");
  return a;
}

ojson implicitJson(const ImplicitAcceptance& a) {
  ojson j = {{"seq", a.seq}, {"policyId", a.policyId}, {"version", a.version}, {"at", a.atMs},
             {"atIso", isoUtc(a.atMs)}};
  j["deadline"] = a.deadlineMs >= 0 ? ojson(a.deadlineMs) : ojson();
  j["deadlineIso"] = a.deadlineMs >= 0 ? ojson(isoUtc(a.deadlineMs)) : ojson();
  j["afterDeadline"] = a.afterDeadline;
  j["notice"] = a.noticeSeq ? ojson{{"seq", a.noticeSeq}, {"at", a.noticeAtMs}, {"atIso", isoUtc(a.noticeAtMs)}} : ojson();
  j["flags"] = a.flags;
  return j;
}

}  // namespace

bool RecordView::valid() const {
  if (!chainOk || !sealsOk) return false;
  for (const ImplicitAcceptance& a : implicit)
    if (!a.noticeSeq || !a.afterDeadline) return false;
  return true;
}

ojson RecordView::toJson() const {
  ojson v = ojson::object();
  v["valid"] = valid();
  v["chain"] = {{"ok", chainOk}, {"gaps", chainGaps}};
  v["seals"] = {{"ok", sealsOk}, {"bad", badSeals}};
  v["unknownPolicies"] = unknownPolicies;
  ojson imp = ojson::array();
  for (const ImplicitAcceptance& a : implicit) imp.push_back(implicitJson(a));
  v["implicitAcceptances"] = imp;
  return {{"recordId", recordId}, {"events", events}, {"state", state}, {"verification", v}};
}

RecordView buildRecordView(const std::string& recordId, const std::vector<Row>& rows,
                           const std::map<int64_t, std::string>& prevHashes, const Policies* policies) {
  RecordView v;
  v.recordId = recordId;
  std::vector<Change> changes;
  std::set<std::pair<std::string, std::string>> unknown;
  for (const Row& r : rows) {
    ojson body = parseBody(r);
    v.events.push_back(eventJson(r, body));
    if (!sealOk(r, prevHashes)) {
      v.sealsOk = false;
      v.badSeals.push_back(r.seq);
    }
    if (r.kind != "erasure" && (!policies || !policies->find(r.policyId, r.policyVersion)) &&
        unknown.insert({r.policyId, r.policyVersion}).second)
      v.unknownPolicies.push_back({{"id", r.policyId}, {"version", r.policyVersion}, {"seq", r.seq}});
    if (r.kind != "change") continue;
    const ojson& ev = jget(body, "event");
    changes.push_back({r.seq, r.op, r.method, r.policyId, jstr(ev, "version"), jstr(ev, "prevHash"), jstr(ev, "hash"),
                       r.clientAt});
    // The state in force: the newest decision (a notice-shown entry changes no choice).
    if (r.op != "notice-shown") {
      v.state = {{"policyId", r.policyId},   {"version", jstr(ev, "version")}, {"op", r.op},
                 {"method", r.method},       {"givenAt", r.clientAt},          {"givenAtIso", isoUtc(r.clientAt)},
                 {"choices", jget(ev, "choices").is_object() ? jget(ev, "choices") : ojson::object()},
                 {"docs", jget(ev, "docs").is_object() ? jget(ev, "docs") : ojson::object()},
                 {"seq", r.seq}};
    }
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const Change& a, const Change& b) { return a.atMs != b.atMs ? a.atMs < b.atMs : a.seq < b.seq; });
  v.chainGaps = chainGaps(changes);
  v.chainOk = v.chainGaps.empty();
  for (const Change& c : changes) {
    if (c.op == "accept-update" && c.method == "implicit") v.implicit.push_back(checkImplicit(c, rows, policies));
  }
  return v;
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

std::string statsMethod(const std::string& op, const std::string& method) {
  if (op == "accept-all") return "accept-all";
  if (op == "reject-all") return "reject-all";
  if (op == "set") return "custom";
  if (op == "withdraw") return "withdrawn";
  if (op == "accept-update") return method == "implicit" ? "implicit" : "accept-update";
  return "";
}

namespace {
const char* kMethods[] = {"accept-all", "reject-all", "custom", "accept-update", "implicit", "withdrawn"};
}  // namespace

namespace {
int64_t floorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
}  // namespace

bool parseUtcOffset(const std::string& s, int64_t* ms) {
  if (s == "Z") return *ms = 0, true;
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digit(1) || !digit(2) || !digit(4) || !digit(5))
    return false;
  int h = (s[1] - '0') * 10 + (s[2] - '0'), m = (s[4] - '0') * 10 + (s[5] - '0');
  if (m > 59 || h * 60 + m > 14 * 60) return false;
  *ms = (s[0] == '-' ? -1 : 1) * int64_t(h * 60 + m) * 60000;
  return true;
}

std::string formatUtcOffset(int64_t ms) {
  int64_t minutes = (ms < 0 ? -ms : ms) / 60000;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", ms < 0 ? '-' : '+', int(minutes / 60), int(minutes % 60));
  return buf;
}

StatsBuilder::StatsBuilder(int64_t fromMs, int64_t toMs, int maxDays, int64_t offsetMs)
    : fromMs_(fromMs), toMs_(toMs), offsetMs_(offsetMs) {
  firstDay_ = floorDiv(std::max<int64_t>(fromMs, 0) + offsetMs, kDayMs);
  lastDay_ = toMs > fromMs ? floorDiv(toMs - 1 + offsetMs, kDayMs) : firstDay_;
  truncated_ = lastDay_ - firstDay_ + 1 > maxDays;
  if (truncated_) lastDay_ = firstDay_ + maxDays - 1;
  perDay_.resize(static_cast<size_t>(lastDay_ - firstDay_ + 1));
}

void StatsBuilder::add(const Row& r) {
  if (r.kind != "change" || r.serverAt < fromMs_ || r.serverAt >= toMs_) return;
  std::string m = statsMethod(r.op, r.method);
  int64_t day = floorDiv(r.serverAt + offsetMs_, kDayMs);
  if (m.empty() || day < firstDay_ || day > lastDay_) return;
  perDay_[static_cast<size_t>(day - firstDay_)][m]++;
  totals_[m]++;
  ojson body = parseBody(r);
  const ojson& choices = jget(jget(body, "event"), "choices");
  if (!choices.is_object()) return;
  for (auto it = choices.begin(); it != choices.end(); ++it) {
    if (!categories_.count(it.key())) categoryOrder_.push_back(it.key());
    auto& c = categories_[it.key()];
    c.second++;
    if (it.value().is_boolean() && it.value().get<bool>()) c.first++;
  }
}

ojson StatsBuilder::json() const {
  auto count = [](const std::map<std::string, int64_t>& m, const char* k) {
    auto it = m.find(k);
    return it == m.end() ? int64_t(0) : it->second;
  };
  ojson out = {{"from", fromMs_}, {"to", toMs_}, {"tz", formatUtcOffset(offsetMs_)}, {"truncated", truncated_},
               {"methods", ojson::array()}};
  for (const char* m : kMethods) out["methods"].push_back(m);
  ojson days = ojson::array();
  for (size_t i = 0; i < perDay_.size(); ++i) {
    ojson counts = ojson::object();
    for (const char* m : kMethods) counts[m] = count(perDay_[i], m);
    days.push_back({{"day", isoUtc((firstDay_ + static_cast<int64_t>(i)) * kDayMs).substr(0, 10)}, {"counts", counts}});
  }
  out["days"] = days;
  ojson tot = ojson::object();
  for (const char* m : kMethods) tot[m] = count(totals_, m);
  out["totals"] = tot;
  ojson cats = ojson::array();
  for (const std::string& id : categoryOrder_) {
    const auto& [on, total] = categories_.find(id)->second;
    cats.push_back({{"id", id}, {"on", on}, {"total", total}, {"rate", total ? double(on) / double(total) : 0.0}});
  }
  out["categories"] = cats;
  return out;
}

ojson buildStats(const std::vector<Row>& rows, int64_t fromMs, int64_t toMs, int maxDays) {
  StatsBuilder b(fromMs, toMs, maxDays);
  for (const Row& r : rows) b.add(r);
  return b.json();
}

}  // namespace server
}  // namespace kelisim
