// What the server tests share: events made by the core's own apply() (as the page makes
// them), temp folders, and raw SQL on a ledger file (for tamper tests).
#pragma once
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <memory>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/consent.h"
#include "ledger/policies.h"

namespace kelisim {
namespace server {
namespace testutil {

using ojson = nlohmann::ordered_json;

/** A fresh temp folder, removed with its files at destruction. */
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/kelisim-server-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string path;
};

/** The committed policies (kelisim build output). */
inline const Policies& repoPolicies() {
  static std::unique_ptr<Policies> p = [] {
    std::string err;
    auto r = Policies::load(std::string(KELISIM_SOURCE_DIR) + "/policies", &err);
    if (!r) ADD_FAILURE() << err;
    return r;
  }();
  return *p;
}

/** epoch ms → "YYYY-MM-DDTHH:MM:SS.mmmZ". */
inline std::string iso(int64_t ms) {
  time_t s = time_t(ms / 1000);
  struct tm t;
  gmtime_r(&s, &t);
  char buf[40];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
           t.tm_min, t.tm_sec, int(ms % 1000));
  return buf;
}

/** A policy version as the banner sees it. Strings are owned here (Manifest views them). */
struct TestPolicy {
  std::string id, version, bodyHash;
  std::vector<std::string> categories, required;
  std::map<std::string, std::string> docs;  // category → its consent document's hash (64 hex)
  int64_t publishedAtMs = 1796000000000;
  Manifest manifest() const {
    Manifest m;
    m.policyId = id;
    m.version = version;
    m.bodyHash = bodyHash;
    m.publishedAtMs = publishedAtMs;
    m.offsetMinutes = 300;
    for (const std::string& c : categories) {
      bool req = std::find(required.begin(), required.end(), c) != required.end();
      auto doc = docs.find(c);
      m.categories.push_back({c, req, false, doc == docs.end() ? std::string_view() : std::string_view(doc->second)});
    }
    return m;
  }
};

/** A file of the repository (path relative to its root) as text; "" when unreadable. */
inline std::string repoFile(const std::string& path) {
  std::ifstream f(std::string(KELISIM_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/** A policy version as committed in policies/ (by default smartaqkol version 2). */
inline TestPolicy knownPolicy(const char* id = "smartaqkol", const char* version = "2") {
  const PolicyVersion* pv = repoPolicies().find(id, version);
  EXPECT_NE(pv, nullptr);
  TestPolicy p;
  p.id = pv->id;
  p.version = pv->version;
  p.bodyHash = pv->bodyHash;
  p.categories = pv->categories;
  p.required = pv->required;
  if (pv->hasPublishedAt) p.publishedAtMs = pv->publishedAtMs;
  return p;
}

/** A change event for `op` by the visitor whose stored record is *stored (updated), made by
 *  the core's apply() exactly as the page does. */
inline ojson changeEvent(const TestPolicy& p, const std::string& recordId, Op op, int64_t atMs, std::string* stored) {
  Manifest m = p.manifest();
  ApplyInput in;
  in.op = op;
  in.newId = recordId;
  if (op == Op::Set) {
    for (const std::string& c : p.categories) in.choices.push_back(Choice{Id(c), true});
  }
  ApplyResult r;
  Status s = apply(m, *stored, atMs, {}, in, &r);
  EXPECT_TRUE(s.ok()) << s.message();
  *stored = encodeRecord(r.record).str();
  ojson choices = ojson::object(), docs = ojson::object();
  for (const Choice& c : r.entry.choices) {
    choices[std::string(c.category.view())] = c.on;
    if (!c.doc.empty()) docs[std::string(c.category.view())] = std::string(c.doc.view());
  }
  ojson ev = ojson::object();
  ev["op"] = name(r.entry.op);
  ev["at"] = iso(r.entry.atMs);
  ev["atMs"] = r.entry.atMs;
  ev["version"] = std::string(r.entry.version.view());
  ev["method"] = name(r.entry.method);
  ev["choices"] = choices;
  if (!docs.empty()) ev["docs"] = docs;  // the page sends docs only when a choice has one
  ev["prevHash"] = std::string(r.entry.prevHash.view());
  ev["hash"] = std::string(r.entry.hash.view());
  ojson e = ojson::object();
  e["type"] = "kelisim:consent-event";
  e["v"] = 2;
  e["id"] = std::string(r.entry.hash.view());
  e["recordId"] = recordId;
  e["record"] = *stored;
  e["policy"] = {{"id", p.id}, {"version", p.version}, {"bodyHash", p.bodyHash}};
  e["controller"] = "BTS Digital";
  e["language"] = "ru";
  e["display"] = nullptr;
  e["event"] = ev;
  return e;
}

inline ojson displayEvent(const TestPolicy& p, const std::string& recordId, const std::string& displayId, int64_t atMs) {
  ojson d = ojson::object();
  d["kind"] = "banner";
  d["reason"] = "no-record";
  d["layout"] = "bar";
  d["at"] = iso(atMs);
  d["atMs"] = atMs;
  d["deadline"] = nullptr;
  d["categories"] = p.categories;
  d["strings"] = {{"title", "Мы используем cookie"}, {"text", "Текст баннера"}, {"accept", "Принять"}};
  ojson e = ojson::object();
  e["type"] = "kelisim:display";
  e["v"] = 2;
  e["id"] = displayId;
  e["recordId"] = recordId;
  e["policy"] = {{"id", p.id}, {"version", p.version}, {"bodyHash", p.bodyHash}};
  e["language"] = "ru";
  e["display"] = d;
  return e;
}

/** Runs SQL on the ledger file (a second connection, as an attacker with file access would).
 *  Returns "" or the error. */
inline std::string rawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string err;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) err = "open failed";
  char* msg = nullptr;
  if (err.empty() && sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    err = msg ? msg : "exec failed";
    sqlite3_free(msg);
  }
  sqlite3_close(db);
  return err;
}

}  // namespace testutil
}  // namespace server
}  // namespace kelisim
