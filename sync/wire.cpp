#include "sync/wire.h"

#include <cereal/archives/portable_binary.hpp>
#include <algorithm>
#include <sstream>
#include <streambuf>

namespace crm::sync {

// Sequences and blobs are written as cereal writes vectors (a 64-bit count, then the items), but
// read so that memory grows only with bytes actually present: a hostile count fails at the end of
// the input instead of allocating gigabytes first.
namespace {
constexpr size_t kBlobChunk = 64 * 1024;

template <class Archive>
void SaveBlob(Archive& archive, const std::vector<uint8_t>& blob) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(blob.size())));
  archive(cereal::binary_data(blob.data(), blob.size()));
}
template <class Archive>
void LoadBlob(Archive& archive, std::vector<uint8_t>& blob) {
  cereal::size_type size = 0;
  archive(cereal::make_size_tag(size));
  blob.clear();
  while (blob.size() < size) {
    size_t chunk = static_cast<size_t>(std::min<cereal::size_type>(size - blob.size(), kBlobChunk));
    size_t at = blob.size();
    blob.resize(at + chunk);
    archive(cereal::binary_data(blob.data() + at, chunk));
  }
}
template <class Archive, class T>
void SaveSequence(Archive& archive, const std::vector<T>& items) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(items.size())));
  for (const T& item : items) archive(item);
}
template <class Archive, class T>
void LoadSequence(Archive& archive, std::vector<T>& items) {
  cereal::size_type size = 0;
  archive(cereal::make_size_tag(size));
  items.clear();
  for (cereal::size_type i = 0; i < size; i++) {
    items.emplace_back();
    archive(items.back());
  }
}
}  // namespace

template <class Archive>
void save(Archive& archive, const ChangesetEnvelope& envelope) {
  archive(envelope.changesetId, envelope.userId, envelope.deviceId, envelope.schemaVersion, envelope.createdAtMs);
  SaveBlob(archive, envelope.changeset);
}
template <class Archive>
void load(Archive& archive, ChangesetEnvelope& envelope) {
  archive(envelope.changesetId, envelope.userId, envelope.deviceId, envelope.schemaVersion, envelope.createdAtMs);
  LoadBlob(archive, envelope.changeset);
}
template <class Archive>
void save(Archive& archive, const PushRequest& request) {
  SaveSequence(archive, request.changesets);
}
template <class Archive>
void load(Archive& archive, PushRequest& request) {
  LoadSequence(archive, request.changesets);
}
template <class Archive>
void serialize(Archive& archive, PushAck& ack) {
  archive(ack.changesetId, ack.seq);
}
template <class Archive>
void save(Archive& archive, const PushResponse& response) {
  SaveSequence(archive, response.acks);
  archive(response.headSeq);
}
template <class Archive>
void load(Archive& archive, PushResponse& response) {
  LoadSequence(archive, response.acks);
  archive(response.headSeq);
}
template <class Archive>
void serialize(Archive& archive, SequencedChangeset& sequenced) {
  archive(sequenced.seq, sequenced.envelope);
}
template <class Archive>
void save(Archive& archive, const PullResponse& response) {
  SaveSequence(archive, response.changesets);
  archive(response.headSeq);
}
template <class Archive>
void load(Archive& archive, PullResponse& response) {
  LoadSequence(archive, response.changesets);
  archive(response.headSeq);
}
template <class Archive>
void save(Archive& archive, const SnapshotResponse& response) {
  archive(response.seq, response.schemaVersion);
  SaveBlob(archive, response.image);
}
template <class Archive>
void load(Archive& archive, SnapshotResponse& response) {
  archive(response.seq, response.schemaVersion);
  LoadBlob(archive, response.image);
}

template <class Archive>
void save(Archive& archive, const ScopeRequest& request) {
  SaveSequence(archive, request.heldCustomers);
  archive(request.since);
}
template <class Archive>
void load(Archive& archive, ScopeRequest& request) {
  LoadSequence(archive, request.heldCustomers);
  archive(request.since);
}
template <class Archive>
void save(Archive& archive, const ScopeResponse& response) {
  archive(response.seq);
  SaveBlob(archive, std::vector<uint8_t>(response.digest.begin(), response.digest.end()));
  SaveSequence(archive, response.leave);
  SaveSequence(archive, response.enter);
  SaveBlob(archive, response.rows);
  archive(response.more);
}
template <class Archive>
void load(Archive& archive, ScopeResponse& response) {
  archive(response.seq);
  std::vector<uint8_t> digest;
  LoadBlob(archive, digest);
  response.digest.assign(digest.begin(), digest.end());
  LoadSequence(archive, response.leave);
  LoadSequence(archive, response.enter);
  LoadBlob(archive, response.rows);
  archive(response.more);
}
namespace {
template <class Archive>
void SaveText(Archive& archive, const std::string& text) {
  SaveBlob(archive, std::vector<uint8_t>(text.begin(), text.end()));
}
template <class Archive>
void LoadText(Archive& archive, std::string& text) {
  std::vector<uint8_t> bytes;
  LoadBlob(archive, bytes);
  text.assign(bytes.begin(), bytes.end());
}
}  // namespace

// An entry: the customer, its owner (0: the pool), name, city, the trash mark and its phone digests.
template <class Archive>
void save(Archive& archive, const DirectoryResponse& response) {
  archive(response.seq, response.full);
  SaveText(archive, response.key);
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(response.entries.size())));
  for (const DirectoryEntry& entry : response.entries) {
    archive(entry.customerId, entry.ownerId.value_or(0));
    SaveText(archive, entry.name);
    SaveText(archive, entry.city);
    archive(entry.inTrash);
    archive(cereal::make_size_tag(static_cast<cereal::size_type>(entry.phoneDigests.size())));
    for (const std::string& digest : entry.phoneDigests) SaveText(archive, digest);
  }
  SaveSequence(archive, response.removed);
  archive(response.more);
}
template <class Archive>
void load(Archive& archive, DirectoryResponse& response) {
  archive(response.seq, response.full);
  LoadText(archive, response.key);
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  response.entries.clear();
  for (cereal::size_type i = 0; i < count; i++) {
    DirectoryEntry entry;
    int64_t owner = 0;
    archive(entry.customerId, owner);
    if (owner != 0) entry.ownerId = owner;
    LoadText(archive, entry.name);
    LoadText(archive, entry.city);
    archive(entry.inTrash);
    cereal::size_type phones = 0;
    archive(cereal::make_size_tag(phones));
    for (cereal::size_type p = 0; p < phones; p++) {
      entry.phoneDigests.emplace_back();
      LoadText(archive, entry.phoneDigests.back());
    }
    response.entries.push_back(std::move(entry));
  }
  LoadSequence(archive, response.removed);
  archive(response.more);
}

namespace {

// Each message kind has its own magic, so a body sent to the wrong endpoint is named, not misread.
template <class T>
struct Kind;
template <>
struct Kind<PushRequest> {
  static constexpr uint32_t kMagic = 0x43524D50;  // "CRMP"
  static constexpr const char* kName = "push message";
  static constexpr size_t kLimit = kMaxMessageBytes;
};
template <>
struct Kind<PushResponse> {
  static constexpr uint32_t kMagic = 0x43524D41;  // "CRMA"
  static constexpr const char* kName = "push answer";
  static constexpr size_t kLimit = kMaxMessageBytes;
};
template <>
struct Kind<PullResponse> {
  static constexpr uint32_t kMagic = 0x43524D4C;  // "CRML"
  static constexpr const char* kName = "pull answer";
  static constexpr size_t kLimit = kMaxMessageBytes;
};
template <>
struct Kind<SnapshotResponse> {
  static constexpr uint32_t kMagic = 0x43524D53;  // "CRMS"
  static constexpr const char* kName = "snapshot";
  static constexpr size_t kLimit = kMaxSnapshotBytes;
};

template <>
struct Kind<ScopeRequest> {
  static constexpr uint32_t kMagic = 0x43524D51;  // "CRMQ"
  static constexpr const char* kName = "scope question";
  static constexpr size_t kLimit = kMaxMessageBytes;
};
template <>
struct Kind<ScopeResponse> {
  static constexpr uint32_t kMagic = 0x43524D52;  // "CRMR"
  static constexpr const char* kName = "scope answer";
  static constexpr size_t kLimit = kMaxMessageBytes;
};

template <>
struct Kind<DirectoryResponse> {
  static constexpr uint32_t kMagic = 0x43524D44;  // "CRMD"
  static constexpr const char* kName = "directory answer";
  static constexpr size_t kLimit = kMaxMessageBytes;
};

// Reads from a borrowed buffer without copying it into a string first.
class BorrowedBuffer : public std::streambuf {
 public:
  BorrowedBuffer(const uint8_t* data, size_t size) {
    char* begin = const_cast<char*>(reinterpret_cast<const char*>(data));
    setg(begin, begin, begin + size);
  }
};

template <class T>
std::vector<uint8_t> Encode(const T& message) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(Kind<T>::kMagic, kWireVersion, message);
  }
  const std::string bytes = out.str();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

template <class T>
Result<T> Decode(const uint8_t* data, size_t size) {
  using K = Kind<T>;
  if (size > K::kLimit) {
    return MakeError(ErrorCode::Invalid, std::string(K::kName) + " larger than " + std::to_string(K::kLimit >> 20) + " MiB");
  }
  try {
    BorrowedBuffer buffer(data, size);
    std::istream in(&buffer);
    cereal::PortableBinaryInputArchive archive(in);
    uint32_t magic = 0;
    uint32_t version = 0;
    archive(magic, version);
    if (magic != K::kMagic) return MakeError(ErrorCode::Corrupt, std::string("not a ") + K::kName);
    if (version != kWireVersion) {
      return MakeError(ErrorCode::Schema, "wire version " + std::to_string(version) + " is not supported (this build speaks " +
                                              std::to_string(kWireVersion) + ")");
    }
    T message;
    archive(message);
    if (in.peek() != std::char_traits<char>::eof()) return MakeError(ErrorCode::Corrupt, std::string("trailing bytes after ") + K::kName);
    return message;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::Corrupt, std::string("malformed ") + K::kName + ": " + e.what());
  }
}

}  // namespace

std::vector<uint8_t> EncodePush(const PushRequest& request) { return Encode(request); }
Result<PushRequest> DecodePush(const std::vector<uint8_t>& bytes) { return Decode<PushRequest>(bytes.data(), bytes.size()); }
Result<PushRequest> DecodePush(const uint8_t* data, size_t size) { return Decode<PushRequest>(data, size); }
std::vector<uint8_t> EncodePushResponse(const PushResponse& response) { return Encode(response); }
Result<PushResponse> DecodePushResponse(const std::vector<uint8_t>& bytes) {
  return Decode<PushResponse>(bytes.data(), bytes.size());
}
Result<PushResponse> DecodePushResponse(const uint8_t* data, size_t size) { return Decode<PushResponse>(data, size); }
std::vector<uint8_t> EncodePull(const PullResponse& response) { return Encode(response); }
Result<PullResponse> DecodePull(const std::vector<uint8_t>& bytes) { return Decode<PullResponse>(bytes.data(), bytes.size()); }
Result<PullResponse> DecodePull(const uint8_t* data, size_t size) { return Decode<PullResponse>(data, size); }
std::vector<uint8_t> EncodeSnapshot(const SnapshotResponse& response) { return Encode(response); }
Result<SnapshotResponse> DecodeSnapshot(const std::vector<uint8_t>& bytes) {
  return Decode<SnapshotResponse>(bytes.data(), bytes.size());
}
Result<SnapshotResponse> DecodeSnapshot(const uint8_t* data, size_t size) { return Decode<SnapshotResponse>(data, size); }
std::vector<uint8_t> EncodeScopeRequest(const ScopeRequest& request) { return Encode(request); }
Result<ScopeRequest> DecodeScopeRequest(const uint8_t* data, size_t size) { return Decode<ScopeRequest>(data, size); }
std::vector<uint8_t> EncodeScopeResponse(const ScopeResponse& response) { return Encode(response); }
Result<ScopeResponse> DecodeScopeResponse(const uint8_t* data, size_t size) { return Decode<ScopeResponse>(data, size); }
std::vector<uint8_t> EncodeDirectory(const DirectoryResponse& response) { return Encode(response); }
Result<DirectoryResponse> DecodeDirectory(const uint8_t* data, size_t size) { return Decode<DirectoryResponse>(data, size); }

}  // namespace crm::sync
