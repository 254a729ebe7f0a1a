// kel_* bridge of the consent module (kelisim-consent.wasm): the banner path.
// No JSON here: web/src/engine/core.js sends small line-oriented texts ("k=value\n")
// and parses the same form back. See wasm/bridge/common.h for the calling convention.
#include "bridge/common.h"
#include "core/consent.h"

using namespace kelisim;
using kelisim_bridge::finish;
using kelisim_bridge::view;

namespace {

// ===========================================================================
// Line protocol
// ===========================================================================

// Calls f(key, value) for every "key=value" line; false on a line without '='.
template <class F>
bool eachLine(std::string_view text, F f) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || !f(line.substr(0, eq), line.substr(eq + 1))) return false;
  }
  return true;
}

void put(std::string& out, const char* key, std::string_view value) {
  out += key;
  out += '=';
  out += value;
  out += '\n';
}

bool timeMs(double v, int64_t* out) {
  if (!(v >= 0 && v < 253402300800000.0)) return false;  // also rejects NaN
  *out = int64_t(v);
  return true;
}

// Manifest lines: id v h p(ISO publishedAt) r(i|e) d(days) m(0|1) a(maxAgeAccepted ms)
// j(maxAgeRejected ms) c(category "id:flags", flags from "r" required, "g" gpcOff; repeated).
Error parseManifest(std::string_view text, Manifest* m) {
  std::string bad;
  bool havePub = false;
  bool ok = eachLine(text, [&](std::string_view k, std::string_view v) {
    int64_t n = 0;
    if (k == "id") m->policyId = std::string(v);
    else if (k == "v") m->version = std::string(v);
    else if (k == "h") m->bodyHash = std::string(v);
    else if (k == "p") {
      havePub = parseInstant(v, &m->publishedAtMs, &m->offsetMinutes);
      if (!havePub) bad = "publishedAt '" + std::string(v) + "' is not an ISO 8601 instant with an offset";
    } else if (k == "r" && (v == "i" || v == "e")) m->rule = v == "i" ? UpdateRule::Implicit : UpdateRule::Explicit;
    else if (k == "d" && parseDecimal(v, &n) && n >= -1000 && n <= 100000) m->implicitDays = int32_t(n);
    else if (k == "m" && (v == "0" || v == "1")) m->material = v == "1";
    else if (k == "a" && parseDecimal(v, &n)) m->maxAgeAcceptedMs = n;
    else if (k == "j" && parseDecimal(v, &n)) m->maxAgeRejectedMs = n;
    else if (k == "c") {
      size_t colon = v.find(':');
      CategorySpec c;
      c.id = std::string(v.substr(0, colon));
      for (char f : colon == std::string_view::npos ? std::string_view() : v.substr(colon + 1)) {
        if (f == 'r') c.required = true;
        else if (f == 'g') c.gpcOff = true;
        else return false;
      }
      m->categories.push_back(std::move(c));
    } else return false;
    return bad.empty();
  });
  if (!bad.empty()) return Error{ErrorCode::ManifestInvalid, "manifest: " + bad};
  if (!ok) return Error{ErrorCode::ManifestInvalid, "manifest: unreadable field"};
  if (!havePub) return Error{ErrorCode::ManifestInvalid, "manifest: publishedAt is missing"};
  return Error();
}

void putEntry(std::string& out, const HistoryEntry& e) {
  put(out, "eo", name(e.op));
  put(out, "et", decimal(e.atMs));
  put(out, "ev", e.version);
  put(out, "em", name(e.method));
  put(out, "ec", choicesText(e.choices));
  put(out, "ep", e.prevHash);
  put(out, "eh", e.hash);
}

void putRecord(std::string& out, const Record& r) {
  put(out, "i", r.id);
  put(out, "p", r.policyId);
  put(out, "v", r.version);
  put(out, "h", r.bodyHash16);
  put(out, "g", decimal(r.givenAtMs));
  put(out, "m", name(r.method));
  put(out, "c", choicesText(r.choices));
  put(out, "nv", r.noticeVersion);
  put(out, "na", decimal(r.noticeAtMs));
  put(out, "hh", r.historyHead);
}

int32_t failWith(const Error& e) { return finish(int32_t(e.code), e.message); }

}  // namespace

extern "C" {

// ===========================================================================
// Consent engine
// ===========================================================================

/** decide(manifest lines, stored record, now ms, gpc) → lines a r e d x f [n eo..eh]. */
__attribute__((used)) int32_t kel_decide(const char* mp, uint32_t ml, const char* rp, uint32_t rl, double now,
                                         int32_t gpc) {
  Manifest m;
  Error e = parseManifest(view(mp, ml), &m);
  int64_t t = 0;
  if (e.ok() && !timeMs(now, &t)) e = Error{ErrorCode::BadArgument, "now is out of range"};
  Decision d;
  if (e.ok()) e = decide(m, view(rp, rl), t, Signals{gpc != 0}, &d);
  if (!e.ok()) return failWith(e);
  std::string out;
  put(out, "a", name(d.action));
  put(out, "r", name(d.reason));
  put(out, "e", name(d.recordError));
  put(out, "d", d.deadlineMs < 0 ? std::string() : decimal(d.deadlineMs));
  put(out, "x", choicesText(d.effective));
  put(out, "f", choicesText(d.prefill));
  if (d.hasNewRecord) {
    put(out, "n", encodeRecord(d.newRecord));
    putEntry(out, d.entry);
  }
  return finish(0, out);
}

/** apply(manifest lines, stored record, now ms, gpc, op, choices "id:1.id:0", newId, prevHash)
 *  → lines n (encoded record) + the record fields + eo..eh. */
__attribute__((used)) int32_t kel_apply(const char* mp, uint32_t ml, const char* rp, uint32_t rl, double now,
                                        int32_t gpc, int32_t op, const char* cp, uint32_t cl, const char* ip,
                                        uint32_t il, const char* hp, uint32_t hl) {
  Manifest m;
  Error e = parseManifest(view(mp, ml), &m);
  int64_t t = 0;
  ApplyInput in;
  if (e.ok() && !timeMs(now, &t)) e = Error{ErrorCode::BadArgument, "now is out of range"};
  if (e.ok() && (op < 0 || op > int32_t(Op::NoticeShown))) e = Error{ErrorCode::BadArgument, "unknown op"};
  if (e.ok() && !parseChoices(view(cp, cl), &in.choices))
    e = Error{ErrorCode::BadArgument, "choices must be category ids with on/off values"};
  ApplyResult r;
  if (e.ok()) {
    in.op = Op(op);
    in.newId = std::string(view(ip, il));
    in.prevHash = std::string(view(hp, hl));
    e = apply(m, view(rp, rl), t, Signals{gpc != 0}, in, &r);
  }
  if (!e.ok()) return failWith(e);
  std::string out;
  put(out, "n", encodeRecord(r.record));
  putRecord(out, r.record);
  putEntry(out, r.entry);
  return finish(0, out);
}

/** Epoch ms of the implicit-acceptance deadline (see consent.h); NaN for out-of-range input. */
__attribute__((used)) double kel_deadline(double publishedAtMs, int32_t offsetMinutes, int32_t days) {
  int64_t t;
  if (!timeMs(publishedAtMs, &t) || offsetMinutes < -840 || offsetMinutes > 840 || days < 0 || days > 366)
    return __builtin_nan("");
  return double(deadline(t, offsetMinutes, days));
}

/** ISO 8601 instant → lines ms o (offset minutes). */
__attribute__((used)) int32_t kel_parse_instant(const char* p, uint32_t n) {
  int64_t ms;
  int32_t off;
  if (!parseInstant(view(p, n), &ms, &off))
    return finish(int32_t(ErrorCode::BadInput),
                  "'" + std::string(view(p, n)) + "' is not an ISO 8601 instant with an offset");
  std::string out;
  put(out, "ms", decimal(ms));
  put(out, "o", decimal(off));
  return finish(0, out);
}

// ===========================================================================
// Record codec
// ===========================================================================

/** Record field lines (as putRecord writes them) → encoded record text. */
__attribute__((used)) int32_t kel_encode_record(const char* p, uint32_t n) {
  Record r;
  std::string m;
  bool ok = eachLine(view(p, n), [&](std::string_view k, std::string_view v) {
    if (k == "i") r.id = std::string(v);
    else if (k == "p") r.policyId = std::string(v);
    else if (k == "v") r.version = std::string(v);
    else if (k == "h") r.bodyHash16 = std::string(v);
    else if (k == "g") return parseDecimal(v, &r.givenAtMs);
    else if (k == "m") m = std::string(v);
    else if (k == "c") return parseChoices(v, &r.choices);
    else if (k == "nv") r.noticeVersion = std::string(v);
    else if (k == "na") return parseDecimal(v, &r.noticeAtMs);
    else if (k == "hh") r.historyHead = std::string(v);
    else return false;
    return true;
  });
  r.method = m == "implicit" ? Method::Implicit : Method::Explicit;
  std::string text = ok && (m == "implicit" || m == "explicit") ? encodeRecord(r) : std::string();
  // Only values that decode back to the same record can be encoded.
  DecodeResult back = decodeRecord(text);
  if (!back.ok || !(back.record == r))
    return finish(int32_t(ErrorCode::BadArgument), "record has a field out of range or of the wrong form");
  return finish(0, text);
}

/** Encoded text → record field lines; status = the decode error code when there is no record. */
__attribute__((used)) int32_t kel_decode_record(const char* p, uint32_t n) {
  DecodeResult d = decodeRecord(view(p, n));
  if (!d.ok) return finish(int32_t(d.error), name(d.error));
  std::string out;
  putRecord(out, d.record);
  return finish(0, out);
}

}  // extern "C"
