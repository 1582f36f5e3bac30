#pragma once
// What both libFuzzer targets need to set up a relay in-process: a JSON POST to the service and a
// field of its JSON answer (no JSON library: the answers are the relay's own flat objects).
#include <string>

#include "sync/relay/service.h"

namespace crm::fuzz {

inline std::string JsonField(const std::string& body, const std::string& field) {
  size_t at = body.find("\"" + field + "\":\"");
  if (at == std::string::npos) return "";
  at += field.size() + 4;
  return body.substr(at, body.find('"', at) - at);
}

// A relay for fuzzing: a store in `dir`, the cheapest password hashing, no rate limits, no fsync.
inline relay::RelayOptions FuzzRelayOptions(const std::string& dir) {
  relay::RelayOptions options;
  options.store = "sqlite:" + dir + "/relay.db";
  options.passwordCost = relay::PasswordCost::Minimum;
  options.deviceRate = relay::RateLimit{0, 1};
  options.signInRate = relay::RateLimit{0, 1};
  options.storeOptions.durable = false;
  return options;
}

inline relay::ApiResponse PostJson(relay::Service& service, const std::string& path, const std::string& body,
                                   const std::string& token = "") {
  relay::ApiRequest request;
  request.method = "POST";
  request.path = path;
  request.body = body;
  request.remote = "fuzz";
  request.contentType = "application/json";
  if (!token.empty()) request.authorization = "Bearer " + token;
  return service.Handle(request);
}

}  // namespace crm::fuzz
