#include "policy/body.h"

#include <nlohmann/json.hpp>

#include "policy/text.h"

namespace kelisim::policy {
namespace {

using json = nlohmann::json;

// nlohmann's DOM builder, plus the byte position and message of a syntax error (the
// non-throwing json::parse only says "discarded"). Driven by detail::parser directly:
// json::sax_parse would also instantiate the CBOR/MessagePack readers (several KB of wasm).
struct LocatingSax {
  nlohmann::detail::json_sax_dom_parser<json> dom;
  std::string error;
  explicit LocatingSax(json& root) : dom(root, false) {}
  bool null() { return dom.null(); }
  bool boolean(bool v) { return dom.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom.number_unsigned(v); }
  // kelisim's JSON formats hold integers only; refusing other numbers also keeps results
  // independent of strtod's rounding (the policy module ships a small strtod).
  bool number_float(json::number_float_t, const std::string& s) {
    error = "number " + s.substr(0, 32) + " has a fraction or exponent: kelisim's JSON holds integers only";
    return false;
  }
  bool string(std::string& v) { return dom.string(v); }
  bool binary(json::binary_t& v) { return dom.binary(v); }
  bool start_object(std::size_t n) { return dom.start_object(n); }
  bool key(std::string& k) { return dom.key(k); }
  bool end_object() { return dom.end_object(); }
  bool start_array(std::size_t n) { return dom.start_array(n); }
  bool end_array() { return dom.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& ex) {
    if (!error.empty()) return false;  // number_float's message stands
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> from "parse error".
    std::string_view w = ex.what();
    size_t k = w.find("] ");
    // Cleaned: nlohmann quotes the last bytes read, which can end inside a UTF-8 sequence or
    // hold controls/bidi overrides from the input (fuzz finding, see tests/fuzz).
    error = cleanText(k == std::string_view::npos ? w : w.substr(k + 2), false);
    return false;
  }
};

struct Converter {
  std::string path;     // e.g. "children[3].children[0]"
  std::string clause;   // number of the innermost clause being converted
  kelisim::Error err;

  bool fail(std::string what) {
    if (!err.ok()) return false;
    std::string m = "body: ";
    m += path.empty() ? std::string("top level") : path;
    if (!clause.empty()) m += " (clause " + clause + ")";
    m += ": ";
    m += what;
    err = {ErrorCode::BadInput, sanitizeUtf8(m)};  // input quoted in `what` may be cut mid-character
    return false;
  }

  // Appends ".key" / "[i]" to the path for the duration of a scope.
  struct Step {
    Converter* c;
    size_t keep;
    Step(Converter* cv, std::string_view key) : c(cv), keep(cv->path.size()) {
      if (!c->path.empty()) c->path += '.';
      c->path += key;
    }
    Step(Converter* cv, size_t index) : c(cv), keep(cv->path.size()) {
      c->path += '[';
      appendInt(&c->path, static_cast<long long>(index));
      c->path += ']';
    }
    ~Step() { c->path.resize(keep); }
  };

  static bool validNum(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    bool digit = false;
    for (char ch : s) {
      if (ch >= '0' && ch <= '9') { digit = true; continue; }
      if (ch != '.' || !digit) return false;
      digit = false;
    }
    return digit;
  }

  bool inlines(json& arr, Inlines* out, int depth) {
    if (!arr.is_array()) return fail("expected an array of inline runs (strings or {em|strong|a} objects)");
    if (depth > kMaxInlineDepth) return fail("inline markup nested deeper than 16 levels");
    out->reserve(arr.size());
    for (size_t i = 0; i < arr.size(); ++i) {
      Step s(this, i);
      json& v = arr[i];
      Inline in;
      if (v.is_string()) {
        in.text = std::move(v.get_ref<std::string&>());  // the DOM is discarded afterwards
        out->push_back(std::move(in));
        continue;
      }
      if (!v.is_object()) return fail("an inline run must be a string or an object");
      const char* key = nullptr;
      if (v.find("em") != v.end()) { in.kind = Inline::Kind::Em; key = "em"; }
      if (v.find("strong") != v.end()) {
        if (key) return fail("an inline object has more than one of \"em\", \"strong\", \"a\"");
        in.kind = Inline::Kind::Strong; key = "strong";
      }
      if (v.find("a") != v.end()) {
        if (key) return fail("an inline object has more than one of \"em\", \"strong\", \"a\"");
        in.kind = Inline::Kind::Link; key = "a";
      }
      if (!key) return fail("an inline object needs one of \"em\", \"strong\", \"a\"");
      if (in.kind == Inline::Kind::Link) {
        auto h = v.find("href");
        if (h == v.end() || !h->is_string()) return fail("a link needs a string \"href\"");
        in.text = std::move(h->get_ref<std::string&>());
      }
      {
        Step k(this, key);
        if (!inlines(*v.find(key), &in.kids, depth + 1)) return false;
      }
      out->push_back(std::move(in));
    }
    return true;
  }

  bool lineOf(const json& v, Node* n) {
    auto it = v.find("line");
    if (it == v.end()) return true;
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 2147483647)
      return fail("\"line\" must be a non-negative integer");
    n->line = static_cast<int>(it->get<long long>());
    return true;
  }

  bool nodes(json& arr, std::vector<Node>* out, int depth) {
    if (!arr.is_array()) return fail("\"children\" must be an array of nodes");
    if (depth > kMaxNodeDepth) return fail("nodes nested deeper than 32 levels");
    out->reserve(arr.size());
    for (size_t i = 0; i < arr.size(); ++i) {
      Step s(this, i);
      json& v = arr[i];
      if (!v.is_object()) return fail("a node must be an object");
      auto k = v.find("k");
      if (k == v.end() || !k->is_string()) return fail("a node needs a string \"k\" (clause, h, p or ul)");
      const std::string& kind = k->get_ref<const std::string&>();
      Node n;
      if (!lineOf(v, &n)) return false;
      if (kind == "clause") {
        n.kind = Node::Kind::Clause;
        auto num = v.find("num");
        if (num == v.end() || !num->is_string() || !validNum(num->get_ref<const std::string&>()))
          return fail("\"num\" must be a dotted number like \"4.1.5\"");
        n.num = num->get_ref<const std::string&>();
        std::string outer = clause;
        clause = n.num;
        auto id = v.find("id");
        if (id != v.end() && (!id->is_string() || id->get_ref<const std::string&>() != "p-" + n.num))
          return fail("\"id\" must be \"p-\" + num");
        auto t = v.find("title");
        if (t != v.end()) {
          Step st(this, "title");
          n.hasTitle = true;
          if (!inlines(*t, &n.inl, 0)) return false;
        }
        auto c = v.find("children");
        if (c != v.end()) {
          Step sc(this, "children");
          if (!nodes(*c, &n.children, depth + 1)) return false;
        }
        clause = outer;
      } else if (kind == "h" || kind == "p") {
        n.kind = kind == "h" ? Node::Kind::Heading : Node::Kind::Para;
        auto c = v.find("c");
        if (c == v.end()) return fail("a heading or paragraph needs \"c\" (its inline runs)");
        Step sc(this, "c");
        if (!inlines(*c, &n.inl, 0)) return false;
      } else if (kind == "ul") {
        n.kind = Node::Kind::List;
        auto items = v.find("items");
        if (items == v.end() || !items->is_array()) return fail("a list needs \"items\": an array of inline arrays");
        Step si(this, "items");
        n.items.resize(items->size());
        for (size_t j = 0; j < items->size(); ++j) {
          Step sj(this, j);
          if (!inlines((*items)[j], &n.items[j], 0)) return false;
        }
      } else {
        // At most 32 bytes, cut at a character boundary (fuzz finding: a cut inside U+FFFD gave
        // an error message that was not valid UTF-8).
        std::string shown = cleanText(kind, true);
        size_t cut = shown.size() > 32 ? 32 : shown.size();
        while (cut < shown.size() && cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
        return fail("unknown node kind \"" + shown.substr(0, cut) +
                    "\" (expected clause, h, p or ul)");
      }
      out->push_back(std::move(n));
    }
    return true;
  }

  bool body(json& root, Body* out) {
    if (!root.is_object()) return fail("the body must be a JSON object");
    auto f = root.find("format");
    if (f == root.end() || !f->is_number_integer() || f->get<long long>() != 1)
      return fail("\"format\" must be 1 (this build reads body format 1)");
    auto t = root.find("title");
    if (t == root.end() || !t->is_string()) return fail("\"title\" must be a string");
    out->title = std::move(t->get_ref<std::string&>());
    auto c = root.find("children");
    if (c == root.end()) return fail("\"children\" is missing");
    Step s(this, "children");
    return nodes(*c, &out->children, 0);
  }
};

bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
    size_t start = i;
    if (nextCodePoint(s, &i) == 0xFFFD && i - start != 3) return false;
  }
  return true;
}

bool isBidiControl(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool isSpaceCp(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

void appendPlain(std::string* out, const Inlines& in, int depth) {
  if (depth > kMaxInlineDepth) return;
  for (const Inline& x : in) {
    if (x.kind == Inline::Kind::Text) out->append(x.text);
    else appendPlain(out, x.kids, depth + 1);
  }
}

}  // namespace

bool parseJson(std::string_view text, json* out, std::string* error) {
  *out = json();
  // nlohmann's lexer takes a NUL byte for the end of input (it would accept "{}\0junk");
  // JSON has no place for a raw NUL (inside strings it must be escaped).
  size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    *error = "NUL byte at offset ";
    appendInt(error, static_cast<long long>(nul));
    return false;
  }
  // Nesting cap before any DOM exists: nlohmann's dump(), copies and comparisons recurse once
  // per level, and wasm has no stack check (adversarial finding: body JSON 10,000 levels deep
  // overflowed the stack in kel_parse_body's canonical dump()). Valid bodies nest about 110
  // levels at most (kMaxNodeDepth clauses, kMaxInlineDepth inlines, 2 levels each).
  constexpr long kMaxJsonDepth = 256;
  long depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\') ++i;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        *error = "nested deeper than 256 levels at byte ";
        appendInt(error, static_cast<long long>(i));
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  LocatingSax sax(*out);
  auto ia = nlohmann::detail::input_adapter(text.data(), text.data() + text.size());
  nlohmann::detail::parser<json, decltype(ia)> parser(std::move(ia), nullptr, false, false);
  if (parser.sax_parse(&sax, true) && !sax.dom.is_errored()) return true;
  // nlohmann quotes the bytes it last read, which can end inside a multi-byte character.
  *error = sax.error.empty() ? std::string("syntax error") : sanitizeUtf8(sax.error);
  *out = json();
  return false;
}

kelisim::Error parseBody(std::string_view text, Body* out, std::string* canonical) {
  *out = Body{};
  if (text.size() > kMaxBodyBytes) return {ErrorCode::BadInput, "body: larger than 16 MB"};
  std::string repaired;
  if (!validUtf8(text)) {
    repaired = sanitizeUtf8(text);
    text = repaired;
  }
  json root;
  std::string error;
  if (!parseJson(text, &root, &error)) return {ErrorCode::BadInput, "body: invalid JSON: " + error};
  if (canonical) *canonical = root.dump();  // before the converter moves strings out
  Converter cv;
  Body b;
  if (!cv.body(root, &b)) {
    if (canonical) canonical->clear();
    return cv.err;
  }
  *out = std::move(b);
  return {};
}

void appendText(std::string* out, std::string_view s, bool collapse, bool escapeHtml) {
  // (No reserve here: an exact reserve per call would defeat the string's geometric growth.)
  bool pendingSpace = false;
  bool any = false;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    // Fast path: printable ASCII other than space.
    if (c > 0x20 && c < 0x7F) {
      if (pendingSpace) {
        out->push_back(' ');
        pendingSpace = false;
      }
      any = true;
      ++i;
      if (escapeHtml) {
        switch (c) {
          case '&': out->append("&amp;"); continue;
          case '<': out->append("&lt;"); continue;
          case '>': out->append("&gt;"); continue;
          case '"': out->append("&quot;"); continue;
          case '\'': out->append("&#39;"); continue;
          default: break;
        }
      }
      out->push_back(static_cast<char>(c));
      continue;
    }
    size_t start = i;
    uint32_t cp;
    if (c < 0x80) {
      cp = c;
      ++i;
    } else {
      cp = nextCodePoint(s, &i);
    }
    if (collapse && isSpaceCp(cp)) {
      pendingSpace = any;
      continue;
    }
    if (cp < 0x20 && cp != '\t' && cp != '\n') continue;        // NUL, other C0 controls, CR
    if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) continue;      // DEL, C1 controls
    if (isBidiControl(cp)) continue;                             // Trojan Source (CVE-2021-42574)
    if (pendingSpace) {
      out->push_back(' ');
      pendingSpace = false;
    }
    any = true;
    // A U+FFFD that was not written as EF BF BD is an invalid sequence: write the replacement.
    // (Fuzz finding: a 4-byte lead with 2 continuation bytes, e.g. F3 B4 B9, is also 3 bytes
    // long and was copied through as is.)
    if (cp == 0xFFFD && s.substr(start, i - start) != "\xEF\xBF\xBD") out->append("\xEF\xBF\xBD");
    else out->append(s.data() + start, i - start);
  }
}

std::string plainText(const Inlines& in) {
  std::string raw;
  appendPlain(&raw, in, 0);
  return cleanText(raw, true);
}

std::vector<TextUnit> textUnits(const Body& b, bool unnumbered) {
  std::vector<TextUnit> units;
  // Explicit stack of (node list, next index, owning unit, depth): no recursion on input.
  struct Frame {
    const std::vector<Node>* list;
    size_t next;
    long unit;   // index into units of the clause owning this list, -1 at top level
    int depth;
  };
  std::vector<Frame> stack{{&b.children, 0, -1, 0}};
  long looseUnit = -1;  // the unnumbered unit collecting the current run of top-level blocks
  auto add = [&](long unit, const std::string& text) {
    if (text.empty()) return;
    std::string& t = units[static_cast<size_t>(unit)].text;
    if (!t.empty()) t += ' ';
    t += text;
  };
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next >= f.list->size()) {
      stack.pop_back();
      continue;
    }
    const Node& n = (*f.list)[f.next++];
    long owner = f.unit;
    int depth = f.depth;
    if (n.kind == Node::Kind::Clause) {
      if (owner < 0) looseUnit = -1;
      TextUnit u;
      u.num = n.num;
      u.line = n.line;
      u.depth = depth;
      u.text = plainText(n.inl);
      units.push_back(std::move(u));
      if (depth < kMaxNodeDepth)
        stack.push_back({&n.children, 0, static_cast<long>(units.size() - 1), depth + 1});
      continue;
    }
    if (owner < 0) {
      if (!unnumbered) continue;
      if (looseUnit < 0) {
        TextUnit u;
        u.line = n.line;
        units.push_back(std::move(u));
        looseUnit = static_cast<long>(units.size() - 1);
      }
      owner = looseUnit;
    }
    if (n.kind == Node::Kind::List) {
      for (const Inlines& item : n.items) add(owner, plainText(item));
    } else {
      add(owner, plainText(n.inl));
    }
  }
  if (unnumbered) {
    // Drop unnumbered units that turned out empty (blocks with no text).
    std::vector<TextUnit> kept;
    kept.reserve(units.size());
    for (TextUnit& u : units)
      if (!u.num.empty() || !u.text.empty()) kept.push_back(std::move(u));
    units.swap(kept);
  }
  return units;
}

void appendJsonString(std::string* out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void appendInt(std::string* out, long long v) {
  char buf[24];
  int n = 0;
  unsigned long long u = v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  do {
    buf[n++] = char('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) out->push_back('-');
  while (n) out->push_back(buf[--n]);
}

}  // namespace kelisim::policy
