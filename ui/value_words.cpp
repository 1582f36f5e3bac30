#include "ui/value_words.h"

#include <charconv>

#include "core/customer_dates.h"
#include "core/enums.h"
#include "core/followups.h"
#include "core/records.h"
#include "core/table_changes.h"
#include "ui/app_state.h"
#include "ui/keyed_text.h"
#include "ui/labels.h"

namespace crm::ui {

namespace {

constexpr size_t kShortenAt = 40;  // code points a value keeps in a line of the log

std::string Text(Lang lang, const char* key) {
  const char* text = TrKey(lang, key);
  return text ? text : key;
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// One line, at most kShortenAt code points, "…" where it was cut.
std::string Shorten(std::string_view text) {
  std::string out;
  size_t points = 0;
  for (size_t i = 0; i < text.size(); i++) {
    unsigned char byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80 && points++ == kShortenAt) return out + "…";
    out += byte == '\n' || byte == '\r' || byte == '\t' ? ' ' : text[i];
  }
  return out;
}

// A vocabulary's code in the screens' words: by the registry's name of the vocabulary.
template <class E, Result<E> (*Parse)(std::string_view, std::string_view)>
std::string EnumWord(Lang lang, std::string_view code) {
  Result<E> parsed = Parse(code, "");
  return parsed ? std::string(LabelOf(lang, parsed.Value())) : std::string(code);
}
std::string GradeWord(Lang, std::string_view code) {
  Result<Grade> parsed = ParseGrade(code, "");
  return parsed ? std::string(GradeLabel(parsed.Value())) : std::string(code);
}
std::string DateKindWord(Lang lang, std::string_view code) {
  const char* text = TrKey(lang, "customer_dates.kind." + std::string(code));
  return text ? text : std::string(code);
}
std::string HandOverStateWord(Lang lang, std::string_view code) {
  const char* text = TrKey(lang, "handover_requests.state." + std::string(code));
  return text ? text : std::string(code);
}

struct VocabularyWords {
  const char* vocabulary;  // Vocabulary::name (core/records.cpp)
  std::string (*word)(Lang lang, std::string_view code);
};
constexpr VocabularyWords kVocabularyWords[] = {
    {"role", EnumWord<Role, ParseRole>},
    {"customer_kind", EnumWord<CustomerKind, ParseCustomerKind>},
    {"credit", EnumWord<Credit, ParseCredit>},
    {"grade", GradeWord},
    {"stage", EnumWord<Stage, ParseStage>},
    {"lost_reason", EnumWord<LostReason, ParseLostReason>},
    {"source", EnumWord<Source, ParseSource>},
    {"contact_role", EnumWord<ContactRole, ParseContactRole>},
    {"activity_kind", EnumWord<ActivityKind, ParseActivityKind>},
    {"followup_reason", EnumWord<FollowupReason, ParseFollowupReason>},
    {"followup_status", EnumWord<FollowupStatus, ParseFollowupStatus>},
    {"field_type", EnumWord<FieldType, ParseFieldType>},
    {"customer_date_kind", DateKindWord},
    {"handover_state", HandOverStateWord},
};

std::string CodeWord(Lang lang, const Vocabulary& vocabulary, std::string_view code) {
  for (const VocabularyWords& words : kVocabularyWords) {
    if (std::string_view(words.vocabulary) == vocabulary.name) return words.word(lang, code);
  }
  return Shorten(code);
}

// The tables whose rows values name: a change to one of them renames what the log shows.
uint64_t NamingTables() {
  uint64_t tables = 0;
  for (const RecordType& type : RecordTypes()) {
    if (type.nameColumn) tables |= TableBit(type.table);
  }
  return tables;
}

}  // namespace

std::string NameOfRow(AppState& state, std::string_view table, int64_t id) {
  ValueNames& cache = state.names;
  if (NeedsLoad(state, cache.loaded, NamingTables())) cache.names.clear();
  auto key = std::make_pair(std::string(table), id);
  auto found = cache.names.find(key);
  if (found == cache.names.end()) {
    std::optional<std::string> name;
    if (state.db) {
      auto read = RowName(*state.db, table, id);
      if (read && read.Value() && !read.Value()->empty()) name = *read.Value();
    }
    found = cache.names.emplace(std::move(key), std::move(name)).first;
  }
  return found->second ? *found->second : Text(state.lang, "change_words.unknown");
}

std::string RowWords(AppState& state, std::string_view table, int64_t id) {
  std::string label = AuditTableLabel(state.lang, std::string(table));
  const RecordType* type = FindRecordType(table);
  if (!type || !type->nameColumn || type->access == Access::Customer) return label;
  return FillText(state.lang, "change_words.row", {{"table", label}, {"name", NameOfRow(state, table, id)}});
}

std::string MomentWords(const AppState& state, int64_t ms) { return LocalDateTimeText(ms, state.utcOffsetMinutes); }

std::string ValueWords(AppState& state, std::string_view table, std::string_view column, const std::optional<std::string>& value) {
  Lang lang = state.lang;
  if (!value || value->empty()) return Text(lang, "change_words.empty");
  const FieldSpec* spec = ColumnSpec(table, column);
  if (!spec) return Shorten(*value);
  std::optional<int64_t> number = ParseId(*value);
  if (spec->refersTo && number) return NameOfRow(state, spec->refersTo, *number);
  if (spec->kind == ColumnKind::Time && number) {
    return IsTrashMark(column) ? Text(lang, "change_words.trashed") : MomentWords(state, *number);
  }
  if (spec->vocabulary) return CodeWord(lang, spec->vocabulary, *value);
  return Shorten(*value);
}

std::string ChangeWords(AppState& state, std::string_view table, std::string_view column,
                        const std::optional<std::string>& before, const std::optional<std::string>& after) {
  // The trash mark's change is what happened to the row, not a change between two times.
  if (IsTrashMark(column)) return Text(state.lang, after ? "change_words.trashed" : "change_words.restored");
  return ValueWords(state, table, column, before) + " → " + ValueWords(state, table, column, after);
}

std::string FillText(Lang lang, const char* key, std::initializer_list<std::pair<const char*, std::string>> values) {
  std::string text = Text(lang, key);
  for (const auto& [name, value] : values) {
    const std::string placeholder = "{" + std::string(name) + "}";
    for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

}  // namespace crm::ui
