// openStore: picks the engine from the --db value (store.h).
#include "store/store.h"

namespace kelisim {
namespace server {

namespace {
bool startsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
}  // namespace

std::unique_ptr<Store> openStore(const std::string& db, std::string* err) {
  if (startsWith(db, "sqlite:")) {
    std::string path = db.substr(7);
    if (path.empty()) {
      *err = "--db sqlite:PATH: the path is empty";
      return nullptr;
    }
    return openSqliteStore(path, err);
  }
  if (startsWith(db, "postgres://") || startsWith(db, "postgresql://")) return openPostgresStore(db, err);
  *err = "--db '" + db + "': expected sqlite:PATH or postgres://user@host/dbname (libpq URI)";
  return nullptr;
}

}  // namespace server
}  // namespace kelisim
