// The server's Ed25519 key (libsodium crypto_sign_*): load / create the key file, sign
// checkpoints, verify signatures. The key file holds the 64-byte libsodium secret key as 128
// hex digits and a newline, mode 0600.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace kelisim {
namespace server {

class Signer {
 public:
  /** Reads the key file at path. nullptr and *err (naming the file) when it is missing,
   *  unreadable or not a key. */
  static std::unique_ptr<Signer> load(const std::string& path, std::string* err);
  /** Creates a new key file at path (mode 0600). Refuses to overwrite an existing file.
   *  Returns false and sets *err on failure. */
  static bool create(const std::string& path, std::string* err);
  /** load(), or create() first when the file does not exist (*created = true then). */
  static std::unique_ptr<Signer> loadOrCreate(const std::string& path, bool* created, std::string* err);
  /** A signer over a raw 64-byte secret key (tests). */
  static std::unique_ptr<Signer> fromSecretKey(const unsigned char sk[64]);

  /** The public key, 64 lowercase hex. */
  const std::string& publicKeyHex() const { return publicHex_; }
  /** Detached Ed25519 signature of msg, 128 lowercase hex. */
  std::string signHex(std::string_view msg) const;
  /** A signed checkpoint over ledger::checkpointMessage(seq, head, at, root): root is the
   *  Merkle root of rows 1..seq ("" only for the old form without one). */
  Checkpoint checkpoint(int64_t seq, const std::string& head, int64_t at, const std::string& root = "") const;
  /** A key rotation (docs/ledger.md §4.1) from this key to `next` at the head (seq, head, at):
   *  a checkpoint signed by next, with this key as prevKey and this key's prevSignature, both
   *  over ledger::rotationMessage. */
  Checkpoint rotationTo(const Signer& next, int64_t seq, const std::string& head, int64_t at,
                        const std::string& root = "") const;

  /** True when sigHex (128 hex) is a valid signature of msg by publicKeyHex (64 hex). */
  static bool verifyHex(std::string_view publicKeyHex, std::string_view msg, std::string_view sigHex);

  ~Signer();

 private:
  Signer() = default;
  unsigned char sk_[64] = {};
  std::string publicHex_;
};

/** Lowercase hex of n bytes. */
std::string toHex(const unsigned char* p, size_t n);
/** Parses exactly n bytes of hex; false on any other input. */
bool fromHex(std::string_view hex, unsigned char* out, size_t n);

}  // namespace server
}  // namespace kelisim
