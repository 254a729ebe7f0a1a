#include "policy/render.h"

#include "policy/text.h"

namespace kelisim::policy {
namespace {

bool asciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool equalsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
    if (c != lower[i]) return false;
  }
  return true;
}

bool dottedNumber(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  bool digit = false;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') { digit = true; continue; }
    if (ch != '.' || !digit) return false;
    digit = false;
  }
  return digit;
}

std::string cleanPrefix(std::string_view p) {
  std::string out;
  for (char c : p)
    if (asciiAlpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-') out.push_back(c);
  return out;
}

struct Renderer {
  std::string out;
  std::string prefix;

  void anchorId(std::string_view num) {
    appendEscaped(&out, prefix);
    out += "p-";
    appendEscaped(&out, num);
  }

  void numLink(std::string_view num) {
    out += "<a class=\"kelisim-num\" href=\"#";
    anchorId(num);
    out += "\">";
    appendEscaped(&out, num);
    out += ".</a>";
  }

  void inlines(const Inlines& in, bool inLink, int depth) {
    if (depth > kMaxInlineDepth) return;
    for (const Inline& x : in) {
      switch (x.kind) {
        case Inline::Kind::Text:
          appendEscaped(&out, x.text);
          break;
        case Inline::Kind::Em:
          out += "<em>";
          inlines(x.kids, inLink, depth + 1);
          out += "</em>";
          break;
        case Inline::Kind::Strong:
          out += "<strong>";
          inlines(x.kids, inLink, depth + 1);
          out += "</strong>";
          break;
        case Inline::Kind::Link: {
          std::string href = inLink ? std::string() : safeHref(x.text, prefix);
          if (href.empty()) {
            inlines(x.kids, inLink, depth + 1);
            break;
          }
          out += "<a href=\"";
          appendEscaped(&out, href);
          if (href[0] == 'h' || href[0] == 'H') out += "\" target=\"_blank\" rel=\"noopener noreferrer";
          out += "\">";
          inlines(x.kids, true, depth + 1);
          out += "</a>";
          break;
        }
      }
    }
  }

  static char headingLevel(int clauseDepth) { return char('0' + (clauseDepth + 3 > 6 ? 6 : clauseDepth + 3)); }

  void block(const Node& n, int clauseDepth) {
    switch (n.kind) {
      case Node::Kind::Para:
        out += "<p>";
        inlines(n.inl, false, 0);
        out += "</p>";
        break;
      case Node::Kind::Heading: {
        char h = headingLevel(clauseDepth);
        out += "<h";
        out += h;
        out += " class=\"kelisim-heading\">";
        inlines(n.inl, false, 0);
        out += "</h";
        out += h;
        out += '>';
        break;
      }
      case Node::Kind::List:
        out += "<ul>";
        for (const Inlines& item : n.items) {
          out += "<li>";
          inlines(item, false, 0);
          out += "</li>";
        }
        out += "</ul>";
        break;
      case Node::Kind::Clause:
        break;  // handled by nodes()
    }
  }

  void nodes(const std::vector<Node>& list, int clauseDepth, int nest) {
    for (const Node& n : list) {
      if (n.kind == Node::Kind::Clause) clause(n, clauseDepth, nest);
      else block(n, clauseDepth);
    }
  }

  // Depth-capped recursion: parseBody caps nesting at kMaxNodeDepth, and a hand-built body
  // deeper than that is cut off here rather than overflowing the (unchecked) wasm stack.
  void clause(const Node& n, int clauseDepth, int nest) {
    if (nest > kMaxNodeDepth) return;
    size_t first = 0;
    if (n.hasTitle) {
      char h = headingLevel(clauseDepth);
      out += "<section class=\"kelisim-clause\" id=\"";
      anchorId(n.num);
      out += "\"><h";
      out += h;
      out += " class=\"kelisim-clause-title\">";
      numLink(n.num);
      out += ' ';
      inlines(n.inl, false, 0);
      out += "</h";
      out += h;
      out += '>';
    } else {
      out += "<div class=\"kelisim-clause\" id=\"";
      anchorId(n.num);
      out += "\"><p>";
      numLink(n.num);
      if (!n.children.empty() && n.children[0].kind == Node::Kind::Para) {
        out += ' ';
        inlines(n.children[0].inl, false, 0);
        first = 1;
      }
      out += "</p>";
    }
    for (size_t i = first; i < n.children.size(); ++i) {
      const Node& c = n.children[i];
      if (c.kind == Node::Kind::Clause) clause(c, clauseDepth + 1, nest + 1);
      else block(c, clauseDepth + 1);
    }
    out += n.hasTitle ? "</section>" : "</div>";
  }

  // ---- contents -----------------------------------------------------------------------
  static std::string tocLabel(const Node& c) {
    if (c.hasTitle) return plainText(c.inl);
    if (c.children.empty() || c.children[0].kind != Node::Kind::Para) return std::string();
    std::string t = plainText(c.children[0].inl);
    // First words: at most 60 code points, cut at a space when one falls in the second half.
    size_t i = 0, count = 0, lastSpace = 0;
    while (i < t.size() && count < 60) {
      if (t[i] == ' ') lastSpace = i;
      nextCodePoint(t, &i);
      ++count;
    }
    if (i >= t.size()) return t;
    size_t cut = (lastSpace > 0 && codePointCount(std::string_view(t).substr(0, lastSpace)) >= 30) ? lastSpace : i;
    t.resize(cut);
    t += "\xE2\x80\xA6";  // …
    return t;
  }

  // Appends <li> entries for the clauses of `list` that belong in the contents.
  void tocEntries(const std::vector<Node>& list, bool topLevel, int nest) {
    if (nest > kMaxNodeDepth) return;
    for (const Node& n : list) {
      if (n.kind != Node::Kind::Clause) continue;
      if (!topLevel && !n.hasTitle) {
        tocEntries(n.children, false, nest + 1);  // titled clauses below an untitled one
        continue;
      }
      out += "<li><a href=\"#";
      anchorId(n.num);
      out += "\">";
      appendEscaped(&out, n.num);
      out += '.';
      std::string label = tocLabel(n);
      if (!label.empty()) {
        out += ' ';
        appendEscaped(&out, label);
      }
      out += "</a>";
      size_t mark = out.size();
      out += "<ol>";
      size_t inner = out.size();
      tocEntries(n.children, false, nest + 1);
      if (out.size() == inner) out.resize(mark);
      else out += "</ol>";
      out += "</li>";
    }
  }
};

}  // namespace

std::string safeHref(std::string_view href, std::string_view idPrefix) {
  // WHATWG URL parsing: strip leading/trailing C0 control or space, remove ASCII tab/newline.
  std::string h;
  h.reserve(href.size());
  for (char c : href)
    if (c != '\t' && c != '\n' && c != '\r') h.push_back(c);
  size_t b = 0, e = h.size();
  while (b < e && static_cast<unsigned char>(h[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(h[e - 1]) <= 0x20) --e;
  h = h.substr(b, e - b);
  if (h.empty()) return std::string();
  if (h[0] == '#') {
    std::string_view frag = std::string_view(h).substr(1);
    if (frag.size() > 2 && frag.substr(0, 2) == "p-" && dottedNumber(frag.substr(2)))
      return "#" + cleanPrefix(idPrefix) + std::string(frag);
    return std::string();
  }
  size_t colon = h.find(':');
  if (colon == std::string::npos || colon == 0) return std::string();
  std::string_view scheme = std::string_view(h).substr(0, colon);
  for (char c : scheme)
    if (!asciiAlpha(c)) return std::string();
  if (equalsLower(scheme, "http") || equalsLower(scheme, "https") || equalsLower(scheme, "mailto")) return h;
  return std::string();
}

void appendEscaped(std::string* out, std::string_view s) { appendText(out, s, false, true); }

std::string renderHtml(const Body& b, const RenderOptions& opts) {
  Renderer r;
  r.prefix = cleanPrefix(opts.idPrefix);
  if (opts.title && !b.title.empty()) {
    r.out += "<h2 class=\"kelisim-title\">";
    appendEscaped(&r.out, b.title);
    r.out += "</h2>";
  }
  if (opts.toc) {
    size_t mark = r.out.size();
    const char* label = opts.lang == "ru" ? "Содержание" : opts.lang == "kk" ? "Мазмұны" : "Contents";
    r.out += "<nav class=\"kelisim-toc\" aria-label=\"";
    r.out += label;
    r.out += "\"><ol>";
    size_t inner = r.out.size();
    r.tocEntries(b.children, true, 0);
    if (r.out.size() == inner) r.out.resize(mark);
    else r.out += "</ol></nav>";
  }
  r.nodes(b.children, 0, 0);
  return std::move(r.out);
}

}  // namespace kelisim::policy
