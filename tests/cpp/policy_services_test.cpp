// Build side of per-service consent (issue 12): `category.<id>.services` in the policy header,
// looked up in the services catalogue (tests/fixtures/services/catalogue.json, a copy of three
// entries of services/catalogue.json), the site's own services (`service.<id>.*`), and a
// service added between versions as a material change.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/consent.h"
#include "policy/build.h"

using namespace kelisim::policy;
using json = nlohmann::json;

namespace {

std::string catalogue() {
  std::ifstream f(KELISIM_SOURCE_DIR "/tests/fixtures/services/catalogue.json", std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string source(const std::string& version, const std::string& extra) {
  return "---\nid: shop\nversion: " + version +
         "\npublishedAt: 2025-06-10T12:00:00+05:00\ncategory.necessary: required\n"
         "category.necessary.title.ru: Необходимые\ncategory.necessary.title.kk: Қажетті\n"
         "category.necessary.title.en: Necessary\n"
         "category.analytics: optional\ncategory.analytics.title.ru: Аналитика\ncategory.analytics.title.kk: Аналитика\n"
         "category.analytics.title.en: Analytics\n"
         "category.media: optional\ncategory.media.title.ru: Медиа\ncategory.media.title.kk: Медиа\n"
         "category.media.title.en: Media\n" +
         extra + "---\nПолитика\n1. Раздел\n1.1. Текст.\n";
}

json fileJson(const FileList& f, const std::string& path) {
  for (auto& x : f)
    if (x.first == path) return json::parse(x.second, nullptr, false);
  ADD_FAILURE() << path << " missing";
  return json();
}

}  // namespace

TEST(PolicyServices, HeaderServicesBecomeManifestAndTexts) {
  FileList out;
  kelisim::Error e = buildPolicy(
      {{"shop/1.md", source("1", "category.analytics.services: yandex-metrica\ncategory.media.services: youtube, site-chat\n"
                                 "service.site-chat.name.ru: Чат сайта\nservice.site-chat.name.en: Site chat\n"
                                 "service.site-chat.country: KZ\nservice.site-chat.cookies: chat_id, chat_*\n"
                                 "service.site-chat.privacyPolicy: https://shop.example/privacy\n")}},
      &out, catalogue());
  ASSERT_TRUE(e.ok()) << e.message;
  json m = fileJson(out, "1/manifest.json");
  ASSERT_TRUE(m["services"].is_array());
  EXPECT_EQ(m["services"].dump(),
            R"([{"category":"analytics","cookies":["_ym_*"],"id":"yandex-metrica"},)"
            R"({"category":"media","cookies":[],"id":"youtube"},)"
            R"({"category":"media","cookies":["chat_id","chat_*"],"id":"site-chat"}])");
  json t = fileJson(out, "1/texts.json")["services"];
  EXPECT_EQ(t["yandex-metrica"]["name"]["en"], "Yandex Metrica");
  EXPECT_EQ(t["yandex-metrica"]["country"], "RU");
  EXPECT_EQ(t["yandex-metrica"]["privacyPolicy"], "https://yandex.ru/legal/confidential/");
  EXPECT_TRUE(t["youtube"]["embeds"].is_array());
  EXPECT_EQ(t["site-chat"]["name"]["ru"], "Чат сайта");
  EXPECT_EQ(t["site-chat"]["name"]["kk"], "Чат сайта");  // falls back to the ru name
  EXPECT_EQ(t["site-chat"]["country"], "KZ");
  // The top-level manifest (what data-policy points at) carries them too.
  EXPECT_EQ(fileJson(out, "manifest.json")["services"], m["services"]);
}

TEST(PolicyServices, WithoutServicesNothingChanges) {
  FileList out;
  ASSERT_TRUE(buildPolicy({{"shop/1.md", source("1", "")}}, &out, catalogue()).ok());
  EXPECT_FALSE(fileJson(out, "1/manifest.json").contains("services"));
  EXPECT_FALSE(fileJson(out, "1/texts.json").contains("services"));
}

TEST(PolicyServices, ErrorsNameTheServiceAndTheField) {
  struct Case {
    std::string extra, want;
  } cases[] = {
      {"category.analytics.services: tiktok-pixel\n",
       "shop/1.md: category.analytics.services: unknown service `tiktok-pixel`: it is not in the services catalogue"},
      {"category.analytics.services: Yandex\n", "category.analytics.services: service id `Yandex` must match"},
      {"category.analytics.services: hotjar\ncategory.media.services: hotjar\n",
       "category.media.services: service `hotjar` is declared twice"},
      {"category.analytics.services: media\n", "service `media` has the id of a category"},
  };
  for (const Case& c : cases) {
    FileList out;
    kelisim::Error e = buildPolicy({{"shop/1.md", source("1", c.extra)}}, &out, catalogue());
    EXPECT_FALSE(e.ok()) << c.extra;
    EXPECT_NE(e.message.find(c.want), std::string::npos) << e.message;
  }
  // Without a catalogue, a catalogue id is unknown too.
  FileList out;
  kelisim::Error e = buildPolicy({{"shop/1.md", source("1", "category.analytics.services: hotjar\n")}}, &out);
  EXPECT_NE(e.message.find("unknown service `hotjar`"), std::string::npos) << e.message;
}

TEST(PolicyServices, AServiceAddedToACategoryIsMaterial) {
  FileList out;
  ASSERT_TRUE(buildPolicy({{"shop/1.md", source("1", "category.analytics.services: yandex-metrica\n")},
                           {"shop/2.md", source("2", "category.analytics.services: yandex-metrica, hotjar\n")}},
                          &out, catalogue())
                  .ok());
  json m2 = fileJson(out, "2/manifest.json");
  EXPECT_EQ(m2["material"], true);
  EXPECT_EQ(m2["changes"]["servicesAdded"], json::array({"hotjar"}));
  EXPECT_EQ(fileJson(out, "1/manifest.json")["material"], false);
  // The same services again: not material.
  ASSERT_TRUE(buildPolicy({{"shop/1.md", source("1", "category.analytics.services: yandex-metrica\n")},
                           {"shop/2.md", source("2", "category.analytics.services: yandex-metrica\n")}},
                          &out, catalogue())
                  .ok());
  EXPECT_EQ(fileJson(out, "2/manifest.json")["material"], false);
}

TEST(PolicyServices, BuildJsonTakesTheCatalogue) {
  json in = {{"files", json::array({json::array({"shop/1.md", source("1", "category.media.services: youtube\n")})})},
             {"services", catalogue()}};
  std::string out;
  kelisim::Error e = buildJson(in.dump(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_NE(out.find("youtube"), std::string::npos);
}

TEST(PolicyServices, TheBuiltManifestIsValidForTheCore) {
  FileList out;
  ASSERT_TRUE(buildPolicy({{"shop/1.md", source("1", "category.analytics.services: yandex-metrica, hotjar\n")}}, &out,
                          catalogue())
                  .ok());
  json m = fileJson(out, "1/manifest.json");
  kelisim::Manifest cm;
  std::string id = m["id"], version = m["version"], hash = m["bodyHash"];
  cm.policyId = id;
  cm.version = version;
  cm.bodyHash = hash;
  for (const json& c : m["categories"]) cm.categories.push_back({c["id"].get_ref<const std::string&>(), c["required"].get<bool>()});
  for (const json& s : m["services"])
    cm.services.push_back({s["id"].get_ref<const std::string&>(), s["category"].get_ref<const std::string&>()});
  kelisim::Status st = kelisim::validate(cm);
  EXPECT_TRUE(st.ok()) << st.message();
}
