// The numbered schema migrations of both engines (server/migrations/<engine>/NNN_name.sql),
// embedded at build time by server/embed_migrations.cmake. Each store runs its engine's, in
// number order, and records them in its schema_migrations table.
#pragma once
#include <vector>

namespace kelisim {
namespace server {

struct Migration {
  const char* engine;  // "sqlite" | "postgres" (the folder name)
  int number;          // NNN
  const char* name;    // "NNN_name"
  const char* sql;
};

/** The migrations of `engine`, lowest number first. Pointers into a static table. */
std::vector<const Migration*> migrationsFor(const char* engine);

}  // namespace server
}  // namespace kelisim
