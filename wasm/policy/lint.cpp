// Linter. Works on the parsed source (clauses with positions) and on the case-folded body
// lines (foldCase keeps byte lengths for Cyrillic, Kazakh and Latin, so offsets carry over).
#include "policy/lint.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "policy/import.h"
#include "policy/text.h"
#include "policy/translate.h"

namespace kelisim::policy {
namespace {

using json = nlohmann::json;
using sv = std::string_view;

constexpr size_t kMaxFindings = 65535;  // sort keys hold the index in 16 bits

bool digit(char c) { return c >= '0' && c <= '9'; }

struct Ctx {
  const ParsedSource& src;
  std::vector<std::string> folded;  // per line (0-based), case-folded
  std::vector<Finding>* out;
  int firstBodyLine = 1;

  /** Adds a finding; messages are templates where %0..%9 stand for args (one call site per
   *  message instead of chains of string concatenations: smaller wasm). */
  void add(sv sev, sv code, sv clause, int line, int col, sv en, sv ru, std::initializer_list<sv> args = {}) {
    out->push_back(Finding{std::string(sev), std::string(code), std::string(clause), line, col, fill(en, args), fill(ru, args), {}});
  }
  static std::string fill(sv tpl, std::initializer_list<sv> args) {
    std::string r;
    for (size_t i = 0; i < tpl.size(); ++i) {
      if (tpl[i] == '%' && i + 1 < tpl.size() && digit(tpl[i + 1]) && size_t(tpl[i + 1] - '0') < args.size()) {
        r += args.begin()[tpl[++i] - '0'];
      } else {
        r += tpl[i];
      }
    }
    return r;
  }
  std::string clauseAt(int line) const {
    int c = line >= 1 && size_t(line) <= src.lineClause.size() ? src.lineClause[size_t(line - 1)] : -1;
    return c >= 0 ? src.clauses[size_t(c)].num : std::string();
  }
  /** Column of byte `off` in `line`; counts on from the previous call on the same line, so a
   *  line with thousands of findings stays linear. */
  int col(int line, size_t off) {
    sv l = src.lines[size_t(line - 1)];
    if (line != colLine || off < colOff) colLine = line, colOff = 0, colCol = 1;
    colCol += int(codePointCount(l.substr(colOff, off - colOff)));
    colOff = off;
    return colCol;
  }
  int colLine = 0, colCol = 1;
  size_t colOff = 0;
};


// ---- Numbering: gaps, duplicates, disorder ---------------------------------------------------

void checkNumbering(Ctx& c) {
  NumMap seen;      // num -> first clause index
  NumMap lastPart;  // prefix ("" for top level) -> last component seen
  const auto& cl = c.src.clauses;
  for (size_t k = 0; k < cl.size(); ++k) {
    const SourceClause& s = cl[k];
    if (const int* dup = seen.find(s.num)) {
      c.add("error", "duplicate-number", s.num, s.line, s.col, "clause %0 is numbered twice (first at line %1)",
            "пункт %0 пронумерован дважды (впервые: строка %1)", {s.num, std::to_string(cl[size_t(*dup)].line)});
      continue;
    }
    seen.set(s.num, int(k));
    size_t dot = s.num.rfind('.');
    std::string prefix = dot == std::string::npos ? "" : s.num.substr(0, dot);
    int value = std::atoi(s.num.c_str() + (dot == std::string::npos ? 0 : dot + 1));
    if (!prefix.empty() && !seen.find(prefix)) {
      c.add("warning", "missing-parent", s.num, s.line, s.col, "clause %0 has no parent clause %1",
            "у пункта %0 нет родительского пункта %1", {s.num, prefix});
    }
    const int* last = lastPart.find(prefix);
    int expected = last ? *last + 1 : 1;
    std::string pre = prefix.empty() ? "" : prefix + ".";
    if (value > expected) {
      std::string missing = pre + std::to_string(expected);
      if (value - expected > 1) missing += "\xE2\x80\xA6" + pre + std::to_string(value - 1);
      std::string prev = last ? pre + std::to_string(*last) : "";
      int form = (value - expected > 1 ? 1 : 0) + (prev.empty() ? 2 : 0);
      static const char* const kEn[] = {"clause %0 is missing between %1 and %2", "clauses %0 are missing between %1 and %2",
                                        "clause %0 is missing before %2", "clauses %0 are missing before %2"};
      static const char* const kRu[] = {"пропущен пункт %0 между %1 и %2", "пропущены пункты %0 между %1 и %2",
                                        "пропущен пункт %0 перед %2", "пропущены пункты %0 перед %2"};
      c.add("warning", "numbering-gap", s.num, s.line, s.col, kEn[form], kRu[form], {missing, prev, s.num});
    } else if (value < expected && last) {  // "1.0" first: no predecessor, not disorder
      c.add("warning", "numbering-order", s.num, s.line, s.col, "clause %0 comes after %1 (out of order)",
            "пункт %0 идёт после %1 (нарушен порядок)", {s.num, pre + std::to_string(*last)});
    }
    if (!last || value > *last) lastPart.set(prefix, value);
  }
}

// ---- References: "п. 5.2", "п.п. 5.2. и 5.3.", "пункте 2.1", "clause 4" ----------------------

void checkReferences(Ctx& c) {
  NumMap nums;
  for (auto& s : c.src.clauses) nums.set(s.num, 1);
  static const sv kMarkers[] = {"п.п.", "пп.", "п.", "пункт", "раздел", "clause", "section", "тармақ"};
  for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) {
    sv s = c.folded[l];
    for (size_t i = 0; i < s.size(); ++i) {
      sv marker;
      for (sv m : kMarkers)
        if (s.compare(i, m.size(), m) == 0) { marker = m; break; }
      if (marker.empty() || letterBefore(s, i) || (i > 0 && s[i - 1] == '.')) continue;
      size_t j = i + marker.size();
      while (letterAt(s, j)) {  // word endings: пункте, разделе, clauses
        size_t k = j;
        nextCodePoint(s, &k);
        j = k;
      }
      if (j < s.size() && s[j] == '.' && marker.back() != '.') ++j;  // abbreviations like "разд."
      // A list of numbers: "5.2., 5.3. и 7.2.", "п. 5.2. и п. 7.2." restarts at the next marker.
      std::vector<std::pair<std::string, size_t>> refs;
      for (;;) {
        j = skipBlank(s, j);
        std::string num;
        size_t len = scanRef(s, j, &num);
        if (!len) break;
        refs.emplace_back(num, j);
        j = skipBlank(s, j + len);
        bool more = false;
        for (sv sep : {sv(","), sv("и "), sv("или "), sv("-"), sv("\xE2\x80\x93"), sv("and "), sv("or ")})
          if (s.compare(j, sep.size(), sep) == 0) { j += sep.size(); more = true; break; }
        if (!more) break;
      }
      if (refs.empty()) continue;
      // "п. 1 ст. 5 Закона", "пункт 3 Пользовательского соглашения": another document.
      sv after = s.substr(j, 96);  // about 48 Cyrillic letters
      if (hasAny(after, {"ст.", "стать", "закон", "кодекс", "соглашени", "договор", "регламент", "article", "law", "agreement"}))
        continue;
      for (auto& r : refs) {
        if (nums.find(r.first)) continue;
        int line = int(l + 1);
        c.add("error", "broken-reference", c.clauseAt(line), line, c.col(line, r.second),
              "reference to clause %0, which does not exist", "ссылка на пункт %0, которого нет в тексте", {r.first});
      }
      i = j > i ? j - 1 : i;
    }
    // Kazakh forms, the number first: "5.2-тармақ", "5-бөлімде", "2.1-т.".
    for (auto& r : clauseReferences(s, kNumberFirst)) {
      if (nums.find(r.first)) continue;
      int line = int(l + 1);
      c.add("error", "broken-reference", c.clauseAt(line), line, c.col(line, r.second),
            "reference to clause %0, which does not exist", "ссылка на пункт %0, которого нет в тексте", {r.first});
    }
  }
}

// ---- Jurisdictions ---------------------------------------------------------------------------

struct Juris {
  const char* code;
  const char* en;
  const char* ru;
  std::initializer_list<sv> words;  // whole words
  std::initializer_list<sv> stems;  // word starts
};
const Juris kJuris[] = {
    {"KZ", "Kazakhstan", "Казахстана", {"рк"}, {"республики казахстан", "республика казахстан", "республик казахстан",
                                                 "республике казахстан", "казахстанск", "қазақстан", "kazakhstan"}},
    {"BY", "Belarus", "Беларуси", {"рб"}, {"республики беларусь", "республика беларусь", "республике беларусь",
                                          "белорусск", "беларусь", "беларуси", "belarus"}},
    {"RU", "Russia", "России", {"рф"}, {"российской федерации", "российская федерация", "ресей федерац", "152-фз",
                                        "russian federation"}},
    {"EU", "the EU", "ЕС", {"gdpr"}, {"регламент (ес)", "2016/679", "european union"}},
};

void checkJurisdictions(Ctx& c) {
  struct Hit { int line; size_t off; };
  std::vector<std::pair<size_t, Hit>> first;  // jurisdiction index -> first mention
  for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) {
    sv s = c.folded[l];
    for (size_t j = 0; j < sizeof kJuris / sizeof kJuris[0]; ++j) {
      size_t best = sv::npos;
      for (sv w : kJuris[j].words) best = std::min(best, findWord(s, w));
      for (sv w : kJuris[j].stems) best = std::min(best, findStem(s, w));
      if (best == sv::npos) continue;
      bool known = false;
      for (auto& f : first) known |= f.first == j;
      if (!known) first.push_back({j, Hit{int(l + 1), best}});
    }
  }
  for (size_t a = 1; a < first.size(); ++a)  // at most 4 entries: insertion sort by position
    for (size_t b = a; b > 0; --b) {
      Hit x = first[b - 1].second, y = first[b].second;
      if (x.line < y.line || (x.line == y.line && x.off <= y.off)) break;
      std::swap(first[b - 1], first[b]);
    }
  // The primary jurisdiction: the header's, else the first one the text cites.
  const std::string* hj = c.src.field("jurisdiction");
  size_t primary = first.empty() ? 0 : first[0].first;
  bool headerKnown = false;
  if (hj) {
    for (size_t j = 0; j < sizeof kJuris / sizeof kJuris[0]; ++j)
      if (foldCase(*hj) == foldCase(kJuris[j].code)) { primary = j; headerKnown = true; }
  }
  if (first.empty() || (first.size() == 1 && (!headerKnown || first[0].first == primary))) return;
  std::string all, allRu;
  for (auto& f : first) {
    std::string ln = std::to_string(f.second.line);
    all += Ctx::fill(all.empty() ? "%0 (line %1)" : ", %0 (line %1)", {kJuris[f.first].en, ln});
    allRu += Ctx::fill(allRu.empty() ? "%0 (строка %1)" : ", %0 (строка %1)", {kJuris[f.first].ru, ln});
  }
  for (auto& f : first) {
    if (f.first == primary) continue;
    const Juris& j = kJuris[f.first];
    const Juris& p = kJuris[primary];
    int line = f.second.line;
    c.add("warning", "mixed-jurisdiction", c.clauseAt(line), line, c.col(line, f.second.off),
          headerKnown ? "cites the law of %0 while the policy is under %1 (header jurisdiction); jurisdictions cited: %2"
                      : "cites the law of %0 while the policy is under %1; jurisdictions cited: %2",
          headerKnown ? "ссылка на законодательство %3, хотя политика действует по праву %4 (jurisdiction в заголовке); упомянуты: %5"
                      : "ссылка на законодательство %3, хотя политика действует по праву %4; упомянуты: %5",
          {j.en, p.en, all, j.ru, p.ru, allRu});
  }
}

// ---- Dates, contact, retention, consent ------------------------------------------------------

bool hasDate(sv s) {
  // dd.mm.yyyy, yyyy-mm-dd, or "4 августа 2022"-style: a 4-digit year after a month word.
  for (size_t i = 0; i + 10 <= s.size(); ++i) {
    auto d = [&](size_t k) { return digit(s[i + k]); };
    if (d(0) && d(1) && s[i + 2] == '.' && d(3) && d(4) && s[i + 5] == '.' && d(6) && d(7) && d(8) && d(9)) return true;
    if (d(0) && d(1) && d(2) && d(3) && s[i + 4] == '-' && d(5) && d(6) && s[i + 7] == '-' && d(8) && d(9)) return true;
  }
  static const sv kMonths[] = {"январ", "феврал", "марта", "апрел", "мая", "июня", "июля", "август", "сентябр",
                               "октябр", "ноябр", "декабр", "january", "february", "march", "april", "may", "june",
                               "july", "august", "september", "october", "november", "december", "қаңтар", "ақпан",
                               "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша",
                               "желтоқсан"};
  for (size_t mi = 0; mi < sizeof kMonths / sizeof kMonths[0]; ++mi) {
    sv m = kMonths[mi];
    size_t k = findStem(s, m);
    if (k == sv::npos) continue;
    if (mi >= 24) {  // Kazakh: the year comes first ("2026 жылғы 1 наурыз")
      for (size_t j = k > 32 ? k - 32 : 0; j + 4 <= k; ++j)
        if (digit(s[j]) && digit(s[j + 1]) && digit(s[j + 2]) && digit(s[j + 3])) return true;
    }
    size_t j = k;
    while (j < s.size() && !digit(s[j]) && j < k + 24) ++j;
    if (j + 4 <= s.size() && digit(s[j]) && digit(s[j + 1]) && digit(s[j + 2]) && digit(s[j + 3])) return true;
  }
  return false;
}

void checkDocument(Ctx& c) {
  bool date = false, contact = false;
  for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) {
    sv s = c.folded[l];
    if (hasDate(s) && hasAny(s, {"обновл", "редакц", "дата", "вступ", "опубликов", "updated", "effective", "published",
                                 "жаңарт", "күні"}))
      date = true;
    size_t lastDot = s.rfind('.');
    for (size_t at = s.find('@'); at != sv::npos && !contact && lastDot != sv::npos && at < lastDot; at = s.find('@', at + 1))
      contact = at > 0 && (digit(s[at - 1]) || (s[at - 1] >= 'a' && s[at - 1] <= 'z') || s[at - 1] == '_' || s[at - 1] == '.');
    size_t a = s.find("по адресу");
    if (a != sv::npos) {
      size_t j = skipBlank(s, a + sizeof("по адресу") - 1);
      if (j < s.size() && s[j] == ':') j = skipBlank(s, j + 1);
      if (s.compare(j, 4, "http") != 0) contact = true;
    }
    size_t t = findStem(s, "тел");
    if (t != sv::npos || s.find("+7") != sv::npos || findStem(s, "phone") != sv::npos) {
      int digits = 0;
      for (char ch : s) digits += digit(ch);
      if (digits >= 10) contact = true;
    }
  }
  const std::string* pub = c.src.field("publishedAt");
  // The text's own "last updated" date against the header's publishedAt (its local date): the
  // banner's update rule counts from publishedAt (policies/README.md, DESIGN.md), so a reader
  // and the banner must see the same date.
  if (pub && isIsoInstant(*pub)) {
    std::string day = pub->substr(0, 10);
    for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) {
      sv s = c.folded[l];
      if (!hasAny(s, {"обновл", "редакц", "опубликов", "updated", "published", "жаңарт", "жарияла"}) ||
          hasAny(s, {"закон", "кодекс", "заң", "law", "фз"}))
        continue;
      auto ds = datesIn(s);
      bool same = false;
      for (auto& d : ds) same |= d.first == day;
      if (ds.empty() || same) continue;
      int line = int(l + 1);
      c.add("warning", "date-mismatch", c.clauseAt(line), line, c.col(line, ds[0].second),
            "the text gives %0 as its date, but the header's publishedAt is %1: the banner's update rule counts from "
            "publishedAt (policies/README.md)",
            "в тексте указана дата %0, а в заголовке publishedAt — %1: правило обновления баннера отсчитывается от "
            "publishedAt (policies/README.md)",
            {ds[0].first, *pub});
    }
  }
  if (pub && *pub != "unknown" && !isIsoInstant(*pub)) {
    int line = 1;
    for (auto& f : c.src.header) if (f.key == "publishedAt") line = f.line;
    c.add("error", "header-invalid", "", line, 1,
          "publishedAt must be ISO 8601 with an offset (2025-06-10T12:00:00+05:00) or `unknown`",
          "publishedAt должен быть в формате ISO 8601 со смещением (2025-06-10T12:00:00+05:00) или `unknown`");
  }
  const std::string* hc = c.src.field("contact");
  if (!contact && (!hc || hc->empty() || *hc == "unknown")) {
    c.add("warning", "no-contact", "", c.firstBodyLine, 1,
          "the policy gives no contact for the controller (e-mail, phone or postal address)",
          "в политике нет контактов оператора (e-mail, телефона или почтового адреса)");
  } else if (!contact) {
    c.add("info", "no-contact", "", c.firstBodyLine, 1,
          "the controller's contact is only in the header, not in the policy text",
          "контакт оператора указан только в заголовке, но не в тексте политики");
  }
  if (!date && !(pub && isIsoInstant(*pub))) {
    c.add("warning", "no-date", "", c.firstBodyLine, 1,
          "the policy states no publication or \"last updated\" date",
          "в политике не указана дата публикации или последнего обновления");
  }
}

void checkRetention(Ctx& c) {
  bool limited = false;
  std::vector<std::pair<int, size_t>> unlimited;  // (line, offset)
  std::vector<bool> titleLine(c.folded.size() + 1);  // "5. Способы и сроки обработки" is a heading
  for (auto& cl : c.src.clauses)
    if (!cl.title.empty()) titleLine[size_t(cl.line)] = true;
  for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) {
    sv s = c.folded[l];
    if (titleLine[l + 1]) continue;
    size_t u = s.find("без ограничения срока");
    if (u == sv::npos) u = s.find("бессрочно");
    if (u != sv::npos && hasAny(s, {"хран", "обработ"})) {
      unlimited.push_back({int(l + 1), u});
      continue;
    }
    if (hasAny(s, {"хран", "обработк", "обрабатыва", "storage", "retain", "сақта"}) &&
        hasAny(s, {"в течени", "срок", " лет", " года", " месяц", "до достижения", "until", "period", "мерзім", " жыл",
                   " ай бойы"}))
      limited = true;
  }
  if (limited) return;
  for (auto& u : unlimited)
    c.add("warning", "retention-unlimited", c.clauseAt(u.first), u.first, c.col(u.first, u.second),
          "personal data kept \"without time limit\": state a retention period",
          "данные хранятся «без ограничения срока»: укажите срок хранения");
  if (unlimited.empty())
    c.add("warning", "no-retention", "", c.firstBodyLine, 1, "the policy states no retention period for personal data",
          "в политике не указан срок хранения персональных данных");
}

/** "Using the site means consent" / "by accepting the policy (the agreement) you consent": not
 *  valid consent under RU law (152-FZ art. 9(1) as amended by 156-FZ, in force 2025-09-01:
 *  consent is given separately from any other document, not by accepting a policy or offer),
 *  BY (Law 99-З art. 5) or EU law (GDPR art. 4(11), recital 32: inactivity is not consent).
 *  Seeds: 000 cl. 2.1, 001 (preamble) and 004 cl. 2.1 ("Использование … означает согласие"),
 *  002 cl. 1.2 ("Заключая Соглашение, вы выражаете … согласие"). */
bool consentByUse(sv sent) {
  // "Использование сайта означает согласие", "use of the site constitutes consent".
  if (hasAny(sent, {"использовани", "пользовани", "продолжа", "посещени", "use of", "using", "пайдалан"}) &&
      hasAny(sent, {"означает", "является", "считается", "подтверждает", "means", "constitutes", "білдіреді"}) &&
      hasAny(sent, {"согласи", "consent", "келісім"}))
    return true;
  // "Используя сайт, вы соглашаетесь", "Заключая Соглашение, вы выражаете согласие", "by using
  // this site you agree", "сайтты пайдалану арқылы … келісесіз".
  return hasAny(sent, {"используя", "пользуясь", "продолжая", "посещая", "заключая", "принимая", "акцептуя", "нажимая",
                       "регистрируясь", "by using", "by continuing", "by accepting", "by clicking", "by visiting",
                       "пайдалану арқылы", "пайдалана отырып", "қабылдай отырып", "қабылдау арқылы"}) &&
         hasAny(sent, {"согласи", "соглаша", "consent", "agree", "келіс"});
}

/** byUse false: only the irrevocable-consent check (a consent document is itself where the
 *  visitor consents, "нажимая кнопку … я даю согласие" included). */
void checkConsentByUse(Ctx& c, bool byUse = true) {
  for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) {
    sv s = c.folded[l];
    size_t start = 0;
    while (start < s.size()) {
      size_t end = s.find_first_of(".;", start);
      // "п. 5.2." style dots inside a sentence are rare here; a sentence ends at ". " or end.
      while (end != sv::npos && end + 1 < s.size() && s[end + 1] != ' ') end = s.find_first_of(".;", end + 1);
      sv sent = s.substr(start, end == sv::npos ? sv::npos : end - start);
      if (byUse && consentByUse(sent)) {
        size_t k = skipBlank(s, start);
        int line = int(l + 1);
        c.add("warning", "consent-by-use", c.clauseAt(line), line, c.col(line, k),
              "consent is not given by using the site or by accepting the policy or an agreement: under RU 152-FZ art. "
              "9(1) (as amended by 156-FZ, from 2025-09-01) consent is a separate document per purpose; also BY Law 99-Z "
              "art. 5, GDPR art. 4(11) and recital 32. Ask in the banner and link each category's consent document "
              "(policies/README.md \"Consent documents\")",
              "согласие не даётся использованием сайта или принятием политики либо соглашения: по 152-ФЗ ст. 9 ч. 1 (в "
              "ред. 156-ФЗ, с 01.09.2025) согласие оформляется отдельным документом на каждую цель; также Закон РБ 99-З "
              "ст. 5, GDPR ст. 4(11) и пр. 32. Спрашивайте согласие в баннере и связывайте с категорией её документ "
              "согласия (policies/README.md, «Consent documents»)");
      }
      if (hasAny(sent, {"безотзывн", "irrevocabl", "кері қайтарып алынбайтын", "қайтарып алынбайтын"}) &&
          hasAny(sent, {"согласи", "consent", "келісім"})) {
        int line = int(l + 1);
        c.add("warning", "irrevocable-consent", c.clauseAt(line), line, c.col(line, skipBlank(s, start)),
              "consent is declared irrevocable, but the user may withdraw consent at any time (KZ Law 94-V art. 8, "
              "RU 152-FZ art. 9(2), GDPR art. 7(3))",
              "согласие объявлено безотзывным, но пользователь вправе отозвать его в любой момент (Закон РК 94-V ст. 8, "
              "152-ФЗ ст. 9 ч. 2, GDPR ст. 7(3))");
      }
      if (end == sv::npos) break;
      start = end + 1;
    }
  }
}

/** Purposes that need the user's consent ("с согласия Пользователя") must map to an optional
 *  category of the header (category.<id>: optional; category.<id>.clauses: 4.1.5, …), by
 *  clause list or by keyword. */
void checkConsentPurposes(Ctx& c) {
  struct Cat { std::string id, clauses; bool optional; };
  std::vector<Cat> cats;
  for (auto& f : c.src.header) {
    if (f.key.compare(0, 9, "category.") != 0) continue;
    std::string rest = f.key.substr(9);
    size_t dot = rest.find('.');
    std::string id = rest.substr(0, dot);
    Cat* cat = nullptr;
    for (auto& x : cats) if (x.id == id) cat = &x;
    if (!cat) { cats.push_back({id, "", false}); cat = &cats.back(); }
    if (dot == std::string::npos) cat->optional = !has(f.value, "required");
    else if (rest.substr(dot + 1) == "clauses") cat->clauses = ", " + f.value + ",";
  }
  static const struct { sv stem; sv ids; } kKeywords[] = {
      {"реклам", " marketing advertising ads "}, {"маркетинг", " marketing "}, {"специальных предложений", " marketing "},
      {"рассылк", " newsletter news email "}, {"новост", " newsletter news "}, {"аналит", " analytics "},
      {"статист", " analytics statistics "}, {"персонализ", " personalization personalisation "},
      {"advertis", " marketing advertising ads "}, {"newsletter", " newsletter "}, {"analytic", " analytics "}};
  const auto& cl = c.src.clauses;
  for (size_t k = 0; k < cl.size(); ++k) {
    std::string t = foldCase(cl[k].text);
    if (!hasAny(t, {"с согласия", "с его согласия", "с её согласия", "с ее согласия", "дал согласие", "дала согласие",
                    "при наличии согласия", "with the user's consent", "with consent", "келісімімен"}))
      continue;
    bool purpose = false;
    for (int a = int(k); a >= 0 && !purpose; a = cl[size_t(a)].parent) {
      std::string ft = foldCase(cl[size_t(a)].title + "\n" + cl[size_t(a)].text.substr(0, cl[size_t(a)].text.find('\n')));
      purpose = findStem(ft, "цел") != sv::npos || findStem(ft, "purpose") != sv::npos || has(ft, "мақсат");
    }
    if (!purpose) continue;
    bool covered = false;
    for (auto& cat : cats) {
      if (!cat.optional) continue;
      if (has(cat.clauses, " " + cl[k].num + ",") || has(cat.clauses, "," + cl[k].num + ",")) covered = true;
      for (auto& kw : kKeywords)
        if (has(t, kw.stem) && has(kw.ids, " " + cat.id + " ")) covered = true;
    }
    if (covered) continue;
    c.add("warning", "consent-purpose-no-category", cl[k].num, cl[k].line, cl[k].col,
          "clause %0 names a purpose that needs the user's consent, but no optional consent category covers it "
          "(add category.<id>: optional and category.<id>.clauses: %0 to the header)",
          "пункт %0 называет цель, требующую согласия пользователя, но её не покрывает ни одна необязательная "
          "категория согласия (добавьте в заголовок category.<id>: optional и category.<id>.clauses: %0)",
          {cl[k].num});
  }
}

/** A consent document (header `kind: consent`; policies/README.md "Consent documents") must
 *  state the operator, the purpose, the personal data, the term and how to withdraw consent:
 *  RU 152-FZ art. 9(4) items 3 (operator's name and address), 4 (purpose), 5 (list of personal
 *  data), 8 (term of the consent and how it is withdrawn); KZ Law 94-V art. 8 (consent to the
 *  collection and processing of personal data, and its withdrawal). Each element missing from
 *  the text is an error: the build refuses such a document. */
void checkConsentDocument(Ctx& c) {
  std::string text;
  for (size_t l = size_t(c.src.headerLines); l < c.folded.size(); ++l) text += c.folded[l] + "\n";
  // "безотзывное согласие" says the opposite of how to withdraw it.
  std::string revocable = text;
  for (size_t at = revocable.find("безотзыв"); at != std::string::npos; at = revocable.find("безотзыв", at))
    revocable.replace(at, sizeof("безотзыв") - 1, "-");
  const std::string* op = c.src.field("operator");
  std::string opFolded = op && *op != "unknown" ? foldCase(trim(*op)) : std::string();
  struct Element {
    const char* code;
    bool present;
    const char* en;
    const char* ru;
  };
  const Element kElements[] = {
      {"consent-operator", !opFolded.empty() && has(text, opFolded),
       "the consent document does not name the operator (its `operator:` header, as written there, must appear in the "
       "text with its address): RU 152-FZ art. 9(4) item 3, KZ Law 94-V art. 8",
       "в документе согласия не назван оператор (значение `operator:` из заголовка должно быть в тексте вместе с "
       "адресом): 152-ФЗ ст. 9 ч. 4 п. 3, Закон РК 94-V ст. 8"},
      {"consent-purpose", hasAny(text, {"цел", "мақсат", "purpose"}),
       "the consent document states no purpose of processing: RU 152-FZ art. 9(4) item 4, KZ Law 94-V art. 8",
       "в документе согласия не указана цель обработки: 152-ФЗ ст. 9 ч. 4 п. 4, Закон РК 94-V ст. 8"},
      {"consent-data", hasAny(text, {"данн", "дерек", "data"}),
       "the consent document does not list the personal data processed: RU 152-FZ art. 9(4) item 5, KZ Law 94-V art. 8",
       "в документе согласия нет перечня обрабатываемых персональных данных: 152-ФЗ ст. 9 ч. 4 п. 5, Закон РК 94-V ст. 8"},
      {"consent-term", hasAny(text, {"срок", "действует до", "в течение", "мерзім", "ішінде", "дейін", "until", "term",
                                     "period", "valid for"}),
       "the consent document states no term for which consent is given: RU 152-FZ art. 9(4) item 8, KZ Law 94-V art. 8",
       "в документе согласия не указан срок, в течение которого действует согласие: 152-ФЗ ст. 9 ч. 4 п. 8, Закон РК "
       "94-V ст. 8"},
      {"consent-withdrawal", hasAny(revocable, {"отозва", "отзыв", "кері қайтар", "кері шақыр", "қайтарып ал", "withdraw", "revoke"}),
       "the consent document does not say how to withdraw consent: RU 152-FZ art. 9(2) and 9(4) item 8, KZ Law 94-V art. 8",
       "в документе согласия не сказано, как отозвать согласие: 152-ФЗ ст. 9 ч. 2 и ч. 4 п. 8, Закон РК 94-V ст. 8"},
  };
  for (const Element& e : kElements)
    if (!e.present) c.add("error", e.code, "", c.firstBodyLine, 1, e.en, e.ru);
}

}  // namespace

kelisim::Error lint(std::string_view sourceText, std::vector<Finding>* out) {
  out->clear();
  ParsedSource src;
  kelisim::Error e = parseSource(sourceText, &src);
  if (!e.ok()) return e;
  Ctx c{src, {}, out};
  c.folded.reserve(src.lines.size());
  for (sv l : src.lines) c.folded.push_back(foldCase(l));
  c.firstBodyLine = src.headerLines + 1;
  while (size_t(c.firstBodyLine) < src.lines.size() && trim(src.lines[size_t(c.firstBodyLine - 1)]).empty()) ++c.firstBodyLine;
  for (auto& p : src.problems) {
    bool err = p.code == "header-unclosed";
    c.add(err ? "error" : "warning", p.code, "", p.line, p.col, p.message,
          p.code == "invalid-utf8" ? "недопустимые байты UTF-8 заменены на U+FFFD"
          : p.code == "header-bad-line" ? "строка заголовка не в формате `ключ: значение`"
          : p.code == "header-duplicate-key" ? "ключ заголовка повторяется; действует последнее значение"
                                            : "заголовок начинается с ---, но не закрыт строкой ---; прочитан как текст");
  }
  checkNumbering(c);
  checkReferences(c);
  checkJurisdictions(c);
  const std::string* kind = src.field("kind");
  if (kind && *kind == "consent") {
    // A consent document: its own elements instead of a policy's (contact, date, retention,
    // purposes mapped to categories); "irrevocable" is still wrong.
    checkConsentDocument(c);
    checkConsentByUse(c, false);
  } else {
    checkDocument(c);
    checkRetention(c);
    checkConsentByUse(c);
    checkConsentPurposes(c);
  }
  // Order by (line, col, order found), via 64-bit keys: the module already carries a sort of
  // integers, a sort of Findings would be one more instantiation.
  if (out->size() > kMaxFindings) {
    out->resize(kMaxFindings - 1);
    c.add("info", "too-many-findings", "", out->back().line, out->back().col,
          "more than 65535 findings; the rest are not shown", "больше 65535 замечаний; остальные не показаны");
  }
  std::vector<uint64_t> keys(out->size());
  for (size_t k = 0; k < keys.size(); ++k) {
    const Finding& f = (*out)[k];
    keys[k] = uint64_t(std::min(f.line, 0xFFFFFF)) << 40 | uint64_t(std::min(f.col, 0xFFFFFF)) << 16 | k;
  }
  std::sort(keys.begin(), keys.end());
  std::vector<Finding> sorted;
  sorted.reserve(keys.size());
  for (uint64_t key : keys) sorted.push_back(std::move((*out)[size_t(key & 0xFFFF)]));
  *out = std::move(sorted);
  return {};
}

std::string findingsJson(const std::vector<Finding>& findings) {
  json arr = json::array();
  for (auto& f : findings) {
    json o = json::object();
    o["severity"] = f.severity;
    o["code"] = f.code;
    o["clause"] = f.clause;
    o["line"] = f.line;
    o["col"] = f.col;
    o["message"]["en"] = f.messageEn;
    o["message"]["ru"] = f.messageRu;
    if (!f.file.empty()) o["file"] = f.file;
    arr.push_back(std::move(o));
  }
  return arr.dump();
}

std::string findingsText(std::string_view file, const std::vector<Finding>& findings, std::string_view lang) {
  std::string out;
  for (auto& f : findings) {
    out += f.file.empty() ? file : std::string_view(f.file);
    out += ':' + std::to_string(f.line) + ':' + std::to_string(f.col) + ": " + f.severity + '[' + f.code + "]: ";
    out += lang == "ru" ? f.messageRu : f.messageEn;
    out += '\n';
  }
  return out;
}

bool hasErrors(const std::vector<Finding>& findings) {
  for (auto& f : findings)
    if (f.severity == "error") return true;
  return false;
}

}  // namespace kelisim::policy
