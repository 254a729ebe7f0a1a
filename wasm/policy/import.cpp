#include "policy/import.h"
// (work in progress: full importer lands shortly)
namespace kelisim::policy {
kelisim::Error importText(std::string_view, ImportResult* out) {
  *out = ImportResult{};
  out->bodyJson = "{\"children\":[],\"format\":1,\"title\":\"\"}";
  out->headerJson = "{}";
  return {};
}
}  // namespace kelisim::policy
