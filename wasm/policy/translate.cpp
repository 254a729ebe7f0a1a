// Translation lint: the languages of one version compared clause by clause. Works on the
// parsed sources (clauses with positions) and on case-folded lines (foldCase keeps byte
// lengths for Cyrillic, Kazakh and Latin, so offsets carry over to columns).
//
// Why these checks: a translation published beside the original must keep its meaning and
// content ("authentic translation", KZ Law No. 151-I «On languages in the Republic of
// Kazakhstan» art. 1 p. 1-1, art. 21), and a visitor reading either language must learn the
// same controller and contact details (GDPR art. 13(1)(a); KZ Law 94-V art. 1 p. 2: the owner
// and operator of the database). A differing e-mail, date or law number is the kind of slip a
// translator makes and a reader cannot detect.
#include "policy/translate.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "policy/body.h"
#include "policy/build.h"
#include "policy/import.h"
#include "policy/text.h"

namespace kelisim::policy {
namespace {

using json = nlohmann::json;
using sv = std::string_view;

bool digit(char c) { return c >= '0' && c <= '9'; }
bool startsAt(sv s, size_t i, sv p) { return s.compare(i, p.size(), p) == 0; }
/** Bytes of the letters starting at s[i] (a word's rest). */
size_t skipLetters(sv s, size_t i) {
  while (letterAt(s, i)) nextCodePoint(s, &i);
  return i;
}

/** Words after a reference that put it into another document ("п. 1 ст. 5 Закона"). */
bool otherDocument(sv after) {
  return hasAny(after, {"ст.", "стать", "закон", "кодекс", "соглашени", "договор", "регламент", "article", "law",
                        "agreement", "заң", "кодекс", "келісім"});
}

// ---- Facts of a clause --------------------------------------------------------------------

enum Kind { kRef, kEmail, kUrl, kPhone, kDate, kAmount, kLaw, kKinds };
const char* const kKindEn[kKinds] = {"clause references", "e-mail addresses", "URLs", "phone numbers", "dates",
                                     "amounts", "legal citations"};
const char* const kKindRu[kKinds] = {"ссылки на пункты", "адреса e-mail", "URL", "номера телефонов", "даты", "суммы",
                                     "ссылки на законы и статьи"};

struct Fact {
  std::string value;  // normalised: "5.2", "a@b.kz", "+77271234567", "2022-08-04", "1000 KZT", "law 94-V"
  int line = 0;
  size_t off = 0;     // byte offset in the line
};
using Facts = std::vector<Fact>[kKinds];

void addFact(std::vector<Fact>& v, std::string value, int line, size_t off) {
  for (auto& f : v)
    if (f.value == value) return;
  v.push_back(Fact{std::move(value), line, off});
}

bool emailChar(char c, bool local) {
  return digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '_' || (local && (c == '+' || c == '%'));
}

void emails(sv s, int line, std::vector<Fact>& out) {
  for (size_t at = s.find('@'); at != sv::npos; at = s.find('@', at + 1)) {
    size_t b = at;
    while (b > 0 && emailChar(s[b - 1], true)) --b;
    size_t e = at + 1;
    while (e < s.size() && emailChar(s[e], false)) ++e;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) --e;
    sv domain = s.substr(at + 1, e - at - 1);
    if (b == at || domain.find('.') == sv::npos) continue;
    addFact(out, std::string(s.substr(b, e - b)), line, b);
  }
}

void urls(sv s, int line, std::vector<Fact>& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    bool scheme = startsAt(s, i, "http://") || startsAt(s, i, "https://");
    bool www = !scheme && startsAt(s, i, "www.") && !letterBefore(s, i) && (i == 0 || (s[i - 1] != '/' && s[i - 1] != '.'));
    if (!scheme && !www) continue;
    size_t e = i;
    while (e < s.size() && !hasAny(s.substr(e, 1), {" ", "\t", "<", ">", "\"", ")", "]", "'"}) && !startsAt(s, e, "\xC2\xBB") &&
           !startsAt(s, e, "\xC2\xA0"))
      ++e;
    while (e > i && sv(".,;:!?").find(s[e - 1]) != sv::npos) --e;
    std::string u(s.substr(i, e - i));
    for (sv p : {sv("https://"), sv("http://")})
      if (u.compare(0, p.size(), p) == 0) u.erase(0, p.size());
    if (u.compare(0, 4, "www.") == 0) u.erase(0, 4);
    while (!u.empty() && u.back() == '/') u.pop_back();
    if (!u.empty()) addFact(out, u, line, i);
    i = e ? e - 1 : i;
  }
}

void phones(sv s, int line, std::vector<Fact>& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(s[i] == '+' || digit(s[i])) || (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ',')) ||
        letterBefore(s, i))
      continue;
    std::string d;
    size_t e = i + (s[i] == '+');
    size_t lastDigit = e;
    while (e < s.size() && (digit(s[e]) || s[e] == ' ' || s[e] == '-' || s[e] == '(' || s[e] == ')')) {
      if (digit(s[e])) d += s[e], lastDigit = e + 1;
      ++e;
    }
    if (e < s.size() && lastDigit == e && ((s[e] == '.' && e + 1 < s.size() && digit(s[e + 1])) || letterAt(s, e)))
      continue;  // "1.2.3", "5бап"
    if (d.size() < 10 || d.size() > 15) {
      i = lastDigit > i ? lastDigit - 1 : i;
      continue;
    }
    if (d.size() == 11 && d[0] == '8') d[0] = '7';  // 8 (727) … is +7 (727) … in KZ and RU
    addFact(out, "+" + d, line, i);
    i = lastDigit - 1;
  }
}

/** Month number of a (folded) word: Russian, Kazakh and English names in any case; 0 = none. */
int monthOf(sv w) {
  static const sv kStems[][3] = {{"январ", "қаңтар", "january"}, {"феврал", "ақпан", "february"},
                                 {"март", "наурыз", "march"},   {"апрел", "сәуір", "april"},
                                 {"ма", "мамыр", "may"},        {"июн", "маусым", "june"},
                                 {"июл", "шілде", "july"},      {"август", "тамыз", "august"},
                                 {"сентябр", "қыркүйек", "september"}, {"октябр", "қазан", "october"},
                                 {"ноябр", "қараша", "november"}, {"декабр", "желтоқсан", "december"}};
  for (int m = 0; m < 12; ++m) {
    for (int k = 0; k < 3; ++k) {
      sv stem = kStems[m][k];
      if (m == 4 && k == 0) {  // май, мая, мае
        if (w == "май" || w == "мая" || w == "мае") return 5;
        continue;
      }
      if (w.compare(0, stem.size(), stem) == 0 && (k != 2 || w.size() == stem.size())) return m + 1;
    }
  }
  return 0;
}

std::string two(int v) { return std::string(1, char('0' + v / 10)) + char('0' + v % 10); }

void dates(sv s, int line, std::vector<Fact>& out) {
  // dd.mm.yyyy and yyyy-mm-dd.
  for (size_t i = 0; i < s.size(); ++i) {
    if (!digit(s[i]) || (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.'))) continue;
    size_t j = i;
    int p[3] = {0, 0, 0}, len[3] = {0, 0, 0};
    char sep = 0;
    int n = 0;
    for (; n < 3; ++n) {
      while (j < s.size() && digit(s[j]) && len[n] < 5) p[n] = p[n] * 10 + (s[j++] - '0'), ++len[n];
      if (!len[n]) break;
      if (n < 2) {
        if (j >= s.size() || (s[j] != '.' && s[j] != '-') || (sep && s[j] != sep)) break;
        sep = s[j++];
      }
    }
    if (n < 3 || (j < s.size() && digit(s[j]))) continue;
    int y, m, d;
    if (sep == '.' && len[0] <= 2 && len[1] <= 2 && len[2] == 4) y = p[2], m = p[1], d = p[0];
    else if (sep == '-' && len[0] == 4 && len[1] == 2 && len[2] == 2) y = p[0], m = p[1], d = p[2];
    else continue;
    if (m < 1 || m > 12 || d < 1 || d > 31) continue;
    addFact(out, std::to_string(y) + "-" + two(m) + "-" + two(d), line, i);
    i = j - 1;
  }
  // "4 августа 2022", "2022 жылғы 4 тамыз", "August 4, 2022", "4 August 2022".
  struct Tok { bool num; size_t b, e; };
  std::vector<Tok> toks;
  for (size_t i = 0; i < s.size();) {
    if (digit(s[i])) {
      size_t b = i;
      while (i < s.size() && digit(s[i])) ++i;
      toks.push_back({true, b, i});
    } else if (letterAt(s, i)) {
      size_t b = i;
      i = skipLetters(s, i);
      toks.push_back({false, b, i});
    } else {
      ++i;
    }
  }
  for (size_t t = 0; t < toks.size(); ++t) {
    if (toks[t].num) continue;
    int m = monthOf(s.substr(toks[t].b, toks[t].e - toks[t].b));
    if (!m) continue;
    auto val = [&](size_t k) { return std::atoi(std::string(s.substr(toks[k].b, toks[k].e - toks[k].b)).c_str()); };
    int day = 0;
    size_t dayTok = t;
    for (size_t k : {t - 1, t + 1})
      if (k < toks.size() && toks[k].num && toks[k].e - toks[k].b <= 2 && val(k) >= 1 && val(k) <= 31 && !day)
        day = val(k), dayTok = k;
    if (!day) continue;
    for (size_t k = t >= 3 ? t - 3 : 0; k <= t + 3 && k < toks.size(); ++k) {
      if (k == dayTok || !toks[k].num || toks[k].e - toks[k].b != 4) continue;
      addFact(out, std::string(s.substr(toks[k].b, 4)) + "-" + two(m) + "-" + two(day), line, toks[std::min(k, dayTok)].b);
      break;
    }
  }
}

void amounts(sv s, int line, std::vector<Fact>& out) {
  static const struct { sv word; sv code; } kCur[] = {
      {"тенге", "KZT"}, {"теңге", "KZT"}, {"тг", "KZT"}, {"\xE2\x82\xB8", "KZT"}, {"kzt", "KZT"}, {"руб", "RUB"},
      {"\xE2\x82\xBD", "RUB"}, {"rub", "RUB"}, {"usd", "USD"}, {"$", "USD"}, {"доллар", "USD"}, {"dollar", "USD"},
      {"евро", "EUR"}, {"euro", "EUR"}, {"\xE2\x82\xAC", "EUR"}, {"eur", "EUR"}, {"мрп", "MCI"}, {"аек", "MCI"},
      {"mci", "MCI"}};
  auto currencyAt = [&](size_t j) -> sv {
    for (auto& c : kCur)
      if (startsAt(s, j, c.word) && !(c.code == "EUR" && startsAt(s, j + c.word.size(), "\xD0\xBF")))  // not "европ…"
        return c.code;
    return {};
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (!digit(s[i]) || (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ',')) || letterBefore(s, i)) continue;
    std::string v;
    size_t j = i;
    while (j < s.size() && digit(s[j])) v += s[j++];
    for (;;) {  // thousands groups: "1 000 000", "1 000 000" (NBSP), "1,000"
      size_t n = 0, k = j;
      if (k < s.size() && (s[k] == ',' || s[k] == ' ')) n = 1;
      else if (k < s.size()) isSpaceAt(s, k, &n);
      if (!n || k + n + 3 > s.size() || !digit(s[k + n]) || !digit(s[k + n + 1]) || !digit(s[k + n + 2]) ||
          (k + n + 3 < s.size() && digit(s[k + n + 3])))
        break;
      v.append(s.data() + k + n, 3);
      j = k + n + 3;
    }
    if (j + 1 < s.size() && (s[j] == ',' || s[j] == '.') && digit(s[j + 1])) {
      v += '.';
      for (++j; j < s.size() && digit(s[j]); ++j) v += s[j];
    }
    sv code = currencyAt(skipBlank(s, j));
    size_t at = i;
    if (code.empty()) {  // "$100", "€ 5"
      for (size_t back : {size_t(1), size_t(2), size_t(3), size_t(4)}) {
        if (back > i) break;
        sv c = currencyAt(i - back);
        if (!c.empty() && (c == "USD" || c == "EUR" || c == "KZT" || c == "RUB") && skipBlank(s, i - back + (c == "USD" ? 1 : 3)) == i)
          code = c, at = i - back;
      }
    }
    if (!code.empty()) addFact(out, v + " " + std::string(code), line, at);
    i = j > i ? j - 1 : i;
  }
}

/** Law numbers ("94-V", "152-ФЗ", "99-З") and article numbers ("ст. 8", "статья 8", "8-бап",
 *  "article 8", "art. 8"). */
void laws(sv s, int line, std::vector<Fact>& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!digit(s[i]) || (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.')) || letterBefore(s, i)) continue;
    size_t j = i;
    while (j < s.size() && digit(s[j])) ++j;
    std::string n(s.substr(i, j - i));
    if (j < s.size() && s[j] == '-') {
      size_t k = j + 1, e = skipLetters(s, k);
      sv w = s.substr(k, e - k);
      static const sv kRoman[] = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "\xD1\x96"};
      std::string what;
      for (sv r : kRoman)
        if (w == r) {
          std::string roman(r == "\xD1\x96" ? sv("i") : r);
          for (char& c : roman) c = char(c - 32);
          what = "law " + n + "-" + roman;
        }
      if (w == "фз" || w == "fz") what = "law " + n + "-FZ";
      if (w == "з" || w == "z") what = "law " + n + "-Z";
      if (w.compare(0, 6, "бап") == 0 || w.compare(0, 6, "баб") == 0) what = "article " + n;
      if (!what.empty()) addFact(out, what, line, i);
      i = j;
      continue;
    }
    size_t k = skipBlank(s, j);
    size_t e = skipLetters(s, k);
    sv w = s.substr(k, e - k);
    if (w == "бабы" || w == "бабының" || w == "бабында" || w == "бап") addFact(out, "article " + n, line, i);
    i = j - 1;
  }
  static const sv kArt[] = {"ст.", "статья", "статьи", "статье", "статьей", "статьёй", "статьями", "article", "art."};
  for (sv m : kArt) {
    for (size_t k = s.find(m); k != sv::npos; k = s.find(m, k + 1)) {
      if (letterBefore(s, k) || (m.back() != '.' && letterAt(s, k + m.size()))) continue;
      size_t j = skipBlank(s, k + m.size());
      std::string num;
      size_t len = scanRef(s, j, &num);
      if (len) addFact(out, "article " + num, line, k);
    }
  }
}

// ---- Jurisdictions and controllers of a whole text -----------------------------------------

struct JurisWords { const char* code; std::initializer_list<sv> words, stems; };
const JurisWords kJuris[] = {
    {"KZ", {"рк", "қр"}, {"республики казахстан", "республика казахстан", "республике казахстан", "казахстанск",
                           "қазақстан", "kazakhstan"}},
    {"RU", {"рф"}, {"российской федерации", "российская федерация", "ресей федерациясы", "152-фз", "russian federation"}},
    {"BY", {"рб"}, {"республики беларусь", "республика беларусь", "беларусь", "беларуси", "белорусск", "belarus"}},
    {"EU", {"gdpr"}, {"регламент (ес)", "2016/679", "european union", "европейского союза", "еуропалық одақ"}},
};

/** Quoted names next to a legal form: ТОО «X», «X» ЖШС, LLP "X" -> "x" (folded). */
void controllers(sv s, int line, std::vector<Fact>& out) {
  static const sv kForms[] = {"тоо", "ооо", "ао", "пао", "ип", "жшс", "ақ", "аақ", "жк", "llp", "llc", "jsc", "ltd", "too"};
  auto formAround = [&](size_t b, size_t e) {
    size_t j = skipBlank(s, e);
    size_t we = skipLetters(s, j);
    size_t k = b;
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t')) --k;
    size_t ws = k;
    while (ws > 0 && letterBefore(s, ws)) {
      --ws;
      while (ws > 0 && (static_cast<unsigned char>(s[ws]) & 0xC0) == 0x80) --ws;
    }
    for (sv f : kForms)
      if (s.substr(j, we - j) == f || s.substr(ws, k - ws) == f) return true;
    return false;
  };
  for (size_t b = s.find("\xC2\xAB"); b != sv::npos; b = s.find("\xC2\xAB", b + 1)) {
    size_t e = s.find("\xC2\xBB", b);
    if (e == sv::npos || e - b > 120) continue;
    if (formAround(b, e + 2)) addFact(out, std::string(trim(s.substr(b + 2, e - b - 2))), line, b);
  }
}

// ---- One language -----------------------------------------------------------------------

struct Lang {
  std::string file, lang;
  ParsedSource src;
  std::vector<std::string> folded;  // per line, case-folded
  int firstBodyLine = 1;
};

/** Facts of clause k (its own lines: title and text, not sub-clauses). */
void clauseFacts(const Lang& l, int k, Facts& f) {
  for (size_t ln = size_t(l.src.headerLines); ln < l.folded.size(); ++ln) {
    if (l.src.lineClause[ln] != k) continue;
    sv s = l.folded[ln];
    int line = int(ln + 1);
    for (auto& r : clauseReferences(s)) addFact(f[kRef], r.first, line, r.second);
    emails(s, line, f[kEmail]);
    urls(s, line, f[kUrl]);
    phones(s, line, f[kPhone]);
    dates(s, line, f[kDate]);
    amounts(s, line, f[kAmount]);
    laws(s, line, f[kLaw]);
  }
}

struct Out {
  std::vector<Finding>* out;
  std::vector<uint64_t> keys;
  void add(const Lang& l, size_t fileIndex, sv sev, sv code, sv clause, int line, int col, std::string en, std::string ru) {
    keys.push_back(uint64_t(fileIndex) << 56 | uint64_t(std::min(line, 0xFFFFFF)) << 32 | uint64_t(std::min(col, 0xFFFF)) << 16 |
                   uint64_t(std::min<size_t>(out->size(), 0xFFFF)));
    out->push_back(Finding{std::string(sev), std::string(code), std::string(clause), line, col, std::move(en), std::move(ru), l.file});
  }
};

int colOf(const Lang& l, int line, size_t off) {
  return line >= 1 && size_t(line) <= l.src.lines.size() ? columnOf(l.src.lines[size_t(line - 1)], off) : 1;
}
std::string joined(const std::vector<Fact>& v, const std::vector<Fact>& other) {
  std::string s;
  for (auto& f : v) {
    bool shared = false;
    for (auto& o : other) shared |= o.value == f.value;
    if (!shared) s += (s.empty() ? "" : ", ") + f.value;
  }
  return s.empty() ? "-" : s;
}

const char kWhyEn[] = " (a translation keeps the content of the original: KZ Law 151-I «On languages» art. 1 p. 1-1)";
const char kWhyRu[] = " (перевод сохраняет содержание оригинала: Закон РК № 151-I «О языках» ст. 1 п. 1-1)";
const char kWhoEn[] = " (the controller's identity and contact details: GDPR art. 13(1)(a); KZ Law 151-I art. 1 p. 1-1)";
const char kWhoRu[] = " (сведения об операторе и его контакты: GDPR ст. 13(1)(a); Закон РК № 151-I ст. 1 п. 1-1)";

void compareHeaders(const Lang& a, const Lang& b, size_t bi, Out& o) {
  static const sv kKeys[] = {"id", "version", "controller", "contact", "policyUrl", "jurisdiction", "publishedAt",
                             "effectiveAt", "updateRule", "material"};
  for (sv key : kKeys) {
    const std::string* va = a.src.field(key);
    const std::string* vb = b.src.field(key);
    if (!va || !vb || *va == *vb) continue;
    int line = 1;
    for (auto& h : b.src.header)
      if (h.key == key) line = h.line;
    bool who = key == "controller" || key == "contact";
    std::string code = key == "controller" ? "translation-controller" : key == "jurisdiction" ? "translation-jurisdiction"
                                                                                               : "translation-header";
    o.add(b, bi, "error", code, "", line, 1,
          "header `" + std::string(key) + "` is `" + *vb + "` here but `" + *va + "` in " + a.file + (who ? kWhoEn : kWhyEn),
          "поле заголовка `" + std::string(key) + "`: здесь `" + *vb + "`, в " + a.file + " — `" + *va + "`" +
              (who ? kWhoRu : kWhyRu));
  }
}

/** Clause pairs (index in a, index in b) by the longest common subsequence of numbers; -1 on
 *  one side = no counterpart. Long texts (over 2000 x 2000 clauses) pair by position. */
std::vector<std::pair<int, int>> align(const std::vector<SourceClause>& a, const std::vector<SourceClause>& b) {
  size_t n = a.size(), m = b.size();
  std::vector<std::pair<int, int>> pairs;
  if (n * m > 4000000) {
    for (size_t k = 0; k < std::max(n, m); ++k) pairs.push_back({k < n ? int(k) : -1, k < m ? int(k) : -1});
    return pairs;
  }
  std::vector<uint16_t> t((n + 1) * (m + 1), 0);  // t[i][j] = LCS of a[i..], b[j..]
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      t[i * (m + 1) + j] = a[i].num == b[j].num ? uint16_t(t[(i + 1) * (m + 1) + j + 1] + 1)
                                                : std::max(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1]);
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i].num == b[j].num) {
      pairs.push_back({int(i++), int(j++)});
    } else if (j == m || (i < n && t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])) {
      pairs.push_back({int(i++), -1});
    } else {
      pairs.push_back({-1, int(j++)});
    }
  }
  return pairs;
}

void compareClauses(const Lang& a, const Lang& b, size_t bi, Out& o) {
  auto pairs = align(a.src.clauses, b.src.clauses);
  const auto& ca = a.src.clauses;
  const auto& cb = b.src.clauses;
  // Within each run of unmatched clauses, a-only and b-only ones pair up in order: a clause
  // numbered differently; the rest is missing here (a-only) or extra here (b-only).
  for (size_t k = 0; k < pairs.size();) {
    if (pairs[k].first >= 0 && pairs[k].second >= 0) {
      ++k;
      continue;
    }
    size_t e = k;
    std::vector<int> onlyA, onlyB;
    while (e < pairs.size() && (pairs[e].first < 0 || pairs[e].second < 0)) {
      if (pairs[e].first >= 0) onlyA.push_back(pairs[e].first);
      else onlyB.push_back(pairs[e].second);
      ++e;
    }
    // Where a missing clause would be: the next matched clause here, else the previous one.
    int anchorLine = b.firstBodyLine, anchorCol = 1;
    std::string anchorClause;
    if (e < pairs.size()) {
      const SourceClause& x = cb[size_t(pairs[e].second)];
      anchorLine = x.line, anchorCol = x.col, anchorClause = x.num;
    } else if (k > 0) {
      const SourceClause& x = cb[size_t(pairs[k - 1].second)];
      anchorLine = x.line, anchorCol = x.col, anchorClause = x.num;
    }
    size_t both = std::min(onlyA.size(), onlyB.size());
    for (size_t q = 0; q < both; ++q) {
      const SourceClause& x = ca[size_t(onlyA[q])];
      const SourceClause& y = cb[size_t(onlyB[q])];
      o.add(b, bi, "error", "translation-numbering", y.num, y.line, y.col,
            "clause " + y.num + " is numbered " + x.num + " in " + a.file + " (line " + std::to_string(x.line) + ")" + kWhyEn,
            "пункт " + y.num + " в " + a.file + " пронумерован как " + x.num + " (строка " + std::to_string(x.line) + ")" + kWhyRu);
    }
    for (size_t q = both; q < onlyA.size(); ++q) {
      const SourceClause& x = ca[size_t(onlyA[q])];
      o.add(b, bi, "error", "translation-missing-clause", anchorClause, anchorLine, anchorCol,
            "clause " + x.num + " of " + a.file + " (line " + std::to_string(x.line) + ") is missing in this translation" + kWhyEn,
            "пункта " + x.num + " из " + a.file + " (строка " + std::to_string(x.line) + ") нет в этом переводе" + kWhyRu);
    }
    for (size_t q = both; q < onlyB.size(); ++q) {
      const SourceClause& y = cb[size_t(onlyB[q])];
      o.add(b, bi, "error", "translation-extra-clause", y.num, y.line, y.col,
            "clause " + y.num + " is not in " + a.file + kWhyEn, "пункта " + y.num + " нет в " + a.file + kWhyRu);
    }
    k = e;
  }
  for (auto& p : pairs) {
    if (p.first < 0 || p.second < 0) continue;
    Facts fa, fb;
    clauseFacts(a, p.first, fa);
    clauseFacts(b, p.second, fb);
    const SourceClause& y = cb[size_t(p.second)];
    for (int kind = 0; kind < kKinds; ++kind) {
      std::vector<std::string> va, vb;
      for (auto& f : fa[kind]) va.push_back(f.value);
      for (auto& f : fb[kind]) vb.push_back(f.value);
      std::sort(va.begin(), va.end());
      std::sort(vb.begin(), vb.end());
      if (va == vb) continue;
      int line = y.line, col = y.col;
      for (auto& f : fb[kind])
        if (std::find(va.begin(), va.end(), f.value) == va.end()) {
          line = f.line, col = colOf(b, f.line, f.off);
          break;
        }
      bool who = kind == kEmail || kind == kPhone || kind == kUrl;
      o.add(b, bi, "warning", kind == kRef ? "translation-reference" : "translation-fact", y.num, line, col,
            "clause " + y.num + ": " + kKindEn[kind] + " differ from " + a.file + ": only here: " + joined(fb[kind], fa[kind]) +
                "; only in " + a.file + ": " + joined(fa[kind], fb[kind]) + (who ? kWhoEn : kWhyEn),
            "пункт " + y.num + ": " + kKindRu[kind] + " расходятся с " + a.file + ": только здесь: " + joined(fb[kind], fa[kind]) +
                "; только в " + a.file + ": " + joined(fa[kind], fb[kind]) + (who ? kWhoRu : kWhyRu));
    }
  }
}

/** Jurisdictions cited and controllers named anywhere in the body. */
void documentFacts(const Lang& l, std::vector<Fact>* juris, std::vector<Fact>* ctrl) {
  for (size_t ln = size_t(l.src.headerLines); ln < l.folded.size(); ++ln) {
    sv s = l.folded[ln];
    for (auto& j : kJuris) {
      size_t best = sv::npos;
      for (sv w : j.words) best = std::min(best, findWord(s, w));
      for (sv w : j.stems) best = std::min(best, findStem(s, w));
      if (best != sv::npos) addFact(*juris, j.code, int(ln + 1), best);
    }
    controllers(s, int(ln + 1), *ctrl);
  }
}

void compareDocuments(const Lang& a, const Lang& b, size_t bi, Out& o) {
  std::vector<Fact> ja, jb, ca, cb;
  documentFacts(a, &ja, &ca);
  documentFacts(b, &jb, &cb);
  struct { std::vector<Fact>*x, *y; const char* code; const char* en; const char* ru; bool who; } kinds[] = {
      {&ja, &jb, "translation-jurisdiction", "jurisdictions cited", "упомянутые юрисдикции", false},
      {&ca, &cb, "translation-controller", "organisations named", "названные организации", true}};
  for (auto& k : kinds) {
    std::vector<std::string> va, vb;
    for (auto& f : *k.x) va.push_back(f.value);
    for (auto& f : *k.y) vb.push_back(f.value);
    std::sort(va.begin(), va.end());
    std::sort(vb.begin(), vb.end());
    if (va == vb) continue;
    int line = b.firstBodyLine, col = 1;
    for (auto& f : *k.y)
      if (std::find(va.begin(), va.end(), f.value) == va.end()) {
        line = f.line, col = colOf(b, f.line, f.off);
        break;
      }
    int c = line >= 1 && size_t(line) <= b.src.lineClause.size() ? b.src.lineClause[size_t(line - 1)] : -1;
    o.add(b, bi, "warning", k.code, c >= 0 ? b.src.clauses[size_t(c)].num : "", line, col,
          std::string(k.en) + " differ from " + a.file + ": only here: " + joined(*k.y, *k.x) + "; only in " + a.file + ": " +
              joined(*k.x, *k.y) + (k.who ? kWhoEn : kWhyEn),
          std::string(k.ru) + " расходятся с " + a.file + ": только здесь: " + joined(*k.y, *k.x) + "; только в " + a.file +
              ": " + joined(*k.x, *k.y) + (k.who ? kWhoRu : kWhyRu));
  }
}

}  // namespace

std::string fileLang(std::string_view name) {
  size_t slash = name.find_last_of('/');
  if (slash != sv::npos) name.remove_prefix(slash + 1);
  for (sv ext : {sv(".md"), sv(".txt")})
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
      name.remove_suffix(ext.size());
      break;
    }
  size_t dot = name.rfind('.');
  if (dot == sv::npos || dot == 0) return "";
  sv l = name.substr(dot + 1);
  return l == "ru" || l == "kk" || l == "en" ? std::string(l) : "";
}

std::vector<std::pair<std::string, size_t>> clauseReferences(std::string_view s, int forms) {
  std::vector<std::pair<std::string, size_t>> refs;
  static const sv kMarkers[] = {"п.п.", "пп.", "п.", "пункт", "раздел", "clause", "section", "тармақ"};
  for (size_t i = 0; i < s.size(); ++i) {
    // Marker first: "п. 5.2", "пункты 5.2 и 5.3", "clause 4".
    sv marker;
    for (sv m : kMarkers)
      if (startsAt(s, i, m)) {
        marker = m;
        break;
      }
    if ((forms & kMarkerFirst) && !marker.empty() && !letterBefore(s, i) && !(i > 0 && (s[i - 1] == '.' || s[i - 1] == '-'))) {
      size_t j = skipLetters(s, i + marker.size());
      if (j < s.size() && s[j] == '.' && marker.back() != '.') ++j;
      std::vector<std::pair<std::string, size_t>> found;
      for (;;) {
        j = skipBlank(s, j);
        std::string num;
        size_t len = scanRef(s, j, &num);
        if (!len) break;
        found.emplace_back(num, j);
        j = skipBlank(s, j + len);
        bool more = false;
        for (sv sep : {sv(","), sv("и "), sv("или "), sv("-"), sv("\xE2\x80\x93"), sv("and "), sv("or "), sv("және ")})
          if (startsAt(s, j, sep)) {
            j += sep.size();
            more = true;
            break;
          }
        if (!more) break;
      }
      if (!found.empty() && !otherDocument(s.substr(j, 96))) refs.insert(refs.end(), found.begin(), found.end());
      if (!found.empty()) i = j > i ? j - 1 : i;
      continue;
    }
    // Number first (Kazakh): "5.2-тармақ", "5.2 тармағы", "5-бөлім", "2.1-т.".
    if (!(forms & kNumberFirst) || !digit(s[i]) || (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.')) || letterBefore(s, i))
      continue;
    std::string num;
    size_t j = i;
    while (j < s.size() && (digit(s[j]) || (s[j] == '.' && j + 1 < s.size() && digit(s[j + 1])))) ++j;
    if (!scanRef(s.substr(0, j), i, &num)) {
      i = j - 1;
      continue;
    }
    size_t k = j;
    bool hyphen = k < s.size() && s[k] == '-';
    if (hyphen) ++k;
    else k = skipBlank(s, k);
    bool ref = startsAt(s, k, "тармақ") || startsAt(s, k, "тармағ") || startsAt(s, k, "бөлім") ||
               (hyphen && startsAt(s, k, "т.") && !letterAt(s, k + 3) && !(k + 3 < s.size() && digit(s[k + 3])));
    if (ref) {
      sv before = s.substr(i >= 80 ? i - 80 : 0, i >= 80 ? 80 : i);
      bool other = hasAny(before, {"бап", "баб", "заң", "кодекс"}) && !has(before.substr(before.size() > 24 ? before.size() - 24 : 0), ".");
      size_t e = skipLetters(s, k);
      if (!other && !otherDocument(s.substr(e, 48))) refs.emplace_back(num, i);
    }
    i = j - 1;
  }
  return refs;
}

std::vector<std::pair<std::string, size_t>> datesIn(std::string_view folded) {
  std::vector<Fact> facts;
  dates(folded, 0, facts);
  std::vector<std::pair<std::string, size_t>> out;
  for (auto& f : facts) out.emplace_back(f.value, f.off);
  return out;
}

kelisim::Error lintTranslations(const std::vector<std::pair<std::string, std::string>>& files, std::vector<Finding>* out) {
  out->clear();
  if (files.size() < 2) return {ErrorCode::BadArgument, "translation lint needs at least two sources"};
  std::vector<Lang> langs(files.size());
  for (size_t k = 0; k < files.size(); ++k) {
    Lang& l = langs[k];
    l.file = files[k].first;
    kelisim::Error e = parseSource(files[k].second, &l.src);
    if (!e.ok()) return {e.code, l.file + ": " + e.message};
    for (sv line : l.src.lines) l.folded.push_back(foldCase(line));
    l.firstBodyLine = l.src.headerLines + 1;
    while (size_t(l.firstBodyLine) < l.src.lines.size() && trim(l.src.lines[size_t(l.firstBodyLine - 1)]).empty()) ++l.firstBodyLine;
    l.lang = fileLang(l.file);
    const std::string* hl = l.src.field("lang");
    if (l.lang.empty()) l.lang = hl ? *hl : "ru";
  }
  Out o{out, {}};
  for (size_t k = 1; k < langs.size(); ++k) {
    const Lang& a = langs[0];
    const Lang& b = langs[k];
    const std::string* hl = b.src.field("lang");
    if (hl && *hl != b.lang) {
      int line = 1;
      for (auto& h : b.src.header)
        if (h.key == "lang") line = h.line;
      o.add(b, k, "error", "translation-header", "", line, 1,
            "header `lang` is `" + *hl + "` but the file name says `" + b.lang + "`",
            "поле заголовка `lang` = `" + *hl + "`, а имя файла говорит `" + b.lang + "`");
    }
    for (size_t q = 0; q < k; ++q)
      if (langs[q].lang == b.lang) {
        o.add(b, k, "error", "translation-same-language", "", b.firstBodyLine, 1,
              "language `" + b.lang + "` also in " + langs[q].file + ": a version has one source per language",
              "язык `" + b.lang + "` уже в " + langs[q].file + ": у редакции один источник на язык");
        break;
      }
    compareHeaders(a, b, k, o);
    compareClauses(a, b, k, o);
    compareDocuments(a, b, k, o);
  }
  std::vector<uint64_t> keys = o.keys;
  for (size_t k = 0; k < keys.size(); ++k) keys[k] = (keys[k] & ~uint64_t(0xFFFF)) | k;
  std::sort(keys.begin(), keys.end());
  std::vector<Finding> sorted;
  sorted.reserve(keys.size());
  for (uint64_t key : keys) sorted.push_back(std::move((*out)[size_t(key & 0xFFFF)]));
  *out = std::move(sorted);
  if (out->size() > 0xFFFF) out->resize(0xFFFF);
  return {};
}

kelisim::Error lintSources(const std::vector<std::pair<std::string, std::string>>& files, std::string_view format,
                           std::string* out, bool* errors) {
  out->clear();
  *errors = false;
  if (format != "json" && format != "text" && format != "text-ru")
    return {ErrorCode::BadArgument, "lint format must be json, text or text-ru"};
  struct Group { std::string key; std::vector<size_t> members; };
  std::vector<Group> groups;
  for (size_t k = 0; k < files.size(); ++k) {
    const std::string& f = files[k].first;
    std::string result;
    kelisim::Error e = lintFormatted(f, files[k].second, format, &result);
    if (!e.ok()) return {e.code, f + ": " + e.message};
    *out += result;
    if (format == "json") *out += "\n";
    std::vector<Finding> findings;
    lint(files[k].second, &findings);
    *errors |= hasErrors(findings);
    // Group key: folder + version part of the name ("p/2.kk.md" -> "p/2").
    std::string key = f;
    for (sv ext : {sv(".md"), sv(".txt")})
      if (key.size() > ext.size() && key.compare(key.size() - ext.size(), ext.size(), ext) == 0) key.resize(key.size() - ext.size());
    std::string lang = fileLang(f);
    if (!lang.empty()) key.resize(key.size() - lang.size() - 1);
    Group* g = nullptr;
    for (auto& x : groups)
      if (x.key == key) g = &x;
    if (!g) groups.push_back({key, {}}), g = &groups.back();
    g->members.push_back(k);
  }
  for (auto& g : groups) {
    if (g.members.size() < 2) continue;
    std::vector<std::pair<int, size_t>> order;
    for (size_t k : g.members) {
      ParsedSource src;
      parseSource(files[k].second, &src);
      std::string lang = fileLang(files[k].first);
      if (lang.empty()) lang = src.field("lang") ? *src.field("lang") : "ru";
      int rank = (src.field("publishedAt") ? 0 : 10) + (lang == "ru" ? 0 : lang == "kk" ? 1 : lang == "en" ? 2 : 3);
      order.push_back({rank * 65536 + int(order.size()), k});
    }
    std::sort(order.begin(), order.end());
    std::vector<std::pair<std::string, std::string>> set;
    for (auto& o : order) set.push_back(files[o.second]);
    std::vector<Finding> findings;
    kelisim::Error e = lintTranslations(set, &findings);
    if (!e.ok()) return e;
    *errors |= hasErrors(findings);
    if (format == "json") *out += findingsJson(findings) + "\n";
    else *out += findingsText("", findings, format == "text" ? "en" : "ru");
  }
  return {};
}

kelisim::Error lintSourcesJson(std::string_view filesJson, std::string_view texts, std::string_view format, std::string* out) {
  json in;
  std::string err;
  std::vector<std::pair<std::string, std::string>> files;
  size_t at = 0;
  if (parseJson(filesJson, &in, &err) && in.is_array())
    for (auto& p : in) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_number_unsigned()) break;
      size_t n = p[1].get<size_t>();
      if (n > texts.size() - at) break;
      files.emplace_back(p[0].get<std::string>(), std::string(texts.substr(at, n)));
      at += n;
    }
  if (files.empty() || files.size() != in.size() || at != texts.size())
    return {ErrorCode::BadInput, "lint input must be a JSON array of [file, byteLength] pairs and the sources' bytes"};
  std::string text;
  bool errors = false;
  kelisim::Error e = lintSources(files, format, &text, &errors);
  if (!e.ok()) return e;
  *out = errors ? "{\"errors\":true,\"out\":" : "{\"errors\":false,\"out\":";
  appendJsonString(out, sanitizeUtf8(text));
  *out += "}";
  return {};
}

}  // namespace kelisim::policy
