// Loads the `kelisim build` output (policies.h). JSON without exceptions (kelisim_core builds
// nlohmann with JSON_NOEXCEPTION): every access checks the type first.
#include "ledger/policies.h"
#include "ledger/json_access.h"

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/consent.h"

namespace kelisim {
namespace server {

namespace {
using json = nlohmann::json;

bool readJson(const std::string& path, json* out, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = path + ": cannot read";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  *out = json::parse(ss.str(), nullptr, false);
  if (out->is_discarded() || !out->is_object()) {
    *err = path + ": not a JSON object";
    return false;
  }
  return true;
}

bool loadVersion(const std::string& dir, const std::string& id, const std::string& version, PolicyVersion* v,
                 std::string* err) {
  std::string path = dir + "/" + id + "/" + version + "/manifest.json";
  json m;
  if (!readJson(path, &m, err)) return false;
  v->id = id;
  v->version = version;
  v->bodyHash = jstr(m, "bodyHash");
  if (jstr(m, "id") != id || jstr(m, "version") != version) {
    *err = path + ": id/version do not match " + id + "/" + version;
    return false;
  }
  if (!isHex(v->bodyHash, 64)) {
    *err = path + ": bodyHash is not 64 hex digits";
    return false;
  }
  auto pub = m.find("publishedAt");
  if (pub != m.end() && pub->is_string()) {
    if (!parseInstant(pub->get<std::string>(), &v->publishedAtMs, &v->offsetMinutes)) {
      *err = path + ": publishedAt is not an ISO instant with an offset";
      return false;
    }
    v->hasPublishedAt = true;
  } else if (pub != m.end() && !pub->is_null()) {
    *err = path + ": publishedAt must be a string or null";
    return false;
  }
  auto rule = m.find("updateRule");
  if (rule != m.end() && rule->is_object()) {
    v->ruleType = jstr(*rule, "type");
    if (v->ruleType != "implicit" && v->ruleType != "explicit") {
      *err = path + ": updateRule.type must be implicit or explicit";
      return false;
    }
    auto days = rule->find("days");
    if (days != rule->end() && days->is_number_integer()) v->ruleDays = days->get<int32_t>();
  }
  auto mat = m.find("material");
  v->material = mat != m.end() && mat->is_boolean() && mat->get<bool>();
  auto cats = m.find("categories");
  if (cats == m.end() || !cats->is_array()) {
    *err = path + ": categories must be an array";
    return false;
  }
  for (const json& c : *cats) {
    std::string cid = c.is_object() ? jstr(c, "id") : std::string();
    if (!validCategoryId(cid)) {
      *err = path + ": a category has no valid id";
      return false;
    }
    v->categories.push_back(cid);
    auto req = c.find("required");
    if (req != c.end() && req->is_boolean() && req->get<bool>()) v->required.push_back(cid);
  }
  v->textPath = id + "/" + version + "/body.json";
  return true;
}

/** The consent documents index.json lists ("consent": [{id, index}]): every version of each,
 *  from consent/<doc>/index.json. */
bool loadDocuments(const std::string& dir, const std::string& id, const json& idx, std::vector<ConsentDocument>* out,
                   std::string* err) {
  const json& list = jget(idx, "consent");
  if (list.is_null()) return true;
  for (const json& d : list.is_array() ? list : json::array()) {
    std::string doc = jstr(d, "id");
    std::string path = dir + "/" + id + "/consent/" + doc + "/index.json";
    json di;
    if (!validPolicyId(doc) || !readJson(path, &di, err)) {
      if (err->empty()) *err = dir + "/" + id + "/index.json: a consent document has no valid id";
      return false;
    }
    for (const json& v : jget(di, "versions")) {
      ConsentDocument c{id, doc, jstr(v, "version"), jstr(v, "hash"), ""};
      if (!validVersion(c.version) || !isHex(c.hash, 64)) {
        *err = path + ": a version entry has no valid \"version\" and \"hash\"";
        return false;
      }
      c.textPath = id + "/consent/" + doc + "/" + c.version + "/body.json";
      out->push_back(std::move(c));
    }
  }
  if (!list.is_array()) {
    *err = dir + "/" + id + "/index.json: \"consent\" must be an array";
    return false;
  }
  return true;
}

bool loadPolicy(const std::string& dir, const std::string& id,
                std::map<std::pair<std::string, std::string>, PolicyVersion, std::less<>>* out, std::string* err) {
  std::string path = dir + "/" + id + "/index.json";
  json idx;
  if (!readJson(path, &idx, err)) return false;
  if (jstr(idx, "id") != id) {
    *err = path + ": \"id\" is not the folder name " + id;
    return false;
  }
  auto vs = idx.find("versions");
  if (vs == idx.end() || !vs->is_array() || vs->empty()) {
    *err = path + ": \"versions\" must be a non-empty array";
    return false;
  }
  for (const json& e : *vs) {
    std::string version = e.is_object() ? jstr(e, "version") : std::string();
    if (!validVersion(version)) {
      *err = path + ": a version entry has no valid \"version\"";
      return false;
    }
    PolicyVersion v;
    if (!loadVersion(dir, id, version, &v, err)) return false;
    if (jstr(e, "bodyHash") != v.bodyHash) {
      *err = path + ": bodyHash of version " + version + " differs from its manifest.json";
      return false;
    }
    (*out)[{id, version}] = std::move(v);
  }
  return true;
}
}  // namespace

std::unique_ptr<Policies> Policies::load(const std::string& dir, std::string* err) {
  std::unique_ptr<Policies> p(new Policies());
  if (dir.empty()) return p;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    *err = "--policies " + dir + ": not a readable folder";
    return nullptr;
  }
  std::vector<std::string> ids;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    struct stat st;
    if (stat((dir + "/" + name + "/index.json").c_str(), &st) == 0) ids.push_back(name);
  }
  closedir(d);
  if (ids.empty()) {
    *err = "--policies " + dir + ": no <id>/index.json found (expected `kelisim build` output)";
    return nullptr;
  }
  for (const std::string& id : ids) {
    if (!validPolicyId(id)) {
      *err = dir + "/" + id + ": folder name is not a valid policy id";
      return nullptr;
    }
    if (!loadPolicy(dir, id, &p->versions_, err)) return nullptr;
    json idx;
    if (!readJson(dir + "/" + id + "/index.json", &idx, err) || !loadDocuments(dir, id, idx, &p->documents_, err))
      return nullptr;
  }
  return p;
}

const ConsentDocument* Policies::findDocument(std::string_view id, std::string_view prefix) const {
  if (prefix.empty()) return nullptr;
  for (const ConsentDocument& d : documents_)
    if (d.policyId == id && d.hash.compare(0, prefix.size(), prefix) == 0) return &d;
  return nullptr;
}

const PolicyVersion* Policies::find(std::string_view id, std::string_view version) const {
  auto it = versions_.find(std::make_pair(std::string(id), std::string(version)));
  return it == versions_.end() ? nullptr : &it->second;
}

bool Policies::knowsId(std::string_view id) const {
  auto it = versions_.lower_bound(std::make_pair(std::string(id), std::string()));
  return it != versions_.end() && it->first.first == id;
}

}  // namespace server
}  // namespace kelisim
