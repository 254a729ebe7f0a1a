// History: the version in force at an instant, and the Atom feed. Instants are compared as
// epoch milliseconds from the core's parseInstant (one rule for every date kelisim reads).
#include "policy/history.h"

#include <nlohmann/json.hpp>

#include "policy/body.h"

namespace kelisim::policy {
namespace {

using json = nlohmann::json;
using sv = std::string_view;

struct Ver {
  std::string version;
  const json* pub = nullptr;  // string or null
  const json* eff = nullptr;
  int64_t effMs = 0, pubMs = 0;
  bool dated = false, pubDated = false;
};

void appendNullable(std::string* out, const json* v) {
  if (v && v->is_string()) appendJsonString(out, v->get_ref<const std::string&>());
  else *out += "null";
}
std::string str(const json* v) { return v && v->is_string() ? v->get<std::string>() : std::string(); }

/** Adds ":00" seconds when an ISO instant has none (RFC 3339 requires them). */
std::string rfc3339(const std::string& iso) {
  if (iso.size() > 16 && iso[13] == ':' && iso[16] != ':') return iso.substr(0, 16) + ":00" + iso.substr(16);
  return iso;
}
void appendXml(std::string* out, sv s) { appendText(out, s, false, true); }

}  // namespace

kelisim::Error historyAt(std::string_view indexJson, std::string_view at, std::string_view format, std::string* out,
                         bool* found) {
  if (found) *found = false;
  if (format != "json" && format != "text") return {ErrorCode::BadArgument, "history format must be json or text"};
  int64_t atMs = 0;
  int32_t off = 0;
  if (!parseInstant(at, &atMs, &off))
    return {ErrorCode::BadArgument, "--at must be an ISO 8601 instant with an offset, e.g. 2026-11-12T00:00:00+05:00"};
  json idx;
  std::string err;
  if (!parseJson(indexJson, &idx, &err)) return {ErrorCode::BadInput, "invalid JSON: " + err};
  if (!idx.is_object() || !idx.contains("id") || !idx["id"].is_string() || !idx.contains("versions") ||
      !idx["versions"].is_array())
    return {ErrorCode::BadInput, "not a built policy index (needs \"id\" and \"versions\")"};
  std::vector<Ver> vs;
  for (auto& v : idx["versions"]) {
    if (!v.is_object() || !v.contains("version") || !v["version"].is_string())
      return {ErrorCode::BadInput, "versions[" + std::to_string(vs.size()) + "] has no \"version\""};
    Ver x;
    x.version = v["version"].get<std::string>();
    x.pub = v.contains("publishedAt") ? &v["publishedAt"] : nullptr;
    x.eff = v.contains("effectiveAt") && !v["effectiveAt"].is_null() ? &v["effectiveAt"] : x.pub;
    for (auto* p : {x.pub, x.eff})
      if (p && !p->is_null() && !(p->is_string() && parseInstant(p->get_ref<const std::string&>(), &x.effMs, &off)))
        return {ErrorCode::BadInput, "version " + x.version + ": dates must be ISO 8601 instants or null"};
    x.dated = x.eff && x.eff->is_string() && parseInstant(x.eff->get_ref<const std::string&>(), &x.effMs, &off);
    x.pubDated = x.pub && x.pub->is_string() && parseInstant(x.pub->get_ref<const std::string&>(), &x.pubMs, &off);
    vs.push_back(std::move(x));
  }
  // The first dated version not yet in force at `at`; the version before it is in force.
  size_t next = 0;
  while (next < vs.size() && !(vs[next].dated && vs[next].effMs > atMs)) ++next;
  // A dated version in force later than a later dated one (effective dates out of order):
  // the latest-listed version whose date has come wins, as the index lists versions in order.
  const Ver* cur = next ? &vs[next - 1] : nullptr;
  bool certain = cur && cur->dated;
  const Ver* pending = nullptr;
  for (auto& v : vs)
    if (v.pubDated && v.pubMs <= atMs && v.dated && v.effMs > atMs) pending = &v;
  if (found) *found = cur != nullptr;
  const std::string& id = idx["id"].get_ref<const std::string&>();
  std::string o;
  if (format == "json") {
    o = "{\"version\":";
    if (cur) appendJsonString(&o, cur->version);
    else o += "null";
    o += ",\"publishedAt\":";
    appendNullable(&o, cur ? cur->pub : nullptr);
    o += ",\"effectiveAt\":";
    appendNullable(&o, cur ? cur->eff : nullptr);
    o += ",\"certain\":";
    o += certain ? "true" : "false";
    o += ",\"pending\":";
    if (pending) {
      o += "{\"version\":";
      appendJsonString(&o, pending->version);
      o += ",\"publishedAt\":";
      appendNullable(&o, pending->pub);
      o += ",\"effectiveAt\":";
      appendNullable(&o, pending->eff);
      o += "}";
    } else {
      o += "null";
    }
    o += ",\"id\":";
    appendJsonString(&o, id);
    o += ",\"at\":";
    appendJsonString(&o, at);
    o += "}";
  } else {
    o = id + " at " + std::string(at) + ": ";
    if (!cur) {
      o += "no version in force (the first takes effect " + (vs.empty() ? std::string("-") : str(vs[0].eff)) + ")\n";
    } else {
      o += "version " + cur->version + " in force";
      if (certain) {
        o += " since " + str(cur->eff) + " (published " + str(cur->pub) + ")\n";
      } else {
        o += ", date unknown";
        if (next < vs.size()) o += " (in force at the latest until version " + vs[next].version + " takes effect " + str(vs[next].eff) + ")";
        o += "\n";
      }
    }
    if (pending)
      o += "version " + pending->version + " published " + str(pending->pub) + ", takes effect " + str(pending->eff) + "\n";
  }
  *out = std::move(o);
  return {};
}

std::string atomFeed(const FeedInfo& info, const std::vector<FeedEntry>& entries) {
  const FeedEntry* latest = nullptr;
  int64_t latestMs = 0, ms = 0;
  int32_t off = 0;
  for (auto& e : entries)
    if (!e.publishedAt.empty() && parseInstant(e.publishedAt, &ms, &off) && (!latest || ms >= latestMs)) latest = &e, latestMs = ms;
  if (!latest) return "";
  static const struct { sv lang, version, history, first; } kWords[] = {
      {"ru", "Редакция ", "История изменений", "Первая редакция"},
      {"kk", "Редакция ", "Өзгерістер тарихы", "Алғашқы редакция"},
      {"en", "Version ", "History of changes", "First version"}};
  const auto* w = &kWords[2];
  for (auto& k : kWords)
    if (k.lang == info.lang) w = &k;
  std::string o = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"";
  appendXml(&o, info.lang);
  o += "\">\n  <id>urn:kelisim:policy:";
  appendXml(&o, info.id);
  o += "</id>\n  <title>";
  appendXml(&o, info.title);
  o += " — ";
  o += w->history;
  o += "</title>\n  <updated>";
  appendXml(&o, rfc3339(latest->publishedAt));
  o += "</updated>\n  <author><name>";
  appendXml(&o, info.controller.empty() ? info.id : info.controller);
  o += "</name></author>\n  <generator>kelisim</generator>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"feed.xml\"/>\n";
  if (!info.policyUrl.empty()) {
    o += "  <link rel=\"alternate\" type=\"text/html\" href=\"";
    appendXml(&o, info.policyUrl);
    o += "\"/>\n";
  }
  for (size_t k = entries.size(); k-- > 0;) {
    const FeedEntry& e = entries[k];
    if (e.publishedAt.empty() || !parseInstant(e.publishedAt, &ms, &off)) {
      o += "  <!-- version ";
      appendXml(&o, e.version);
      o += ": publication date unknown, not listed -->\n";
      continue;
    }
    o += "  <entry>\n    <id>urn:kelisim:policy:";
    appendXml(&o, info.id);
    o += ":";
    appendXml(&o, e.version);
    o += "</id>\n    <title>";
    o += w->version;
    appendXml(&o, e.version);
    o += "</title>\n    <updated>";
    appendXml(&o, rfc3339(e.publishedAt));
    o += "</updated>\n    <published>";
    appendXml(&o, rfc3339(e.publishedAt));
    o += "</published>\n    <link rel=\"alternate\" type=\"application/json\" href=\"";
    appendXml(&o, e.bodyHref);
    o += "\"/>\n";
    if (!e.diffHref.empty()) {
      o += "    <link rel=\"related\" type=\"application/json\" href=\"";
      appendXml(&o, e.diffHref);
      o += "\" title=\"";
      appendXml(&o, e.previous + " → " + e.version);
      o += "\"/>\n";
    }
    o += "    <summary type=\"text\">";
    appendXml(&o, e.summary.empty() ? std::string(w->first) : e.summary);
    o += "</summary>\n  </entry>\n";
  }
  o += "</feed>\n";
  return o;
}

}  // namespace kelisim::policy
