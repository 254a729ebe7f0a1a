// Ed25519 key file and signatures through libsodium (crypto_sign_keypair, crypto_sign_detached,
// crypto_sign_verify_detached): https://doc.libsodium.org/public-key_cryptography/public-key_signatures
#include "ledger/signer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/ledger.h"

namespace kelisim {
namespace server {

std::string toHex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = d[p[i] >> 4];
    s[2 * i + 1] = d[p[i] & 15];
  }
  return s;
}

bool fromHex(std::string_view hex, unsigned char* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  auto v = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < n; ++i) {
    int hi = v(hex[2 * i]), lo = v(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

namespace {
bool sodiumReady(std::string* err) {
  if (sodium_init() < 0) {
    *err = "libsodium failed to initialize";
    return false;
  }
  return true;
}
}  // namespace

Signer::~Signer() { sodium_memzero(sk_, sizeof sk_); }

std::unique_ptr<Signer> Signer::fromSecretKey(const unsigned char sk[64]) {
  std::string err;
  if (!sodiumReady(&err)) return nullptr;
  std::unique_ptr<Signer> s(new Signer());
  std::memcpy(s->sk_, sk, 64);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, s->sk_);
  s->publicHex_ = toHex(pk, sizeof pk);
  return s;
}

std::unique_ptr<Signer> Signer::load(const std::string& path, std::string* err) {
  if (!sodiumReady(err)) return nullptr;
  std::ifstream in(path);
  if (!in) {
    *err = "key file " + path + ": cannot read (" + std::strerror(errno) + ")";
    return nullptr;
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  unsigned char sk[64];
  if (!fromHex(line, sk, 64)) {
    *err = "key file " + path + ": expected 128 hex digits (a libsodium Ed25519 secret key; see kelisim-server keygen)";
    return nullptr;
  }
  auto s = fromSecretKey(sk);
  sodium_memzero(sk, sizeof sk);
  // A libsodium secret key ends with its public key: check that they belong together.
  unsigned char pk[32];
  crypto_sign_ed25519_sk_to_pk(pk, s->sk_);
  unsigned char seed[32], pk2[32], sk2[64];
  crypto_sign_ed25519_sk_to_seed(seed, s->sk_);
  crypto_sign_seed_keypair(pk2, sk2, seed);
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(sk2, sizeof sk2);
  if (std::memcmp(pk, pk2, 32) != 0) {
    *err = "key file " + path + ": the public half does not match the secret key";
    return nullptr;
  }
  return s;
}

bool Signer::create(const std::string& path, std::string* err) {
  if (!sodiumReady(err)) return false;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    *err = "key file " + path + ": " + (errno == EEXIST ? std::string("already exists (refusing to overwrite)")
                                                          : std::string(std::strerror(errno)));
    return false;
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  std::string text = toHex(sk, sizeof sk) + "\n";
  sodium_memzero(sk, sizeof sk);
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  sodium_memzero(&text[0], text.size());
  ::close(fd);
  if (!ok) {
    *err = "key file " + path + ": write failed";
    ::unlink(path.c_str());
    return false;
  }
  return true;
}

std::unique_ptr<Signer> Signer::loadOrCreate(const std::string& path, bool* created, std::string* err) {
  *created = false;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    if (!create(path, err)) return nullptr;
    *created = true;
  }
  return load(path, err);
}

std::string Signer::signHex(std::string_view msg) const {
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk_);
  return toHex(sig, sizeof sig);
}

Checkpoint Signer::checkpoint(int64_t seq, const std::string& head, int64_t at, const std::string& root) const {
  Checkpoint c;
  c.seq = seq;
  c.head = head;
  c.at = at;
  c.root = root;
  c.publicKey = publicHex_;
  c.signature = signHex(ledger::checkpointMessage(seq, head, at, root));
  return c;
}

Checkpoint Signer::rotationTo(const Signer& next, int64_t seq, const std::string& head, int64_t at,
                              const std::string& root) const {
  Checkpoint c;
  c.seq = seq;
  c.head = head;
  c.at = at;
  c.root = root;
  c.publicKey = next.publicHex_;
  c.prevKey = publicHex_;
  std::string msg = ledger::rotationMessage(seq, head, at, root, publicHex_, next.publicHex_);
  c.signature = next.signHex(msg);
  c.prevSignature = signHex(msg);
  return c;
}

bool Signer::verifyHex(std::string_view publicKeyHex, std::string_view msg, std::string_view sigHex) {
  std::string err;
  if (!sodiumReady(&err)) return false;
  unsigned char pk[32], sig[64];
  if (!fromHex(publicKeyHex, pk, 32) || !fromHex(sigHex, sig, 64)) return false;
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), pk) == 0;
}

}  // namespace server
}  // namespace kelisim
