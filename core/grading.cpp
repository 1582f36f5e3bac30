#include "core/grading.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/followups.h"
#include "core/ids.h"
#include "core/org.h"
#include "core/records.h"
#include "core/validate.h"

namespace crm {

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr size_t kMaxReasonLength = 500;
constexpr int64_t kEarliestMs = 946684800000;  // 2000-01-01: earlier order dates are typos
// Margin (¥ in a year) at which the margin part of the score is full: 200,000 yuan.
constexpr double kFullMarginCents = 20000000.0;
// A margin rate of 30% or more counts as fully healthy.
constexpr double kHealthyMarginRate = 0.30;
constexpr int64_t kMaxAmountCents = 10000000000000;  // ¥100,000,000,000

Result<Grade> CurrentGrade(Db& db, int64_t customerId) {
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT grade FROM customers WHERE id = ?"));
  stmt.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(customerId));
  return ParseGrade(stmt.Text(0));
}

std::string Yuan(int64_t cents) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "¥%.0f", static_cast<double>(cents) / 100.0);
  return buffer;
}

}  // namespace

Result<GradeSuggestion> SuggestGrade(Db& db, int64_t customerId, int64_t nowMs) {
  int64_t now = nowMs ? nowMs : NowMs();
  CRM_ASSIGN_OR_RETURN(Stmt customer, db.Prepare("SELECT last_activity_at, stage FROM customers WHERE id = ?"));
  customer.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, customer.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(customerId));
  GradeSuggestion s;
  if (!customer.IsNull(0)) s.daysSinceActivity = std::max<int64_t>(0, (now - customer.Int64(0)) / kDayMs);
  bool lost = customer.Text(1) == Code(Stage::Lost);
  customer.Reset();

  CRM_ASSIGN_OR_RETURN(Stmt acts, db.Prepare(
      "SELECT count(*) FROM activities WHERE customer_id = ? AND occurred_at >= ? AND occurred_at <= ? AND deleted_at IS NULL"));
  acts.BindAll(customerId, now - 90 * kDayMs, now);
  CRM_ASSIGN_OR_RETURN(bool counted, acts.Step());
  s.activities90d = counted ? static_cast<int>(acts.Int64(0)) : 0;
  acts.Reset();

  // Orders without a checked cost add volume but no margin: unknown profit is not counted as profit.
  CRM_ASSIGN_OR_RETURN(Stmt orders, db.Prepare(
      "SELECT count(*), coalesce(sum(amount_cents), 0), coalesce(sum(amount_cents - cost_cents), 0), "
      "coalesce(sum(CASE WHEN cost_cents IS NOT NULL THEN amount_cents END), 0), count(*) - count(cost_cents) "
      "FROM orders WHERE customer_id = ? AND ordered_at >= ? AND ordered_at <= ? AND status = 'done' AND deleted_at IS NULL"));
  orders.BindAll(customerId, now - 365 * kDayMs, now);
  CRM_ASSIGN_OR_RETURN(bool summed, orders.Step());
  int64_t costedRevenue = 0;
  int64_t uncosted = 0;
  if (summed) {
    s.orders365d = static_cast<int>(orders.Int64(0));
    s.revenue365dCents = orders.Int64(1);
    s.margin365dCents = orders.Int64(2);
    costedRevenue = orders.Int64(3);
    uncosted = orders.Int64(4);
  }
  orders.Reset();

  // Recency (0..30).
  double recency = 0;
  if (s.daysSinceActivity >= 0) {
    int64_t d = s.daysSinceActivity;
    recency = d <= 7 ? 30 : d <= 30 ? 20 : d <= 90 ? 10 : d <= 180 ? 5 : 0;
  }
  // Frequency (0..30): contact and repeat purchase.
  double frequency = 1.5 * std::min(s.activities90d, 10) + 2.5 * std::min(s.orders365d, 6);
  // Value (0..40): profit, not volume: absolute margin (square root, so one big year does not dominate)
  // and margin rate, so a big buyer at a thin margin scores below a smaller, profitable one.
  double margin = static_cast<double>(std::max<int64_t>(0, s.margin365dCents));
  double rate = costedRevenue > 0 ? static_cast<double>(s.margin365dCents) / static_cast<double>(costedRevenue) : 0;
  double value = 30 * std::min(1.0, std::sqrt(margin / kFullMarginCents)) + 10 * std::clamp(rate / kHealthyMarginRate, 0.0, 1.0);
  s.score = recency + frequency + value;
  s.grade = s.score >= 70 ? Grade::A : s.score >= 45 ? Grade::B : s.score >= 20 ? Grade::C : Grade::D;

  char line[512];
  std::snprintf(line, sizeof line,
                "score %.0f: last contact %s, %d activities in 90 days, %d orders in 365 days, margin %s on revenue %s "
                "(%.0f%%)",
                s.score,
                s.daysSinceActivity < 0 ? "never" : (std::to_string(s.daysSinceActivity) + " days ago").c_str(),
                s.activities90d, s.orders365d, Yuan(s.margin365dCents).c_str(), Yuan(s.revenue365dCents).c_str(),
                rate * 100);
  s.why = line;
  if (uncosted > 0) s.why += "; " + std::to_string(uncosted) + " orders without cost count no margin";
  s.costedRevenue365dCents = costedRevenue;
  s.uncostedOrders = uncosted;
  s.lost = lost;
  if (lost) {
    s.grade = Grade::D;
    s.why += "; lost customer: D until won back";
  }
  return s;
}

Status SetGrade(Db& db, int64_t customerId, Grade grade, std::string_view rawReason, const Actor& actor) {
  if (*Code(grade) == '\0') return FieldError(ErrorCode::Invalid, "grade", Problem::UnknownCode, "class: unknown grade");
  CRM_ASSIGN_OR_RETURN(std::string reason, CleanText(rawReason, "reason", kMaxReasonLength, true));
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(Grade old, CurrentGrade(db, customerId));
  if (old == grade) return Ok();  // nothing changed, nothing to record
  CRM_ASSIGN_OR_RETURN(GradeSuggestion suggestion, SuggestGrade(db, customerId));
  // Ids are random, so the history's order is its time: two changes in one millisecond get distinct times.
  CRM_ASSIGN_OR_RETURN(Stmt last, db.Prepare("SELECT coalesce(max(created_at), 0) FROM grade_history WHERE customer_id = ?"));
  last.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool hasLast, last.Step());
  int64_t now = std::max(NowMs(), hasLast ? last.Int64(0) + 1 : 0);
  last.Reset();
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  CRM_ASSIGN_OR_RETURN(Stmt update, PrepareSignedUpdate(db, actor, now, "customers", "grade = ?1", "id = ?2"));
  update.BindAll(Code(grade), customerId);
  CRM_TRY(update.Run());
  CRM_ASSIGN_OR_RETURN(Stmt history, db.Prepare(
      "INSERT INTO grade_history(id, customer_id, old_grade, new_grade, suggested_grade, reason, created_at, updated_at, "
      "created_by, updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  history.BindAll(NewId(), customerId, Code(old), Code(grade), Code(suggestion.grade), reason, now, now, actor.userId,
                  actor.userId, actor.deviceId);
  CRM_TRY(history.Run());
  CRM_TRY(EnsureClassFollowup(db, customerId, actor));
  return txn.Commit();
}

Result<std::vector<GradeChange>> GradeHistory(Db& db, int64_t customerId) {
  CRM_TRY(HoldingOf(db, customerId, true));
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT id, old_grade, new_grade, suggested_grade, reason, created_at, created_by FROM grade_history "
      "WHERE customer_id = ? AND deleted_at IS NULL ORDER BY created_at DESC"));
  stmt.Bind(1, customerId);
  std::vector<GradeChange> changes;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    GradeChange c;
    c.id = stmt.Int64(0);
    c.customerId = customerId;
    if (!stmt.IsNull(1)) c.oldGrade = ParseGrade(stmt.Text(1)).ValueOr(Grade::C);
    c.newGrade = ParseGrade(stmt.Text(2)).ValueOr(Grade::C);
    if (!stmt.IsNull(3)) c.suggested = ParseGrade(stmt.Text(3)).ValueOr(Grade::C);
    c.reason = stmt.String(4);
    c.at = stmt.Int64(5);
    c.byUserId = stmt.Int64(6);
    changes.push_back(std::move(c));
  }
  return changes;
}

Status SetStage(Db& db, int64_t customerId, Stage stage, LostReason reason, const Actor& actor) {
  if (*Code(stage) == '\0') return FieldError(ErrorCode::Invalid, "stage", Problem::UnknownCode, "stage: unknown stage");
  if (static_cast<int>(reason) < 0 || static_cast<int>(reason) > static_cast<int>(LostReason::Other)) {
    return FieldError(ErrorCode::Invalid, "lost_reason", Problem::UnknownCode, "lost_reason: unknown reason");
  }
  if (stage == Stage::Lost && reason == LostReason::None) {
    return FieldError(ErrorCode::Invalid, "lost_reason", Problem::Required,
                      "lost_reason: required when a customer is lost (price, product, service…)");
  }
  if (stage != Stage::Lost && reason != LostReason::None) {
    return FieldError(ErrorCode::Invalid, "lost_reason", Problem::NotApplicable, "lost_reason: only for the lost stage");
  }
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(Stmt current, db.Prepare("SELECT stage, lost_reason FROM customers WHERE id = ?"));
  current.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, current.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(customerId));
  CRM_ASSIGN_OR_RETURN(Stage old, ParseStage(current.Text(0)));
  bool sameReason = current.Text(1) == Code(reason);
  current.Reset();
  if (stage == Stage::WonBack && old != Stage::Lost) {
    return FieldError(ErrorCode::Invalid, "stage", Problem::NotApplicable,
                      std::string("stage: only a lost customer can be won back (this one is ") + Code(old) + ")");
  }
  if (old == stage && sameReason) return Ok();
  int64_t now = NowMs();
  // lost_at keeps when the customer was (last) lost; it stays after a win-back, as history.
  CRM_ASSIGN_OR_RETURN(Stmt update, PrepareSignedUpdate(db, actor, now, "customers",
      "stage = ?1, lost_reason = ?2, lost_at = CASE WHEN ?1 = 'lost' THEN CASE WHEN stage = 'lost' THEN lost_at ELSE ?3 END "
      "ELSE lost_at END", "id = ?4"));
  update.BindAll(Code(stage), Code(reason), now, customerId);
  return update.Run();
}

Result<std::vector<CustomerRow>> WinBackList(Db& db, int limit) {
  if (limit <= 0 || limit > 10000) return MakeError(ErrorCode::Invalid, "limit: between 1 and 10000");
  // Past margin over the whole history: what the relationship was worth, hence what winning it back is worth.
  CRM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(
      "SELECT c.id, c.name, coalesce(c.phone, ''), coalesce(c.city, ''), c.grade, c.stage, c.owner_id, coalesce(u.name, ''), "
      "c.last_activity_at, (SELECT min(f.due_at) FROM followups f WHERE f.customer_id = c.id AND f.status = 'open' "
      "AND f.deleted_at IS NULL), c.updated_at, "
      "(SELECT coalesce(sum(o.amount_cents - o.cost_cents), 0) FROM orders o WHERE o.customer_id = c.id "
      "AND o.status = 'done' AND o.deleted_at IS NULL) AS margin "
      "FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.stage = 'lost' AND c.deleted_at IS NULL "
      "ORDER BY margin DESC, c.lost_at DESC, c.id LIMIT ?"));
  stmt.Bind(1, limit);
  std::vector<CustomerRow> rows;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CustomerRow r;
    r.id = stmt.Int64(0);
    r.name = stmt.String(1);
    r.phone = stmt.String(2);
    r.city = stmt.String(3);
    r.grade = ParseGrade(stmt.Text(4)).ValueOr(Grade::C);
    r.stage = ParseStage(stmt.Text(5)).ValueOr(Stage::Lost);
    if (!stmt.IsNull(6)) r.ownerId = stmt.Int64(6);
    r.ownerName = stmt.String(7);
    if (!stmt.IsNull(8)) r.lastActivityAt = stmt.Int64(8);
    if (!stmt.IsNull(9)) r.nextDueAt = stmt.Int64(9);
    r.updatedAt = stmt.Int64(10);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<int64_t> AddOrder(Db& db, int64_t customerId, int64_t amountCents, std::optional<int64_t> costCents, int64_t orderedAt,
                         const Actor& actor) {
  if (amountCents < 0) return FieldError(ErrorCode::Invalid, "amount", Problem::OutOfRange, "amount: must not be negative");
  // ¥100 billion: beyond it a figure is a typo, and sums over many orders must not overflow.
  if (amountCents > kMaxAmountCents || (costCents && *costCents > kMaxAmountCents)) {
    return FieldError(ErrorCode::Invalid, "amount", Problem::OutOfRange, "amount: too large; check the figures");
  }
  if (costCents && *costCents < 0) return FieldError(ErrorCode::Invalid, "cost", Problem::OutOfRange, "cost: must not be negative");
  // A cost far above the price is a slip of the keyboard (a missing decimal point), not a deal.
  if (costCents && *costCents > 10 * amountCents) {
    return FieldError(ErrorCode::Invalid, "cost", Problem::OutOfRange, "cost: more than ten times the amount; check the figures");
  }
  int64_t now = NowMs();
  int64_t at = orderedAt == 0 ? now : orderedAt;
  if (at < kEarliestMs || at > now + kDayMs) {
    return FieldError(ErrorCode::Invalid, "ordered_at", Problem::OutOfRange, "ordered at: out of range");
  }
  CRM_TRY(AuthorizeCustomerChange(db, actor, customerId));
  CRM_ASSIGN_OR_RETURN(Txn txn, db.Begin());
  int64_t id = NewId();
  CRM_ASSIGN_OR_RETURN(Stmt insert, db.Prepare(
      "INSERT INTO orders(id, customer_id, ordered_at, amount_cents, cost_cents, created_at, updated_at, created_by, "
      "updated_by, device_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.BindNext(id).BindNext(customerId).BindNext(at).BindNext(amountCents).BindNext(costCents);
  insert.BindNext(now).BindNext(now).BindNext(actor.userId).BindNext(actor.userId).BindNext(actor.deviceId);
  CRM_TRY(insert.Run());

  // The lifecycle follows purchases: first order → first deal, second → repeat; an order from a lost
  // customer wins it back, one from an at-risk customer makes it a repeat buyer again. Loyal is a
  // judgement (tenure, share of wallet), set by hand, never by a count of orders.
  CRM_ASSIGN_OR_RETURN(Stmt state, db.Prepare(
      "SELECT stage, (SELECT count(*) FROM orders WHERE customer_id = ?1 AND status = 'done' AND deleted_at IS NULL) "
      "FROM customers WHERE id = ?1"));
  state.Bind(1, customerId);
  CRM_ASSIGN_OR_RETURN(bool found, state.Step());
  if (!found) return FieldError(ErrorCode::NotFound, "", Problem::NotFound, "customer: no customer with id " + std::to_string(customerId));
  CRM_ASSIGN_OR_RETURN(Stage stage, ParseStage(state.Text(0)));
  int64_t count = state.Int64(1);
  state.Reset();
  Stage next = stage;
  if (stage == Stage::Prospect) next = count >= 2 ? Stage::Repeat : Stage::FirstDeal;
  else if (stage == Stage::FirstDeal && count >= 2) next = Stage::Repeat;
  else if (stage == Stage::AtRisk) next = Stage::Repeat;
  else if (stage == Stage::Lost) next = Stage::WonBack;
  if (next != stage) {
    CRM_ASSIGN_OR_RETURN(Stmt move, PrepareSignedUpdate(db, actor, now, "customers", "stage = ?1, lost_reason = ''", "id = ?2"));
    move.BindAll(Code(next), customerId);
    CRM_TRY(move.Run());
  }
  CRM_TRY(txn.Commit());
  return id;
}

}  // namespace crm
