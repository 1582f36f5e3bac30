#pragma once
// The fixture of suites that run on both relay stores: a relay on the store the test is parameterised
// with ("sqlite" or "postgres", StoreForParam), its copies in the test's folder, and its organisation.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "relay_process.h"
#include "relay_test_support.h"

namespace crm::testing_support {

class RelayOnStoreTest : public testing::TestWithParam<std::string> {
 protected:
  explicit RelayOnStoreTest(const std::string& tag) : m_folder(tag) {}

  // From SetUp, as ASSERT_NO_FATAL_FAILURE(StartRelay()): a relay that did not start ends the test.
  void StartRelay() {
    std::string error;
    std::string store = StoreForParam(GetParam(), m_folder / "relay.db", error);
    ASSERT_FALSE(store.empty()) << error;
    relay::RelayOptions options = FastOptions(store);
    options.copiesDir = m_folder / "copies";
    m_relay = std::make_unique<TestRelay>(options);
    ASSERT_TRUE(m_relay->Ok());
    m_org = std::make_unique<OrgOnRelay>(*m_relay);
  }

  TempFolder m_folder;
  std::unique_ptr<TestRelay> m_relay;
  std::unique_ptr<OrgOnRelay> m_org;
};

}  // namespace crm::testing_support
