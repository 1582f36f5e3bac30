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

TEST(Wire, AnswersAndSnapshotsRoundTrip) {
  PushResponse acks{{{1000, 41}, {1001, 42}}, 42};
  auto decodedAcks = DecodePushResponse(EncodePushResponse(acks));
  ASSERT_TRUE(decodedAcks) << decodedAcks.Message();
  EXPECT_EQ(decodedAcks.Value().acks[1].seq, 42);
  EXPECT_EQ(decodedAcks.Value().headSeq, 42);

  PullResponse pull;
  for (const ChangesetEnvelope& envelope : SamplePush().changesets) pull.changesets.push_back({100 + envelope.changesetId, envelope});
  pull.headSeq = 5000;
  auto decodedPull = DecodePull(EncodePull(pull));
  ASSERT_TRUE(decodedPull) << decodedPull.Message();
  ASSERT_EQ(decodedPull.Value().changesets.size(), 3u);
  EXPECT_EQ(decodedPull.Value().changesets[2].seq, 1102);
  EXPECT_EQ(decodedPull.Value().changesets[2].envelope.changeset, (std::vector<uint8_t>{1, 2, 3, 2}));

  SnapshotResponse snapshot{77, 5, std::vector<uint8_t>(200000, 0x5a)};
  auto decodedSnapshot = DecodeSnapshot(EncodeSnapshot(snapshot));
  ASSERT_TRUE(decodedSnapshot) << decodedSnapshot.Message();
  EXPECT_EQ(decodedSnapshot.Value().seq, 77);
  EXPECT_EQ(decodedSnapshot.Value().image, snapshot.image);
}

TEST(Wire, AMessageSentToTheWrongDecoderIsNamed) {
  auto decoded = DecodePull(EncodePush(SamplePush()));
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.Message().find("not a pull answer"), std::string::npos) << decoded.Message();
}

TEST(Wire, AHostileLengthFailsWithoutAllocatingIt) {
  // A push claiming one changeset of 2^40 bytes, followed by a few bytes: the decoder must fail at the
  // end of the input, not try to reserve a terabyte first.
  PushRequest one;
  one.changesets.push_back(SamplePush().changesets[0]);
  std::vector<uint8_t> bytes = EncodePush(one);
  // Layout: endianness(1) magic(4) version(4) count(8) then id,user,device(8 each), schema(4), created(8), blob size(8).
  size_t blobSize = 1 + 4 + 4 + 8 + 8 + 8 + 8 + 4 + 8;
  ASSERT_GT(bytes.size(), blobSize + 8);
  ASSERT_EQ(bytes[blobSize], 4) << "the blob length is where the layout says";
  uint64_t huge = uint64_t(1) << 40;
  for (int i = 0; i < 8; i++) bytes[blobSize + static_cast<size_t>(i)] = static_cast<uint8_t>(huge >> (8 * i));
  auto decoded = DecodePush(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.Code(), ErrorCode::Corrupt);
}

}  // namespace
}  // namespace crm::sync
