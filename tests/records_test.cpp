#include "core/records.h"

#include <gtest/gtest.h>

#include <set>

#include "core/schema.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

// Tables a migration may make that never travel: this device's own bookkeeping and derived indexes.
bool IsLocalTable(const std::string& name) {
  static const std::set<std::string> kLocal = {"app_meta", "device_accounts", "sync_outbox", "sync_inbox", "sync_state",
                                               "sync_conflicts", "directory_customers", "directory_phones"};
  return kLocal.count(name) || IsDerivedTable(name) || name.rfind("sqlite_", 0) == 0;
}

std::vector<std::string> Strings(Db& db, const std::string& sql, const std::string& bind = "") {
  std::vector<std::string> out;
  auto stmt = db.PrepareOnce(sql);
  EXPECT_TRUE(stmt) << stmt.Message();
  if (!bind.empty()) stmt.Value().Bind(1, bind);
  while (stmt.Value().Step().ValueOr(false)) out.push_back(stmt.Value().String(0));
  return out;
}

// A new table made by a migration and not described in the registry would travel without relay rules,
// audit or labels: it fails here.
TEST(Records, EveryTableAMigrationMakesIsDescribedOrLocal) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  for (const std::string& table : Strings(db, "SELECT name FROM sqlite_schema WHERE type = 'table'")) {
    if (IsLocalTable(table)) continue;
    EXPECT_NE(FindRecordType(table), nullptr) << "table '" << table << "' has no description in core/records.cpp";
  }
  for (const RecordType& type : RecordTypes()) {
    EXPECT_FALSE(Strings(db, "SELECT name FROM pragma_table_info(?)", type.table).empty()) << type.table << " is described but not made";
  }
}

// Every column is described (a new column without a description fails), and every description names a real column.
TEST(Records, EveryColumnHasItsDescription) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(Migrate(db));
  for (const RecordType& type : RecordTypes()) {
    std::set<std::string> columns;
    for (const std::string& column : Strings(db, "SELECT name FROM pragma_table_info(?)", type.table)) {
      columns.insert(column);
      if (column == type.key || (IsStandardColumn(column) && type.access != Access::AppendOnly)) continue;
      if (type.parent && column == type.parent) continue;
      EXPECT_NE(type.Field(column), nullptr) << type.table << "." << column << " has no FieldSpec";
    }
    for (const FieldSpec& field : type.fields) EXPECT_TRUE(columns.count(field.column)) << type.table << "." << field.column;
    EXPECT_TRUE(columns.count(type.key)) << type.table;
    if (type.parent) {
      EXPECT_TRUE(columns.count(type.parent)) << type.table;
    }
  }
}

TEST(Records, DescriptionsAreConsistent) {
  std::set<std::string> labels;
  for (const RecordType& type : RecordTypes()) {
    ASSERT_NE(type.label, nullptr) << type.table;
    EXPECT_TRUE(labels.insert(type.label).second) << "label " << type.label << " used twice";
    EXPECT_EQ(type.access == Access::CustomerHeld, type.HeldByCustomer()) << type.table;
    EXPECT_EQ(type.merge != MergePolicy::None, type.HeldByCustomer()) << type.table << ": a customer's rows need a merge policy";
    if (type.merge == MergePolicy::MoveUnique || type.merge == MergePolicy::Rederive) {
      ASSERT_NE(type.mergeKey, nullptr) << type.table;
      EXPECT_NE(type.Field(type.mergeKey), nullptr) << type.table;
    }
    EXPECT_EQ(type.merge == MergePolicy::Rederive, type.derivedIdPrefix != nullptr) << type.table;
    if (type.orderColumn) {
      EXPECT_NE(type.Field(type.orderColumn), nullptr) << type.table;
    }
    if (type.auditValue) {
      EXPECT_TRUE(type.textKey && type.Field(type.auditValue)) << type.table;
    }
    for (const FieldSpec& field : type.fields) {
      if (field.label) {
        EXPECT_TRUE(labels.insert(field.label).second) << "label " << field.label << " used twice";
      }
      if (field.vocabulary || field.maxChars) {
        EXPECT_TRUE(field.kind == ColumnKind::Text) << type.table << "." << field.column << ": codes and lengths are for text";
      }
      // An id naming another table's row is shown by that row's name (the audit trail, the conflict log).
      if (field.refersTo) {
        EXPECT_TRUE(field.kind == ColumnKind::Id) << type.table << "." << field.column;
        const RecordType* named = FindRecordType(field.refersTo);
        ASSERT_NE(named, nullptr) << type.table << "." << field.column;
        EXPECT_NE(named->nameColumn, nullptr) << field.refersTo << " names no rows";
      }
    }
  }
  EXPECT_EQ(SyncedTables().size(), RecordTypes().size());
  for (size_t i = 0; i < RecordTypes().size(); i++) {
    EXPECT_EQ(SyncedTables()[i], RecordTypes()[i].table);
    EXPECT_EQ(RecordIndex(RecordTypes()[i].table), static_cast<int>(i));
  }
  for (const RecordType& type : RecordTypes()) {
    if (type.nameColumn) {
      EXPECT_NE(type.Field(type.nameColumn), nullptr) << type.table;
    }
  }
  // The standard columns mean the same everywhere: times, and the users who made and changed a row.
  EXPECT_TRUE(ColumnSpec("contacts", "updated_at")->kind == ColumnKind::Time);
  EXPECT_STREQ(ColumnSpec("customer_phones", "updated_by")->refersTo, "users");
  EXPECT_STREQ(ColumnSpec("customers", "owner_id")->refersTo, "users");
  EXPECT_TRUE(IsTrashMark("deleted_at"));
  EXPECT_EQ(ColumnSpec("customers", "no_such_column"), nullptr);
  EXPECT_EQ(FindRecordType("device_accounts"), nullptr);
  EXPECT_EQ(RecordIndex("customer_fts"), -1);
}

// The vocabularies accept what core stores (its defaults among them) and nothing else: not a Chinese label,
// not another case.
TEST(Records, VocabulariesTakeStoredCodesOnly) {
  const RecordType* customers = FindRecordType("customers");
  ASSERT_NE(customers, nullptr);
  auto accepts = [&](const char* column, const char* code) { return customers->Field(column)->vocabulary(code); };
  EXPECT_TRUE(accepts("kind", "other"));
  EXPECT_TRUE(accepts("kind", "industrial"));
  EXPECT_FALSE(accepts("kind", "工业客户"));
  EXPECT_FALSE(accepts("kind", "Other"));
  EXPECT_TRUE(accepts("grade", "C"));
  EXPECT_FALSE(accepts("grade", "c"));
  EXPECT_FALSE(accepts("grade", "E"));
  EXPECT_TRUE(accepts("source", ""));
  EXPECT_TRUE(accepts("credit", ""));
  EXPECT_TRUE(accepts("stage", "prospect"));
  EXPECT_FALSE(accepts("stage", ""));
}

// A row's name and its customer, as the audit trail and the conflict log read them.
TEST(Records, RowsAreNamedAndFiledUnderTheirCustomer) {
  TestOrg org;
  int64_t id = org.Customer("命名客户", org.repA, {"13800138000"});
  EXPECT_EQ(RowName(org.db, "customers", id).Value(), std::optional<std::string>("命名客户"));
  EXPECT_EQ(RowName(org.db, "users", org.repB.userId).Value(), std::optional<std::string>("李四"));
  EXPECT_EQ(RowName(org.db, "customers", id + 1).Value(), std::nullopt);
  int64_t phone = org.db.QueryInt("SELECT id FROM customer_phones WHERE customer_id = " + std::to_string(id)).Value();
  EXPECT_EQ(RowName(org.db, "customer_phones", phone).Value(), std::nullopt) << "a phone row has no name column";
  EXPECT_EQ(CustomerOfRow(org.db, "customer_phones", phone).Value(), id);
  EXPECT_EQ(CustomerOfRow(org.db, "customers", id).Value(), id);
  EXPECT_EQ(CustomerOfRow(org.db, "users", org.repA.userId).Value(), std::nullopt);
}

TEST(Records, SignedUpdatesNameTheirAuthorAndRefuseClashingParameters) {
  TestOrg org;
  int64_t id = org.Customer("签名客户", org.repA);
  auto update = PrepareSignedUpdate(org.db, org.supervisor, 1234, "customers", "notes = ?2", "id = ?1");
  ASSERT_TRUE(update) << update.Message();
  update.Value().BindAll(id, "改过");
  ASSERT_TRUE(update.Value().Run());
  auto row = org.db.PrepareOnce("SELECT notes, updated_at, updated_by, device_id FROM customers WHERE id = ?");
  row.Value().Bind(1, id);
  ASSERT_TRUE(row.Value().Step().ValueOr(false));
  EXPECT_EQ(row.Value().String(0), "改过");
  EXPECT_EQ(row.Value().Int64(1), 1234);
  EXPECT_EQ(row.Value().Int64(2), org.supervisor.userId);
  EXPECT_EQ(row.Value().Int64(3), org.supervisor.deviceId);
  EXPECT_FALSE(PrepareSignedUpdate(org.db, org.supervisor, 1, "customers", "notes = ?70", "id = ?1"));
}

TEST(Records, LabelKeysOfFields) {
  EXPECT_STREQ(FieldLabelKey("contacts", "name"), "contacts.name");
  EXPECT_STREQ(FieldLabelKey("customers", "city"), "customers.city");
  EXPECT_EQ(FieldLabelKey("customers", "import_id"), nullptr);
  EXPECT_EQ(FieldLabelKey("nothing", "name"), nullptr);
}

}  // namespace
}  // namespace crm
