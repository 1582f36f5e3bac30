#pragma once
// Replicas for sync tests: byte-identical copies of one database, and changes
// captured on one of them as the device would capture a transaction.
#include <gtest/gtest.h>

#include <functional>

#include "core/schema.h"
#include "sync/backup.h"
#include "sync/changeset.h"
#include "sync/journal.h"

namespace crm::testing_support {

// An in-memory copy of `db`, as a new device would get from a snapshot.
inline Db Clone(Db& db) {
  auto image = sync::ExportBackup(db);
  EXPECT_TRUE(image) << image.Message();
  Db copy = Db::OpenMemory().Value();
  auto loaded = sync::LoadImage(copy, std::move(image).Value());
  EXPECT_TRUE(loaded) << loaded.Message();
  return copy;
}

// Runs `change` on `db` in one transaction and returns its changeset of the synced tables.
inline sync::Bytes Capture(Db& db, const std::function<void(Db&)>& change) {
  auto capture = sync::ChangesetCapture::Start(db, SyncedTables());
  EXPECT_TRUE(capture) << capture.Message();
  auto txn = db.Begin();
  EXPECT_TRUE(txn) << txn.Message();
  change(db);
  EXPECT_TRUE(txn.Value().Commit());
  auto bytes = capture.Value().Changeset();
  EXPECT_TRUE(bytes) << bytes.Message();
  return bytes.ValueOr({});
}

inline void ExecOrFail(Db& db, const std::string& sql) {
  auto status = db.Exec(sql);
  ASSERT_TRUE(status) << sql << ": " << status.Message();
}

inline std::string QueryText(Db& db, const std::string& sql) {
  auto stmt = db.PrepareOnce(sql);
  EXPECT_TRUE(stmt) << stmt.Message();
  if (!stmt) return "";
  auto row = stmt.Value().Step();
  if (!row || !row.Value()) return "<no row>";
  return stmt.Value().IsNull(0) ? "<null>" : stmt.Value().String(0);
}

}  // namespace crm::testing_support
