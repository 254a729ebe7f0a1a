// The signed proof document and its printable page. See proof.h.
#include "ledger/proof.h"

#include <sodium.h>

#include <algorithm>

#include "core/consent.h"
#include "core/ledger.h"
#include "core/sha256.h"
#include "ledger/export.h"
#include "ledger/json_access.h"
#include "ledger/policies.h"
#include "ledger/signer.h"
#include "ledger/verify.h"

namespace kelisim {
namespace server {

// ---------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------
namespace {

ojson policyRef(const ojson& body) {
  const ojson& p = jget(body, "policy");
  return {{"id", jstr(p, "id")}, {"version", jstr(p, "version")}, {"bodyHash", jstr(p, "bodyHash")}};
}

/** The history entry of a stored change, rebuilt with the core's types: its canonical text
 *  and whether entryHash() gives the stored hash. */
void entryCheck(const ojson& ev, std::string* canonical, bool* hashOk) {
  HistoryEntry e;
  *canonical = "";
  *hashOk = false;
  if (!fromName(jstr(ev, "op"), &e.op) || !fromName(jstr(ev, "method"), &e.method)) return;
  e.atMs = jint(ev, "atMs", -1);
  e.version.assign(jstr(ev, "version"));
  e.prevHash.assign(jstr(ev, "prevHash"));
  const ojson& choices = jget(ev, "choices");
  if (!choices.is_object()) return;
  const ojson& docs = jget(ev, "docs");  // consent documents of "on" choices, when any
  for (auto it = choices.begin(); it != choices.end(); ++it)
    e.choices.push_back({Id(it.key()), it.value().is_boolean() && it.value().get<bool>(), jstr(docs, it.key().c_str())});
  const ojson& services = jget(ev, "services");  // issue 12: per-service states, when the policy has services
  if (services.is_object())
    for (auto it = services.begin(); it != services.end(); ++it)
      e.services.push_back({Id(it.key()), it.value().is_boolean() && it.value().get<bool>(), {}});
  *canonical = e.canonical().str();
  *hashOk = entryHash(e).view() == jstr(ev, "hash");
}

ojson displayJson(const Row& r, const ojson& body) {
  const ojson& d = jget(body, "display");
  return {{"seq", r.seq},
          {"eventId", jstr(body, "id")},
          {"kind", jstr(d, "kind")},
          {"reason", jstr(d, "reason")},
          {"layout", jstr(d, "layout")},
          {"language", jstr(body, "language")},
          {"at", r.clientAt},
          {"atIso", isoUtc(r.clientAt)},
          {"serverAt", r.serverAt},
          {"serverAtIso", isoUtc(r.serverAt)},
          {"deadline", jget(d, "deadline").is_string() ? jget(d, "deadline") : ojson()},
          {"policy", policyRef(body)},
          {"categories", jget(d, "categories").is_array() ? jget(d, "categories") : ojson::array()},
          {"strings", jget(d, "strings").is_object() ? jget(d, "strings") : ojson::object()},
          {"contentHash", jstr(body, "contentHash")}};
}

/** The consent documents the event's "on" choices were given under (event.docs: category →
 *  8 hex), looked up in the server's policies: {category: {hashPrefix, known, id, version,
 *  hash, text}}; {} when none. */
ojson documentsJson(const ojson& ev, const std::string& policyId, const Policies* policies) {
  ojson out = ojson::object();
  const ojson& docs = jget(ev, "docs");
  if (!docs.is_object()) return out;
  for (auto it = docs.begin(); it != docs.end(); ++it) {
    std::string prefix = it.value().is_string() ? it.value().get<std::string>() : std::string();
    const ConsentDocument* d = policies ? policies->findDocument(policyId, prefix) : nullptr;
    ojson o = {{"hashPrefix", prefix}, {"known", d != nullptr}};
    o["id"] = d ? ojson(d->id) : ojson();
    o["version"] = d ? ojson(d->version) : ojson();
    o["hash"] = d ? ojson(d->hash) : ojson();
    o["text"] = d ? ojson(policies->documentUrl(*d)) : ojson();
    out[it.key()] = std::move(o);
  }
  return out;
}

ojson decisionJson(const Row& r, const ojson& body, const RecordView& view, const Policies* policies) {
  const ojson& ev = jget(body, "event");
  std::string canonical;
  bool hashOk;
  entryCheck(ev, &canonical, &hashOk);
  std::string how = r.op == "notice-shown" ? "notice" : r.method == "implicit" ? "implicit" : "button";
  ojson d = {{"seq", r.seq},
             {"eventId", jstr(body, "id")},
             {"op", r.op},
             {"method", r.method},
             {"how", how},
             {"at", r.clientAt},
             {"atIso", isoUtc(r.clientAt)},
             {"serverAt", r.serverAt},
             {"serverAtIso", isoUtc(r.serverAt)},
             {"policy", policyRef(body)},
             {"choices", jget(ev, "choices").is_object() ? jget(ev, "choices") : ojson::object()},
             {"documents", documentsJson(ev, r.policyId, policies)},
             {"canonical", canonical},
             {"prevHash", jstr(ev, "prevHash")},
             {"hash", jstr(ev, "hash")},
             {"hashOk", hashOk},
             {"display", jget(body, "display").is_string() ? jget(body, "display") : ojson()}};
  if (jget(ev, "services").is_object()) d["services"] = jget(ev, "services");  // issue 12, only when sent
  for (const ImplicitAcceptance& a : view.implicit) {
    if (a.seq != r.seq) continue;
    d["implicit"] = {
        {"notice", a.noticeSeq ? ojson{{"seq", a.noticeSeq}, {"at", a.noticeAtMs}, {"atIso", isoUtc(a.noticeAtMs)}} : ojson()},
        {"deadline", a.deadlineMs >= 0 ? ojson(a.deadlineMs) : ojson()},
        {"deadlineIso", a.deadlineMs >= 0 ? ojson(isoUtc(a.deadlineMs)) : ojson()},
        {"afterDeadline", a.afterDeadline},
        {"flags", a.flags}};
  }
  return d;
}

ojson policiesJson(const std::vector<Row>& rows, const Policies* policies) {
  ojson out = ojson::array();
  std::vector<std::pair<std::string, std::string>> seen;
  for (const Row& r : rows) {
    if (r.kind == "erasure") continue;
    std::pair<std::string, std::string> key{r.policyId, r.policyVersion};
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const PolicyVersion* pv = policies ? policies->find(r.policyId, r.policyVersion) : nullptr;
    ojson p = {{"id", r.policyId}, {"version", r.policyVersion}, {"known", pv != nullptr}};
    p["bodyHash"] = pv ? ojson(pv->bodyHash) : ojson();
    p["publishedAt"] = pv && pv->hasPublishedAt ? ojson(isoUtc(pv->publishedAtMs)) : ojson();
    p["updateRule"] = pv ? ojson{{"type", pv->ruleType}, {"days", pv->ruleDays}} : ojson();
    p["text"] = pv ? ojson(policies->textUrl(*pv)) : ojson();
    out.push_back(p);
  }
  return out;
}

ojson rowsJson(const std::vector<Row>& rows, const std::map<int64_t, std::string>& prevHashes,
               const std::map<int64_t, std::vector<std::string>>& inclusion) {
  ojson out = ojson::array();
  for (const Row& r : rows) {
    auto prev = prevHashes.find(r.seq);
    ojson j = {{"seq", r.seq},
               {"serverAt", r.serverAt},
               {"eventKey", r.eventKey},
               {"personalHash", r.personalHash},
               {"prevRowHash", prev == prevHashes.end() ? "" : prev->second},
               {"rowHash", r.rowHash},
               {"body", r.body}};
    auto path = inclusion.find(r.seq);
    if (path != inclusion.end()) j["inclusion"] = path->second;
    out.push_back(std::move(j));
  }
  return out;
}

/** The newest checkpoint whose seq is at or after lastSeq (it covers every row of the
 *  record); null when there is none yet. */
ojson coveringCheckpoint(const std::vector<Checkpoint>& checkpoints, int64_t lastSeq) {
  const Checkpoint* best = nullptr;
  for (const Checkpoint& c : checkpoints)
    if (c.seq >= lastSeq && (!best || c.seq > best->seq || (c.seq == best->seq && c.at > best->at))) best = &c;
  if (!best) return ojson();
  ojson j = checkpointJson(*best);
  j["atIso"] = isoUtc(best->at);
  return j;
}

/** A checkpoint (or rotation) of a proof document, as a Checkpoint. */
Checkpoint checkpointOf(const nlohmann::json& j) {
  return {jint(j, "seq"),       jstr(j, "head"),    jint(j, "at"),           jstr(j, "publicKey"),
          jstr(j, "signature"), jstr(j, "prevKey"), jstr(j, "prevSignature"), jstr(j, "root"), {}};
}

}  // namespace

std::string canonicalProof(const nlohmann::json& proof) {
  nlohmann::json copy = proof;
  if (copy.is_object()) copy.erase("signature");
  // nlohmann::json keeps objects in a std::map: keys sorted; no spaces; invalid UTF-8 (never
  // in what the server stored: it parsed it as JSON) replaced rather than aborting.
  return copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ojson buildProof(const std::string& recordId, const std::vector<Row>& rows,
                 const std::map<int64_t, std::string>& prevHashes, const Policies* policies,
                 const std::vector<Checkpoint>& checkpoints, const Signer& signer, int64_t nowMs,
                 const std::vector<Checkpoint>& keyRotations,
                 const std::map<int64_t, std::vector<std::string>>& inclusion) {
  RecordView view = buildRecordView(recordId, rows, prevHashes, policies);
  ojson displays = ojson::array(), decisions = ojson::array();
  int64_t lastSeq = 0;
  for (const Row& r : rows) {
    lastSeq = std::max(lastSeq, r.seq);
    ojson body = parseBody(r);
    if (r.kind == "display") displays.push_back(displayJson(r, body));
    if (r.kind == "change") decisions.push_back(decisionJson(r, body, view, policies));
  }
  ojson v = view.toJson();
  ojson proof = {{"format", "kelisim-proof/1"},
                 {"generatedAt", nowMs},
                 {"generatedAtIso", isoUtc(nowMs)},
                 {"recordId", recordId},
                 {"policies", policiesJson(rows, policies)},
                 {"displays", displays},
                 {"decisions", decisions},
                 {"state", v["state"]},
                 {"verification", v["verification"]},
                 {"rows", rowsJson(rows, prevHashes, inclusion)},
                 {"checkpoint", coveringCheckpoint(checkpoints, lastSeq)},
                 {"publicKey", signer.publicKeyHex()},
                 {"notes",
                  {"Times named at/atIso are the visitor's clock (the core decided with it); serverAt is the "
                   "server's clock when the event was stored.",
                   "Each row's rowHash = ledger::rowHash(prevRowHash, seq, serverAt, eventKey, personalHash, "
                   "body); the checkpoint signs the chain head at its seq and the Merkle root of rows 1..seq "
                   "(leaf: SHA-256(0x00 || rowHash), node: SHA-256(0x01 || left || right), RFC 9162 §2.1); each "
                   "row's inclusion path leads from its leaf (index seq - 1) to that root, so the proof alone "
                   "shows these rows are in the signed ledger.",
                   "signature: Ed25519 over \"kelisim-proof/1\\n\" + the canonical JSON (keys sorted, no spaces) "
                   "of this document without its signature member."}}};
  if (!keyRotations.empty()) {
    // The ledger's key history (docs/ledger.md §4.1), so that any of its keys verifies the proof.
    proof["keyRotations"] = keyRotationsJson(keyRotations);
    proof["notes"].push_back(
        "keyRotations: the ledger's signing keys were rotated; each rotation is signed by the old and the new key "
        "over \"kelisim-ledger-key-rotation/1\\n\" seq, head, at, root, old key and new key, one per line, so any key "
        "of the history vouches for publicKey.");
  }
  nlohmann::json canonical = nlohmann::json::parse(proof.dump(-1, ' ', false, ojson::error_handler_t::replace), nullptr, false);
  proof["signature"] = signer.signHex(ledger::proofMessage(canonicalProof(canonical)));
  return proof;
}

bool verifyProof(const std::string& json, const std::string& publicKeyHex, std::string* why,
                 nlohmann::json* parsed) {
  // A proof is a few levels deep; anything far deeper is not one (and would recurse in dump()).
  if (!depthWithin(json, kMaxProofDepth)) return *why = "the proof is nested deeper than a proof document is", false;
  nlohmann::json local;
  nlohmann::json& doc = parsed ? *parsed : local;
  doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return *why = "the proof is not a JSON object", false;
  if (jstr(doc, "format") != "kelisim-proof/1") return *why = "format is not kelisim-proof/1", false;
  std::string key = jstr(doc, "publicKey");
  // The key history, when the ledger's key was rotated: publicKey must be its newest key, and
  // the key named may be any of its keys.
  std::vector<Checkpoint> rotations;
  const nlohmann::json& history = jget(doc, "keyRotations");
  if (!history.is_null() && !history.is_array()) return *why = "keyRotations is not an array", false;
  for (const nlohmann::json& r : history) rotations.push_back(checkpointOf(r));
  std::vector<std::string> keys;
  int64_t badSeq = 0;
  std::string chainWhy;
  if (!checkKeyChain(rotations, &keys, &badSeq, &chainWhy)) return *why = "keyRotations: " + chainWhy, false;
  if (!keys.empty() && keys.back() != key)
    return *why = "publicKey is not the newest key of keyRotations", false;
  if (!publicKeyHex.empty() && publicKeyHex != key && std::find(keys.begin(), keys.end(), publicKeyHex) == keys.end())
    return *why = "publicKey is not the expected key" + std::string(keys.empty() ? "" : ", nor is it in keyRotations"),
           false;
  std::string sig = jstr(doc, "signature");
  if (!Signer::verifyHex(key, ledger::proofMessage(canonicalProof(doc)), sig))
    return *why = "the signature does not verify: the document was changed or signed by another key", false;
  const nlohmann::json& cp = jget(doc, "checkpoint");
  if (cp.is_object()) {
    Checkpoint c = checkpointOf(cp);
    if (c.publicKey != key || !checkpointSignaturesHold(c))
      return *why = "the checkpoint's signature does not verify with this key", false;
  }
  // With a Merkle root signed, each row must lead to it (RFC 9162 §2.1.3.2).
  std::string root = cp.is_object() ? jstr(cp, "root") : "";
  int64_t treeSize = cp.is_object() ? jint(cp, "seq") : 0;
  for (const nlohmann::json& r : jget(doc, "rows")) {
    int64_t seq = jint(r, "seq");
    std::string h = ledger::rowHash(jstr(r, "prevRowHash"), seq, jint(r, "serverAt"), jstr(r, "eventKey"),
                                    jstr(r, "personalHash"), jstr(r, "body"));
    if (h != jstr(r, "rowHash")) return *why = "row " + std::to_string(seq) + ": its seal does not recompute", false;
    if (root.empty()) continue;
    std::vector<std::string> path;
    const nlohmann::json& p = jget(r, "inclusion");
    if (!p.is_array()) return *why = "row " + std::to_string(seq) + ": no inclusion path to the checkpoint's root", false;
    for (const nlohmann::json& step : p) path.push_back(step.is_string() ? step.get<std::string>() : std::string());
    if (seq < 1 || !ledger::verifyInclusion(uint64_t(seq - 1), uint64_t(treeSize), ledger::merkleLeaf(h), path, root))
      return *why = "row " + std::to_string(seq) + ": its inclusion path does not lead to the checkpoint's Merkle root",
             false;
  }
  *why = "";
  return true;
}

// ---------------------------------------------------------------------------
// The printable page
// ---------------------------------------------------------------------------

const char kProofCss[] =
    "body{font:11pt/1.45 Georgia,'Times New Roman',serif;color:#111;background:#fff;margin:2rem auto;max-width:52rem;"
    "padding:0 1rem}h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem;"
    "border-bottom:1px solid #999}h3{font-size:1rem;margin:1rem 0 .3rem}table{border-collapse:collapse;width:100%;"
    "margin:.4rem 0}th,td{border:1px solid #999;padding:.2rem .4rem;text-align:left;vertical-align:top}"
    "th{background:#eee}code,.hash{font-family:'DejaVu Sans Mono',monospace;font-size:.85em;word-break:break-all}"
    ".ok{color:#1d6b33}.bad{color:#a4161a;font-weight:bold}dl{display:grid;grid-template-columns:max-content 1fr;"
    "gap:.15rem 1rem;margin:.3rem 0}dt{font-weight:bold}dd{margin:0;white-space:pre-wrap}.meta{color:#333}"
    "@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,dl,section{break-inside:avoid}}";

std::string proofCssHashSource() {
  std::array<uint8_t, 32> d;
  Sha256 h;
  h.update(std::string_view(kProofCss));
  d = h.digest();
  char b64[64];
  sodium_bin2base64(b64, sizeof b64, d.data(), d.size(), sodium_base64_VARIANT_ORIGINAL);
  return std::string("'sha256-") + b64 + "'";
}

std::string htmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

struct ProofStrings {
  const char *lang, *title, *intro, *record, *generated, *texts, *policy, *version, *bodyHash, *published, *where,
      *unknownPolicy, *state, *choices, *method, *given, *none, *decisions, *clientTime, *serverTime, *action, *displays,
      *kind, *reason, *content, *shownStrings, *verification, *chainOk, *chainBad, *sealsOk, *sealsBad, *checkpoint,
      *noCheckpoint, *publicKey, *signature, *howButton, *howImplicit, *howNotice, *implicitOk, *implicitNoNotice,
      *implicitEarly, *deadlineUnknown, *on, *off, *explicitM, *implicitM, *verifyHint, *onDisplay, *deadline,
      *earlierKeys, *handedOver;
};

const ProofStrings kEn = {
    "en", "Proof of consent",
    "This document records, for one pseudonymous visitor record, which policy text was shown, when, and what the "
    "visitor chose and how. It is signed with the ledger's Ed25519 key.",
    "Record (pseudonymous)", "Generated", "Policy texts", "Policy", "Version", "Body hash (SHA-256)", "Published",
    "Text of this version", "not in the server's policies", "Consent in force", "Choices", "Method", "Given",
    "none", "Decisions", "Visitor's time", "Server time", "Action", "What was shown", "Shown", "Reason",
    "Content hash", "Exact words shown", "Verification", "The visitor's history chain is continuous.",
    "The history chain has gaps.", "Every row seal recomputes.", "Some row seals do not recompute.",
    "Signed checkpoint", "No checkpoint covers these rows yet.", "Server public key", "Document signature",
    "pressed a button", "implicit acceptance", "update notice recorded",
    "Update notice shown on {notice}; deadline {deadline}; use continued on {at}, after the deadline.",
    "No update notice display is recorded before this implicit acceptance (implicit-without-notice).",
    "Accepted on {at}, before the deadline {deadline}.", "The deadline is unknown (policy version not known).",
    "on", "off", "explicit", "implicit",
    "To check this proof, take its JSON form (the same document): its signature is Ed25519 over "
    "\"kelisim-proof/1\\n\" followed by its canonical JSON (keys sorted, no spaces) without the signature "
    "member, by the server public key above. With kelisim-server installed: "
    "kelisim-server verify --proof proof.json --public-key <the key above>.",
    "on the display", "Deadline",
    "Earlier signing keys of this ledger (each handed the ledger over to the next; both keys signed)",
    "handed over at seq"};

const ProofStrings kRu = {
    "ru", "Доказательство согласия",
    "Документ фиксирует для одной псевдонимной записи посетителя, какой текст политики был показан, когда, что "
    "посетитель выбрал и как. Он подписан ключом Ed25519 журнала.",
    "Запись (псевдоним)", "Сформировано", "Тексты политики", "Политика", "Версия", "Хеш текста (SHA-256)",
    "Опубликовано", "Текст этой версии", "нет среди политик сервера", "Действующее согласие", "Выбор", "Способ",
    "Дано", "нет", "Решения", "Время посетителя", "Время сервера", "Действие", "Что было показано", "Показ",
    "Причина", "Хеш содержимого", "Показанный текст дословно", "Проверка",
    "Цепочка истории посетителя непрерывна.", "В цепочке истории есть разрывы.",
    "Печать каждой строки сходится.", "Печати некоторых строк не сходятся.", "Подписанная контрольная точка",
    "Контрольной точки, покрывающей эти строки, пока нет.", "Открытый ключ сервера", "Подпись документа",
    "нажата кнопка", "неявное принятие", "уведомление зафиксировано",
    "Уведомление об обновлении показано {notice}; срок {deadline}; использование продолжено {at}, после срока.",
    "До этого неявного принятия показ уведомления об обновлении не записан (implicit-without-notice).",
    "Принято {at}, до срока {deadline}.", "Срок неизвестен (версия политики неизвестна).", "вкл.", "выкл.",
    "явно", "неявно",
    "Для проверки возьмите JSON-форму этого доказательства (тот же документ): её подпись Ed25519 "
    "поставлена открытым ключом сервера выше над \"kelisim-proof/1\\n\" и каноническим JSON (ключи по "
    "алфавиту, без пробелов) без поля signature. С установленным kelisim-server: "
    "kelisim-server verify --proof proof.json --public-key <ключ выше>.",
    "на показе", "Срок",
    "Прежние ключи подписи журнала (каждый передал журнал следующему; подписали оба ключа)",
    "передан на №"};

const ProofStrings kKk = {
    "kk", "Келісімнің дәлелі",
    "Бұл құжат келушінің бір бүркеншік жазбасы үшін саясаттың қай мәтіні қашан көрсетілгенін, келушінің не "
    "таңдағанын және қалай таңдағанын тіркейді. Ол журналдың Ed25519 кілтімен қол қойылған.",
    "Жазба (бүркеншік)", "Жасалған уақыты", "Саясат мәтіндері", "Саясат", "Нұсқа", "Мәтін хеші (SHA-256)",
    "Жарияланған", "Осы нұсқаның мәтіні", "сервер саясаттарында жоқ", "Қолданыстағы келісім", "Таңдау", "Тәсіл",
    "Берілген", "жоқ", "Шешімдер", "Келуші уақыты", "Сервер уақыты", "Әрекет", "Не көрсетілді", "Көрсетілім",
    "Себеп", "Мазмұн хеші", "Көрсетілген мәтін сөзбе-сөз", "Тексеру", "Келушінің тарих тізбегі үздіксіз.",
    "Тарих тізбегінде үзілістер бар.", "Әр жолдың мөрі сәйкес келеді.", "Кейбір жолдардың мөрі сәйкес келмейді.",
    "Қол қойылған бақылау нүктесі", "Бұл жолдарды қамтитын бақылау нүктесі әлі жоқ.", "Сервердің ашық кілті",
    "Құжаттың қолтаңбасы", "түйме басылды", "жанама қабылдау", "хабарлама тіркелді",
    "Жаңарту туралы хабарлама {notice} көрсетілді; мерзім {deadline}; пайдалану {at} жалғасты, мерзімнен кейін.",
    "Бұл жанама қабылдауға дейін жаңарту туралы хабарламаның көрсетілгені жазылмаған (implicit-without-notice).",
    "{at} қабылданды, {deadline} мерзімінен бұрын.", "Мерзім белгісіз (саясат нұсқасы белгісіз).", "қосулы",
    "өшірулі", "айқын", "жанама",
    "Тексеру үшін осы дәлелдің JSON түрін алыңыз (сол құжат): оның Ed25519 қолтаңбасы жоғарыдағы сервердің "
    "ашық кілтімен \"kelisim-proof/1\\n\" және signature өрісінсіз канондық JSON (кілттер әліпби бойынша, "
    "бос орынсыз) үстінен қойылған. kelisim-server орнатылған болса: "
    "kelisim-server verify --proof proof.json --public-key <жоғарыдағы кілт>.",
    "көрсетілімде", "Мерзім",
    "Журналдың бұрынғы қолтаңба кілттері (әрқайсысы журналды келесісіне берді; екі кілт те қол қойды)",
    "берілген №"};

const ProofStrings& stringsFor(const std::string& lang) {
  if (lang == "ru") return kRu;
  if (lang == "kk") return kKk;
  return kEn;
}

std::string fill(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    std::string key = "{" + k + "}";
    for (size_t p; (p = s.find(key)) != std::string::npos;) s.replace(p, key.size(), v);
  }
  return s;
}

/** A JSON value as display text (strings as is, others dumped). */
std::string text(const ojson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string when(const ojson& iso) { return text(iso).empty() ? "—" : text(iso); }

/** "analytics: on, marketing: off"; a choice given under a consent document is followed by
 *  that document (`documents`, documentsJson): "(analytics 1, 3f9a2c1b…)". */
std::string choicesHtml(const ojson& choices, const ProofStrings& s, const ojson& documents = ojson()) {
  std::string out;
  if (!choices.is_object()) return out;
  for (auto it = choices.begin(); it != choices.end(); ++it) {
    if (!out.empty()) out += ", ";
    out += htmlEscape(it.key()) + ": " + (it.value().is_boolean() && it.value().get<bool>() ? s.on : s.off);
    const ojson& d = jget(documents, it.key().c_str());
    if (d.is_object())
      out += " (<code>" + htmlEscape(jstr(d, "id").empty() ? "?" : jstr(d, "id") + " " + jstr(d, "version")) +
             "</code>, <span class=\"hash\">" + htmlEscape(jstr(d, "hashPrefix")) + "…</span>)";
  }
  return out;
}

void policiesSection(const ojson& proof, const ProofStrings& s, std::string& h) {
  h += "<section><h2>" + htmlEscape(s.texts) + "</h2><table><thead><tr><th>" + htmlEscape(s.policy) + "</th><th>" +
       htmlEscape(s.version) + "</th><th>" + htmlEscape(s.bodyHash) + "</th><th>" + htmlEscape(s.published) +
       "</th><th>" + htmlEscape(s.where) + "</th></tr></thead><tbody>";
  for (const ojson& p : jget(proof, "policies")) {
    bool known = jget(p, "known").is_boolean() && jget(p, "known").get<bool>();
    h += "<tr><td>" + htmlEscape(jstr(p, "id")) + "</td><td>" + htmlEscape(jstr(p, "version")) + "</td><td class=\"hash\">" +
         htmlEscape(jstr(p, "bodyHash")) + "</td><td>" + htmlEscape(when(jget(p, "publishedAt"))) + "</td><td>" +
         (known ? "<code>" + htmlEscape(jstr(p, "text")) + "</code>" : "<span class=\"bad\">" + htmlEscape(s.unknownPolicy) + "</span>") +
         "</td></tr>";
  }
  h += "</tbody></table></section>";
}

void stateSection(const ojson& proof, const ProofStrings& s, std::string& h) {
  const ojson& st = jget(proof, "state");
  h += "<section><h2>" + htmlEscape(s.state) + "</h2>";
  if (!st.is_object()) {
    h += "<p>" + htmlEscape(s.none) + "</p></section>";
    return;
  }
  h += "<dl><dt>" + htmlEscape(s.policy) + "</dt><dd>" + htmlEscape(jstr(st, "policyId")) + " " +
       htmlEscape(jstr(st, "version")) + "</dd><dt>" + htmlEscape(s.choices) + "</dt><dd>" +
       choicesHtml(jget(st, "choices"), s) + "</dd><dt>" + htmlEscape(s.method) + "</dt><dd>" +
       htmlEscape(jstr(st, "method") == "implicit" ? s.implicitM : s.explicitM) + "</dd><dt>" + htmlEscape(s.given) +
       "</dt><dd>" + htmlEscape(when(jget(st, "givenAtIso"))) + "</dd></dl></section>";
}

std::string implicitHtml(const ojson& imp, const std::string& at, const ProofStrings& s) {
  const ojson& notice = jget(imp, "notice");
  std::map<std::string, std::string> vars = {{"at", at},
                                             {"deadline", when(jget(imp, "deadlineIso"))},
                                             {"notice", notice.is_object() ? when(jget(notice, "atIso")) : ""}};
  std::string out;
  bool after = jget(imp, "afterDeadline").is_boolean() && jget(imp, "afterDeadline").get<bool>();
  if (!notice.is_object()) out += "<p class=\"bad\">" + htmlEscape(fill(s.implicitNoNotice, vars)) + "</p>";
  if (jget(imp, "deadline").is_null()) out += "<p class=\"bad\">" + htmlEscape(s.deadlineUnknown) + "</p>";
  else if (!after) out += "<p class=\"bad\">" + htmlEscape(fill(s.implicitEarly, vars)) + "</p>";
  else if (notice.is_object()) out += "<p class=\"ok\">" + htmlEscape(fill(s.implicitOk, vars)) + "</p>";
  return out;
}

void decisionsSection(const ojson& proof, const ProofStrings& s, std::string& h) {
  h += "<section><h2>" + htmlEscape(s.decisions) + "</h2><table><thead><tr><th>#</th><th>" + htmlEscape(s.action) +
       "</th><th>" + htmlEscape(s.clientTime) + "</th><th>" + htmlEscape(s.serverTime) + "</th><th>" +
       htmlEscape(s.version) + "</th><th>" + htmlEscape(s.choices) + "</th></tr></thead><tbody>";
  for (const ojson& d : jget(proof, "decisions")) {
    std::string how = jstr(d, "how");
    std::string howText = how == "implicit" ? s.implicitM : how == "notice" ? s.howNotice : s.howButton;
    std::string action = "<code>" + htmlEscape(jstr(d, "op")) + "</code> — " + htmlEscape(how == "implicit" ? s.howImplicit : howText);
    if (jget(d, "display").is_string()) action += " (" + htmlEscape(s.onDisplay) + " <code>" + htmlEscape(jstr(d, "display")) + "</code>)";
    if (jget(d, "implicit").is_object()) action += implicitHtml(jget(d, "implicit"), when(jget(d, "atIso")), s);
    h += "<tr><td>" + std::to_string(jint(d, "seq")) + "</td><td>" + action + "</td><td>" +
         htmlEscape(when(jget(d, "atIso"))) + "</td><td>" + htmlEscape(when(jget(d, "serverAtIso"))) + "</td><td>" +
         htmlEscape(jstr(jget(d, "policy"), "id")) + " " + htmlEscape(jstr(jget(d, "policy"), "version")) + "</td><td>" +
         choicesHtml(jget(d, "choices"), s, jget(d, "documents")) + "</td></tr>";
  }
  h += "</tbody></table></section>";
}

void displaysSection(const ojson& proof, const ProofStrings& s, std::string& h) {
  h += "<section><h2>" + htmlEscape(s.displays) + "</h2>";
  for (const ojson& d : jget(proof, "displays")) {
    h += "<section><h3>#" + std::to_string(jint(d, "seq")) + " <code>" + htmlEscape(jstr(d, "kind")) + "</code> — " +
         htmlEscape(when(jget(d, "atIso"))) + "</h3><dl><dt>" + htmlEscape(s.reason) + "</dt><dd>" +
         htmlEscape(jstr(d, "reason")) + "</dd><dt>" + htmlEscape(s.policy) + "</dt><dd>" +
         htmlEscape(jstr(jget(d, "policy"), "id")) + " " + htmlEscape(jstr(jget(d, "policy"), "version")) +
         "</dd><dt>" + htmlEscape(s.serverTime) + "</dt><dd>" + htmlEscape(when(jget(d, "serverAtIso"))) + "</dd><dt>" +
         htmlEscape(s.content) + "</dt><dd class=\"hash\">" + htmlEscape(jstr(d, "contentHash")) + "</dd>";
    if (jget(d, "deadline").is_string())
      h += "<dt>" + htmlEscape(s.deadline) + "</dt><dd>" + htmlEscape(jstr(d, "deadline")) + "</dd>";
    h += "</dl><h3>" + htmlEscape(s.shownStrings) + "</h3><dl>";
    const ojson& strs = jget(d, "strings");
    if (strs.is_object())
      for (auto it = strs.begin(); it != strs.end(); ++it)
        h += "<dt>" + htmlEscape(it.key()) + "</dt><dd>" + htmlEscape(text(it.value())) + "</dd>";
    h += "</dl></section>";
  }
  h += "</section>";
}

void verificationSection(const ojson& proof, const ProofStrings& s, std::string& h) {
  const ojson& v = jget(proof, "verification");
  bool chainOk = jget(jget(v, "chain"), "ok") == true;
  bool sealsOk = jget(jget(v, "seals"), "ok") == true;
  h += "<section><h2>" + htmlEscape(s.verification) + "</h2><p class=\"" + (chainOk ? "ok" : "bad") + "\">" +
       htmlEscape(chainOk ? s.chainOk : s.chainBad) + "</p><p class=\"" + (sealsOk ? "ok" : "bad") + "\">" +
       htmlEscape(sealsOk ? s.sealsOk : s.sealsBad) + "</p><h3>" + htmlEscape(s.checkpoint) + "</h3>";
  const ojson& cp = jget(proof, "checkpoint");
  if (cp.is_object())
    h += "<dl><dt>seq</dt><dd>" + std::to_string(jint(cp, "seq")) + "</dd><dt>head</dt><dd class=\"hash\">" +
         htmlEscape(jstr(cp, "head")) + "</dd><dt>at</dt><dd>" + htmlEscape(jstr(cp, "atIso")) +
         (jstr(cp, "root").empty() ? std::string()
                                   : "</dd><dt>Merkle root</dt><dd class=\"hash\">" + htmlEscape(jstr(cp, "root"))) +
         "</dd><dt>signature</dt><dd class=\"hash\">" + htmlEscape(jstr(cp, "signature")) + "</dd></dl>";
  else
    h += "<p>" + htmlEscape(s.noCheckpoint) + "</p>";
  h += "<dl><dt>" + htmlEscape(s.publicKey) + "</dt><dd class=\"hash\">" + htmlEscape(jstr(proof, "publicKey")) +
       "</dd><dt>" + htmlEscape(s.signature) + "</dt><dd class=\"hash\">" + htmlEscape(jstr(proof, "signature")) +
       "</dd></dl>";
  const ojson& rotations = jget(proof, "keyRotations");
  if (rotations.is_array() && !rotations.empty()) {
    h += "<h3>" + htmlEscape(s.earlierKeys) + "</h3><ul>";
    for (const ojson& r : rotations)
      h += "<li><span class=\"hash\">" + htmlEscape(jstr(r, "prevKey")) + "</span> — " + htmlEscape(s.handedOver) + " " +
           std::to_string(jint(r, "seq")) + ", " + htmlEscape(isoUtc(jint(r, "at"))) + "</li>";
    h += "</ul>";
  }
  h += "<p class=\"meta\">" + htmlEscape(s.verifyHint) + "</p></section>";
}

}  // namespace

std::string proofHtml(const ojson& proof, const std::string& lang) {
  const ProofStrings& s = stringsFor(lang);
  std::string h = std::string("<!doctype html>\n<html lang=\"") + s.lang +
                  "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
                  "initial-scale=1\"><title>" +
                  htmlEscape(s.title) + " — " + htmlEscape(jstr(proof, "recordId")) + "</title><style>" + kProofCss +
                  "</style></head><body><main><h1>" + htmlEscape(s.title) + "</h1><p>" + htmlEscape(s.intro) +
                  "</p><dl><dt>" + htmlEscape(s.record) + "</dt><dd><code>" + htmlEscape(jstr(proof, "recordId")) +
                  "</code></dd><dt>" + htmlEscape(s.generated) + "</dt><dd>" +
                  htmlEscape(jstr(proof, "generatedAtIso")) + "</dd></dl>";
  policiesSection(proof, s, h);
  stateSection(proof, s, h);
  decisionsSection(proof, s, h);
  displaysSection(proof, s, h);
  verificationSection(proof, s, h);
  h += "</main></body></html>\n";
  return h;
}

}  // namespace server
}  // namespace kelisim
