// diffBodies / wordDiffHtml / diffJson: clause alignment by number and text, word-level
// changes, bounded work on big inputs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/body.h"
#include "policy/diff.h"

using namespace kelisim::policy;

namespace {

// Body from (num, text) pairs, all top-level clauses; num "" = a paragraph outside clauses.
Body bodyOf(const std::vector<std::pair<std::string, std::string>>& clauses) {
  Body b;
  for (const auto& [num, text] : clauses) {
    Node p;
    p.kind = Node::Kind::Para;
    Inline t;
    t.text = text;
    p.inl.push_back(t);
    if (num.empty()) {
      b.children.push_back(p);
      continue;
    }
    Node c;
    c.kind = Node::Kind::Clause;
    c.num = num;
    c.children.push_back(p);
    b.children.push_back(c);
  }
  return b;
}

std::string statuses(const DiffResult& d) {
  std::string s;
  for (const auto& c : d.clauses) {
    if (!s.empty()) s += ' ';
    s += (c.num.empty() ? "-" : c.num) + (c.oldNum.empty() ? "" : "<" + c.oldNum) + ":" + diffStatusName(c.status);
  }
  return s;
}

using V = std::vector<std::string>;

const std::vector<std::pair<std::string, std::string>> kV1 = {
    {"", "Вступление к политике."},
    {"1", "Оператор обрабатывает персональные данные пользователей сайта."},
    {"2", "Данные хранятся в течение трёх лет с момента последнего входа."},
    {"3", "Пользователь может отозвать согласие, написав на адрес dpo@example.kz."},
    {"4", "Споры разрешаются в суде по месту нахождения оператора."},
};

}  // namespace

TEST(PolicyDiff, IdenticalBodiesAreAllSame) {
  DiffResult d = diffBodies(bodyOf(kV1), bodyOf(kV1));
  EXPECT_EQ(statuses(d), "-:same 1:same 2:same 3:same 4:same");
  EXPECT_TRUE(d.added.empty() && d.removed.empty() && d.changed.empty() && d.moved.empty());
  EXPECT_EQ(d.unnumberedChanged, 0);
  EXPECT_EQ(d.clauses[2].html, "Данные хранятся в течение трёх лет с момента последнего входа.");
}

TEST(PolicyDiff, ChangedAddedRemovedMoved) {
  // v2: clause 2 edited; a new clause 3 inserted, so old 3 and 4 are renumbered 4 and 5
  // (old 4 also edited); preamble unchanged.
  auto v2 = kV1;
  v2[2].second = "Данные хранятся в течение пяти лет с момента последнего входа.";
  v2.insert(v2.begin() + 3, {"3", "Оператор передаёт данные в ТОО «Пример» для хостинга."});
  v2[4].first = "4";
  v2[5].first = "5";
  v2[5].second = "Споры разрешаются в суде по месту нахождения Пользователя.";
  DiffResult d = diffBodies(bodyOf(kV1), bodyOf(v2));
  EXPECT_EQ(statuses(d), "-:same 1:same 2:changed 3:added 4<3:moved 5<4:changed");
  EXPECT_EQ(d.changed, (V{"2", "5"}));
  EXPECT_EQ(d.added, (V{"3"}));
  EXPECT_EQ(d.moved, (V{"4"}));
  EXPECT_TRUE(d.removed.empty());
  EXPECT_EQ(d.clauses[2].html, "Данные хранятся в течение <del>трёх</del><ins>пяти</ins> лет с момента последнего входа.");
  EXPECT_EQ(d.clauses[3].html, "<ins>Оператор передаёт данные в ТОО «Пример» для хостинга.</ins>");
  EXPECT_EQ(d.clauses[5].html, "Споры разрешаются в суде по месту нахождения <del>оператора</del><ins>Пользователя</ins>.");
}

TEST(PolicyDiff, RemovedClauseStaysAfterItsPredecessor) {
  auto v2 = kV1;
  v2.erase(v2.begin() + 2);  // drop clause 2; 3 and 4 keep their numbers
  v2[0].second = "Вступление к политике, новое.";
  DiffResult d = diffBodies(bodyOf(kV1), bodyOf(v2));
  EXPECT_EQ(statuses(d), "-:changed 1:same 2:removed 3:same 4:same");
  EXPECT_EQ(d.removed, (V{"2"}));
  EXPECT_EQ(d.unnumberedChanged, 1);
  EXPECT_EQ(d.clauses[2].html, "<del>Данные хранятся в течение трёх лет с момента последнего входа.</del>");
  EXPECT_EQ(d.clauses[0].html, "Вступление к политике<ins>, новое</ins>.");
}

TEST(PolicyDiff, RewrittenClauseKeepsItsNumber) {
  auto v2 = kV1;
  v2[4].second = "Все вопросы решаются путём переговоров.";
  DiffResult d = diffBodies(bodyOf(kV1), bodyOf(v2));
  EXPECT_EQ(statuses(d), "-:same 1:same 2:same 3:same 4:changed");
  EXPECT_EQ(d.clauses[4].html,
            "<del>Споры разрешаются в суде по месту нахождения оператора</del><ins>Все вопросы решаются путём переговоров</ins>.");
}

TEST(PolicyDiff, WordDiff) {
  EXPECT_EQ(wordDiffHtml("a b c", "a b c"), "a b c");
  EXPECT_EQ(wordDiffHtml("", "new text"), "<ins>new text</ins>");
  EXPECT_EQ(wordDiffHtml("old text", ""), "<del>old text</del>");
  EXPECT_EQ(wordDiffHtml("one two three", "one 2 three"), "one <del>two</del><ins>2</ins> three");
  // Spaces between two changes join them.
  EXPECT_EQ(wordDiffHtml("x alpha beta y", "x gamma delta y"), "x <del>alpha beta</del><ins>gamma delta</ins> y");
  // Escaped, including inside <ins>/<del>.
  EXPECT_EQ(wordDiffHtml("a <b> c", "a <i> c"), "a &lt;<del>b</del><ins>i</ins>&gt; c");
  EXPECT_EQ(wordDiffHtml("Q&A", "Q&B"), "Q&amp;<del>A</del><ins>B</ins>");
}

TEST(PolicyDiff, BigInputsFallBackToWholeReplace) {
  std::string a, b;
  for (int i = 0; i < 3000; ++i) {
    a += "a" + std::to_string(i) + " ";
    b += "b" + std::to_string(i) + " ";
  }
  a += "end";
  b += "end";
  // 6000 x 6000 tokens is past kMaxLcsCells: one deletion, one insertion, the common tail.
  std::string h = wordDiffHtml(a, b);
  EXPECT_EQ(h.rfind("<del>a0 a1 ", 0), 0u);
  EXPECT_NE(h.find(" a2999</del><ins>b0 b1 "), std::string::npos);
  EXPECT_EQ(h.compare(h.size() - 15, 15, "b2999</ins> end"), 0) << h.substr(h.size() - 30);
  EXPECT_EQ(h.find("<del>", 1), std::string::npos);  // one block each
  // One word changed in a big clause: the common prefix/suffix keep it word-level.
  std::string c = a;
  c.replace(c.find(" a1500 "), 7, " X ");
  EXPECT_NE(wordDiffHtml(a, c).find(" <del>a1500</del><ins>X</ins> "), std::string::npos);
}

TEST(PolicyDiff, ManyClausesStayBounded) {
  // 2,000 distinct clauses against 2,000 others: alignment work is capped (kMaxAlignWork),
  // everything is reported, nothing is lost.
  std::vector<std::pair<std::string, std::string>> a, b;
  for (int i = 0; i < 2000; ++i) {
    a.push_back({std::to_string(i + 1), "старый текст номер " + std::to_string(i) + " про данные"});
    b.push_back({std::to_string(i + 5001), "новый пункт " + std::to_string(i * 7) + " о сроках хранения"});
  }
  DiffResult d = diffBodies(bodyOf(a), bodyOf(b));
  EXPECT_EQ(d.clauses.size(), 4000u);
  EXPECT_EQ(d.added.size() + d.changed.size(), 2000u);
  EXPECT_EQ(d.removed.size() + d.changed.size(), 2000u);
}

TEST(PolicyDiff, Json) {
  auto v2 = kV1;
  v2[1].second = "Оператор обрабатывает персональные данные клиентов сайта.";
  v2.erase(v2.begin() + 4);
  DiffResult d = diffBodies(bodyOf(kV1), bodyOf(v2));
  EXPECT_EQ(diffJson(d),
            "{\"summary\":{\"added\":[],\"removed\":[\"4\"],\"changed\":[\"1\"],\"moved\":[],\"unnumbered\":0},"
            "\"clauses\":[{\"num\":\"\",\"status\":\"same\",\"html\":\"Вступление к политике.\"},"
            "{\"num\":\"1\",\"id\":\"p-1\",\"status\":\"changed\",\"html\":\"Оператор обрабатывает персональные данные "
            "<del>пользователей</del><ins>клиентов</ins> сайта.\"},"
            "{\"num\":\"2\",\"id\":\"p-2\",\"status\":\"same\",\"html\":\"Данные хранятся в течение трёх лет с момента последнего входа.\"},"
            "{\"num\":\"3\",\"id\":\"p-3\",\"status\":\"same\",\"html\":\"Пользователь может отозвать согласие, написав на адрес dpo@example.kz.\"},"
            "{\"num\":\"4\",\"id\":\"p-4\",\"status\":\"removed\",\"html\":\"<del>Споры разрешаются в суде по месту нахождения оператора.</del>\"}]}");
}
