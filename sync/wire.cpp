#include "sync/wire.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>

namespace crm::sync {

template <class Archive>
void serialize(Archive& archive, ChangesetEnvelope& envelope) {
  archive(envelope.changesetId, envelope.userId, envelope.deviceId, envelope.schemaVersion, envelope.createdAtMs,
          envelope.changeset);
}

template <class Archive>
void serialize(Archive& archive, PushRequest& request) {
  archive(request.changesets);
}

namespace {
constexpr uint32_t kPushMagic = 0x43524D50;  // "CRMP"
constexpr size_t kMaxMessageBytes = 64u << 20;
}

std::vector<uint8_t> EncodePush(const PushRequest& request) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(kPushMagic, kWireVersion, request);
  }
  const std::string bytes = out.str();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<PushRequest> DecodePush(const std::vector<uint8_t>& bytes) {
  if (bytes.size() > kMaxMessageBytes) return MakeError(ErrorCode::Invalid, "push message larger than 64 MiB");
  try {
    std::istringstream in(std::string(bytes.begin(), bytes.end()), std::ios::binary);
    cereal::PortableBinaryInputArchive archive(in);
    uint32_t magic = 0;
    uint32_t version = 0;
    archive(magic, version);
    if (magic != kPushMagic) return MakeError(ErrorCode::Corrupt, "not a push message");
    if (version != kWireVersion) {
      return MakeError(ErrorCode::Schema, "wire version " + std::to_string(version) + " is not supported (this build speaks " +
                                              std::to_string(kWireVersion) + ")");
    }
    PushRequest request;
    archive(request);
    if (in.peek() != std::char_traits<char>::eof()) return MakeError(ErrorCode::Corrupt, "trailing bytes after push message");
    return request;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::Corrupt, std::string("malformed push message: ") + e.what());
  }
}

}  // namespace crm::sync
