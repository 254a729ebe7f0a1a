// ledger/signer: the Ed25519 key file (libsodium) and checkpoint signatures.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/ledger.h"
#include "ledger/signer.h"
#include "server_test_util.h"

using namespace kelisim;
using namespace kelisim::server;
using namespace kelisim::server::testutil;

TEST(ServerSigner, CreatesAPrivateKeyFileAndNeverOverwritesIt) {
  TempDir dir;
  std::string path = dir.path + "/k", err;
  ASSERT_TRUE(Signer::create(path, &err)) << err;
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto a = Signer::load(path, &err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->publicKeyHex().size(), 64u);
  EXPECT_FALSE(Signer::create(path, &err));
  EXPECT_NE(err.find("refusing to overwrite"), std::string::npos) << err;
  auto b = Signer::load(path, &err);  // the file is unchanged: the same key
  ASSERT_TRUE(b);
  EXPECT_EQ(a->publicKeyHex(), b->publicKeyHex());
  bool created = true;
  auto c = Signer::loadOrCreate(path, &created, &err);
  ASSERT_TRUE(c);
  EXPECT_FALSE(created);
  EXPECT_EQ(c->publicKeyHex(), a->publicKeyHex());
}

TEST(ServerSigner, RefusesFilesThatAreNotKeys) {
  TempDir dir;
  std::string err;
  EXPECT_EQ(Signer::load(dir.path + "/missing", &err), nullptr);
  EXPECT_NE(err.find(dir.path + "/missing"), std::string::npos) << err;
  std::ofstream(dir.path + "/short") << "abcd\n";
  EXPECT_EQ(Signer::load(dir.path + "/short", &err), nullptr);
  EXPECT_NE(err.find("128 hex"), std::string::npos) << err;
  // A secret key whose public half was altered.
  ASSERT_TRUE(Signer::create(dir.path + "/k", &err));
  std::string text;
  std::getline(std::ifstream(dir.path + "/k"), text);
  text[127] = text[127] == '0' ? '1' : '0';
  std::ofstream(dir.path + "/bad") << text << "\n";
  EXPECT_EQ(Signer::load(dir.path + "/bad", &err), nullptr);
  EXPECT_NE(err.find("does not match"), std::string::npos) << err;
}

TEST(ServerSigner, CheckpointSignaturesVerifyOnlyUnchanged) {
  TempDir dir;
  std::string err;
  ASSERT_TRUE(Signer::create(dir.path + "/k", &err));
  auto s = Signer::load(dir.path + "/k", &err);
  std::string head(64, 'c');
  Checkpoint c = s->checkpoint(7, head, 1796551200000);
  EXPECT_EQ(c.publicKey, s->publicKeyHex());
  EXPECT_EQ(c.signature.size(), 128u);
  EXPECT_TRUE(Signer::verifyHex(c.publicKey, ledger::checkpointMessage(7, head, 1796551200000), c.signature));
  EXPECT_FALSE(Signer::verifyHex(c.publicKey, ledger::checkpointMessage(8, head, 1796551200000), c.signature));
  EXPECT_FALSE(Signer::verifyHex(c.publicKey, ledger::checkpointMessage(7, head, 1796551200001), c.signature));
  EXPECT_FALSE(Signer::verifyHex(c.publicKey, "x", "not hex"));
  ASSERT_TRUE(Signer::create(dir.path + "/k2", &err));
  auto other = Signer::load(dir.path + "/k2", &err);
  EXPECT_FALSE(Signer::verifyHex(other->publicKeyHex(), ledger::checkpointMessage(7, head, 1796551200000), c.signature));
}
