#include "core/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace crm {
namespace {

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(ToHex(Sha256::Hash("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256::Hash("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256::Hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // A million 'a's, fed in uneven pieces to exercise the buffering.
  Sha256 hash;
  std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    size_t take = std::min(left, chunk.size());
    hash.Update(chunk.data(), take);
    left -= take;
  }
  EXPECT_EQ(ToHex(hash.Finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, Utf8Text) {
  // Same bytes as `printf '门窗' | sha256sum`.
  EXPECT_EQ(ToHex(Sha256::Hash("门窗")), ToHex(Sha256::Hash(std::string("\xe9\x97\xa8\xe7\xaa\x97"))));
}

TEST(HmacSha256, Rfc4231Vectors) {
  EXPECT_EQ(ToHex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than the block is hashed first (test case 6).
  EXPECT_EQ(ToHex(HmacSha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Pbkdf2Sha256, Rfc7914AndKnownVectors) {
  // RFC 7914 section 11 (first 32 bytes of the 64-byte output).
  EXPECT_EQ(ToHex(Pbkdf2Sha256::Derive("passwd", "salt", 1)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
  EXPECT_EQ(ToHex(Pbkdf2Sha256::Derive("password", "salt", 1)),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  EXPECT_EQ(ToHex(Pbkdf2Sha256::Derive("password", "salt", 2)),
            "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  EXPECT_EQ(ToHex(Pbkdf2Sha256::Derive("password", "salt", 4096)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

TEST(Pbkdf2Sha256, RunningInSlicesGivesTheSameKey) {
  Pbkdf2Sha256 sliced("1234", "salt-bytes", 1000);
  int slices = 0;
  while (!sliced.Step(64)) slices++;
  EXPECT_EQ(slices, 15);
  EXPECT_EQ(sliced.Progress(), 1000u);
  EXPECT_EQ(ToHex(sliced.Key()), ToHex(Pbkdf2Sha256::Derive("1234", "salt-bytes", 1000)));
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
}

}  // namespace
}  // namespace crm
