// Per-service consent (issue 12): the manifest's services, the record's service marks and the
// rules that tie a service to its category. Pure and heap-free like the rest of the core
// (consent.h). Semantics (docs/services.md):
//   - a service is on only when its category is on and the visitor turned the service on
//     (a service of a required category is on with it);
//   - the record marks every service the visitor was asked about; a service without a mark
//     is off, and one in a category the visitor accepted makes decide() ask again (a new
//     recipient is a material change);
//   - implicit acceptance keeps the marks as they are: it never turns a service on.
// Built with KELISIM_NO_SERVICES (the page's banner module, kelisim-consent-banner.wasm, which
// must not grow for sites without services), the manifest side is left out: a manifest that
// declares services is refused there (the page then loads kelisim-consent.wasm), and every
// rule below reduces to what it does for a manifest without services. The record codec
// reads k1 records only there (a k2 record is about a policy with services).
#include "core/consent.h"
#include "core/sha256.h"

namespace kelisim {
namespace {

constexpr char kDigits32[] = "0123456789abcdefghijklmnopqrstuv";
constexpr size_t kHashDigits = 5;  // 25 bits

const ServiceMark* markOf(const ServiceMarks& marks, uint32_t hash) {
  for (const ServiceMark& k : marks)
    if (k.hash == hash) return &k;
  return nullptr;
}

Choice* choiceOf(Choices* cs, std::string_view id) {
  for (Choice& c : *cs)
    if (same(c.category, id)) return &c;
  return nullptr;
}

const CategorySpec* categoryOf(const Manifest& m, std::string_view id) {
  for (const CategorySpec& c : m.categories)
    if (same(c.id, id)) return &c;
  return nullptr;
}

}  // namespace

#ifdef KELISIM_NO_SERVICES
// ---- The banner module: no manifest services (see the file comment) ------------------------

Status validateServices(const Manifest& m) {
  if (m.services.empty()) return Status();
  return Status{ErrorCode::ManifestInvalid,
                "manifest: this consent module has no per-service consent; load kelisim-consent.wasm", {}};
}
void serviceStates(const Manifest&, const Choices&, const ServiceMarks*, ServiceChoices* out) { out->clear(); }
bool unaskedService(const Manifest&, const Choices&, const ServiceMarks&) { return false; }
void keepMarks(const Manifest&, const ServiceMarks&, ServiceMarks* out) { out->clear(); }
void markAll(const Manifest&, bool, const ServiceMarks*, ServiceMarks* out) { out->clear(); }
void appendMarks(Text&, const ServiceMarks&) {}
bool parseMarks(std::string_view, ServiceMarks* out) {
  out->clear();
  return false;
}
Status setChoices(const Manifest& m, const Choices& changes, Choices* cats, ServiceMarks*) {
  for (const Choice& c : changes) {
    const CategorySpec* spec = categoryOf(m, c.category);
    if (!spec) return Status{ErrorCode::UnknownCategory, "unknown category '\1'", c.category};
    if (spec->required && !c.on)
      return Status{ErrorCode::RequiredCategory, "category '\1' is required and cannot be turned off", c.category};
    choiceOf(cats, c.category)->on = c.on;
  }
  return Status();
}

#else
// ---- Every other build: per-service consent --------------------------------------------------
namespace {

const ServiceSpec* serviceOf(const Manifest& m, std::string_view id) {
  for (const ServiceSpec& s : m.services)
    if (same(s.id, id)) return &s;
  return nullptr;
}

bool required(const Manifest& m, const ServiceSpec& s) {
  const CategorySpec* c = categoryOf(m, s.category);
  return c && c->required;
}

// Sets the mark of s in marks (adding it when missing).
void setMark(ServiceMarks* marks, std::string_view id, bool on) {
  uint32_t h = serviceHash(id);
  for (ServiceMark& k : *marks)
    if (k.hash == h) {
      k.on = on;
      return;
    }
  marks->push_back({h, on});
}

Status badService(const char* text, std::string_view id) { return Status{ErrorCode::ManifestInvalid, text, id}; }

}  // namespace

uint32_t serviceHash(std::string_view id) {
  Sha256 h;
  h.update(id);
  auto d = h.digest();
  return (uint32_t(d[0]) << 17) | (uint32_t(d[1]) << 9) | (uint32_t(d[2]) << 1) | (d[3] >> 7);
}

Status validateServices(const Manifest& m) {
  if (m.services.size() > kMaxServices) return badService("manifest: services must list at most 32 services", {});
  uint32_t hashes[kMaxServices];
  for (size_t i = 0; i < m.services.size(); ++i) {
    const ServiceSpec& s = m.services[i];
    if (!validServiceId(s.id)) return badService("manifest: service id '\1' must match [a-z][a-z0-9-]{0,31}", s.id);
    if (!categoryOf(m, s.category)) return badService("manifest: service '\1' names a category the manifest does not list", s.id);
    if (categoryOf(m, s.id)) return badService("manifest: service '\1' has the id of a category", s.id);
    hashes[i] = serviceHash(s.id);
    for (size_t j = 0; j < i; ++j) {
      if (same(m.services[j].id, s.id)) return badService("manifest: service '\1' is listed twice", s.id);
      if (hashes[j] == hashes[i])
        return badService("manifest: service '\1' has the same record hash as an earlier service: rename one", s.id);
    }
  }
  return Status();
}

void serviceStates(const Manifest& m, const Choices& cats, const ServiceMarks* marks, ServiceChoices* out) {
  out->clear();
  for (const ServiceSpec& s : m.services) {
    const Choice* c = nullptr;
    for (const Choice& x : cats)
      if (same(x.category, s.category)) c = &x;
    const ServiceMark* k = marks ? markOf(*marks, serviceHash(s.id)) : nullptr;
    out->push_back({s.id, c && c->on && (required(m, s) || (k && k->on)), {}});
  }
}

bool unaskedService(const Manifest& m, const Choices& cats, const ServiceMarks& marks) {
  for (const ServiceSpec& s : m.services) {
    if (required(m, s) || markOf(marks, serviceHash(s.id))) continue;
    for (const Choice& c : cats)
      if (c.on && same(c.category, s.category)) return true;
  }
  return false;
}

void keepMarks(const Manifest& m, const ServiceMarks& from, ServiceMarks* out) {
  out->clear();
  for (const ServiceSpec& s : m.services)
    if (const ServiceMark* k = markOf(from, serviceHash(s.id))) out->push_back(*k);
}

void markAll(const Manifest& m, bool allOn, const ServiceMarks* from, ServiceMarks* out) {
  out->clear();
  for (const ServiceSpec& s : m.services) {
    uint32_t h = serviceHash(s.id);
    const ServiceMark* k = from ? markOf(*from, h) : nullptr;
    out->push_back({h, allOn || required(m, s) || (k && k->on)});
  }
}

Status setChoices(const Manifest& m, const Choices& changes, Choices* cats, ServiceMarks* marks) {
  // Categories first: each sets itself and all of its services.
  for (const Choice& c : changes) {
    const CategorySpec* spec = categoryOf(m, c.category);
    if (!spec) continue;
    if (spec->required && !c.on)
      return Status{ErrorCode::RequiredCategory, "category '\1' is required and cannot be turned off", c.category};
    choiceOf(cats, c.category)->on = c.on;
    for (const ServiceSpec& s : m.services)
      if (same(s.category, c.category)) setMark(marks, s.id, c.on || spec->required);
  }
  // Then services: each sets itself; on turns its category on.
  for (const Choice& c : changes) {
    if (categoryOf(m, c.category)) continue;
    const ServiceSpec* s = serviceOf(m, c.category);
    if (!s) {
      if (m.services.empty()) return Status{ErrorCode::UnknownCategory, "unknown category '\1'", c.category};
      return Status{ErrorCode::UnknownService, "unknown category or service '\1'", c.category};
    }
    if (required(m, *s) && !c.on)
      return Status{ErrorCode::RequiredCategory, "service '\1' belongs to a required category and cannot be turned off",
                    c.category};
    setMark(marks, s->id, c.on);
    if (c.on) choiceOf(cats, s->category)->on = true;
  }
  return Status();
}

// ---- The record's marks ----------------------------------------------------------------------

void appendMarks(Text& out, const ServiceMarks& marks) {
  for (const ServiceMark& k : marks) {
    for (size_t i = kHashDigits; i-- > 0;) out += kDigits32[(k.hash >> (5 * i)) & 31];
    out += k.on ? '1' : '0';
  }
}

bool parseMarks(std::string_view text, ServiceMarks* out) {
  out->clear();
  if (text.empty() || text.size() % (kHashDigits + 1)) return false;
  for (size_t p = 0; p < text.size(); p += kHashDigits + 1) {
    uint32_t h = 0;
    for (size_t i = 0; i < kHashDigits; ++i) {
      char c = text[p + i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'v' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      h = h << 5 | uint32_t(d);
    }
    char f = text[p + kHashDigits];
    if ((f != '0' && f != '1') || markOf(*out, h) || !out->push_back({h, f == '1'})) return false;
  }
  return true;
}

#endif  // KELISIM_NO_SERVICES

}  // namespace kelisim
