#include "sync/wire.h"

#include <gtest/gtest.h>

namespace crm::sync {
namespace {

PushRequest SamplePush() {
  PushRequest request;
  for (int i = 0; i < 3; i++) {
    ChangesetEnvelope envelope;
    envelope.changesetId = 1000 + i;
    envelope.userId = 7;
    envelope.deviceId = 9;
    envelope.schemaVersion = 1;
    envelope.createdAtMs = 1700000000000 + i;
    envelope.changeset = {1, 2, 3, static_cast<uint8_t>(i)};
    request.changesets.push_back(envelope);
  }
  return request;
}

TEST(Wire, PushRoundTrips) {
  PushRequest request = SamplePush();
  auto decoded = DecodePush(EncodePush(request));
  ASSERT_TRUE(decoded) << decoded.Message();
  ASSERT_EQ(decoded.Value().changesets.size(), 3u);
  EXPECT_EQ(decoded.Value().changesets[2].changesetId, 1002);
  EXPECT_EQ(decoded.Value().changesets[2].changeset, (std::vector<uint8_t>{1, 2, 3, 2}));
}

TEST(Wire, EveryTruncationIsAnErrorNotACrash) {
  std::vector<uint8_t> bytes = EncodePush(SamplePush());
  for (size_t size = 0; size < bytes.size(); size++) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(size));
    auto decoded = DecodePush(cut);
    EXPECT_FALSE(decoded) << "truncated to " << size << " bytes";
  }
}

TEST(Wire, TrailingBytesAreRefused) {
  std::vector<uint8_t> bytes = EncodePush(SamplePush());
  bytes.push_back(0);
  EXPECT_FALSE(DecodePush(bytes));
}

TEST(Wire, OtherVersionsAreRefusedByName) {
  std::vector<uint8_t> bytes = EncodePush(SamplePush());
  bytes[5] = 99;  // the version field follows the 4-byte magic and a 1-byte endianness flag
  auto decoded = DecodePush(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.Code(), ErrorCode::Schema) << decoded.Message();
}

TEST(Wire, ForeignBytesAreNotAPush) {
  std::vector<uint8_t> bytes(64, 0x41);
  auto decoded = DecodePush(bytes);
  ASSERT_FALSE(decoded);
}

}  // namespace
}  // namespace crm::sync
