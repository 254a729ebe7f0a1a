#include "policy/diff.h"

#include <algorithm>
#include <cstdint>

#include "policy/render.h"
#include "policy/text.h"

namespace kelisim::policy {
namespace {

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------
struct Token {
  std::string_view s;
  uint64_t hash;
  bool word;
};

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

bool isPunct(uint32_t cp) {
  if (cp < 0x80) return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  return (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFFFD;
}

// Words (runs of letters/digits), single spaces and single punctuation marks.
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    uint32_t cp = nextCodePoint(s, &i);
    bool word = !isPunct(cp);
    if (word) {
      while (i < s.size()) {
        size_t k = i;
        if (isPunct(nextCodePoint(s, &k))) break;
        i = k;
      }
    }
    std::string_view t = s.substr(start, i - start);
    out.push_back({t, fnv1a(t), word});
  }
  return out;
}

bool same(const Token& a, const Token& b) { return a.hash == b.hash && a.s == b.s; }

// Sorted hashes of the word tokens: a multiset for Dice similarity.
std::vector<uint64_t> wordBag(const std::vector<Token>& t) {
  std::vector<uint64_t> bag;
  for (const Token& x : t)
    if (x.word) bag.push_back(x.hash);
  std::sort(bag.begin(), bag.end());
  return bag;
}

// Words two bags share (multiset intersection size); adds the comparisons made to *work.
size_t common(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, size_t* work) {
  *work += a.size() + b.size();
  size_t c = 0, i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) { ++c; ++i; ++j; }
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  return c;
}

// Dice similarity 2*common/(|a|+|b|) >= pct/100, in integers (identical on every platform).
bool similarAtLeast(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, size_t pct, size_t* work) {
  size_t total = a.size() + b.size();
  return total > 0 && uint64_t(2) * common(a, b, work) * 100 >= uint64_t(pct) * total;
}

void appendRun(std::string* out, const std::vector<Token>& t, size_t b, size_t e) {
  for (size_t k = b; k < e; ++k) appendEscaped(out, t[k].s);
}

// ---------------------------------------------------------------------------------------
// Alignment
// ---------------------------------------------------------------------------------------
struct Side {
  std::vector<TextUnit> units;
  std::vector<std::vector<uint64_t>> bags;  // word bags, computed on first use
  std::vector<uint8_t> bagReady;
  std::vector<long> match;

  const std::vector<uint64_t>& bag(size_t i) {
    if (!bagReady[i]) {
      bags[i] = wordBag(tokenize(units[i].text));
      bagReady[i] = 1;
    }
    return bags[i];
  }
};

// Units looked up by a 64-bit key: entries (key << 20 | index) sorted; key 0 = not indexed.
// Keys are truncated to 44 bits, so callers compare the real strings. Bodies hold far fewer
// than 2^20 units (kMaxBodyBytes).
class HashIndex {
 public:
  template <class KeyOf>
  HashIndex(const std::vector<TextUnit>& units, KeyOf keyOf) {
    for (size_t j = 0; j < units.size() && j < (size_t(1) << 20); ++j) {
      uint64_t k = keyOf(units[j]);
      if (k) entries_.push_back((k << 20) | j);
    }
    std::sort(entries_.begin(), entries_.end());
  }
  // Indices whose key matches `key`'s 44 bits, in document order.
  std::vector<size_t> candidates(uint64_t key) const {
    std::vector<size_t> out;
    uint64_t lo = key << 20;
    for (auto it = std::lower_bound(entries_.begin(), entries_.end(), lo); it != entries_.end() && (*it >> 20) == (lo >> 20); ++it)
      out.push_back(static_cast<size_t>(*it & 0xFFFFF));
    return out;
  }

 private:
  std::vector<uint64_t> entries_;
};

}  // namespace

const char* diffStatusName(DiffStatus s) {
  switch (s) {
    case DiffStatus::Same: return "same";
    case DiffStatus::Added: return "added";
    case DiffStatus::Removed: return "removed";
    case DiffStatus::Changed: return "changed";
    case DiffStatus::Moved: return "moved";
  }
  return "";
}

std::string wordDiffHtml(std::string_view a, std::string_view b) {
  std::vector<Token> ta = tokenize(a), tb = tokenize(b);
  size_t pre = 0;
  while (pre < ta.size() && pre < tb.size() && same(ta[pre], tb[pre])) ++pre;
  size_t suf = 0;
  while (suf < ta.size() - pre && suf < tb.size() - pre &&
         same(ta[ta.size() - 1 - suf], tb[tb.size() - 1 - suf]))
    ++suf;
  size_t n = ta.size() - pre - suf, m = tb.size() - pre - suf;
  std::string out;
  appendRun(&out, ta, 0, pre);

  // ops over the middle: 0 equal (advance both), 1 delete (a), 2 insert (b)
  std::vector<uint8_t> ops;
  if (n == 0 || m == 0 || n > kMaxLcsCells / m) {  // (no n*m: size_t is 32-bit in wasm)
    ops.assign(n, 1);
    ops.insert(ops.end(), m, 2);
  } else {
    // L[i][j] = LCS length of a[pre+i..] and b[pre+j..]; LCS <= min(n,m) <= 1024 fits uint16.
    size_t w = m + 1;
    std::vector<uint16_t> L((n + 1) * w, 0);
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        L[i * w + j] = same(ta[pre + i], tb[pre + j]) ? uint16_t(L[(i + 1) * w + j + 1] + 1)
                                                      : std::max(L[(i + 1) * w + j], L[i * w + j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && same(ta[pre + i], tb[pre + j])) { ops.push_back(0); ++i; ++j; }
      else if (j >= m || (i < n && L[(i + 1) * w + j] >= L[i * w + j + 1])) { ops.push_back(1); ++i; }
      else { ops.push_back(2); ++j; }
    }
  }

  // Walk the ops in blocks: an equal run, or a change block (deletes and inserts). An equal
  // run of only spaces between two change blocks is folded into the change.
  std::string del, ins;
  size_t ia = pre, ib = pre, k = 0;
  auto flush = [&]() {
    if (!del.empty()) out += "<del>" + del + "</del>";
    if (!ins.empty()) out += "<ins>" + ins + "</ins>";
    del.clear();
    ins.clear();
  };
  while (k < ops.size()) {
    if (ops[k] != 0) {
      if (ops[k] == 1) appendEscaped(&del, ta[ia++].s);
      else appendEscaped(&ins, tb[ib++].s);
      ++k;
      continue;
    }
    size_t e = k;
    bool blank = true;
    for (size_t q = ia; e < ops.size() && ops[e] == 0; ++e, ++q)
      if (ta[q].s != " ") blank = false;
    bool between = (!del.empty() || !ins.empty()) && e < ops.size();
    if (blank && between) {
      for (size_t q = k; q < e; ++q) {
        appendEscaped(&del, ta[ia++].s);
        appendEscaped(&ins, tb[ib++].s);
      }
    } else {
      flush();
      appendRun(&out, ta, ia, ia + (e - k));
      ia += e - k;
      ib += e - k;
    }
    k = e;
  }
  flush();
  appendRun(&out, ta, ta.size() - suf, ta.size());
  return out;
}

DiffResult diffBodies(const Body& a, const Body& b) {
  Side O, N;
  O.units = textUnits(a, true);
  N.units = textUnits(b, true);
  for (Side* s : {&O, &N}) {
    s->match.assign(s->units.size(), -1);
    s->bags.resize(s->units.size());
    s->bagReady.assign(s->units.size(), 0);
  }
  const size_t no = O.units.size(), nn = N.units.size();
  std::vector<DiffStatus> statusN(nn, DiffStatus::Added);

  // New units by number and by text: sorted (hash << 20 | index) keys, so equal hashes sit
  // together in document order (one std::sort<uint64_t> instantiation, shared with wordBag).
  const HashIndex byNum(N.units, [](const TextUnit& u) { return u.num.empty() ? 0 : fnv1a(u.num); });
  // First unmatched new clause with old clause i's number, or -1.
  auto sameNum = [&](size_t i) -> long {
    if (O.units[i].num.empty()) return -1;
    for (size_t j : byNum.candidates(fnv1a(O.units[i].num)))
      if (N.match[j] < 0 && N.units[j].num == O.units[i].num) return static_cast<long>(j);
    return -1;
  };
  auto link = [&](size_t i, size_t j, DiffStatus st) {
    O.match[i] = static_cast<long>(j);
    N.match[j] = static_cast<long>(i);
    statusN[j] = st;
  };

  // 1. Same number, same text.
  for (size_t i = 0; i < no; ++i) {
    long j = sameNum(i);
    if (j >= 0 && O.units[i].text == N.units[j].text) link(i, j, DiffStatus::Same);
  }
  // 2. Same (non-empty) text elsewhere: renumbered (or an unnumbered run that stayed).
  {
    const HashIndex byText(N.units, [](const TextUnit& u) { return u.text.empty() ? 0 : fnv1a(u.text); });
    for (size_t i = 0; i < no; ++i) {
      if (O.match[i] >= 0 || O.units[i].text.empty()) continue;
      for (size_t j : byText.candidates(fnv1a(O.units[i].text))) {
        if (N.match[j] >= 0 || N.units[j].text != O.units[i].text) continue;
        if (O.units[i].num.empty() != N.units[j].num.empty()) continue;
        link(i, j, O.units[i].num == N.units[j].num ? DiffStatus::Same : DiffStatus::Moved);
        break;
      }
    }
  }
  size_t work = 0;
  // 3. Same number, mostly the same words.
  for (size_t i = 0; i < no; ++i) {
    if (O.match[i] >= 0) continue;
    long j = sameNum(i);
    if (j >= 0 && similarAtLeast(O.bag(i), N.bag(static_cast<size_t>(j)), 50, &work)) link(i, static_cast<size_t>(j), DiffStatus::Changed);
  }
  // 4. Another number (or both unnumbered), at least 60% of words in common: the most
  // similar unmatched clause wins (the first one on ties).
  for (size_t i = 0; i < no && work < kMaxAlignWork; ++i) {
    if (O.match[i] >= 0 || O.bag(i).empty()) continue;
    long best = -1;
    size_t bestCommon = 0, bestTotal = 1;
    for (size_t j = 0; j < nn && work < kMaxAlignWork; ++j) {
      if (N.match[j] >= 0 || O.units[i].num.empty() != N.units[j].num.empty()) continue;
      size_t total = O.bag(i).size() + N.bag(j).size();
      size_t c = common(O.bag(i), N.bag(j), &work);
      // 64-bit products: size_t is 32-bit in wasm, and native and wasm must agree.
      if (uint64_t(2) * c * 100 >= uint64_t(60) * total && uint64_t(c) * bestTotal > uint64_t(bestCommon) * total) {
        best = static_cast<long>(j);
        bestCommon = c;
        bestTotal = total;
      }
    }
    if (best >= 0) link(i, static_cast<size_t>(best), DiffStatus::Changed);
  }
  // 5. Same number, rewritten.
  for (size_t i = 0; i < no; ++i) {
    if (O.match[i] >= 0) continue;
    long j = sameNum(i);
    if (j >= 0) link(i, static_cast<size_t>(j), DiffStatus::Changed);
  }

  // Removed clauses go after the new position of their nearest matched predecessor.
  std::vector<std::vector<size_t>> removedAfter(nn + 1);
  long anchor = 0;  // slot: 0 = before everything, j+1 = after new unit j
  for (size_t i = 0; i < no; ++i) {
    if (O.match[i] >= 0) anchor = O.match[i] + 1;
    else removedAfter[static_cast<size_t>(anchor)].push_back(i);
  }

  DiffResult r;
  auto emitRemoved = [&](size_t slot) {
    for (size_t i : removedAfter[slot]) {
      DiffClause c;
      c.num = O.units[i].num;
      c.status = DiffStatus::Removed;
      c.html = "<del>";
      appendEscaped(&c.html, O.units[i].text);
      c.html += "</del>";
      if (c.num.empty()) ++r.unnumberedChanged;
      else r.removed.push_back(c.num);
      r.clauses.push_back(std::move(c));
    }
  };
  emitRemoved(0);
  for (size_t j = 0; j < nn; ++j) {
    DiffClause c;
    const TextUnit& nu = N.units[j];
    c.num = nu.num;
    c.status = statusN[j];
    long i = N.match[j];
    if (i >= 0 && O.units[static_cast<size_t>(i)].num != nu.num) c.oldNum = O.units[static_cast<size_t>(i)].num;
    switch (c.status) {
      case DiffStatus::Same:
      case DiffStatus::Moved:
        appendEscaped(&c.html, nu.text);
        break;
      case DiffStatus::Added:
        c.html = "<ins>";
        appendEscaped(&c.html, nu.text);
        c.html += "</ins>";
        break;
      case DiffStatus::Changed:
        c.html = wordDiffHtml(O.units[static_cast<size_t>(i)].text, nu.text);
        break;
      case DiffStatus::Removed:
        break;
    }
    if (c.status != DiffStatus::Same) {
      if (c.num.empty()) ++r.unnumberedChanged;
      else if (c.status == DiffStatus::Added) r.added.push_back(c.num);
      else if (c.status == DiffStatus::Changed) r.changed.push_back(c.num);
      else if (c.status == DiffStatus::Moved) r.moved.push_back(c.num);
    }
    r.clauses.push_back(std::move(c));
    emitRemoved(j + 1);
  }
  return r;
}

std::string diffJson(const DiffResult& d) {
  std::string out = "{\"summary\":{";
  const std::pair<const char*, const std::vector<std::string>*> lists[] = {
      {"added", &d.added}, {"removed", &d.removed}, {"changed", &d.changed}, {"moved", &d.moved}};
  for (const auto& l : lists) {
    out += '"';
    out += l.first;
    out += "\":[";
    for (size_t i = 0; i < l.second->size(); ++i) {
      if (i) out += ',';
      appendJsonString(&out, (*l.second)[i]);
    }
    out += "],";
  }
  out += "\"unnumbered\":";
  appendInt(&out, d.unnumberedChanged);
  out += "},\"clauses\":[";
  for (size_t i = 0; i < d.clauses.size(); ++i) {
    const DiffClause& c = d.clauses[i];
    if (i) out += ',';
    out += "{\"num\":";
    appendJsonString(&out, c.num);
    if (!c.num.empty()) {
      out += ",\"id\":";
      appendJsonString(&out, "p-" + c.num);
    }
    if (!c.oldNum.empty()) {
      out += ",\"oldNum\":";
      appendJsonString(&out, c.oldNum);
    }
    out += ",\"status\":\"";
    out += diffStatusName(c.status);
    out += "\",\"html\":";
    appendJsonString(&out, c.html);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace kelisim::policy
