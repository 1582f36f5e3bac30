#include "core/search.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/contacts.h"
#include "core/search_tokenizer.h"
#include "tests/test_support.h"

namespace crm {
namespace {

using testing_support::TestOrg;

std::vector<std::string> Names(const std::vector<SearchHit>& hits) {
  std::vector<std::string> names;
  for (const SearchHit& hit : hits) names.push_back(hit.name);
  return names;
}

std::vector<std::string> Find(Db& db, std::string_view query, const SearchOptions& options = {}) {
  auto hits = SearchCustomers(db, query, options);
  EXPECT_TRUE(hits) << query << ": " << hits.Message();
  return hits ? Names(hits.Value()) : std::vector<std::string>{};
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(SearchTokenizer, HanCharactersAreTokensAndWordsGetSuffixes) {
  std::vector<std::pair<std::string, bool>> tokens;
  TokenizeForSearch("佛山ABC门窗 Ｘ1", true, [&](std::string_view token, size_t, size_t, bool colocated) {
    tokens.emplace_back(std::string(token), colocated);
  });
  std::vector<std::pair<std::string, bool>> expected = {
      {"佛", false}, {"佛山", true}, {"山", false}, {"abc", false}, {"bc", true}, {"c", true},
      {"门", false}, {"门窗", true}, {"窗", false}, {"x1", false},  {"1", true}};
  EXPECT_EQ(tokens, expected);
  // Queries: overlapping pairs; a run followed by more of the query keeps its last character.
  std::vector<std::string> query;
  TokenizeForSearch("顺德美家 门窗A座", false, [&](std::string_view token, size_t, size_t, bool) { query.emplace_back(token); });
  EXPECT_EQ(query, (std::vector<std::string>{"顺德", "德美", "美家", "家", "门窗", "窗", "a", "座"}));
  EXPECT_EQ(FoldForSearch("佛山·ＡＢＣ 有限公司"), "佛山abc有限公司");
}

TEST(SearchTokenizer, InvalidBytesAreSeparatorsNotCrashes) {
  std::vector<std::string> tokens;
  TokenizeForSearch(std::string("ab\xFF\xC3" "cd\xE4\xB8", 8), true,
                    [&](std::string_view token, size_t, size_t, bool colocated) {
                      if (!colocated) tokens.emplace_back(token);
                    });
  EXPECT_EQ(tokens, (std::vector<std::string>{"ab", "cd"}));
}

TEST(SearchExpression, PhrasesPerTermPrefixOnWords) {
  EXPECT_EQ(SearchExpression("门窗"), "\"门窗\"");
  EXPECT_EQ(SearchExpression("  Hong 门 "), "\"Hong\" * AND \"门\"");
  EXPECT_EQ(SearchExpression("\"*) OR ("), "\"OR\" *") << "operators are searched as words, never parsed";
  EXPECT_EQ(SearchExpression("a\"b"), "\"a\"\"b\" *") << "quotes are escaped";
  EXPECT_EQ(SearchExpression("\"*)("), "");
  EXPECT_EQ(SearchExpression("A座5"), "\"A座5\" *");
}

class SearchBook : public ::testing::Test {
 protected:
  void SetUp() override {
    CustomerInput dealer;
    dealer.name = "佛山市顺德区美家门窗经销部";
    dealer.phones = {"13912345678", "0757-22334455"};
    dealer.address = {"广东省", "佛山市", "顺德区", "乐从镇家具城A座"};
    dealer.tags = {"铝合金", "大客户"};
    m_dealer = CreateCustomer(m_org.db, dealer, m_org.repA).Value();
    m_exact = m_org.Customer("门窗", m_org.repA, {"13800000001"});
    m_prefix = m_org.Customer("门窗之家", m_org.repB, {}, "广州市");
    m_designer = m_org.Customer("Hong Kong Design Studio", m_org.repWest, {"85212345678"});
    m_pool = m_org.PoolCustomer("王记五金");
    m_trashed = m_org.Customer("旧门窗厂", m_org.repA);
    ASSERT_TRUE(TrashCustomer(m_org.db, m_trashed, m_org.repA));
    ContactInput buyer{"陈建国", ContactRole::Buyer, "采购", "13700001234"};
    ASSERT_TRUE(AddContact(m_org.db, m_designer, buyer, m_org.repWest));
  }
  TestOrg m_org;
  int64_t m_dealer = 0, m_exact = 0, m_prefix = 0, m_designer = 0, m_pool = 0, m_trashed = 0;
};

TEST_F(SearchBook, ChineseSubstringsOfAnyLength) {
  EXPECT_EQ(Find(m_org.db, "美家"), (std::vector<std::string>{"佛山市顺德区美家门窗经销部"}));
  EXPECT_EQ(Find(m_org.db, "顺德区美家门窗"), (std::vector<std::string>{"佛山市顺德区美家门窗经销部"}));
  EXPECT_EQ(Find(m_org.db, "五"), (std::vector<std::string>{"王记五金"}));
  // Characters that are not adjacent do not match as a two-character query.
  EXPECT_TRUE(Find(m_org.db, "美门").empty());
}

TEST_F(SearchBook, RankingExactNameThenPrefixThenOthers) {
  auto names = Find(m_org.db, "门窗");
  ASSERT_EQ(names.size(), 3u) << "the trashed 旧门窗厂 is not listed";
  EXPECT_EQ(names[0], "门窗");
  EXPECT_EQ(names[1], "门窗之家");
  EXPECT_EQ(names[2], "佛山市顺德区美家门窗经销部");
  auto hits = SearchCustomers(m_org.db, "门窗").Value();
  EXPECT_EQ(hits[0].match, SearchMatch::NameExact);
  EXPECT_EQ(hits[1].match, SearchMatch::NamePrefix);
  EXPECT_EQ(hits[2].match, SearchMatch::Text);
}

TEST_F(SearchBook, PhonesExactFirstAndBySubstring) {
  auto hits = SearchCustomers(m_org.db, "139-1234-5678").Value();
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, m_dealer);
  EXPECT_EQ(hits[0].match, SearchMatch::PhoneExact);
  EXPECT_EQ(Find(m_org.db, "5678").size(), 2u);
  EXPECT_TRUE(Contains(Find(m_org.db, "5678"), "佛山市顺德区美家门窗经销部"));
  EXPECT_TRUE(Contains(Find(m_org.db, "5678"), "Hong Kong Design Studio"));
  EXPECT_EQ(Find(m_org.db, "22334455"), (std::vector<std::string>{"佛山市顺德区美家门窗经销部"}));
  // A contact's phone finds the company, first, as an exact match.
  auto contactHits = SearchCustomers(m_org.db, "13700001234").Value();
  ASSERT_EQ(contactHits.size(), 1u);
  EXPECT_EQ(contactHits[0].id, m_designer);
  EXPECT_EQ(contactHits[0].match, SearchMatch::PhoneExact);
}

TEST_F(SearchBook, ContactTagAddressAndLatinSubstrings) {
  EXPECT_EQ(Find(m_org.db, "建国"), (std::vector<std::string>{"Hong Kong Design Studio"}));
  EXPECT_EQ(Find(m_org.db, "铝合金"), (std::vector<std::string>{"佛山市顺德区美家门窗经销部"}));
  EXPECT_EQ(Find(m_org.db, "乐从 家具城"), (std::vector<std::string>{"佛山市顺德区美家门窗经销部"}));
  EXPECT_EQ(Find(m_org.db, "a座"), (std::vector<std::string>{"佛山市顺德区美家门窗经销部"}));
  EXPECT_EQ(Find(m_org.db, "desi"), (std::vector<std::string>{"Hong Kong Design Studio"}));
  EXPECT_EQ(Find(m_org.db, "ESIG"), (std::vector<std::string>{"Hong Kong Design Studio"}));
  EXPECT_EQ(Find(m_org.db, "ｈｏｎｇ"), (std::vector<std::string>{"Hong Kong Design Studio"})) << "full-width input";
  EXPECT_TRUE(Find(m_org.db, "广州 铝合金").empty()) << "every term must match";
}

TEST_F(SearchBook, FiltersTrashPoolAndOwner) {
  SearchOptions trash;
  trash.includeTrash = true;
  auto withTrash = SearchCustomers(m_org.db, "门窗", trash).Value();
  ASSERT_EQ(withTrash.size(), 4u);
  EXPECT_EQ(withTrash.back().name, "旧门窗厂");
  EXPECT_TRUE(withTrash.back().inTrash);
  SearchOptions pool;
  pool.poolOnly = true;
  EXPECT_EQ(Find(m_org.db, "王记", pool), (std::vector<std::string>{"王记五金"}));
  EXPECT_TRUE(Find(m_org.db, "门窗", pool).empty());
  SearchOptions mine;
  mine.ownerId = m_org.repB.userId;
  EXPECT_EQ(Find(m_org.db, "门窗", mine), (std::vector<std::string>{"门窗之家"}));
  SearchOptions few;
  few.limit = 1;
  EXPECT_EQ(Find(m_org.db, "门窗", few).size(), 1u);
}

TEST_F(SearchBook, IndexFollowsEditsPhonesTagsAndRestores) {
  CustomerInput edit = GetCustomer(m_org.db, m_prefix).Value().fields;
  edit.name = "鑫鑫建材";
  edit.phones = {"13611112222"};
  edit.tags = {"工程"};
  ASSERT_TRUE(UpdateCustomer(m_org.db, m_prefix, edit, m_org.repB));
  EXPECT_TRUE(Find(m_org.db, "之家").empty());
  EXPECT_EQ(Find(m_org.db, "鑫"), (std::vector<std::string>{"鑫鑫建材"}));
  EXPECT_EQ(Find(m_org.db, "1111222"), (std::vector<std::string>{"鑫鑫建材"}));
  EXPECT_EQ(Find(m_org.db, "工程"), (std::vector<std::string>{"鑫鑫建材"}));
  edit.phones = {};
  edit.tags = {};
  ASSERT_TRUE(UpdateCustomer(m_org.db, m_prefix, edit, m_org.repB));
  EXPECT_TRUE(Find(m_org.db, "1111222").empty()) << "a removed phone is no longer found";
  EXPECT_TRUE(Find(m_org.db, "工程").empty());
  ASSERT_TRUE(RestoreCustomer(m_org.db, m_trashed, m_org.repA));
  EXPECT_TRUE(Contains(Find(m_org.db, "旧门"), "旧门窗厂"));
}

TEST_F(SearchBook, BadQueries) {
  EXPECT_TRUE(Find(m_org.db, "").empty());
  EXPECT_TRUE(Find(m_org.db, " \xE3\x80\x80 ").empty());
  EXPECT_TRUE(Find(m_org.db, "\"").empty()) << "punctuation alone searches nothing, and never breaks the FTS syntax";
  EXPECT_TRUE(Find(m_org.db, "AND OR NOT (").empty());
  EXPECT_EQ(SearchCustomers(m_org.db, std::string("\xE9\x97", 2)).Code(), ErrorCode::Invalid);
  EXPECT_EQ(SearchCustomers(m_org.db, std::string(101, 'a')).Code(), ErrorCode::Invalid);
  SearchOptions bad;
  bad.limit = 0;
  EXPECT_EQ(SearchCustomers(m_org.db, "门", bad).Code(), ErrorCode::Invalid);
}

TEST(SearchMigration, IndexIsBuiltFromAVersionTwoDatabase) {
  Db db = Db::OpenMemory().Value();
  ASSERT_TRUE(MigrateTo(db, 2));
  Actor admin = EnsureLocalOwner(db, "管理员", 1).Value();
  CustomerInput input;
  input.name = "老客户五金店";
  input.phones = {"13955556666"};
  input.tags = {"老客户"};
  ASSERT_TRUE(CreateCustomer(db, input, admin));
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(Names(SearchCustomers(db, "五金").Value()), (std::vector<std::string>{"老客户五金店"}));
  EXPECT_EQ(SearchCustomers(db, "13955556666").Value().at(0).match, SearchMatch::PhoneExact);
  EXPECT_EQ(Names(SearchCustomers(db, "5556").Value()), (std::vector<std::string>{"老客户五金店"}));
}

// After an exact phone, the ranking is skipped only when the number's text matches no one else: a longer
// number that contains it still follows, as a text match.
TEST(Search, AnExactPhoneStillListsOthersWhoseNumbersContainIt) {
  TestOrg org;
  int64_t exact = org.Customer("兴盛门窗", org.repA, {"13912345678"});
  int64_t longer = org.Customer("华艺装饰", org.repA, {"0139123456789"});
  org.Customer("美居建材", org.repA, {"13800000000"});
  auto hits = SearchCustomers(org.db, "139 1234 5678");
  ASSERT_TRUE(hits) << hits.Message();
  ASSERT_EQ(hits.Value().size(), 2u);
  EXPECT_EQ(hits.Value()[0].id, exact);
  EXPECT_EQ(hits.Value()[0].match, SearchMatch::PhoneExact);
  EXPECT_EQ(hits.Value()[1].id, longer);
  EXPECT_EQ(hits.Value()[1].match, SearchMatch::Text);
  auto alone = SearchCustomers(org.db, "13800000000");
  ASSERT_TRUE(alone) << alone.Message();
  ASSERT_EQ(alone.Value().size(), 1u);
  EXPECT_EQ(alone.Value()[0].match, SearchMatch::PhoneExact);
}

}  // namespace
}  // namespace crm
