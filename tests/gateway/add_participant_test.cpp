// Onboarding: an operator registers a participant (AddParticipant), which may then log on with
// a certificate of its name and trade in its roles. The registration is journaled, so it
// survives a restart. A name already taken, a bad name, a request without a role, one from a
// participant who is not an operator and one past the engine's participant table are refused,
// each saying why.

#include <string>
#include <string_view>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

using wire::OrderRejectReason;

class AddParticipant : public Exchange {
 protected:
  Ack add(Client& ops, std::string_view name, bool buyer, bool seller = false) {
    return operator_ack(ops, make_add_participant(++request_id_, name, buyer, seller, false));
  }

  // The first reject a request on `client` met at the gateway: its code.
  static wire::ErrorCode rejected_with(Client& client, Frame frame) {
    EXPECT_EQ(client.send(std::move(frame)), ClientStatus::ok);
    const Received reject = client.receive_until(wire::Body::Reject);
    EXPECT_EQ(reject.status, ClientStatus::ok);
    if (reject.status != ClientStatus::ok) return wire::ErrorCode::None;
    return reject.message().body_as_Reject()->code();
  }

  uint64_t request_id_ = 100;
};

TEST_F(AddParticipant, ARegisteredParticipantLogsOnTradesAndSurvivesARestart) {
  ASSERT_EQ(try_logon("stranger").status, ClientStatus::rejected);  // its certificate alone: no
  fund_market();
  {
    auto ops = logon("ops");
    const Ack added = add(*ops, "stranger", true);
    ASSERT_TRUE(added.ok) << added.text;
    // The fixture registered ids 1 to 4: the next is 5.
    EXPECT_EQ(added.text, "registered stranger with id 5");
  }
  operator_request(make_deposit(7, "stranger", 1'000'000'000));
  auto seller = logon("dc-a");
  auto stranger = logon("stranger");
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1850, 2)).first,
            wire::ExecType::Accepted);
  Received holder;
  ASSERT_EQ(stranger->send(order(1, wire::Side::Buy, 1850, 2)), ClientStatus::ok);
  const wire::ExecutionReport* accepted = report(*stranger, holder);
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->exec_type(), wire::ExecType::Accepted);
  const wire::ExecutionReport* fill = report(*stranger, holder);
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->exec_type(), wire::ExecType::Filled);
  // A buyer only: selling is not its role.
  EXPECT_EQ(rejected_with(*stranger, order(2, wire::Side::Sell, 1900, 1)),
            wire::ErrorCode::NotAuthorized);
  stranger.reset();
  seller.reset();

  restart();
  EXPECT_EQ(try_logon("stranger").status, ClientStatus::ok);
  auto ops = logon("ops");
  EXPECT_EQ(add(*ops, "stranger", true).reason, OrderRejectReason::ParticipantExists);
  // Ids are not given twice: the next registration takes 6.
  const Ack next = add(*ops, "dc-b", false, true);
  ASSERT_TRUE(next.ok) << next.text;
  EXPECT_EQ(next.text, "registered dc-b with id 6");
  expect_books_balance();
}

TEST_F(AddParticipant, TwoRegistrationsOfOneNameInFlightAtOnceMakeOne) {
  auto ops = logon("ops");
  // Both are sent before either is answered: whether the second arrives before the first's
  // commit or after it, it is refused.
  ASSERT_EQ(ops->send(make_add_participant(1, "stranger", true, false, false)), ClientStatus::ok);
  ASSERT_EQ(ops->send(make_add_participant(2, "stranger", false, true, false)), ClientStatus::ok);
  int ok = 0, exists = 0;
  for (int i = 0; i < 2; ++i) {
    const Received received = ops->receive_until(wire::Body::OperatorAck);
    ASSERT_EQ(received.status, ClientStatus::ok);
    const wire::OperatorAck& ack = *received.message().body_as_OperatorAck();
    ok += ack.ok();
    exists += ack.reject_reason() == OrderRejectReason::ParticipantExists;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(exists, 1);
  const auto entry = service_->participant("stranger");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->roles, ledger::role_buyer);  // the first one's
}

TEST_F(AddParticipant, BadRequestsAreRefusedSayingWhy) {
  auto ops = logon("ops");
  // Checked at the gateway: not a valid name (digits only would read as an id), no role.
  for (const std::string_view name : {"42", "-dash", "a b", ""}) {
    EXPECT_EQ(rejected_with(*ops, make_add_participant(1, name, true, false, false)),
              wire::ErrorCode::InvalidField)
        << name;
  }
  EXPECT_EQ(rejected_with(*ops, make_add_participant(2, "lab-c", false, false, false)),
            wire::ErrorCode::InvalidField);
  // Only an operator registers participants.
  auto lab = logon("lab-a");
  EXPECT_EQ(rejected_with(*lab, make_add_participant(3, "lab-c", true, false, false)),
            wire::ErrorCode::NotAuthorized);
  // A registered name.
  EXPECT_EQ(add(*ops, "lab-a", true).reason, OrderRejectReason::ParticipantExists);
  EXPECT_FALSE(service_->participant("lab-c").has_value());
}

// A registration retried with its request id (its answer was lost) finds the name taken by
// itself: it is answered as the repeat it is, done, not as a name already registered; the same
// id asking another name or other roles is another request.
TEST_F(AddParticipant, ARetriedRegistrationIsAnsweredAsARepeat) {
  auto ops = logon("ops");
  ASSERT_TRUE(operator_ack(*ops, make_add_participant(900, "lab-c", true, false, false)).ok);
  const Ack again = operator_ack(*ops, make_add_participant(900, "lab-c", true, false, false));
  EXPECT_TRUE(again.ok) << again.text;
  EXPECT_EQ(again.reason, OrderRejectReason::DuplicateRequest);
  EXPECT_NE(again.text.find("request 900 was done as #"), std::string::npos) << again.text;
  for (const Frame& other : {make_add_participant(900, "lab-d", true, false, false),
                             make_add_participant(900, "lab-c", true, true, false)}) {
    const Ack refused = operator_ack(*ops, other);
    EXPECT_FALSE(refused.ok);
    EXPECT_NE(refused.text.find("was another request"), std::string::npos) << refused.text;
  }
  EXPECT_FALSE(service_->participant("lab-d").has_value());
  // Another id for the same name: the name is taken.
  EXPECT_EQ(operator_ack(*ops, make_add_participant(901, "lab-c", true, false, false)).reason,
            OrderRejectReason::ParticipantExists);
}

TEST_F(AddParticipant, NonePastTheEnginesParticipantTable) {
  participants_max_ = 6;  // ids 0 to 5; the fixture's take 1 to 4
  restart();
  auto ops = logon("ops");
  const Ack fifth = add(*ops, "stranger", true);
  ASSERT_TRUE(fifth.ok) << fifth.text;
  const Ack full = add(*ops, "lab-c", true);
  EXPECT_EQ(full.reason, OrderRejectReason::ParticipantsFull);
  EXPECT_EQ(full.text, "the exchange has room for 5 participants");
}

}  // namespace
}  // namespace ghx::gateway::test
