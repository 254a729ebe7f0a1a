// Build: header fields -> manifest, body -> canonical body.json + SHA-256, version chain ->
// change summaries and index.json. Header keys: policies/README.md.
#include "policy/build.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "policy/body.h"
#include "policy/diff.h"
#include "policy/history.h"
#include "policy/import.h"
#include "policy/lint.h"
#include "policy/text.h"
#include "policy/translate.h"

namespace kelisim::policy {
namespace {

using json = nlohmann::json;
using sv = std::string_view;

kelisim::Error bad(const std::string& file, const std::string& what) { return {ErrorCode::BadInput, file + ": " + what}; }

bool digitC(char c) { return c >= '0' && c <= '9'; }
bool lowerAlnum(char c) { return digitC(c) || (c >= 'a' && c <= 'z'); }
bool validId(sv s) {
  if (s.empty() || s.size() > 64 || !lowerAlnum(s[0])) return false;
  for (char c : s)
    if (!lowerAlnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}
bool validVersion(sv s) {
  if (s.empty() || s.size() > 32 || !(lowerAlnum(s[0]) || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s)
    if (!lowerAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '.' && c != '_' && c != '-') return false;
  return true;
}
bool validCategoryId(sv s) {
  if (s.empty() || s.size() > 32 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s)
    if (!lowerAlnum(c) && c != '_') return false;
  return true;
}
/** Comma-separated list, trimmed, empty parts dropped. */
std::vector<std::string> splitList(sv s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(',', b);
    if (e == sv::npos) e = s.size();
    sv part = trim(s.substr(b, e - b));
    if (!part.empty()) out.emplace_back(part);
    b = e + 1;
  }
  return out;
}
json nullable(const std::string* v) {
  if (!v || v->empty() || *v == "unknown") return nullptr;
  return *v;
}

/** One language of a version: a source `<version>.md` or `<version>.<lang>.md`. */
struct LangSource {
  std::string file, lang;
  const std::string* text = nullptr;  // the source as given
  ParsedSource src;
  std::string hash;                   // sha256 of its canonical body
};

struct Version {
  std::string file;                // the primary language's source (it carries the header)
  std::string id, version;
  json manifest;
  json texts;  // <version>/texts.json: what the visitor reads beyond the first layer
  std::vector<std::string> optionalCats;
  std::vector<LangSource> langs;   // every language, primary first (single-file form: one)
  Body body;                       // the primary body, parsed (diffs)
  /** The primary language's parsed source. */
  const ParsedSource& src() const { return langs[0].src; }
};

/** Language order of a version's outputs after the primary: ru, kk, en. */
int langRank(const std::string& l) { return l == "ru" ? 0 : l == "kk" ? 1 : l == "en" ? 2 : 3; }

/** The catalogue entry of service `id` in the services catalogue (services/catalogue.json,
 *  docs/services.md), or null. */
const json* catalogueEntry(const json& catalogue, const std::string& id) {
  if (!catalogue.is_object() || !catalogue.contains("services") || !catalogue["services"].is_array()) return nullptr;
  for (const json& x : catalogue["services"])
    if (x.is_object() && x.contains("id") && x["id"] == id) return &x;
  return nullptr;
}

/** The strings of a JSON array (others dropped); [] for anything else. */
json stringList(const json* a) {
  json out = json::array();
  if (a && a->is_array())
    for (const json& x : *a)
      if (x.is_string()) out.push_back(x);
  return out;
}

/** Issue 12: `category.<id>.services: a, b` → the manifest's `services` ([{id, category,
 *  cookies}], header order) and texts.json's `services` ({id: {name, vendor, country,
 *  privacyPolicy, embeds}}), each looked up in the catalogue, or declared by the site itself
 *  with `service.<id>.name.ru|kk|en` (+ `.country`, `.privacyPolicy`, `.cookies`, `.hosts`).
 *  Errors name the header field and the service. */
kelisim::Error readServices(const ParsedSource& s, const std::string& f, const json& cats, const json& catalogue,
                            json* m, json* tx) {
  json list = json::array(), texts = json::object();
  for (const json& c : cats) {
    const std::string cid = c["id"];
    const std::string key = "category." + cid + ".services";
    const std::string* val = s.field(key);
    if (!val) continue;
    for (const std::string& id : splitList(*val)) {
      if (!kelisim::validServiceId(id)) return bad(f, key + ": service id `" + id + "` must match [a-z][a-z0-9-]{0,31}");
      for (const json& x : list)
        if (x["id"] == id) return bad(f, key + ": service `" + id + "` is declared twice");
      for (const json& x : cats)
        if (x["id"] == id) return bad(f, key + ": service `" + id + "` has the id of a category");
      const std::string own = "service." + id + ".";
      const std::string* ru = s.field(own + "name.ru");
      const json* cat = catalogueEntry(catalogue, id);
      json entry = json::object(), text = json::object();
      if (ru) {  // the site's own service
        json name = json::object();
        for (sv lg : {"ru", "kk", "en"}) {
          const std::string* n = s.field(own + "name." + std::string(lg));
          name[std::string(lg)] = n ? *n : *ru;
        }
        text["name"] = name;
        for (const char* k : {"country", "privacyPolicy"})
          if (const std::string* x = s.field(own + k)) text[k] = *x;
        json cookies = json::array();
        if (const std::string* x = s.field(own + "cookies")) cookies = splitList(*x);
        entry["cookies"] = cookies;
        if (const std::string* x = s.field(own + "hosts")) text["hosts"] = splitList(*x);
      } else if (cat) {
        for (const char* k : {"name", "vendor", "country", "privacyPolicy"})
          if (cat->contains(k)) text[k] = (*cat)[k];
        if (cat->contains("embeds") && (*cat)["embeds"].is_array() && !(*cat)["embeds"].empty()) text["embeds"] = (*cat)["embeds"];
        entry["cookies"] = stringList(cat->contains("cookies") ? &(*cat)["cookies"] : nullptr);
      } else {
        return bad(f, key + ": unknown service `" + id +
                          "`: it is not in the services catalogue (--services <file>); declare the site's own service "
                          "with `service." + id + ".name.ru: …`");
      }
      json spec = json::object();
      spec["id"] = id;
      spec["category"] = cid;
      spec["cookies"] = entry["cookies"];
      list.push_back(std::move(spec));
      texts[id] = std::move(text);
    }
  }
  if (list.size() > kelisim::kMaxServices) return bad(f, "declare at most 32 services (`category.<id>.services`)");
  if (list.empty()) return {};
  // The record names a service by a 25-bit hash of its id: two alike cannot be told apart.
  for (size_t i = 0; i < list.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (kelisim::serviceHash(list[i]["id"].get<std::string>()) == kelisim::serviceHash(list[j]["id"].get<std::string>()))
        return bad(f, "services `" + list[j]["id"].get<std::string>() + "` and `" + list[i]["id"].get<std::string>() +
                          "` have the same record hash: rename one");
  (*m)["services"] = std::move(list);
  (*tx)["services"] = std::move(texts);
  return {};
}

/** Sets v.id and v.version from the primary source's header and checks them against its file
 *  name (<version>.md or <version>.<lang>.md) and folder (<id>/). */
kelisim::Error readNames(Version& v) {
  const ParsedSource& s = v.src();
  const std::string& f = v.file;
  const std::string* id = s.field("id");
  const std::string* ver = s.field("version");
  if (!id || !validId(*id)) return bad(f, "header field `id` must match [a-z0-9][a-z0-9._-]{0,63}");
  if (!ver || !validVersion(*ver)) return bad(f, "header field `version` must match [A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  v.id = *id;
  v.version = *ver;
  size_t slash = f.find_last_of('/'), dot = f.rfind('.');
  std::string stem = f.substr(slash == std::string::npos ? 0 : slash + 1);
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) stem = stem.substr(0, stem.rfind('.'));
  std::string fl = fileLang(f);
  if (stem != v.version && (fl.empty() || stem != v.version + "." + fl))
    return bad(f, "file name must be <version>.md or <version>.<lang>.md (header version is `" + v.version + "`)");
  if (slash != std::string::npos) {
    std::string dir = f.substr(0, slash);
    dir = dir.substr(dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/') + 1);
    if (dir != v.id) return bad(f, "folder name `" + dir + "` differs from header id `" + v.id + "`");
  }
  const std::string* kind = s.field("kind");
  bool consent = v.file.find("/consent/") != std::string::npos;
  if (consent && (!kind || *kind != "consent"))
    return bad(f, "a consent document (under consent/<doc-id>/) must say `kind: consent` in its header");
  if (!consent && kind) return bad(f, "`kind: " + *kind + "` belongs in consent/<doc-id>/, not among the policy's versions");
  return {};
}

/** The manifest dates of source s: publishedAt (required; ISO 8601 with an offset or `unknown`),
 *  effectiveAt (default publishedAt) and dateSource. */
kelisim::Error readDates(const ParsedSource& s, const std::string& f, json& m) {
  const std::string* pub = s.field("publishedAt");
  if (!pub) return bad(f, "header field `publishedAt` is missing (write `publishedAt: unknown` when the text states no date)");
  if (*pub != "unknown" && !isIsoInstant(*pub))
    return bad(f, "header field `publishedAt` must be ISO 8601 with an offset, e.g. 2025-06-10T12:00:00+05:00, or `unknown`");
  m["publishedAt"] = nullable(pub);
  const std::string* eff = s.field("effectiveAt");
  if (eff && *eff != "unknown" && !isIsoInstant(*eff)) return bad(f, "header field `effectiveAt` must be ISO 8601 with an offset");
  m["effectiveAt"] = eff ? nullable(eff) : m["publishedAt"];
  if (const std::string* ds = s.field("dateSource")) m["dateSource"] = *ds;
  return {};
}

/** `demo: true|false` and `note` of source s into m. */
kelisim::Error readDemo(const ParsedSource& s, const std::string& f, json& m) {
  if (const std::string* demo = s.field("demo")) {
    if (*demo != "true" && *demo != "false") return bad(f, "header field `demo` must be true or false");
    m["demo"] = *demo == "true";
  }
  if (const std::string* note = s.field("note")) m["note"] = *note;
  return {};
}

kelisim::Error readManifest(Version& v, const json& catalogue) {
  const ParsedSource& s = v.src();
  const std::string& f = v.file;
  auto field = [&](sv k) { return s.field(k); };
  kelisim::Error ne = readNames(v);
  if (!ne.ok()) return ne;
  // Format 2: the manifest carries what the consent decision needs and the controller's
  // identity; the texts a visitor reads after the first layer (the policy title, category
  // titles and descriptions in ru/kk/en) are in texts.json, which the banner never waits for.
  json m = json::object();
  json tx = json::object();
  m["format"] = 2;
  m["id"] = v.id;
  m["version"] = v.version;
  for (const char* k : {"format", "id", "version"}) tx[k] = m[k];
  const std::string* title = field("title");
  tx["title"] = title ? *title : s.title;
  tx["categories"] = json::object();
  m["lang"] = v.langs.empty() ? "ru" : v.langs[0].lang;
  for (sv k : {"controller", "contact", "policyUrl", "jurisdiction"}) m[std::string(k)] = nullable(field(k));
  kelisim::Error de = readDates(s, f, m);
  if (!de.ok()) return de;

  // updateRule: "implicit 7" | "implicit" | "explicit"
  const std::string* rule = field("updateRule");
  std::string r = rule ? *rule : "implicit 7";
  if (r == "explicit") {
    m["updateRule"]["type"] = "explicit";
  } else if (r.compare(0, 8, "implicit") == 0) {
    sv days = trim(sv(r).substr(8));
    int n = 7;
    if (!days.empty()) {
      n = 0;
      for (char c : days) {
        if (!digitC(c) || n > 366) return bad(f, "header field `updateRule` must be `implicit <days>` or `explicit`");
        n = n * 10 + (c - '0');
      }
      if (n > 366) return bad(f, "updateRule days must be 0..366");
    }
    m["updateRule"]["type"] = "implicit";
    m["updateRule"]["days"] = n;
  } else {
    return bad(f, "header field `updateRule` must be `implicit <days>` or `explicit`");
  }
  const std::string* mat = field("material");
  if (mat && *mat != "true" && *mat != "false") return bad(f, "header field `material` must be true or false");
  m["material"] = mat && *mat == "true";

  // maxAgeDays: "accepted 365, rejected 182"
  json age = json::object();
  age["accepted"] = 365;
  age["rejected"] = 182;
  if (const std::string* a = field("maxAgeDays")) {
    for (auto& part : splitList(*a)) {
      size_t sp = part.find(' ');
      std::string key = part.substr(0, sp);
      int n = 0;
      std::string num = sp == std::string::npos ? "" : std::string(trim(sv(part).substr(sp)));
      for (char c : num) n = digitC(c) && n < 100000 ? n * 10 + (c - '0') : -1;
      if ((key != "accepted" && key != "rejected") || num.empty() || n < 1 || n > 3660)
        return bad(f, "header field `maxAgeDays` must look like `accepted 365, rejected 182` (1..3660 days)");
      age[key] = n;
    }
  }
  m["maxAgeDays"] = age;

  // Categories, in order of their `category.<id>:` lines.
  json cats = json::array();
  for (auto& h : s.header) {
    if (h.key.compare(0, 9, "category.") != 0 || h.key.find('.', 9) != std::string::npos) continue;
    std::string cid = h.key.substr(9);
    if (!validCategoryId(cid)) return bad(f, "category id `" + cid + "` must match [a-z][a-z0-9_]{0,31}");
    for (auto& c : cats)
      if (c["id"] == cid) return bad(f, "category `" + cid + "` is declared twice");
    bool required = false, optional = false, gpcOff = false;
    for (auto& w : splitList(h.value)) {
      if (w == "required") required = true;
      else if (w == "optional") optional = true;
      else if (w == "gpc-off") gpcOff = true;
      else return bad(f, "category." + cid + ": unknown flag `" + w + "` (required | optional, gpc-off)");
    }
    if (required == optional) return bad(f, "category." + cid + " must be either `required` or `optional`");
    json c = json::object();
    c["id"] = cid;
    c["required"] = required;
    c["gpcOff"] = gpcOff;
    json& ct = tx["categories"][cid];
    for (sv part : {"title", "description"}) {
      json t = json::object();
      for (sv lg : {"ru", "kk", "en"}) {
        const std::string* val = field("category." + cid + "." + std::string(part) + "." + std::string(lg));
        if (!val && part == "title") return bad(f, "category." + cid + ".title." + std::string(lg) + " is missing");
        t[std::string(lg)] = val ? *val : "";
      }
      ct[std::string(part)] = t;
    }
    if (const std::string* cl = field("category." + cid + ".clauses")) c["clauses"] = splitList(*cl);
    if (!required) v.optionalCats.push_back(cid);
    cats.push_back(std::move(c));
  }
  if (cats.empty() || cats.size() > 32) return bad(f, "declare 1..32 consent categories (`category.<id>: required|optional`)");
  {
    kelisim::Error e = readServices(s, f, cats, catalogue, &m, &tx);
    if (!e.ok()) return e;
  }
  m["categories"] = std::move(cats);
  kelisim::Error me = readDemo(s, f, m);
  if (!me.ok()) return me;
  m["bodyHash"] = sha256_hex(s.bodyJson);
  v.manifest = std::move(m);
  v.texts = std::move(tx);
  return {};
}

/** Change summary of `cur` against `prev`: the viewer's own diff (diffBodies: clauses aligned
 *  by number and text similarity), so the banner's "what changed" and the viewer agree. When
 *  either version has several languages, also "translations": {added, changed, removed}
 *  (languages other than the primary whose body is new, different or gone) and
 *  "translationOnly": true when the primary text is the same and only translations differ. */
json changes(const Version& prev, const Version& cur, const DiffResult& d) {
  json o = json::object();
  o["added"] = d.added;
  o["removed"] = d.removed;
  o["changed"] = d.changed;
  o["moved"] = d.moved;
  if (prev.langs.size() < 2 && cur.langs.size() < 2) return o;
  json tr = json::object();
  for (const char* k : {"added", "changed", "removed"}) tr[k] = json::array();
  auto find = [](const Version& v, const std::string& lang) -> const LangSource* {
    for (auto& l : v.langs)
      if (l.lang == lang) return &l;
    return nullptr;
  };
  for (size_t k = 1; k < cur.langs.size(); ++k) {
    const LangSource* p = find(prev, cur.langs[k].lang);
    if (!p) tr["added"].push_back(cur.langs[k].lang);
    else if (p->hash != cur.langs[k].hash) tr["changed"].push_back(cur.langs[k].lang);
  }
  for (auto& l : prev.langs)
    if (!find(cur, l.lang)) tr["removed"].push_back(l.lang);
  bool any = !tr["added"].empty() || !tr["changed"].empty() || !tr["removed"].empty();
  // The primary text the same as far as the diff sees (line numbers in the body may differ
  // when only the header grew): only the translations changed.
  o["translationOnly"] = any && d.added.empty() && d.removed.empty() && d.changed.empty() && d.moved.empty() &&
                         d.unnumberedChanged == 0;
  o["translations"] = std::move(tr);
  return o;
}

/** The feed's plain-text change summary of a version's "changes" (and material/note). */
std::string summaryText(const json& m, const std::string& lang) {
  if (!m.contains("changes") || m["changes"].is_null()) return "";
  const json& c = m["changes"];
  // 0-3 clause lists, 4 translation-only lead, 5-7 first translation list, 8 material,
  // 9 nothing changed, 10-12 later translation lists.
  static const char* const kRu[] = {"Добавлены пункты: ", "Изменены: ", "Удалены: ", "Перенесены: ",
                                    "Изменились только переводы. ", "Добавлены переводы: ", "Изменены переводы: ",
                                    "Удалены переводы: ", "Существенное изменение: согласие запрашивается заново.",
                                    "Текст без изменений пунктов.", "; изменены: ", "; удалены: "};
  static const char* const kKk[] = {"Қосылған тармақтар: ", "Өзгерген: ", "Алынып тасталған: ", "Орны ауысқан: ",
                                    "Тек аудармалар өзгерді. ", "Қосылған аудармалар: ", "Өзгерген аудармалар: ",
                                    "Алынып тасталған аудармалар: ", "Елеулі өзгеріс: келісім қайта сұралады.",
                                    "Тармақтарда өзгеріс жоқ.", "; өзгергені: ", "; алынғаны: "};
  static const char* const kEn[] = {"Added clauses: ", "Changed: ", "Removed: ", "Moved: ", "Only translations changed. ",
                                    "Translations added: ", "Translations changed: ", "Translations removed: ",
                                    "Material change: consent is asked again.", "No clause changed.", "; changed: ",
                                    "; removed: "};
  const char* const* w = lang == "ru" ? kRu : lang == "kk" ? kKk : kEn;
  auto list = [](const json& a) {
    std::string s;
    for (auto& x : a) s += (s.empty() ? "" : ", ") + x.get<std::string>();
    return s.empty() ? std::string("-") : s;
  };
  std::string out;
  int k = 0;
  for (const char* key : {"added", "changed", "removed", "moved"}) {
    if (!c[key].empty()) out += (out.empty() ? "" : " ") + std::string(w[k]) + list(c[key]) + ".";
    ++k;
  }
  if (c.contains("translations")) {
    const json& t = c["translations"];
    std::string tr;
    int q = 5;
    for (const char* key : {"added", "changed", "removed"}) {
      if (!t[key].empty()) tr += std::string(tr.empty() ? w[q] : w[q + 4]) + list(t[key]);
      ++q;
    }
    if (!tr.empty()) out += (out.empty() ? "" : " ") + (c["translationOnly"].get<bool>() ? std::string(w[4]) : std::string()) + tr + ".";
  }
  if (out.empty()) out = w[9];
  if (c.contains("servicesAdded"))
    out += std::string(lang == "ru" ? " Новые сервисы: " : lang == "kk" ? " Жаңа сервистер: " : " New services: ") +
           list(c["servicesAdded"]) + ".";
  if (m["material"].get<bool>()) out += std::string(" ") + w[8];
  if (m.contains("note")) out += " " + m["note"].get<std::string>();
  return out;
}

/** index.json is indented by 2; what pages fetch (manifest.json, texts.json) is not (-1). */
std::string dumped(const json& j, int indent) { return j.dump(indent) + "\n"; }

}  // namespace

int compareVersions(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    size_t ie = a.find_first_of(".-_", i), je = b.find_first_of(".-_", j);
    if (ie == sv::npos) ie = a.size();
    if (je == sv::npos) je = b.size();
    sv pa = i < a.size() ? a.substr(i, ie - i) : sv(), pb = j < b.size() ? b.substr(j, je - j) : sv();
    bool na = !pa.empty() && std::all_of(pa.begin(), pa.end(), digitC);
    bool nb = !pb.empty() && std::all_of(pb.begin(), pb.end(), digitC);
    if (na && nb) {
      while (pa.size() > 1 && pa[0] == '0') pa.remove_prefix(1);
      while (pb.size() > 1 && pb[0] == '0') pb.remove_prefix(1);
      if (pa.size() != pb.size()) return pa.size() < pb.size() ? -1 : 1;
    }
    if (pa != pb) return pa < pb ? -1 : 1;
    i = ie + 1;
    j = je + 1;
  }
  return 0;
}

namespace {

/** Parses every source and groups them into versions (one per `version`, its languages in
 *  `langs`, the primary first: the source whose header has publishedAt). */
kelisim::Error groupSources(const FileList& sources, std::vector<Version>* vs) {
  std::vector<LangSource> all(sources.size());
  for (size_t k = 0; k < all.size(); ++k) {
    LangSource& l = all[k];
    l.file = sources[k].first;
    l.text = &sources[k].second;
    kelisim::Error e = parseSource(*l.text, &l.src);
    if (!e.ok()) return bad(l.file, e.message);
    l.hash = sha256_hex(l.src.bodyJson);
    const std::string* hl = l.src.field("lang");
    l.lang = fileLang(l.file);
    if (!l.lang.empty() && hl && *hl != l.lang)
      return bad(l.file, "header field `lang` is `" + *hl + "` but the file name says `" + l.lang + "`");
    if (l.lang.empty()) l.lang = hl ? *hl : "ru";
    const std::string* id = l.src.field("id");
    if (!id || !validId(*id)) return bad(l.file, "header field `id` must match [a-z0-9][a-z0-9._-]{0,63}");
    const std::string* ver = l.src.field("version");
    if (!ver || !validVersion(*ver)) return bad(l.file, "header field `version` must match [A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  }
  for (auto& l : all) {
    const std::string& ver = *l.src.field("version");
    Version* v = nullptr;
    for (auto& x : *vs)
      if (x.version == ver) v = &x;
    if (!v) {
      vs->emplace_back();
      v = &vs->back();
      v->version = ver;
    }
    for (auto& o : v->langs)
      if (o.lang == l.lang) return bad(l.file, "version `" + ver + "` has two `" + l.lang + "` sources: also in " + o.file);
    v->langs.push_back(std::move(l));
  }
  for (auto& v : *vs) {
    // Primary: the source with publishedAt; among several, the first by language order.
    size_t primary = 0;
    int best = 99;
    for (size_t k = 0; k < v.langs.size(); ++k) {
      int rank = (v.langs[k].src.field("publishedAt") ? 0 : 10) + langRank(v.langs[k].lang);
      if (rank < best) best = rank, primary = k;
    }
    std::swap(v.langs[0], v.langs[primary]);
    for (size_t a = 2; a < v.langs.size(); ++a)  // at most a few languages: insertion sort, stable
      for (size_t b = a; b > 1 && langRank(v.langs[b - 1].lang) > langRank(v.langs[b].lang); --b) std::swap(v.langs[b - 1], v.langs[b]);
    v.file = v.langs[0].file;
    for (size_t k = 1; k < v.langs.size(); ++k) {
      const std::string* id = v.langs[k].src.field("id");
      const std::string* pid = v.src().field("id");
      if (!id || !pid || *id != *pid)
        return bad(v.langs[k].file, "header field `id` must equal the one in " + v.file);
    }
    if (v.langs.size() > 1) {
      // One clause tree: the translations must align with the primary (translation lint).
      std::vector<std::pair<std::string, std::string>> files;
      for (auto& l : v.langs) files.emplace_back(l.file, *l.text);
      std::vector<Finding> findings;
      kelisim::Error e = lintTranslations(files, &findings);
      if (!e.ok()) return {ErrorCode::BadInput, e.message};
      for (auto& f : findings)
        if (f.severity == "error")
          return bad(f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.col),
                     f.messageEn + " [" + f.code + "]; the languages of a version must align clause by clause");
    }
  }
  return {};
}

/** SHA-256 over the language body hashes of a version, sorted by language code: the lines
 *  "<lang> <bodyHash>\n" after the line "kelisim version hash 1\n" (docs/body-format.md). */
std::string versionHash(const Version& v) {
  std::vector<std::string> lines;
  for (auto& l : v.langs) lines.push_back(l.lang + " " + l.hash + "\n");
  std::sort(lines.begin(), lines.end());
  std::string msg = "kelisim version hash 1\n";
  for (auto& x : lines) msg += x;
  return sha256_hex(msg);
}

// ---- Consent documents (policies/README.md "Consent documents") --------------------------
// RU 152-FZ art. 9(1) as amended by 156-FZ (in force 2025-09-01): consent is given separately
// from other information and documents; art. 9(4): what a written consent states. A consent
// document is versioned and hashed like a policy version and linked from the category it covers.

/** One consent document: its versions, oldest first, and what it covers. */
struct ConsentDoc {
  std::string id;            // the folder name consent/<id>/ and the header's id
  std::string covers;        // "category" or "service"
  std::string target;        // the category (or service) id
  std::vector<Version> versions;
};

/** "<policy>/consent/<doc>/<file>" → doc; false for a policy version's path. */
bool consentDocOf(const std::string& path, std::string* doc) {
  size_t at = path.find("/consent/");
  if (at == std::string::npos) return false;
  size_t b = at + 9, e = path.find('/', b);
  *doc = e == std::string::npos ? std::string() : path.substr(b, e - b);
  return true;
}

/** The manifest (kind "consent") and texts of one version of a consent document: what the
 *  header must say (purpose, the category or service covered, operator, term) and optional
 *  `data`, `contact`, `title`, dates and demo marks. Errors name the file and the field. */
kelisim::Error readConsentManifest(Version& v, const std::string& policyId, ConsentDoc* doc) {
  kelisim::Error e = readNames(v);
  if (!e.ok()) return e;
  const ParsedSource& s = v.src();
  const std::string& f = v.file;
  auto given = [&](sv k) {
    const std::string* x = s.field(k);
    return x && !x->empty() && *x != "unknown" ? x : nullptr;
  };
  if (const std::string* p = s.field("policy"))
    if (*p != policyId) return bad(f, "header field `policy` is `" + *p + "` but the document is in policy `" + policyId + "`");
  const std::string* cat = given("category");
  const std::string* svc = given("service");
  if (!cat == !svc) return bad(f, "a consent document covers exactly one `category: <id>` or `service: <id>` (header)");
  std::string covers = cat ? "category" : "service", target = cat ? *cat : *svc;
  if (!validCategoryId(target)) return bad(f, "header field `" + covers + "` must match [a-z][a-z0-9_]{0,31}");
  if (!doc->covers.empty() && (doc->covers != covers || doc->target != target))
    return bad(f, "every version of consent document `" + v.id + "` must cover the same " + doc->covers + " `" + doc->target + "`");
  doc->covers = covers;
  doc->target = target;
  json m = json::object();
  m["format"] = 2;
  m["kind"] = "consent";
  m["id"] = v.id;
  m["version"] = v.version;
  m["policy"] = policyId;
  m[covers] = target;
  m["lang"] = v.langs[0].lang;
  // RU 152-FZ art. 9(4) items 3, 4, 8 (operator, purpose, term); the text itself is linted for
  // all five elements (lint.cpp, checkConsentDocument).
  for (const char* k : {"purpose", "operator", "term"}) {
    const std::string* x = given(k);
    if (!x) return bad(f, std::string("header field `") + k + "` is missing: a consent document states its " + k +
                              " (RU 152-FZ art. 9(4); KZ Law 94-V art. 8)");
    m[k] = *x;
  }
  m["controller"] = m["operator"];  // what the viewer shows as the controller
  if (const std::string* d = given("data")) m["data"] = *d;
  if (const std::string* c = given("contact")) m["contact"] = *c;
  e = readDates(s, f, m);
  if (!e.ok()) return e;
  e = readDemo(s, f, m);
  if (!e.ok()) return e;
  m["bodyHash"] = sha256_hex(s.bodyJson);
  m["hash"] = versionHash(v);
  json tx = json::object();
  for (const char* k : {"format", "id", "version"}) tx[k] = m[k];
  const std::string* title = s.field("title");
  tx["title"] = title ? *title : s.title;
  tx["categories"] = json::object();
  tx["versionHash"] = m["hash"];
  v.manifest = std::move(m);
  v.texts = std::move(tx);
  return {};
}

/** Groups the consent document sources (paths "<policy>/consent/<doc>/<file>") into documents,
 *  each with its versions read and ordered. */
kelisim::Error readConsentDocs(const FileList& sources, const std::string& policyId, std::vector<ConsentDoc>* docs) {
  std::vector<std::pair<std::string, FileList>> byDoc;
  for (auto& src : sources) {
    std::string doc;
    consentDocOf(src.first, &doc);
    if (!validId(doc)) return bad(src.first, "consent documents live in consent/<doc-id>/<version>.<lang>.md");
    auto it = std::find_if(byDoc.begin(), byDoc.end(), [&](auto& d) { return d.first == doc; });
    if (it == byDoc.end()) it = byDoc.insert(byDoc.end(), {doc, {}});
    it->second.push_back(src);
  }
  for (auto& [id, files] : byDoc) {
    ConsentDoc d;
    d.id = id;
    kelisim::Error e = groupSources(files, &d.versions);
    if (!e.ok()) return e;
    for (auto& v : d.versions) {
      e = readConsentManifest(v, policyId, &d);
      if (!e.ok()) return e;
    }
    for (size_t a = 1; a < d.versions.size(); ++a)
      for (size_t b = a; b > 0 && compareVersions(d.versions[b - 1].version, d.versions[b].version) > 0; --b)
        std::swap(d.versions[b - 1], d.versions[b]);
    for (size_t k = 1; k < d.versions.size(); ++k)
      if (compareVersions(d.versions[k].version, d.versions[k - 1].version) == 0)
        return bad(d.versions[k].file, "version `" + d.versions[k].version + "` also in " + d.versions[k - 1].file);
    docs->push_back(std::move(d));
  }
  return {};
}

/** A version in several languages: the manifest lists them (the banner picks the visitor's);
 *  the title, body file and body hash of each go to texts.json (what the viewer reads) and,
 *  with paths from the policy folder, to the version's index entry. */
void listLangs(Version& v, json& m, json& entry) {
  json langs = json::array(), bodies = json::object(), paths = json::object();
  for (size_t q = 0; q < v.langs.size(); ++q) {
    const LangSource& l = v.langs[q];
    langs.push_back(l.lang);
    json b = json::object();
    const std::string* t = l.src.field("title");
    b["title"] = t ? *t : l.src.title;
    b["body"] = q ? "body." + l.lang + ".json" : std::string("body.json");
    b["bodyHash"] = l.hash;
    bodies[l.lang] = b;
    b["body"] = v.version + "/" + b["body"].get<std::string>();
    paths[l.lang] = std::move(b);
  }
  m["langs"] = langs;
  v.texts["langs"] = bodies;
  entry["langs"] = std::move(paths);
}

/** The files of one consent document under consent/<id>/ (index.json, manifest.json of the
 *  current version, and per version manifest, texts and bodies): the same layout as a policy,
 *  so the viewer opens it as it opens a policy. */
void consentFiles(ConsentDoc& d, FileList* out) {
  std::string dir = "consent/" + d.id + "/";
  json versions = json::array();
  for (size_t k = 0; k < d.versions.size(); ++k) {
    Version& v = d.versions[k];
    json& m = v.manifest;
    m["previousVersion"] = k ? json(d.versions[k - 1].version) : json(nullptr);
    m["body"] = "body.json";
    m["texts"] = "texts.json";
    json entry = json::object();
    entry["version"] = v.version;
    for (const char* key : {"publishedAt", "effectiveAt", "bodyHash", "hash"}) entry[key] = m[key];
    entry["manifest"] = v.version + "/manifest.json";
    entry["body"] = v.version + "/body.json";
    entry["texts"] = v.version + "/texts.json";
    if (m.contains("demo")) entry["demo"] = m["demo"];
    if (v.langs.size() > 1) listLangs(v, m, entry);
    versions.push_back(std::move(entry));
  }
  const Version& cur = d.versions.back();
  json index = json::object();
  index["format"] = 1;
  index["kind"] = "consent";
  index["id"] = d.id;
  index["policy"] = cur.manifest["policy"];
  index[d.covers] = d.target;
  index["title"] = cur.texts["title"];
  index["current"] = cur.version;
  index["versions"] = std::move(versions);
  json top = cur.manifest;
  top["body"] = cur.version + "/body.json";
  top["texts"] = cur.version + "/texts.json";
  out->emplace_back(dir + "index.json", dumped(index, 2));
  out->emplace_back(dir + "manifest.json", dumped(top, -1));
  for (const Version& v : d.versions) {
    out->emplace_back(dir + v.version + "/manifest.json", dumped(v.manifest, -1));
    out->emplace_back(dir + v.version + "/texts.json", dumped(v.texts, -1));
    out->emplace_back(dir + v.version + "/body.json", v.src().bodyJson);
    for (size_t q = 1; q < v.langs.size(); ++q)
      out->emplace_back(dir + v.version + "/body." + v.langs[q].lang + ".json", v.langs[q].src.bodyJson);
  }
}

/** Links each category of the current policy version to the consent document in force for it
 *  (its newest version): categories[].consent = {id, version, hash, manifest} in the current
 *  version's manifest (`manifest` relative to that manifest: `prefix` "" for the top-level
 *  one, "../" for <version>/manifest.json). A document for a category the current version does
 *  not declare, or declares required, or a second document for one category, is an error. */
kelisim::Error linkConsentDocs(const std::vector<ConsentDoc>& docs, json& manifest, const std::string& prefix,
                               const std::string& file) {
  for (const ConsentDoc& d : docs) {
    if (d.covers != "category") continue;  // per-service documents: listed in index.json only
    const Version& cur = d.versions.back();
    json* cat = nullptr;
    for (auto& c : manifest["categories"])
      if (c["id"] == d.target) cat = &c;
    if (!cat)
      return bad(cur.file, "consent document `" + d.id + "` covers category `" + d.target + "`, which the current version of " +
                               file + " does not declare");
    if ((*cat)["required"].get<bool>())
      return bad(cur.file, "category `" + d.target + "` is required: it is not processed on consent, so it has no consent document");
    if (cat->contains("consent"))
      return bad(cur.file, "category `" + d.target + "` has two consent documents: `" + (*cat)["consent"]["id"].get<std::string>() +
                               "` and `" + d.id + "` (one document per purpose)");
    json c = json::object();
    c["id"] = d.id;
    c["version"] = cur.version;
    c["hash"] = cur.manifest["hash"];
    c["manifest"] = prefix + "consent/" + d.id + "/" + cur.version + "/manifest.json";
    (*cat)["consent"] = std::move(c);
  }
  return {};
}

}  // namespace

kelisim::Error buildPolicy(const FileList& allSources, FileList* outFiles, std::string_view catalogueText) {
  outFiles->clear();
  // The policy's own version sources, and its consent documents (consent/<doc>/…).
  FileList versionSources, consentSources;
  for (auto& f : allSources) {
    std::string doc;
    (consentDocOf(f.first, &doc) ? consentSources : versionSources).push_back(f);
  }
  if (versionSources.empty()) return {ErrorCode::BadInput, "no policy sources to build"};
  json catalogue;
  std::string err;
  if (!catalogueText.empty() && (!parseJson(catalogueText, &catalogue, &err) || !catalogue.is_object()))
    return {ErrorCode::BadInput, "services catalogue: not a JSON object" + (err.empty() ? "" : ": " + err)};
  std::vector<Version> vs;
  kelisim::Error e = groupSources(versionSources, &vs);
  if (!e.ok()) return e;
  for (auto& v : vs) {
    e = readManifest(v, catalogue);
    if (!e.ok()) return e;
  }
  for (size_t a = 1; a < vs.size(); ++a)  // a handful of versions: stable insertion sort
    for (size_t b = a; b > 0 && compareVersions(vs[b - 1].version, vs[b].version) > 0; --b) std::swap(vs[b - 1], vs[b]);
  for (size_t k = 0; k < vs.size(); ++k) {
    if (vs[k].id != vs[0].id) return bad(vs[k].file, "id `" + vs[k].id + "` differs from `" + vs[0].id + "` (" + vs[0].file + ")");
    if (k && compareVersions(vs[k].version, vs[k - 1].version) == 0)
      return bad(vs[k].file, "version `" + vs[k].version + "` also in " + vs[k - 1].file);
    if (!parseBody(vs[k].src().bodyJson, &vs[k].body).ok()) return bad(vs[k].file, "body does not parse");
  }
  json versions = json::array();
  std::vector<std::string> diffs(vs.size());
  std::vector<FeedEntry> feed;
  for (size_t k = 0; k < vs.size(); ++k) {
    Version& v = vs[k];
    json& m = v.manifest;
    m["previousVersion"] = k ? json(vs[k - 1].version) : json(nullptr);
    if (k) {
      DiffResult d = diffBodies(vs[k - 1].body, v.body);
      m["changes"] = changes(vs[k - 1], v, d);
      diffs[k] = diffJson(d) + "\n";
      // New consent purposes make an update material: the banner must ask again.
      for (auto& c : v.optionalCats)
        if (std::find(vs[k - 1].optionalCats.begin(), vs[k - 1].optionalCats.end(), c) == vs[k - 1].optionalCats.end())
          m["material"] = true;
      // A service added to a category is a new recipient (issue 12): material, and named.
      json added = json::array();
      const json& before = vs[k - 1].manifest;
      if (m.contains("services"))
        for (const json& x : m["services"]) {
          bool had = false;
          if (before.contains("services"))
            for (const json& y : before["services"]) had = had || (y["id"] == x["id"] && y["category"] == x["category"]);
          if (!had) added.push_back(x["id"]);
        }
      if (!added.empty()) {
        m["material"] = true;
        m["changes"]["servicesAdded"] = std::move(added);
      }
    } else {
      m["changes"] = nullptr;
    }
    json entry = json::object();
    entry["version"] = v.version;
    for (const char* key : {"publishedAt", "effectiveAt", "bodyHash"}) entry[key] = m[key];
    entry["clauses"] = v.src().clauses.size();
    entry["manifest"] = v.version + "/manifest.json";
    // The version's parts: next to its own manifest, and from the policy folder.
    for (const char* part : {"body", "texts"}) {
      m[part] = std::string(part) + ".json";
      entry[part] = v.version + "/" + m[part].get_ref<const std::string&>();
    }
    if (m.contains("demo")) entry["demo"] = m["demo"];
    if (v.langs.size() > 1) {
      listLangs(v, m, entry);
      v.texts["versionHash"] = versionHash(v);
      entry["versionHash"] = v.texts["versionHash"];
    }
    FeedEntry fe;
    fe.version = v.version;
    if (m["publishedAt"].is_string()) fe.publishedAt = m["publishedAt"].get<std::string>();
    fe.summary = summaryText(m, vs.back().langs[0].lang);
    fe.bodyHref = v.version + "/body.json";
    if (k) fe.diffHref = v.version + "/diff.json", fe.previous = vs[k - 1].version;
    feed.push_back(std::move(fe));
    versions.push_back(std::move(entry));
  }
  Version& cur = vs.back();
  std::vector<ConsentDoc> docs;
  e = readConsentDocs(consentSources, cur.id, &docs);
  if (!e.ok()) return e;
  e = linkConsentDocs(docs, cur.manifest, "../", cur.file);
  if (!e.ok()) return e;
  json index = json::object();
  index["format"] = 1;
  index["id"] = cur.id;
  index["title"] = vs.back().texts["title"];
  index["current"] = cur.version;
  index["versions"] = std::move(versions);
  if (!docs.empty()) {
    // The consent documents, for tools that look a recorded document hash up (the ledger).
    json list = json::array();
    for (const ConsentDoc& d : docs) {
      json x = json::object();
      x["id"] = d.id;
      x[d.covers] = d.target;
      x["current"] = d.versions.back().version;
      x["index"] = "consent/" + d.id + "/index.json";
      list.push_back(std::move(x));
    }
    index["consent"] = std::move(list);
  }
  json top = cur.manifest;
  for (const char* part : {"body", "texts"}) top[part] = index["versions"].back()[part];
  for (auto& c : top["categories"])  // the top-level manifest sits one folder up
    if (c.contains("consent")) c["consent"]["manifest"] = c["consent"]["manifest"].get<std::string>().substr(3);
  outFiles->emplace_back("index.json", dumped(index, 2));
  outFiles->emplace_back("manifest.json", dumped(top, -1));
  FeedInfo info;
  info.id = cur.id;
  info.title = cur.texts["title"].get<std::string>();
  info.lang = cur.langs[0].lang;
  if (cur.manifest["controller"].is_string()) info.controller = cur.manifest["controller"].get<std::string>();
  if (cur.manifest["policyUrl"].is_string()) info.policyUrl = cur.manifest["policyUrl"].get<std::string>();
  for (size_t k = 0; k < vs.size(); ++k) {
    const Version& v = vs[k];
    outFiles->emplace_back(v.version + "/manifest.json", dumped(v.manifest, -1));
    outFiles->emplace_back(v.version + "/texts.json", dumped(v.texts, -1));
    outFiles->emplace_back(v.version + "/body.json", v.src().bodyJson);
    for (size_t q = 1; q < v.langs.size(); ++q)
      outFiles->emplace_back(v.version + "/body." + v.langs[q].lang + ".json", v.langs[q].src.bodyJson);
    if (k) outFiles->emplace_back(v.version + "/diff.json", diffs[k]);
  }
  std::string atom = atomFeed(info, feed);
  if (!atom.empty()) outFiles->emplace_back("feed.xml", std::move(atom));
  for (ConsentDoc& d : docs) consentFiles(d, outFiles);
  return {};
}

kelisim::Error bodyHash(std::string_view sourceText, std::string* hexOut) {
  ParsedSource src;
  kelisim::Error e = parseSource(sourceText, &src);
  if (!e.ok()) return e;
  *hexOut = sha256_hex(src.bodyJson);
  return {};
}

kelisim::Error buildJson(std::string_view filesJson, std::string* out) {
  json in;
  std::string err, catalogue;
  if (!parseJson(filesJson, &in, &err)) return {ErrorCode::BadInput, "build input must be a JSON array of [path, text] pairs"};
  // {"files": [[path, text], …], "services": "<catalogue text>"}: the services catalogue too.
  if (in.is_object() && in.contains("files")) {
    if (in.contains("services") && in["services"].is_string()) catalogue = in["services"].get<std::string>();
    json files = in["files"];
    in = std::move(files);
  }
  if (!in.is_array()) return {ErrorCode::BadInput, "build input must be a JSON array of [path, text] pairs"};
  FileList files;
  for (auto& p : in) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_string())
      return {ErrorCode::BadInput, "build input must be a JSON array of [path, text] pairs"};
    files.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
  }
  FileList built;
  kelisim::Error e = buildPolicy(files, &built, catalogue);
  if (!e.ok()) return e;
  json arr = json::array();
  for (auto& f : built) {
    json pair = json::array();
    pair.push_back(f.first);
    pair.push_back(f.second);
    arr.push_back(std::move(pair));
  }
  *out = arr.dump();
  return {};
}

kelisim::Error lintFormatted(std::string_view file, std::string_view text, std::string_view format, std::string* out) {
  if (format != "json" && format != "text" && format != "text-ru")
    return {ErrorCode::BadArgument, "lint format must be json, text or text-ru"};
  std::vector<Finding> findings;
  kelisim::Error e = lint(text, &findings);
  if (!e.ok()) return e;
  *out = format == "json" ? findingsJson(findings) : findingsText(file, findings, format == "text" ? "en" : "ru");
  return {};
}

}  // namespace kelisim::policy
