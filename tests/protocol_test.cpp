// The client side of the HTTP protocol without a network: what each call sends, and what each
// answer (status, body, Retry-After) becomes. Both transports (native, browser) rely on these.
#include "sync/protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace crm::sync {
namespace {

using nlohmann::json;

std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const HttpHeader& header : request.headers) {
    if (header.name == name) return header.value;
  }
  return "";
}

json BodyJson(const HttpRequest& request) {
  return json::parse(std::string(request.body.begin(), request.body.end()), nullptr, false);
}

std::string AsText(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

HttpAnswer Answer(int status, std::string_view body = "", std::string_view retryAfter = "") {
  return HttpAnswer{status, body, retryAfter, {}};
}

PushRequest OnePush() {
  ChangesetEnvelope envelope;
  envelope.changesetId = 42;
  envelope.userId = 7;
  envelope.deviceId = 9;
  envelope.schemaVersion = 1;
  envelope.createdAtMs = 1700000000000;
  envelope.changeset = {1, 2, 3};
  return PushRequest{{envelope}};
}

// --- requests

TEST(Protocol, BinaryCallsNameTheirPathsAndCarryTheToken) {
  PushRequest push = OnePush();
  HttpRequest pushCall = PushCall(push, "tok");
  EXPECT_EQ(pushCall.method, "POST");
  EXPECT_EQ(pushCall.target, "/v1/push");
  EXPECT_EQ(pushCall.contentType, kBinaryContentType);
  EXPECT_EQ(pushCall.body, EncodePush(push));
  EXPECT_EQ(HeaderOf(pushCall, "Authorization"), "Bearer tok");
  EXPECT_EQ(HeaderOf(pushCall, "Accept"), kBinaryContentType);

  HttpRequest snapshot = SnapshotCall("tok");
  EXPECT_EQ(snapshot.method, "GET");
  EXPECT_EQ(snapshot.target, "/v1/snapshot");
  EXPECT_TRUE(snapshot.body.empty());
  EXPECT_TRUE(snapshot.contentType.empty());
  EXPECT_EQ(HeaderOf(snapshot, "Authorization"), "Bearer tok");

  // No token, no Authorization header at all (not "Bearer ").
  HttpRequest anonymous = SnapshotCall("");
  for (const HttpHeader& header : anonymous.headers) EXPECT_NE(header.name, "Authorization");
}

TEST(Protocol, PullQueriesAreDecimalNumbersAndANegativeWaitIsNone) {
  HttpRequest pull = PullCall(9007199254740993, 1000, 25, "t");
  EXPECT_EQ(pull.method, "GET");
  EXPECT_EQ(pull.target, "/v1/pull?after=9007199254740993&limit=1000&wait=25");
  EXPECT_EQ(pull.holdSeconds, 25);
  HttpRequest negative = PullCall(-1, 5, -3, "t");
  EXPECT_EQ(negative.target, "/v1/pull?after=-1&limit=5&wait=0");
  EXPECT_EQ(negative.holdSeconds, 0);
}

TEST(Protocol, TimeoutsAddTheHoldAndGiveSnapshotsTheirMinimum) {
  EXPECT_EQ(TimeoutSecondsFor(PushCall(OnePush(), "t"), 20), 20);
  EXPECT_EQ(TimeoutSecondsFor(PullCall(0, 10, 25, "t"), 20), 45);
  EXPECT_EQ(TimeoutSecondsFor(SnapshotCall("t"), 20), kSnapshotTimeoutSeconds);
  EXPECT_EQ(TimeoutSecondsFor(SnapshotCall("t"), 500), 500);
}

TEST(Protocol, SignInAndSetUpSendJsonWithIdsAsDecimalStrings) {
  SignInRequest signIn{"门店", "王\"经理", "pass word", 9007199254740993, "browser", "secret"};
  HttpRequest call = SignInCall(signIn);
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.target, "/v1/signin");
  EXPECT_EQ(call.contentType, kJsonContentType);
  EXPECT_EQ(HeaderOf(call, "Authorization"), "") << "sign-in goes without a token";
  json body = BodyJson(call);
  ASSERT_TRUE(body.is_object()) << AsText(call.body);
  EXPECT_EQ(body["organisation"], "门店");
  EXPECT_EQ(body["user"], "王\"经理");
  EXPECT_EQ(body["password"], "pass word");
  EXPECT_EQ(body["device_id"], "9007199254740993") << "a JSON number would lose digits past 2^53";
  EXPECT_EQ(body["device_name"], "browser");
  EXPECT_EQ(body["device_secret"], "secret");

  HttpRequest setup = SetupCall(SetupRequest{"st", "org", "admin", "pw", 5, "phone", "s"});
  EXPECT_EQ(setup.target, "/v1/setup");
  json setupBody = BodyJson(setup);
  EXPECT_EQ(setupBody["setup_token"], "st");
  EXPECT_EQ(setupBody["admin_name"], "admin");
  EXPECT_EQ(setupBody["device_id"], "5");

  HttpRequest signOut = SignOutCall("tok");
  EXPECT_EQ(signOut.method, "POST");
  EXPECT_EQ(signOut.target, "/v1/signout");
  EXPECT_EQ(HeaderOf(signOut, "Authorization"), "Bearer tok");
}

// --- statuses

TEST(Protocol, EachStatusClassHasItsError) {
  struct Case {
    int status;
    AnswerKind kind;
    ErrorCode code;
  };
  const Case cases[] = {
      {0, AnswerKind::NoAnswer, ErrorCode::Storage},       {400, AnswerKind::BadRequest, ErrorCode::Invalid},
      {401, AnswerKind::Unauthorized, ErrorCode::Denied},  {403, AnswerKind::Forbidden, ErrorCode::Denied},
      {404, AnswerKind::NotFound, ErrorCode::Invalid},     {409, AnswerKind::BadRequest, ErrorCode::Invalid},
      {413, AnswerKind::BadRequest, ErrorCode::Invalid},   {429, AnswerKind::Busy, ErrorCode::Storage},
      {500, AnswerKind::Busy, ErrorCode::Storage},         {502, AnswerKind::Busy, ErrorCode::Storage},
      {503, AnswerKind::Busy, ErrorCode::Storage},         {302, AnswerKind::BadRequest, ErrorCode::Invalid},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyStatus(c.status), c.kind) << c.status;
    Error error = AnswerError("pull", Answer(c.status));
    EXPECT_EQ(error.code, c.code) << c.status << ": " << error.message;
    EXPECT_EQ(error.message.rfind("pull: ", 0), 0u) << error.message;
    // Every call reads a failed status the same way.
    EXPECT_EQ(ReadPullAnswer(Answer(c.status)).Code(), c.code) << c.status;
    EXPECT_EQ(ReadSnapshotAnswer(Answer(c.status)).Code(), c.code) << c.status;
    EXPECT_EQ(ReadSessionAnswer("sign-in", Answer(c.status)).Code(), c.code) << c.status;
    EXPECT_EQ(ReadSignOutAnswer(Answer(c.status)).Code(), c.code) << c.status;
  }
  EXPECT_EQ(ClassifyStatus(200), AnswerKind::Success);
  EXPECT_EQ(ClassifyStatus(201), AnswerKind::Success);
  EXPECT_EQ(ClassifyStatus(204), AnswerKind::Success);
  EXPECT_EQ(ClassifyStatus(422), AnswerKind::Refused);
}

TEST(Protocol, ErrorsKeepTheRelaysMessageAndTheNetworksReason) {
  Error tooMany = AnswerError("push", Answer(413, R"({"error":"too_large","message":"a batch holds at most 2"})"));
  EXPECT_NE(tooMany.message.find("at most 2"), std::string::npos) << tooMany.message;
  EXPECT_NE(tooMany.message.find("413"), std::string::npos) << tooMany.message;
  Error onlyCode = AnswerError("push", Answer(503, R"({"error":"busy"})"));
  EXPECT_NE(onlyCode.message.find("busy"), std::string::npos) << onlyCode.message;
  Error garbage = AnswerError("push", Answer(500, "<html>oops</html>"));
  EXPECT_NE(garbage.message.find("HTTP 500"), std::string::npos) << garbage.message;
  HttpAnswer none{0, {}, {}, "no answer within 20 s"};
  Error unreachable = AnswerError("snapshot", none);
  EXPECT_NE(unreachable.message.find("unreachable"), std::string::npos) << unreachable.message;
  EXPECT_NE(unreachable.message.find("no answer within 20 s"), std::string::npos) << unreachable.message;
}

// --- Retry-After

TEST(Protocol, RetryAfterIsBoundedAndGarbageIsTheFallback) {
  EXPECT_EQ(ParseRetryAfter("7", 0), 7);
  EXPECT_EQ(ParseRetryAfter(" 3 ", 0), 3);
  EXPECT_EQ(ParseRetryAfter("0", 5), kMinRetryAfterSeconds);
  EXPECT_EQ(ParseRetryAfter("3600", 0), 3600);
  EXPECT_EQ(ParseRetryAfter("3601", 0), kMaxRetryAfterSeconds);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999", 0), kMaxRetryAfterSeconds);
  EXPECT_EQ(ParseRetryAfter("", 4), 4);
  EXPECT_EQ(ParseRetryAfter("   ", 4), 4);
  EXPECT_EQ(ParseRetryAfter("-5", 4), 4);
  EXPECT_EQ(ParseRetryAfter("1.5", 4), 4);
  EXPECT_EQ(ParseRetryAfter("3x", 4), 4);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", 4), 4);
}

TEST(Protocol, OnlyBusyAnswersAskToWait) {
  EXPECT_EQ(RetryAfterOf(Answer(429, "", "7")), 7);
  EXPECT_EQ(RetryAfterOf(Answer(503, "", "2")), 2);
  EXPECT_EQ(RetryAfterOf(Answer(503)), kMinRetryAfterSeconds) << "busy without a readable header: at least a second";
  EXPECT_EQ(RetryAfterOf(Answer(429, "", "soon")), kMinRetryAfterSeconds);
  EXPECT_EQ(RetryAfterOf(Answer(500, "", "7")), 0);
  EXPECT_EQ(RetryAfterOf(Answer(200, "", "7")), 0);
  EXPECT_EQ(RetryAfterOf(Answer(0)), 0);
}

// --- answers

TEST(Protocol, APullKeepsTheRelaysRetryAfter) {
  PullResponse response;
  response.headSeq = 12;
  std::vector<uint8_t> bytes = EncodePull(response);
  std::string_view body(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto unheld = ReadPullAnswer(Answer(200, body, "3"));
  ASSERT_TRUE(unheld) << unheld.Message();
  EXPECT_EQ(unheld.Value().headSeq, 12);
  EXPECT_EQ(unheld.Value().retryAfterSeconds, 3);
  auto plain = ReadPullAnswer(Answer(200, body));
  ASSERT_TRUE(plain) << plain.Message();
  EXPECT_EQ(plain.Value().retryAfterSeconds, 0) << "no header: ask again at once";
  EXPECT_EQ(ReadPullAnswer(Answer(200, body, "later")).Value().retryAfterSeconds, 0);
}

TEST(Protocol, BodiesThatDoNotDecodeAreCorruptOrSchema) {
  EXPECT_EQ(ReadPullAnswer(Answer(200, "garbage")).Code(), ErrorCode::Corrupt);
  EXPECT_EQ(ReadPushAnswer(Answer(200, "garbage")).Code(), ErrorCode::Corrupt);
  EXPECT_EQ(ReadSnapshotAnswer(Answer(200, "")).Code(), ErrorCode::Corrupt);
  std::vector<uint8_t> otherVersion = EncodePull(PullResponse{});
  otherVersion[8] = 9;  // the format version's high byte (flag, magic, then the version, little-endian)
  std::string_view body(reinterpret_cast<const char*>(otherVersion.data()), otherVersion.size());
  auto version = ReadPullAnswer(Answer(200, body));
  EXPECT_EQ(version.Code(), ErrorCode::Schema) << version.Message();
}

TEST(Protocol, AnAcceptedPushDecodes) {
  PushResponse response;
  response.acks.push_back({42, 7});
  response.headSeq = 7;
  std::vector<uint8_t> bytes = EncodePushResponse(response);
  auto outcome = ReadPushAnswer(Answer(200, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  ASSERT_TRUE(outcome) << outcome.Message();
  EXPECT_FALSE(outcome.Value().refusal);
  EXPECT_EQ(outcome.Value().response.headSeq, 7);
  ASSERT_EQ(outcome.Value().response.acks.size(), 1u);
}

TEST(Protocol, ARefusalDecodesItsFields) {
  auto outcome = ReadPushAnswer(Answer(422, R"({"error":"refused","message":"m","changeset_id":"9007199254740993",
                                                "table":"customers","row":"12","reason":"not yours"})"));
  ASSERT_TRUE(outcome) << outcome.Message();
  ASSERT_TRUE(outcome.Value().refusal);
  const PushRefusal& refusal = *outcome.Value().refusal;
  EXPECT_EQ(refusal.changesetId, 9007199254740993);
  EXPECT_EQ(refusal.table, "customers");
  EXPECT_EQ(refusal.row, "12");
  EXPECT_EQ(refusal.reason, "not yours");
  // An envelope refused as a whole: no table or row; the message stands in for a missing reason.
  auto envelope = ReadPushAnswer(Answer(422, R"({"error":"refused","message":"wrong device","changeset_id":5})"));
  ASSERT_TRUE(envelope && envelope.Value().refusal) << envelope.Message();
  EXPECT_EQ(envelope.Value().refusal->changesetId, 5);
  EXPECT_EQ(envelope.Value().refusal->table, "");
  EXPECT_EQ(envelope.Value().refusal->reason, "wrong device");
}

TEST(Protocol, AMalformedRefusalIsAnErrorOrEmptyFieldsNeverACrash) {
  for (std::string_view body : {"", "not json", "[1,2]", "\"refused\"", "{\"changeset_id\":", "null", "[[[[[[[[[[[[[[[[[[[[["}) {
    auto outcome = ReadPushAnswer(Answer(422, body));
    EXPECT_FALSE(outcome) << body;
    EXPECT_EQ(outcome.Code(), ErrorCode::Corrupt) << body;
  }
  // Fields of the wrong type or out of range are left empty, not thrown on.
  auto odd = ReadPushAnswer(Answer(422, R"({"changeset_id":"99999999999999999999","table":5,"row":null,"reason":["x"]})"));
  ASSERT_TRUE(odd && odd.Value().refusal) << odd.Message();
  EXPECT_EQ(odd.Value().refusal->changesetId, 0);
  EXPECT_EQ(odd.Value().refusal->table, "");
  EXPECT_EQ(odd.Value().refusal->row, "");
  EXPECT_FALSE(odd.Value().refusal->reason.empty()) << "a refusal always says something";
  auto negative = ReadPushAnswer(Answer(422, R"({"changeset_id":"-4","reason":"r"})"));
  ASSERT_TRUE(negative && negative.Value().refusal);
  EXPECT_EQ(negative.Value().refusal->changesetId, 0);
}

TEST(Protocol, ASessionNeedsItsIdsAndToken) {
  auto session = ReadSessionAnswer(
      "sign-in", Answer(200, R"({"organisation_id":"11","user_id":"22","role":"rep","token":"abc","expires_at":1700000000000})"));
  ASSERT_TRUE(session) << session.Message();
  EXPECT_EQ(session.Value().organisationId, 11);
  EXPECT_EQ(session.Value().userId, 22);
  EXPECT_EQ(session.Value().role, "rep");
  EXPECT_EQ(session.Value().token, "abc");
  EXPECT_EQ(session.Value().expiresAt, 1700000000000);
  auto created = ReadSessionAnswer("set-up", Answer(201, R"({"organisation_id":"1","user_id":"2","token":"t"})"));
  ASSERT_TRUE(created) << created.Message();
  EXPECT_EQ(created.Value().expiresAt, 0);
  for (std::string_view body : {"", "garbage", R"({"token": 5, "role": 7})", R"({"organisation_id":"1","user_id":"2"})",
                                R"({"organisation_id":"x","user_id":"2","token":"t"})", R"({"organisation_id":"1","user_id":"2","token":""})"}) {
    auto bad = ReadSessionAnswer("sign-in", Answer(200, body));
    EXPECT_EQ(bad.Code(), ErrorCode::Corrupt) << body;
    EXPECT_EQ(bad.Message().rfind("sign-in: ", 0), 0u) << bad.Message();
  }
}

TEST(Protocol, SignOutSucceedsOnNoContent) {
  EXPECT_TRUE(ReadSignOutAnswer(Answer(204)));
  EXPECT_EQ(ReadSignOutAnswer(Answer(401)).Code(), ErrorCode::Denied);
}

}  // namespace
}  // namespace crm::sync
