// The built policies the server knows (--policies DIR = `kelisim build` output, policies/README.md):
// DIR/<id>/index.json lists the versions, DIR/<id>/<version>/manifest.json describes each.
// Loaded once at start; read-only afterwards (safe from any thread).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kelisim {
namespace server {

/** One published version of one policy, as its manifest states it. */
struct PolicyVersion {
  std::string id, version;
  std::string bodyHash;               // 64 hex
  bool hasPublishedAt = false;        // false: the manifest says "publishedAt": null
  int64_t publishedAtMs = 0;          // core parseInstant of publishedAt
  int32_t offsetMinutes = 0;          // the policy's own UTC offset
  std::string ruleType = "implicit";  // updateRule.type: implicit | explicit
  int32_t ruleDays = 7;               // updateRule.days (implicit rule)
  bool material = false;
  std::vector<std::string> categories;  // category ids, manifest order
  std::vector<std::string> required;    // the required ones
  std::string textPath;               // URL path of this version's text below the policies
                                      // folder: "<id>/<version>/body.json"
};

/** One version of a consent document (policies/README.md "Consent documents"), as its
 *  consent/<doc>/index.json lists it. */
struct ConsentDocument {
  std::string policyId, id, version;
  std::string hash;      // 64 hex: the document's hash over all its languages
  std::string textPath;  // "<policy>/consent/<doc>/<version>/body.json"
};

class Policies {
 public:
  /** Loads DIR (every subfolder holding an index.json). dir "" gives an empty set (every
   *  policy unknown). Returns nullptr and sets *err naming the file and the problem when a
   *  file is missing or malformed. */
  static std::unique_ptr<Policies> load(const std::string& dir, std::string* err);

  /** Where the site serves the policies folder (e.g. "https://site.kz/policies/"); "" = none. */
  void setBaseUrl(std::string url) {
    if (!url.empty() && url.back() != '/') url += '/';
    baseUrl_ = std::move(url);
  }
  /** Where to read this version's exact text: baseUrl + textPath, or textPath without a base. */
  std::string textUrl(const PolicyVersion& v) const { return baseUrl_ + v.textPath; }

  /** Where to read this consent document's exact text (its primary language). */
  std::string documentUrl(const ConsentDocument& d) const { return baseUrl_ + d.textPath; }
  /** The version, or nullptr when this id/version is not known. */
  const PolicyVersion* find(std::string_view id, std::string_view version) const;
  /** Whether any version of this policy id is known. */
  bool knowsId(std::string_view id) const;
  /** Number of versions loaded. */
  size_t size() const { return versions_.size(); }
  /** The consent document of policy `id` whose hash starts with `prefix` (a choice records the
   *  first 8 hex), or nullptr when none is known. */
  const ConsentDocument* findDocument(std::string_view id, std::string_view prefix) const;

 private:
  std::vector<ConsentDocument> documents_;
  std::map<std::pair<std::string, std::string>, PolicyVersion, std::less<>> versions_;
  std::string baseUrl_;
};

}  // namespace server
}  // namespace kelisim
