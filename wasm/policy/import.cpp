// Importer. Line-oriented and iterative: no recursion anywhere (the inline parser keeps an
// explicit frame stack in which each kind of frame appears at most once).
#include "policy/import.h"

#include <nlohmann/json.hpp>

#include "policy/text.h"

namespace kelisim::policy {
namespace {

using json = nlohmann::json;

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alnum(char c) { return digit(c) || ((c | 32) >= 'a' && (c | 32) <= 'z'); }
bool spaceAt(std::string_view s, size_t i, size_t* n) { return i < s.size() && isSpaceAt(s, i, n); }
size_t skipSpaces(std::string_view s, size_t i) {
  size_t n = 0;
  while (spaceAt(s, i, &n)) i += n;
  return i;
}
bool startsWith(std::string_view s, size_t i, std::string_view p) { return s.substr(i, p.size()) == p; }

/** A clause number at s[i]: 1-3 digits per part (no leading zero), up to 16 parts, a single
 *  part needs its trailing dot (unless bareSingle). Sets *num ("1.2.3") and returns the bytes consumed (0 = none). */
size_t scanNumber(std::string_view s, size_t i, std::string* num, int* parts, bool bareSingle = false) {
  size_t j = i;
  int n = 0;
  bool trailingDot = false;
  num->clear();
  while (j < s.size() && digit(s[j])) {
    size_t d = j;
    while (j < s.size() && digit(s[j])) ++j;
    if (j - d > 3 || (s[d] == '0' && j - d > 1) || (n == 0 && s[d] == '0') || ++n > 16) return 0;
    if (!num->empty()) num->push_back('.');
    num->append(s.data() + d, j - d);
    trailingDot = j < s.size() && s[j] == '.';
    if (!trailingDot) break;
    ++j;
  }
  if (n == 0 || (n == 1 && !trailingDot && !bareSingle)) return 0;
  *parts = n;
  return j - i;
}

/** "1.1.Текст": a number glued to its text (after the number's trailing dot) when a letter or
 *  an opening quote follows. */
bool glued(std::string_view s, size_t i) {
  uint32_t c = nextCodePoint(s, &i);
  return (c < 0x80 && ((c | 32) >= 'a' && (c | 32) <= 'z')) || (c >= 0x400 && c <= 0x52F) || c == 0xAB || c == '"';
}

bool endsWithPunct(std::string_view t) {
  return !t.empty() && std::string_view(".;:,!?").find(t.back()) != std::string_view::npos;
}

// ---- Inline parser --------------------------------------------------------------------------

enum FrameKind { kRoot, kStrong, kEm, kLink };
struct Frame {
  FrameKind kind;
  std::string literal;  // the opening marker, put back if the frame never closes
  json items = json::array();
  std::string pending;  // text not yet pushed to items
};

void flushText(Frame& f) {
  if (!f.pending.empty()) f.items.push_back(std::move(f.pending));
  f.pending.clear();
}
void pushNode(Frame& f, json node) {
  flushText(f);
  f.items.push_back(std::move(node));
}
/** Puts an unclosed frame back into its parent as literal text + its items. */
void flatten(Frame& child, Frame& parent) {
  parent.pending += child.literal;
  for (auto& it : child.items) {
    if (it.is_string()) parent.pending += it.get_ref<const std::string&>();
    else pushNode(parent, std::move(it));
  }
  parent.pending += child.pending;
}
/** Closes the innermost frame of `kind`, flattening the frames above it; returns its items. */
json closeFrame(std::vector<Frame>& st, FrameKind kind) {
  while (st.back().kind != kind) {
    Frame top = std::move(st.back());
    st.pop_back();
    flatten(top, st.back());
  }
  flushText(st.back());
  json items = std::move(st.back().items);
  st.pop_back();
  return items;
}
int findFrame(const std::vector<Frame>& st, FrameKind kind) {
  for (size_t k = st.size(); k-- > 1;)
    if (st[k].kind == kind) return int(k);
  return -1;
}
/** A one-string inline list. */
json textOf(std::string t) {
  json a = json::array();
  a.push_back(std::move(t));
  return a;
}
json link(json text, std::string href) {
  json a = json::object();
  a["a"] = std::move(text);
  a["href"] = std::move(href);
  return a;
}

/** Length of a bare e-mail address at s[i] (0 = none). */
size_t scanEmail(std::string_view s, size_t i) {
  auto local = [](char c) { return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; };
  size_t j = i;
  while (j < s.size() && local(s[j])) ++j;
  if (j == i || j >= s.size() || s[j] != '@') return 0;
  size_t d = ++j;
  while (j < s.size() && (alnum(s[j]) || s[j] == '.' || s[j] == '-')) ++j;
  while (j > d && (s[j - 1] == '.' || s[j - 1] == '-')) --j;
  std::string_view dom = s.substr(d, j - d);
  size_t dot = dom.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dom.size() - dot < 3) return 0;
  for (size_t k = dot + 1; k < dom.size(); ++k)
    if (!alnum(dom[k]) || digit(dom[k])) return 0;
  return j - i;
}

/** Length of a bare http(s) URL at s[i] (0 = none); trailing sentence punctuation excluded. */
size_t scanUrl(std::string_view s, size_t i) {
  if (!startsWith(s, i, "http://") && !startsWith(s, i, "https://")) return 0;
  size_t j = i, n = 0;
  while (j < s.size() && !spaceAt(s, j, &n) && s[j] != '<' && s[j] != '>' && s[j] != '"' &&
         static_cast<unsigned char>(s[j]) >= 0x21)
    ++j;
  // Strip trailing punctuation (ASCII and the closing guillemet »).
  for (;;) {
    if (j > i && std::string_view(".,;:!?)'*]").find(s[j - 1]) != std::string_view::npos) --j;
    else if (j >= i + 2 && s.substr(j - 2, 2) == "\xC2\xBB") j -= 2;
    else break;
  }
  size_t schemeEnd = s.substr(i).find("//") + 2;
  return j > i + schemeEnd ? j - i : 0;
}

bool asciiPunct(char c) { return c > 0x20 && c < 0x7F && !alnum(c); }

/** Markdown-ish inline text -> [Inline]. */
json parseInlines(std::string_view s) {
  std::vector<Frame> st;
  st.push_back(Frame{kRoot, "", json::array(), ""});
  size_t i = 0, n = 0;
  ptrdiff_t budget = ptrdiff_t(4 * s.size() + 4096);  // bytes failed link scans may read
  while (i < s.size()) {
    char c = s[i];
    Frame& f = st.back();
    bool inLink = findFrame(st, kLink) >= 0;
    if (c == '\\' && i + 1 < s.size() && asciiPunct(s[i + 1])) {
      f.pending += s[i + 1];
      i += 2;
    } else if (c == '*') {
      bool dbl = i + 1 < s.size() && s[i + 1] == '*';
      FrameKind kind = dbl ? kStrong : kEm;
      size_t w = dbl ? 2 : 1;
      bool prevSpace = i == 0 || spaceAt(s, i - 1, &n);
      bool nextSpace = i + w >= s.size() || spaceAt(s, i + w, &n);
      if (findFrame(st, kind) >= 0 && !prevSpace) {
        json items = closeFrame(st, kind);
        json node = json::object();
        node[dbl ? "strong" : "em"] = std::move(items);
        pushNode(st.back(), std::move(node));
      } else if (findFrame(st, kind) < 0 && !nextSpace) {
        st.push_back(Frame{kind, std::string(w, '*'), json::array(), ""});
      } else {
        f.pending.append(w, '*');
      }
      i += w;
    } else if (c == '[' && !inLink) {
      st.push_back(Frame{kLink, "[", json::array(), ""});
      ++i;
    } else if (c == ']' && inLink && i + 1 < s.size() && s[i + 1] == '(' && budget > 0) {
      // The destination: up to the ')' that balances its parentheses. Failed scans spend a
      // budget proportional to the text, so "[a](" repeated stays linear.
      size_t j = i + 2;
      int depth = 0;
      while (j < s.size() && (s[j] != ')' || depth > 0) && s[j] != '\n') {
        if (s[j] == '(') ++depth;
        if (s[j] == ')') --depth;
        ++j;
      }
      if (j >= s.size() || s[j] != ')') {
        budget -= ptrdiff_t(j - i);
        f.pending += c;
        ++i;
        continue;
      }
      std::string href(trim(s.substr(i + 2, j - i - 2)));
      if (href.size() >= 2 && href.front() == '<' && href.back() == '>') href = href.substr(1, href.size() - 2);
      json items = closeFrame(st, kLink);
      pushNode(st.back(), link(std::move(items), std::move(href)));
      i = j + 1;
    } else if (c == '<' && !inLink && (startsWith(s, i + 1, "http://") || startsWith(s, i + 1, "https://") ||
                                        startsWith(s, i + 1, "mailto:"))) {
      size_t j = i + 1;
      while (j < s.size() && s[j] != '>' && s[j] != '<' && !spaceAt(s, j, &n)) ++j;
      if (j < s.size() && s[j] == '>') {
        std::string href(s.substr(i + 1, j - i - 1));
        std::string text = startsWith(href, 0, "mailto:") ? href.substr(7) : href;
        pushNode(f, link(textOf(text), href));
        i = j + 1;
      } else {
        f.pending += c;
        ++i;
      }
    } else if (!inLink && alnum(c) && (i == 0 || !(alnum(s[i - 1]) || std::string_view("./@-_+%").find(s[i - 1]) != std::string_view::npos))) {
      // A word start (not inside a run an e-mail's local part could continue: each run is
      // scanned once, so the scan stays linear).
      size_t u = scanUrl(s, i), e = u ? 0 : scanEmail(s, i);
      if (u) {
        std::string url(s.substr(i, u));
        pushNode(f, link(textOf(url), url));
        i += u;
      } else if (e) {
        std::string addr(s.substr(i, e));
        pushNode(f, link(textOf(addr), "mailto:" + addr));
        i += e;
      } else {
        // Copy the whole word: no markup starts inside it except '*' and '\\' and brackets.
        size_t j = i;
        while (j < s.size() && alnum(s[j])) ++j;
        f.pending.append(s.data() + i, j - i);
        i = j;
      }
    } else {
      f.pending += c;
      ++i;
    }
  }
  while (st.size() > 1) {
    Frame top = std::move(st.back());
    st.pop_back();
    flatten(top, st.back());
  }
  flushText(st.back());
  return std::move(st.back().items);
}

// ---- Block structure -------------------------------------------------------------------------

enum Kind { kClause, kHeading, kPara, kList };
struct Node {
  Kind kind;
  int parent;  // node index, -1 = body
  int line;
  std::string num, title;          // clause
  std::vector<std::string> texts;  // p/h: one text; ul: one per item
};

/** A bold clause number inside a line ("… понимаются: **1.1.1.** Персональная …"): offset of
 *  the opening `**` at or after `from`, preceded by a space; npos if none. */
size_t findMidNumber(std::string_view s, size_t from) {
  std::string num;
  int parts = 0;
  size_t n = 0;
  for (size_t k = s.find("**", from); k != std::string_view::npos; k = s.find("**", k + 2)) {
    if (k == 0 || !spaceAt(s, k - 1, &n)) continue;
    size_t len = scanNumber(s, k + 2, &num, &parts);
    if (len && startsWith(s, k + 2 + len, "**") && (k + 4 + len >= s.size() || spaceAt(s, k + 4 + len, &n))) return k;
  }
  return std::string_view::npos;
}

struct Builder {
  ParsedSource* src = nullptr;
  std::vector<Node> nodes;
  NumMap byNum;  // clause number -> latest node with it
  std::vector<int> clauseOfNode;     // node index -> index in src->clauses (clauses only)
  int cur = -1;                      // current clause node (-1 = top level)
  bool paraOpen = false;             // last line was paragraph text that a next line may continue
  bool listOpen = false;             // last non-blank line was a list item of `cur`
  std::string title;

  int add(Node n) {
    nodes.push_back(std::move(n));
    clauseOfNode.push_back(-1);
    return int(nodes.size()) - 1;
  }
  int lastChild(int parent) const {
    for (size_t k = nodes.size(); k-- > 0;) {
      if (nodes[k].parent == parent) return int(k);
      if (int(k) == parent) break;
    }
    return -1;
  }
  void appendClauseText(std::string_view t) {
    if (cur < 0) return;
    std::string& ct = src->clauses[size_t(clauseOfNode[size_t(cur)])].text;
    if (!ct.empty()) ct += '\n';
    ct += t;
  }

  void clause(const std::string& num, int parts, int line, int col, std::string_view rest, bool heading) {
    int parent = -1;
    size_t dot = num.size();
    for (int k = parts - 1; k >= 1; --k) {
      dot = num.rfind('.', dot - 1);
      if (k > 7) continue;  // depth cap: at most 8 levels
      if (const int* found = byNum.find(std::string_view(num).substr(0, dot))) {
        parent = *found;
        break;
      }
    }
    Node n{kClause, parent, line, num, "", {}};
    bool isTitle = heading;
    if (!heading && parts == 1 && !rest.empty() && codePointCount(rest) <= 100) {
      int words = 1;
      for (char ch : rest) words += ch == ' ';
      isTitle = !endsWithPunct(rest) ||
                (rest.back() == '.' && words <= 6 && rest.find('.') == rest.size() - 1);
    }
    if (isTitle) {
      if (!heading && rest.back() == '.') rest.remove_suffix(1);
      n.title = std::string(rest);
    }
    int idx = add(n);
    byNum.set(num, idx);
    SourceClause sc;
    sc.num = num;
    sc.line = line;
    sc.col = col;
    sc.parent = parent >= 0 ? clauseOfNode[size_t(parent)] : -1;
    sc.title = n.title;
    clauseOfNode[size_t(idx)] = int(src->clauses.size());
    src->clauses.push_back(std::move(sc));
    cur = idx;
    listOpen = false;
    paraOpen = false;
    if (!isTitle && !rest.empty()) para(rest, line);
  }
  void para(std::string_view t, int line) {
    add(Node{kPara, cur, line, "", "", {std::string(t)}});
    appendClauseText(t);
    paraOpen = true;
    listOpen = false;
  }
  void item(std::string_view t, int line) {
    int last = lastChild(cur);
    if (listOpen && last >= 0 && nodes[size_t(last)].kind == kList) {
      nodes[size_t(last)].texts.emplace_back(t);
    } else {
      add(Node{kList, cur, line, "", "", {std::string(t)}});
    }
    appendClauseText(t);
    listOpen = true;
    paraOpen = false;
  }

  /** One body line (1-based `line`). */
  void line(std::string_view s, int line) {
    size_t p = skipSpaces(s, 0), n = 0;
    if (p >= s.size()) return;  // blank: a paragraph broken mid-sentence may still continue
    bool heading = false, bullet = false;
    size_t colOff = 0;
    int colCol = 1;
    if (s[p] == '#') {
      size_t h = p;
      while (h < s.size() && s[h] == '#') ++h;
      if (h - p <= 6 && (h == s.size() || spaceAt(s, h, &n))) {
        heading = true;
        p = skipSpaces(s, h);
        // Closing #s: "## Title ##".
        size_t e = s.size();
        while (e > p && spaceAt(s, e - 1, &n)) --e;
        size_t k = e;
        while (k > p && s[k - 1] == '#') --k;
        if (k < e && (k == p || s[k - 1] == ' ' || s[k - 1] == '\t')) s = s.substr(0, k);
      }
    } else {
      static const std::string_view kBullets[] = {"\xE2\x80\xA2", "-", "*", "+", "\xE2\x80\x93", "\xC2\xB7"};
      for (auto b : kBullets) {
        if (startsWith(s, p, b) && (p + b.size() >= s.size() || spaceAt(s, p + b.size(), &n))) {
          bullet = true;
          p = skipSpaces(s, p + b.size());
          break;
        }
      }
    }
    // Body title: the first non-blank line when it is a heading or short and unpunctuated.
    if (nodes.empty() && title.empty() && !bullet) {
      std::string num;
      int parts = 0;
      std::string_view t = trim(s.substr(p));
      bool numbered = scanNumber(s, startsWith(s, p, "**") ? p + 2 : p, &num, &parts, heading) != 0;
      if (!numbered && !t.empty() && (heading || (codePointCount(t) <= 120 && !endsWithPunct(t)))) {
        title = std::string(t);
        return;
      }
    }
    // Clause number (possibly bold), then the rest of the line; bold numbers later in the
    // line ("… понимаются: **1.1.1.** …") start further clauses.
    for (;;) {
      std::string num;
      int parts = 0;
      size_t q = p;
      bool bold = startsWith(s, q, "**");
      if (bold) q += 2;
      size_t len = scanNumber(s, q, &num, &parts, heading);  // "### 2 Права": a bare number in a heading
      size_t after = q + len;
      bool closed = bold && len && startsWith(s, after, "**");
      if (closed) after += 2;
      bool isClause = len && (after >= s.size() || spaceAt(s, after, &n) || (!closed && s[after - 1] == '.' && glued(s, after)));
      size_t restStart = isClause ? skipSpaces(s, after) : p;
      size_t mid = findMidNumber(s, restStart);
      std::string rest = isClause && bold && !closed ? "**" : "";  // "**1. Title**" keeps its marker
      rest += trim(s.substr(restStart, mid == std::string_view::npos ? mid : mid - restStart));
      if (isClause) {
        colCol += int(codePointCount(s.substr(colOff, q - colOff)));  // q only grows along a line
        colOff = q;
        clause(num, parts, line, colCol, rest, heading);
      } else if (heading) {
        cur = -1;
        add(Node{kHeading, -1, line, "", "", {rest}});
        paraOpen = listOpen = false;
      } else if (bullet) {
        item(rest, line);
      } else {
        text(rest, line);
      }
      if (cur >= 0) src->lineClause[size_t(line - 1)] = clauseOfNode[size_t(cur)];
      if (mid == std::string_view::npos) return;
      p = mid;
      heading = bullet = false;
    }
  }

  /** Paragraph text; a soft-wrapped continuation (previous paragraph line ended mid-sentence,
   *  this one starts in lower case) joins the previous paragraph. */
  void text(std::string_view t, int line) {
    if (t.empty()) return;
    int last = lastChild(cur);
    size_t k = 0;
    uint32_t c = nextCodePoint(t, &k);
    bool lower = (c >= 'a' && c <= 'z') || (c >= 0x430 && c <= 0x45F) || (c >= 0x491 && c <= 0x4FF && (c & 1));
    if (paraOpen && lower && last >= 0 && nodes[size_t(last)].kind == kPara && !endsWithPunct(nodes[size_t(last)].texts[0])) {
      nodes[size_t(last)].texts[0] += ' ';
      nodes[size_t(last)].texts[0] += t;
      appendClauseText(t);
    } else {
      para(t, line);
    }
  }

  /** Builds the body JSON bottom-up (children always have larger indices than parents). */
  json body() {
    std::vector<json> built(nodes.size());
    std::vector<std::vector<int>> kids(nodes.size());
    json top = json::array();
    for (size_t k = 0; k < nodes.size(); ++k)
      if (nodes[k].parent >= 0) kids[size_t(nodes[k].parent)].push_back(int(k));
    for (size_t k = nodes.size(); k-- > 0;) {
      Node& nd = nodes[k];
      json o = json::object();
      o["line"] = nd.line;
      switch (nd.kind) {
        case kClause: {
          o["k"] = "clause";
          o["num"] = nd.num;
          o["id"] = "p-" + nd.num;
          if (!nd.title.empty()) o["title"] = parseInlines(nd.title);
          json ch = json::array();
          for (int c : kids[k]) ch.push_back(std::move(built[size_t(c)]));
          o["children"] = std::move(ch);
          break;
        }
        case kHeading: o["k"] = "h"; o["c"] = parseInlines(nd.texts[0]); break;
        case kPara: o["k"] = "p"; o["c"] = parseInlines(nd.texts[0]); break;
        case kList: {
          o["k"] = "ul";
          json items = json::array();
          for (auto& t : nd.texts) items.push_back(parseInlines(t));
          o["items"] = std::move(items);
          break;
        }
      }
      built[k] = std::move(o);
    }
    for (size_t k = 0; k < nodes.size(); ++k)
      if (nodes[k].parent < 0) top.push_back(std::move(built[k]));
    json b = json::object();
    b["format"] = 1;
    b["title"] = title;
    b["children"] = std::move(top);
    return b;
  }
};

bool headerKeyLine(std::string_view s, std::string_view* key, std::string_view* value) {
  size_t i = 0;
  if (s.empty() || !((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')) return false;
  while (i < s.size() && (alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-')) ++i;
  if (i >= s.size() || s[i] != ':' || (i + 1 < s.size() && s[i + 1] != ' ' && s[i + 1] != '\t')) return false;
  *key = s.substr(0, i);
  *value = trim(s.substr(i + 1));
  return true;
}

}  // namespace

int columnOf(std::string_view line, size_t off) {
  return int(codePointCount(line.substr(0, off))) + 1;
}

const std::string* ParsedSource::field(std::string_view key) const {
  for (size_t k = header.size(); k-- > 0;)
    if (header[k].key == key) return &header[k].value;
  return nullptr;
}

kelisim::Error parseSource(std::string_view in, ParsedSource* out) {
  *out = ParsedSource{};
  if (in.size() > kMaxSourceBytes)
    return {ErrorCode::BadInput, "policy text is larger than 8 MB (" + std::to_string(in.size()) + " bytes)"};
  if (startsWith(in, 0, "\xEF\xBB\xBF")) in.remove_prefix(3);
  // Sanitize line by line so a repair can be reported where it happened.
  std::string& text = out->text;
  text.reserve(in.size());
  int lineNo = 1;
  for (size_t b = 0; b <= in.size(); ++lineNo) {
    size_t e = in.find('\n', b);
    if (e == std::string_view::npos) e = in.size();
    std::string_view raw = in.substr(b, e - b);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string clean = sanitizeUtf8(raw);
    if (clean != raw) {
      size_t k = 0;
      while (k < raw.size() && raw[k] == clean[k]) ++k;
      out->problems.push_back({lineNo, columnOf(clean, k), "invalid-utf8",
                               "invalid UTF-8 bytes replaced by U+FFFD"});
    }
    text += clean;
    if (e == in.size()) break;
    text += '\n';
    b = e + 1;
  }
  for (size_t b = 0;;) {
    size_t e = text.find('\n', b);
    out->lines.push_back(std::string_view(text).substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  auto& lines = out->lines;
  out->lineClause.assign(lines.size(), -1);

  // Header.
  size_t first = 0, end = 0;
  bool fenced = trim(lines[0]) == "---";
  std::string_view k, v;
  if (fenced) {
    for (end = 1; end < lines.size() && trim(lines[end]) != "---"; ++end) {}
    if (end >= lines.size()) {
      out->problems.push_back({1, 1, "header-unclosed", "header starts with --- but has no closing --- line; read as text"});
      fenced = false;
      end = 0;
    } else {
      first = 1;
    }
  } else if (headerKeyLine(lines[0], &k, &v)) {
    while (end < lines.size() && !trim(lines[end]).empty()) ++end;
  }
  for (size_t l = first; l < end; ++l) {
    std::string_view t = trim(lines[l]);
    if (t.empty() || t[0] == '#') continue;
    if (!headerKeyLine(t, &k, &v)) {
      out->problems.push_back({int(l + 1), 1, "header-bad-line", "header line is not `key: value`"});
      continue;
    }
    for (auto& f : out->header)
      if (f.key == k)
        out->problems.push_back({int(l + 1), 1, "header-duplicate-key",
                                 "header key `" + std::string(k) + "` repeated; the last value wins"});
    out->header.push_back({std::string(k), std::string(v), int(l + 1)});
  }
  out->headerLines = int(end + (fenced ? 1 : 0));

  Builder b;
  b.src = out;
  for (size_t l = size_t(out->headerLines); l < lines.size(); ++l) b.line(lines[l], int(l + 1));
  out->bodyJson = b.body().dump();
  out->title = b.title;
  return {};
}

kelisim::Error importText(std::string_view text, ImportResult* out) {
  *out = ImportResult{};
  ParsedSource src;
  kelisim::Error e = parseSource(text, &src);
  if (!e.ok()) return e;
  json h = json::object();
  for (auto& f : src.header) h[f.key] = f.value;
  out->bodyJson = std::move(src.bodyJson);
  out->headerJson = h.dump();
  out->problems = std::move(src.problems);
  out->headerLines = src.headerLines;
  out->clauseCount = int(src.clauses.size());
  return {};
}

kelisim::Error importJson(std::string_view text, std::string* out) {
  ImportResult r;
  kelisim::Error e = importText(text, &r);
  if (!e.ok()) return e;
  json probs = json::array();
  for (auto& p : r.problems) {
    json o = json::object();
    o["line"] = p.line;
    o["col"] = p.col;
    o["code"] = p.code;
    o["message"] = p.message;
    probs.push_back(std::move(o));
  }
  // Keys in nlohmann's (sorted) order; body and header are already canonical JSON.
  *out = "{\"body\":" + r.bodyJson + ",\"header\":" + r.headerJson + ",\"problems\":" + probs.dump() + "}";
  return {};
}

}  // namespace kelisim::policy
