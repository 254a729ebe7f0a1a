// ledger/policies: the `kelisim build` output as the server reads it (--policies DIR).
#include <gtest/gtest.h>

#include <cstdlib>

#include "ledger/policies.h"
#include "server_test_util.h"

using namespace kelisim::server;
using namespace kelisim::server::testutil;

TEST(ServerPolicies, LoadTheBuiltOutputAndNameABadFile) {
  const Policies& ps = repoPolicies();
  const PolicyVersion* v = ps.find("smartaqkol", "2");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->ruleType, "implicit");
  EXPECT_EQ(v->ruleDays, 7);
  EXPECT_TRUE(v->hasPublishedAt);
  EXPECT_EQ(v->offsetMinutes, 300);
  EXPECT_EQ(v->categories, (std::vector<std::string>{"necessary", "marketing"}));
  EXPECT_EQ(v->textPath, "smartaqkol/2/body.json");
  const PolicyVersion* t = ps.find("toolpars", "1");
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->hasPublishedAt);  // "publishedAt": null in the committed output
  EXPECT_EQ(t->ruleType, "explicit");
  EXPECT_EQ(ps.find("smartaqkol", "3"), nullptr);
  EXPECT_TRUE(ps.knowsId("smartaqkol"));
  EXPECT_FALSE(ps.knowsId("smartaqko"));
  // A folder whose version manifest is missing: the error names that file.
  TempDir dir;
  std::string src = std::string(KELISIM_SOURCE_DIR) + "/policies/smartaqkol/index.json";
  ASSERT_EQ(std::system(("mkdir -p " + dir.path + "/smartaqkol && cp " + src + " " + dir.path + "/smartaqkol/").c_str()), 0);
  std::string err;
  EXPECT_EQ(Policies::load(dir.path, &err), nullptr);
  EXPECT_NE(err.find(dir.path + "/smartaqkol/1/manifest.json"), std::string::npos) << err;
  EXPECT_EQ(Policies::load(dir.path + "/nope", &err), nullptr);
  EXPECT_NE(err.find("/nope"), std::string::npos) << err;
}
