// UTF-8 helpers for the policy code: validation/repair, code point iteration, case folding
// for Russian, Kazakh and English. No I/O, no locale, no allocation beyond the results.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kelisim::policy {

/** Returns `s` with every invalid UTF-8 sequence (bad lead/continuation bytes, overlongs,
 *  surrogates, > U+10FFFF, truncated tails) replaced by U+FFFD, one per maximal subpart:
 *  exactly what the WHATWG decoder (JS TextDecoder) produces. */
std::string sanitizeUtf8(std::string_view s);

/** Decodes one code point at s[*i] and advances *i. An invalid sequence decodes to U+FFFD,
 *  advancing past its maximal valid prefix (at least one byte). Precondition: *i < s.size(). */
uint32_t nextCodePoint(std::string_view s, size_t* i);

/** Appends the UTF-8 encoding of cp (U+FFFD for surrogates / out of range). */
void appendUtf8(std::string* out, uint32_t cp);

/** Lowercase of one code point: Latin A-Z, Cyrillic А-Я, Ё→е (ё→е as well), Ukrainian/
 *  Belarusian ІЇЄЎ, Kazakh ӘҒҚҢӨҰҮҺІ; everything else unchanged. */
uint32_t foldCodePoint(uint32_t cp);

/** Case-folds UTF-8 text for search: foldCodePoint on every code point (invalid bytes become
 *  U+FFFD). The result is what search compares; ё and е compare equal. */
std::string foldCase(std::string_view s);

/** A letter for word-boundary checks: Latin (with Latin-1/Extended-A/B), Cyrillic (with the
 *  Kazakh, Ukrainian and Belarusian letters up to U+052F). */
bool letterCp(uint32_t cp);
/** Is there a letter right before byte `off` of s / at byte `off` of s? */
bool letterBefore(std::string_view s, size_t off);
bool letterAt(std::string_view s, size_t off);
/** s contains needle / any of needles. */
bool has(std::string_view s, std::string_view needle);
bool hasAny(std::string_view s, std::initializer_list<std::string_view> needles);

/** First whole-word (no letter on either side) occurrence of w in s at or after `from`;
 *  npos when none. */
size_t findWord(std::string_view s, std::string_view w, size_t from = 0);
/** First occurrence of a word starting with `stem` (no letter before it); npos when none. */
size_t findStem(std::string_view s, std::string_view stem, size_t from = 0);
/** s[i..] past any spaces (as isSpaceAt). */
size_t skipBlank(std::string_view s, size_t i);
/** A clause reference number at s[i] ("5", "5.2", "4.1.5.", parts of 1–3 digits, an optional
 *  trailing dot, no letter right after): its length in bytes, with the number without the
 *  trailing dot in *num; 0 when there is none. */
size_t scanRef(std::string_view s, size_t i, std::string* num);

/** Number of code points in s (for columns: 1-based col = codePointCount(prefix) + 1). */
size_t codePointCount(std::string_view s);

/** True for ASCII space/tab, NBSP (U+00A0) and other Unicode spaces at s[i]; *len = bytes. */
bool isSpaceAt(std::string_view s, size_t i, size_t* len);

/** s without leading/trailing spaces (as isSpaceAt), CR included. */
std::string_view trim(std::string_view s);

/** YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or ±HH:MM (ISO 8601 with an explicit offset,
 *  what manifests' publishedAt holds). Checks the shape, not the calendar. */
bool isIsoInstant(std::string_view v);

/** A small string -> int hash map (open addressing, FNV-1a): clause numbers to indices.
 *  Smaller in wasm than std::map<std::string, int>; iterative, no recursion. */
class NumMap {
 public:
  /** The value for key, or nullptr. */
  const int* find(std::string_view key) const;
  /** Inserts or overwrites. */
  void set(std::string_view key, int value);

 private:
  size_t slot(std::string_view key) const;  // the slot holding key, or the empty one it would take
  std::vector<std::pair<std::string, int>> items_;
  std::vector<int> slots_;  // index into items_, -1 = empty; size is a power of two
};

}  // namespace kelisim::policy
