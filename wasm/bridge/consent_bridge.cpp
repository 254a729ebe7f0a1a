// kel_* bridge of the consent module (kelisim-consent.wasm): the banner path.
// No JSON and no keys here: web/src/engine/core.js passes the manifest's and the record's
// fields as positional arguments, and every result is its fields' values in a fixed order,
// each followed by '\n' (no value on the consent path can hold a line break). See
// wasm/bridge/common.h for the calling convention.
// Built with KELISIM_NO_SERVICES for kelisim-consent-banner.wasm (wasm/core/services.cpp): the
// per-service fields are there, always empty.
// Nothing here touches the heap: inputs are viewed in place, outputs are written straight
// into the result (common.h, KELISIM_BRIDGE_ARENA).
#define KELISIM_BRIDGE_ARENA 1
#include "bridge/common.h"
#include "core/consent.h"

using namespace kelisim;
using kelisim_bridge::Out;
using kelisim_bridge::view;

namespace {

// ===========================================================================
// Fields in, fields out
// ===========================================================================

// Position of the first c in s, or s.size() (a plain loop: smaller than string_view::find).
size_t indexOf(std::string_view s, char c) {
  size_t i = 0;
  while (i < s.size() && s[i] != c) ++i;
  return i;
}

// One output field: the value and a line break (no value on the consent path holds one).
void put(Out& out, std::string_view value) {
  out.put(value);
  out.put('\n');
}
void put(Out& out, const char* value) {
  while (*value) out.put(*value++);
  out.put('\n');
}

// An instant in ms as core.js sends it: within [0, kMaxMs) (consent.h), fractions dropped.
bool timeMs(double v, int64_t* out) {
  if (!(v >= 0 && v < double(kMaxMs))) return false;  // also rejects NaN
  *out = int64_t(v);
  return true;
}

Status manifestError(const char* text, std::string_view subject = {}) {
  return Status{ErrorCode::ManifestInvalid, text, subject};
}

// The manifest's fields, passed positionally by core.js: id, version, body hash, publishedAt
// (ISO 8601 text), categories ("id:flags" or "id:flags:docHash" items separated by '\n', flags
// from "r" required, "g" gpcOff; docHash the category's consent document, 64 hex; a service is
// an item "service-id>category-id" among them), rule (0 implicit, 1 explicit), implicit days,
// material (0|1), max ages (ms).
// Checked in the order the fields were once sent as lines, so the first error is the same.
// The manifest's strings view the arguments.
#define KEL_MANIFEST_PARAMS                                                                            \
  const char *idp, uint32_t idl, const char *vp, uint32_t vl, const char *hp, uint32_t hl, const char *pp, \
      uint32_t pl, const char *cp, uint32_t cl, int32_t rule, int32_t days, int32_t material, double acc, double rej
#define KEL_MANIFEST_ARGS idp, idl, vp, vl, hp, hl, pp, pl, cp, cl, rule, days, material, acc, rej

// A max age or a record time in ms as core.js sends it: an integer below 10^18 in magnitude
// (what the decimal line form accepted); anything else is unreadable.
bool wholeMs(double v, int64_t* out) {
  if (!(v > -1e18 && v < 1e18) || v != double(int64_t(v))) return false;  // also rejects NaN
  *out = int64_t(v);
  return true;
}

Status parseManifest(Manifest* m, KEL_MANIFEST_PARAMS) {
  m->policyId = view(idp, idl);
  m->version = view(vp, vl);
  m->bodyHash = view(hp, hl);
  std::string_view p = view(pp, pl);
  if (!parseInstant(p, &m->publishedAtMs, &m->offsetMinutes))
    return manifestError("manifest: publishedAt '\1' is not an ISO 8601 instant with an offset", p);
  m->rule = rule == 1 ? UpdateRule::Explicit : UpdateRule::Implicit;
  m->implicitDays = days;
  m->material = material == 1;
  bool ok = uint32_t(rule) <= 1 && days >= -1000 && days <= 100000 && uint32_t(material) <= 1 &&
            wholeMs(acc, &m->maxAgeAcceptedMs) && wholeMs(rej, &m->maxAgeRejectedMs);
  // No text is no category; otherwise every item, even an empty one, is a category.
  std::string_view rest = view(cp, cl);
  for (bool more = !rest.empty(); ok && more;) {
    size_t end = indexOf(rest, '\n');
    std::string_view v(rest.data(), end);
    more = end < rest.size();
    if (more) rest.remove_prefix(end + 1);
#ifndef KELISIM_NO_SERVICES  // the banner build (wasm/core/services.cpp): an item with '>' is a bad category id there
    size_t gt = indexOf(v, '>');
    if (gt < v.size()) {  // a service: beyond 33 entries dropped, validate() refuses the list anyway
      m->services.push_back({std::string_view(v.data(), gt), v.substr(gt + 1)});
      continue;
    }
#endif
    size_t colon = indexOf(v, ':');
    CategorySpec c;
    c.id = std::string_view(v.data(), colon);
    for (size_t i = colon + 1; i < v.size(); ++i) {
      if (v[i] == 'r') c.required = true;
      else if (v[i] == 'g') c.gpcOff = true;
      else if (v[i] == ':') {  // then the consent document's hash (validate() checks its form)
        c.docHash = std::string_view(v.data() + i + 1, v.size() - i - 1);
        break;
      } else ok = false;
    }
    m->categories.push_back(c);  // beyond 33 entries dropped: validate() refuses the list anyway
  }
  // A value of the wrong form fails the whole manifest, so what it left in *m is never used.
  if (!ok) return manifestError("manifest: unreadable field");
  return Status();
}

// A history entry as 8 fields: op, at, version, method, choices, prev hash, hash, services.
void putEntry(Out& out, const HistoryEntry& e) {
  put(out, name(e.op));
  put(out, decimal(e.atMs));
  put(out, e.version);
  put(out, name(e.method));
  put(out, choicesText(e.choices));
  put(out, e.prevHash);
  put(out, e.hash);
#ifdef KELISIM_NO_SERVICES
  put(out, "");
#else
  put(out, choicesText(e.services));
#endif
}

// A record as 11 fields: id, policy id, version, body hash (16 hex), given at, method, choices,
// notice version, notice at, history head, service marks.
void putRecord(Out& out, const Record& r) {
  put(out, r.id);
  put(out, r.policyId);
  put(out, r.version);
  put(out, r.bodyHash16);
  put(out, decimal(r.givenAtMs));
  put(out, name(r.method));
  put(out, choicesText(r.choices));
  put(out, r.noticeVersion);
  put(out, decimal(r.noticeAtMs));
  put(out, r.historyHead);
#ifdef KELISIM_NO_SERVICES
  put(out, "");
#else
  Text marks;
  appendMarks(marks, r.services);
  put(out, marks);
#endif
}

int32_t failWith(const Status& e) {
  Out out;
  for (const char* p = e.text; *p; ++p) *p == '\1' ? out.put(e.subject) : out.put(*p);
  return out.finish(int32_t(e.code));
}

}  // namespace

extern "C" {

// ===========================================================================
// Consent engine
// ===========================================================================

/** decide(manifest fields, stored record, now ms, gpc) → fields: action, reason, record error
 *  (indices of the Action, Reason and ErrorCode names), deadline ms ("" = none), effective
 *  choices, prefill choices, pending categories ('.'-joined; Decision::pending), effective
 *  services, prefill services; for implicit-accept also the new encoded record and its history
 *  entry (8 fields, putEntry). */
__attribute__((used)) int32_t kel_decide(KEL_MANIFEST_PARAMS, const char* rp, uint32_t rl, double now, int32_t gpc) {
  Manifest m;
  Status e = parseManifest(&m, KEL_MANIFEST_ARGS);
  int64_t t = 0;
  if (e.ok() && !timeMs(now, &t)) e = Status{ErrorCode::BadArgument, "now is out of range"};
  Decision d;
  if (e.ok()) e = decide(m, view(rp, rl), t, Signals{gpc != 0}, &d);
  if (!e.ok()) return failWith(e);
  Out out;
  put(out, decimal(int32_t(d.action)));
  put(out, decimal(int32_t(d.reason)));
  put(out, decimal(int32_t(d.recordError)));
  put(out, d.deadlineMs < 0 ? Text() : decimal(d.deadlineMs));
  put(out, choicesText(d.effective));
  put(out, choicesText(d.prefill));
  // The categories asked about again because their consent document changed, '.'-joined.
  for (size_t i = 0; i < d.pending.size(); ++i) {
    if (i) out.put('.');
    out.put(d.pending[i]);
  }
  out.put('\n');
#ifdef KELISIM_NO_SERVICES
  put(out, "");
  put(out, "");
#else
  put(out, choicesText(d.services));
  put(out, choicesText(d.servicesPrefill));
#endif
  if (d.hasNewRecord) {
    put(out, encodeRecord(d.newRecord));
    putEntry(out, d.entry);
  }
  return out.finish(0);
}

/** apply(manifest fields, stored record, now ms, gpc, op, choices "id:1.id:0" (category and
 *  service ids), newId, prevHash) → fields: the encoded record, its 11 fields (putRecord), its
 *  history entry (8, putEntry). */
__attribute__((used)) int32_t kel_apply(KEL_MANIFEST_PARAMS, const char* rp, uint32_t rl, double now, int32_t gpc,
                                        int32_t op, const char* chp, uint32_t chl, const char* nip, uint32_t nil,
                                        const char* php, uint32_t phl) {
  Manifest m;
  Status e = parseManifest(&m, KEL_MANIFEST_ARGS);
  int64_t t = 0;
  ApplyInput in;
  if (e.ok() && !timeMs(now, &t)) e = Status{ErrorCode::BadArgument, "now is out of range"};
  if (e.ok() && (op < 0 || op > int32_t(Op::NoticeShown))) e = Status{ErrorCode::BadArgument, "unknown op"};
#ifdef KELISIM_NO_SERVICES
  constexpr bool kServices = false;
#else
  constexpr bool kServices = true;
#endif
  if (e.ok() && !parseChoices(view(chp, chl), &in.choices, kServices))
    e = Status{ErrorCode::BadArgument, "choices must be category or service ids with on/off values"};
  ApplyResult r;
  if (e.ok()) {
    in.op = Op(op);
    in.newId = view(nip, nil);
    in.prevHash = view(php, phl);
    e = apply(m, view(rp, rl), t, Signals{gpc != 0}, in, &r);
  }
  if (!e.ok()) return failWith(e);
  Out out;
  put(out, encodeRecord(r.record));
  putRecord(out, r.record);
  putEntry(out, r.entry);
  return out.finish(0);
}

/** Epoch ms of the implicit-acceptance deadline (see consent.h); NaN for out-of-range input. */
__attribute__((used)) double kel_deadline(double publishedAtMs, int32_t offsetMinutes, int32_t days) {
  int64_t t;
  if (!timeMs(publishedAtMs, &t) || offsetMinutes < -840 || offsetMinutes > 840 || days < 0 || days > 366)
    return __builtin_nan("");
  return double(deadline(t, offsetMinutes, days));
}

/** ISO 8601 instant → fields: epoch ms, offset minutes. */
__attribute__((used)) int32_t kel_parse_instant(const char* p, uint32_t n) {
  int64_t ms;
  int32_t off;
  if (!parseInstant(view(p, n), &ms, &off))
    return failWith(Status{ErrorCode::BadInput, "'\1' is not an ISO 8601 instant with an offset", view(p, n)});
  Out out;
  put(out, decimal(ms));
  put(out, decimal(off));
  return out.finish(0);
}

/** A stored history, oldest first, one entry per line (op~at~version~method~choices~services~
 *  prevHash~hash; verifyHistory) → one field: the index of the first entry whose form, hash or
 *  link does not hold, or -1 when all do. */
__attribute__((used)) int32_t kel_verify_history(const char* p, uint32_t n) {
  Out out;
  put(out, decimal(int64_t(verifyHistory(view(p, n)))));
  return out.finish(0);
}

// ===========================================================================
// Record codec
// ===========================================================================

/** Record fields, positionally: id, policy id, version, body hash (16 hex), given at (ms),
 *  method (index: 0 explicit, 1 implicit), choices "id:1.id:0", notice version, notice at
 *  (ms), history head, service marks ("" = none) → the encoded record text. */
__attribute__((used)) int32_t kel_encode_record(const char* ip, uint32_t il, const char* pp, uint32_t pl,
                                                const char* vp, uint32_t vl, const char* hp, uint32_t hl,
                                                double given, int32_t method, const char* cp, uint32_t cl,
                                                const char* np, uint32_t nl, double noticeAt, const char* hhp,
                                                uint32_t hhl, const char* smp, uint32_t sml) {
  Record r;
  r.method = Method(method);
  // A field too long for the record is out of range like any other that does not round-trip.
  bool ok = uint32_t(method) <= 1 && wholeMs(given, &r.givenAtMs) && wholeMs(noticeAt, &r.noticeAtMs) &&
            parseChoices(view(cp, cl), &r.choices) && r.id.assign(view(ip, il)) && r.policyId.assign(view(pp, pl)) &&
            r.version.assign(view(vp, vl)) && r.bodyHash16.assign(view(hp, hl)) &&
            r.noticeVersion.assign(view(np, nl)) && r.historyHead.assign(view(hhp, hhl)) &&
            (sml == 0 || parseMarks(view(smp, sml), &r.services));
  // Only values that decode back to the same record can be encoded. When the text decodes,
  // every string field comes back verbatim (a '~' inside one would add a field, and decoding
  // refuses that) and the choices were parsed from their own canonical form; only a time
  // can change, as base 36 writes a negative time as "0", and decoding refuses a time at or
  // past kMaxMs. So "decodes to r" is exactly "decodes, and both times lie in
  // [0, kMaxMs)" (checked by the 60,000-call differential run and fuzz_record).
  if (ok && r.givenAtMs >= 0 && r.noticeAtMs >= 0 && r.givenAtMs < kMaxMs && r.noticeAtMs < kMaxMs) {
    Text text = encodeRecord(r);
    if (decodeRecord(text).ok) {
      Out out;
      out.put(text);
      return out.finish(0);
    }
  }
  return failWith(Status{ErrorCode::BadArgument, "record has a field out of range or of the wrong form"});
}

/** Encoded text → the record's 11 fields (putRecord); status = the decode error code (and no
 *  text) when there is no record. */
__attribute__((used)) int32_t kel_decode_record(const char* p, uint32_t n) {
  DecodeResult d = decodeRecord(view(p, n));
  Out out;
  if (!d.ok) return out.finish(int32_t(d.error));
  putRecord(out, d.record);
  return out.finish(0);
}

}  // extern "C"
