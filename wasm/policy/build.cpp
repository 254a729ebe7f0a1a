#include "policy/build.h"
// (work in progress: full build lands shortly)
namespace kelisim::policy {
kelisim::Error buildPolicy(const FileList&, FileList* out) { out->clear(); return {ErrorCode::BadInput, "not implemented yet"}; }
kelisim::Error bodyHash(std::string_view, std::string*) { return {ErrorCode::BadInput, "not implemented yet"}; }
}  // namespace kelisim::policy
