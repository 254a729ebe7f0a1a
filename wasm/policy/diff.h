// Diff of two versions of a policy body: clauses aligned by number and by text, word-level
// changes inside changed clauses as <ins>/<del> HTML. Bounded in time and memory.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "policy/body.h"

namespace kelisim::policy {

/** Token pairs (after trimming the common prefix and suffix) above which a changed clause
 *  is shown as a whole-text replacement instead of a word-level LCS (2 bytes per pair). */
constexpr size_t kMaxLcsCells = size_t(1) << 20;
/** Token comparisons spent on matching renumbered-and-edited clauses; beyond it the rest
 *  are reported as removed + added. */
constexpr size_t kMaxAlignWork = size_t(4) << 20;

enum class DiffStatus { Same, Added, Removed, Changed, Moved };
const char* diffStatusName(DiffStatus s);  // "same" | "added" | "removed" | "changed" | "moved"

struct DiffClause {
  std::string num;     // number in the new version (old one for removed); "" = text outside clauses
  std::string oldNum;  // number in the old version when it differs (moved / renumbered+changed)
  DiffStatus status = DiffStatus::Same;
  std::string html;    // escaped text; added in <ins>, removed in <del>, changed word by word
};

struct DiffResult {
  std::vector<std::string> added, removed, changed, moved;  // clause numbers, document order
  int unnumberedChanged = 0;  // changed/added/removed runs of text outside any clause
  std::vector<DiffClause> clauses;  // new document order; removed ones after their old predecessor
};

/** Aligns the clauses of `a` (old) and `b` (new), in this order of preference:
 *  same number and same text -> same; same text under another number -> moved; same number
 *  and at least 50% of words in common (Dice) -> changed; another number and at least 60% ->
 *  changed (oldNum set); same number otherwise -> changed; the rest -> removed / added.
 *  Text is each clause's own text (title + blocks, not sub-clauses), as textUnits. */
DiffResult diffBodies(const Body& a, const Body& b);

/** Word-level diff of two texts as HTML: equal runs escaped, changes as
 *  <del>old</del><ins>new</ins>. Tokens are words, single spaces and punctuation marks;
 *  spaces between two changes join the change. Beyond kMaxLcsCells the changed middle is
 *  one <del>…</del><ins>…</ins>. */
std::string wordDiffHtml(std::string_view a, std::string_view b);

/** {"summary":{"added":[…],"removed":[…],"changed":[…],"moved":[…],"unnumbered":n},
 *   "clauses":[{"num","id"?,"oldNum"?,"status","html"}]}; "id" is "p-"+num when num is set. */
std::string diffJson(const DiffResult& d);

}  // namespace kelisim::policy
