#include "store/migrations.h"

#include <algorithm>
#include <cstring>

namespace kelisim {
namespace server {
namespace {

const Migration kMigrations[] = {
#include "migrations.inc"
};

}  // namespace

std::vector<const Migration*> migrationsFor(const char* engine) {
  std::vector<const Migration*> out;
  for (const Migration& m : kMigrations)
    if (std::strcmp(m.engine, engine) == 0) out.push_back(&m);
  std::sort(out.begin(), out.end(), [](const Migration* a, const Migration* b) { return a->number < b->number; });
  return out;
}

}  // namespace server
}  // namespace kelisim
