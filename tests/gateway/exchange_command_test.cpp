// The journal's encoding of sequenced commands: every field survives a round trip, and bytes
// that are not a whole, valid encoding are refused (a corrupt journal entry stops recovery).

#include "gateway/exchange_command.h"

#include <gtest/gtest.h>

#include <random>

namespace ghx::gateway {
namespace {

// Every field, each compared as it is (not through the encoding, which would hide one that the
// encoder leaves out on both sides).
bool same(const ExchangeCommand& a, const ExchangeCommand& b) {
  return a.kind == b.kind && a.name == b.name && a.roles == b.roles && a.issuer == b.issuer &&
         a.engine == b.engine;
}

// The bytes an older ghxd wrote for `command`: version 8 entries end before the issuer (0 in
// these: one byte); version 5 to 7 ones before the windows too (version 5 and 6 ones are laid
// out as version 7 ones); version 2 to 4 ones before the cancel_orders flag too (and version 2
// ones before the fail_trade facts as well).
std::vector<uint8_t> as_version(const ExchangeCommand& command, uint8_t version) {
  std::vector<uint8_t> bytes;
  encode(command, bytes);
  EXPECT_EQ(command.issuer, 0u);
  if (version < 9) bytes.pop_back();
  if (version < 8) {
    EXPECT_EQ(bytes.back(), command.engine.windows);
    bytes.pop_back();
    EXPECT_EQ(bytes.back(), command.engine.cancel_orders ? 1 : 0);
  }
  if (version < 5) bytes.pop_back();
  if (version == 2) {
    // The counterparty and the fee (zero in these tests: one byte each).
    EXPECT_EQ(bytes[bytes.size() - 2], 0);
    EXPECT_EQ(bytes[bytes.size() - 1], 0);
    bytes.resize(bytes.size() - 2);
  }
  bytes[0] = version;
  return bytes;
}

// A random command as a ghxd before call auctions could have journaled it: its listings name
// no uncross time.
void without_opening_auction(ExchangeCommand& command) {
  if (command.engine.type == matching::CommandType::list_product) command.engine.expire_time = {};
}

// A random command as a ghxd before block orders could have journaled it: no windows, and no
// issuer either (that came later still).
void without_windows(ExchangeCommand& command) {
  command.engine.windows = 0;
  command.issuer = 0;
}

// As a ghxd before the audit trail could have journaled it: no issuer.
void without_issuer(ExchangeCommand& command) { command.issuer = 0; }

ExchangeCommand random_command(std::mt19937_64& random) {
  ExchangeCommand command;
  auto any = [&] { return static_cast<int64_t>(random()) >> (random() % 64); };
  command.kind = static_cast<ExchangeCommandKind>(1 + random() % 3);
  matching::Command& c = command.engine;
  c.type = static_cast<matching::CommandType>(random() % 18);
  c.sequence = {random()};
  c.timestamp = {any()};
  c.participant = {static_cast<uint32_t>(random())};
  c.product = {static_cast<uint32_t>(random())};
  c.has_product = random() % 2;
  c.client_order_id = {random() >> (random() % 64)};
  c.orig_client_order_id = {random()};
  c.side = static_cast<matching::Side>(random() % 2);
  c.order_type = static_cast<matching::OrderType>(random() % 2);
  c.time_in_force = static_cast<matching::TimeInForce>(random() % 4);
  c.self_trade = static_cast<matching::SelfTradePrevention>(random() % 3);
  c.post_only = random() % 2;
  c.cancel_orders = random() % 2;
  c.windows = static_cast<uint8_t>(random());
  c.price = {any()};
  c.quantity = {any()};
  c.min_quantity = {any()};
  c.expire_time = {any()};
  c.amount = {any()};
  c.capacity = {any()};
  c.spec.gpu = matching::ShortName::from(random() % 2 ? "H100SXM" : "");
  c.spec.zone = matching::ShortName::from("CN-NMG-1");
  c.spec.start_hour = any();
  c.spec.length = static_cast<matching::WindowLength>(random() % 4);
  c.spec.lot_size_gpus = any();
  c.spec.tick_size = any();
  command.roles = static_cast<uint8_t>(random());
  command.name = std::string(random() % (participant_name_bytes_max + 1), 'x');
  c.trade_id = {random()};
  c.counterparty = {static_cast<uint32_t>(random())};
  c.fee = {any()};
  command.issuer = static_cast<uint32_t>(random() >> (32 + random() % 32));
  return command;
}

TEST(ExchangeCommandCodec, EveryFieldSurvivesARoundTrip) {
  std::mt19937_64 random(42);
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 10'000; ++i) {
    const ExchangeCommand command = random_command(random);
    encode(command, bytes);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(bytes, decoded)) << "command " << i;
    ASSERT_TRUE(same(command, decoded)) << "command " << i;
  }
}

TEST(ExchangeCommandCodec, ATypicalOrderIsSmall) {
  ExchangeCommand order;
  order.engine.type = matching::CommandType::new_order;
  order.engine.sequence = {1'234'567};
  order.engine.timestamp = {int64_t{1796112000} * matching::ns_per_second};
  order.engine.participant = {5};
  order.engine.client_order_id = {98'765};
  order.engine.price = {1850};
  order.engine.quantity = {8};
  std::vector<uint8_t> bytes;
  encode(order, bytes);
  EXPECT_LE(bytes.size(), 48u);
}

TEST(ExchangeCommandCodec, DamagedBytesAreRefused) {
  std::mt19937_64 random(7);
  const ExchangeCommand command = random_command(random);
  std::vector<uint8_t> bytes;
  encode(command, bytes);
  ExchangeCommand decoded;
  for (size_t size = 0; size < bytes.size(); ++size) {  // every truncation
    EXPECT_FALSE(decode(std::span(bytes.data(), size), decoded)) << "cut at " << size;
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(decode(longer, decoded)) << "trailing bytes";
  std::vector<uint8_t> old_version = bytes;
  old_version[0] = 1;
  EXPECT_FALSE(decode(old_version, decoded)) << "another version";
  std::vector<uint8_t> bad_kind = bytes;
  bad_kind[1] = 9;
  EXPECT_FALSE(decode(bad_kind, decoded)) << "unknown kind";
  std::vector<uint8_t> endless(32, 0xff);  // a varint that never ends
  endless[0] = exchange_command_version;
  endless[1] = 1;
  endless[2] = 0;
  EXPECT_FALSE(decode(endless, decoded));
}

// A journal written before version 3 still replays: its entries have no fail_trade facts, and
// its delivery failures are ledger-only commands naming a trade.
TEST(ExchangeCommandCodec, AVersion2EntryStillDecodes) {
  ExchangeCommand failure;
  failure.kind = ExchangeCommandKind::delivery_failure;
  failure.engine.sequence = {77};
  failure.engine.trade_id = {123'456};
  std::vector<uint8_t> version_2 = as_version(failure, 2);
  ExchangeCommand decoded;
  ASSERT_TRUE(decode(version_2, decoded));
  EXPECT_EQ(decoded.kind, ExchangeCommandKind::delivery_failure);
  EXPECT_EQ(decoded.engine.trade_id.value, 123'456u);
  EXPECT_EQ(decoded.sequence().value, 77u);

  ExchangeCommand fail_trade;
  fail_trade.engine.type = matching::CommandType::fail_trade;
  version_2 = as_version(fail_trade, 2);
  EXPECT_FALSE(decode(version_2, decoded)) << "version 2 had no fail_trade";
}

// Version 3 fail_trade entries named no lots: each failed its whole trade. They replay as a
// trade of one lot failing whole, which refunds the same notional and takes the same fee.
TEST(ExchangeCommandCodec, AVersion3FailTradeFailsTheWholeTrade) {
  ExchangeCommand failure;
  failure.engine.type = matching::CommandType::fail_trade;
  failure.engine.trade_id = {42};
  failure.engine.amount = {29'600};
  failure.engine.fee = {29};
  std::vector<uint8_t> bytes = as_version(failure, 3);
  ExchangeCommand decoded;
  ASSERT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded.engine.quantity.value, 1);
  EXPECT_EQ(decoded.engine.capacity.value, 1);
  EXPECT_EQ(decoded.engine.amount.value, 29'600);
  EXPECT_EQ(decoded.engine.fee.value, 29);

  failure.engine.quantity = {2};  // no version 3 entry named lots
  bytes = as_version(failure, 3);
  EXPECT_FALSE(decode(bytes, decoded));

  ExchangeCommand order;  // other commands decode as they were
  order.engine.type = matching::CommandType::new_order;
  order.engine.quantity = {8};
  bytes = as_version(order, 3);
  ASSERT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded.engine.quantity.value, 8);
  EXPECT_EQ(decoded.engine.capacity.value, 0);
}

// Version 5 added the operator's halts: a halt with cancel_orders and a resume survive the
// journal, each naming its product and the operator who sent it.
TEST(ExchangeCommandCodec, HaltsAndResumesRoundTripWithTheirCancelFlag) {
  for (const bool cancel_orders : {false, true}) {
    ExchangeCommand halt;
    halt.engine.type = matching::CommandType::halt_product;
    halt.engine.sequence = {901};
    halt.engine.participant = {1};
    halt.engine.product = {42};
    halt.engine.cancel_orders = cancel_orders;
    std::vector<uint8_t> bytes;
    encode(halt, bytes);
    EXPECT_EQ(bytes[0], exchange_command_version);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(bytes, decoded));
    EXPECT_EQ(decoded.engine.type, matching::CommandType::halt_product);
    EXPECT_EQ(decoded.engine.product.value, 42u);
    EXPECT_EQ(decoded.engine.participant.value, 1u);
    EXPECT_EQ(decoded.engine.cancel_orders, cancel_orders);
    EXPECT_EQ(decoded.sequence().value, 901u);
  }
  ExchangeCommand resume;
  resume.engine.type = matching::CommandType::resume_product;
  resume.engine.product = {42};
  std::vector<uint8_t> bytes;
  encode(resume, bytes);
  ExchangeCommand decoded;
  ASSERT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded.engine.type, matching::CommandType::resume_product);
  EXPECT_FALSE(decoded.engine.cancel_orders);

  std::vector<uint8_t> bad_flag = bytes;
  bad_flag[bad_flag.size() - 3] = 2;  // a flag is 0 or 1 (the windows and issuer follow it)
  EXPECT_FALSE(decode(bad_flag, decoded));
  std::vector<uint8_t> unknown_type = bytes;
  unknown_type[2] = static_cast<uint8_t>(matching::CommandType::new_block_order) + 1;
  EXPECT_FALSE(decode(unknown_type, decoded));
}

// Version 6 added the operator's kill switch: a suspension and a reinstatement survive the
// journal, each naming the participant concerned.
TEST(ExchangeCommandCodec, SuspensionsAndReinstatementsRoundTrip) {
  for (const auto type :
       {matching::CommandType::suspend_participant, matching::CommandType::reinstate_participant}) {
    ExchangeCommand command;
    command.engine.type = type;
    command.engine.sequence = {902};
    command.engine.participant = {7};
    std::vector<uint8_t> bytes;
    encode(command, bytes);
    EXPECT_EQ(bytes[0], exchange_command_version);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(bytes, decoded));
    EXPECT_EQ(decoded.kind, ExchangeCommandKind::engine);
    EXPECT_EQ(decoded.engine.type, type);
    EXPECT_EQ(decoded.engine.participant.value, 7u);
    EXPECT_EQ(decoded.sequence().value, 902u);
    EXPECT_TRUE(same(command, decoded));
  }
}

// A journal written before suspensions existed replays exactly as before: its version 5
// entries (halts included) decode to the same commands, and none may name a suspension.
TEST(ExchangeCommandCodec, AVersion5EntryDecodesAsBeforeAndNamesNoSuspension) {
  std::mt19937_64 random(5);
  for (int i = 0; i < 1'000; ++i) {
    ExchangeCommand command = random_command(random);
    if (command.engine.type > matching::CommandType::resume_product) {
      command.engine.type = matching::CommandType::halt_product;
    }
    without_opening_auction(command);
    without_windows(command);
    const std::vector<uint8_t> version_5 = as_version(command, 5);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(version_5, decoded)) << "command " << i;
    ASSERT_TRUE(same(command, decoded)) << "command " << i;
  }
  for (const auto type :
       {matching::CommandType::suspend_participant, matching::CommandType::reinstate_participant}) {
    ExchangeCommand command;
    command.engine.type = type;
    ExchangeCommand decoded;
    EXPECT_FALSE(decode(as_version(command, 5), decoded)) << "version 5 had no suspensions";
    EXPECT_FALSE(decode(as_version(command, 4), decoded)) << "nor had version 4";
  }
  std::vector<uint8_t> newer;
  encode(ExchangeCommand{}, newer);
  newer[0] = exchange_command_version + 1;
  ExchangeCommand decoded;
  EXPECT_FALSE(decode(newer, decoded)) << "a newer ghxd's entry is refused by its version";
}

// Version 7 added call auctions: a start (with its uncross time, or none) and an uncross
// survive the journal, each naming its product and the operator who sent it.
TEST(ExchangeCommandCodec, AuctionStartsAndUncrossesRoundTripWithTheUncrossTime) {
  for (const int64_t uncross_ns : {int64_t{0}, int64_t{1'796'112'900'000'000'000}}) {
    ExchangeCommand start;
    start.engine.type = matching::CommandType::start_auction;
    start.engine.sequence = {903};
    start.engine.participant = {1};
    start.engine.product = {42};
    start.engine.expire_time = {uncross_ns};
    std::vector<uint8_t> bytes;
    encode(start, bytes);
    EXPECT_EQ(bytes[0], exchange_command_version);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(bytes, decoded));
    EXPECT_EQ(decoded.engine.type, matching::CommandType::start_auction);
    EXPECT_EQ(decoded.engine.product.value, 42u);
    EXPECT_EQ(decoded.engine.participant.value, 1u);
    EXPECT_EQ(decoded.engine.expire_time.ns, uncross_ns);
    EXPECT_EQ(decoded.sequence().value, 903u);
    EXPECT_TRUE(same(start, decoded));
  }
  ExchangeCommand uncross;
  uncross.engine.type = matching::CommandType::uncross_auction;
  uncross.engine.product = {42};
  std::vector<uint8_t> bytes;
  encode(uncross, bytes);
  ExchangeCommand decoded;
  ASSERT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded.engine.type, matching::CommandType::uncross_auction);
  EXPECT_EQ(decoded.engine.product.value, 42u);
}

// A journal written before call auctions existed replays exactly as before: its version 6
// entries (halts and suspensions included) decode to the same commands, and none may name an
// auction: an older entry that does is damaged.
TEST(ExchangeCommandCodec, AVersion6EntryDecodesAsBeforeAndNamesNoAuction) {
  std::mt19937_64 random(6);
  for (int i = 0; i < 1'000; ++i) {
    ExchangeCommand command = random_command(random);
    if (command.engine.type > matching::CommandType::reinstate_participant) {
      command.engine.type = matching::CommandType::suspend_participant;
    }
    without_opening_auction(command);
    without_windows(command);
    const std::vector<uint8_t> version_6 = as_version(command, 6);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(version_6, decoded)) << "command " << i;
    ASSERT_TRUE(same(command, decoded)) << "command " << i;
  }
  for (const auto type :
       {matching::CommandType::start_auction, matching::CommandType::uncross_auction}) {
    ExchangeCommand command;
    command.engine.type = type;
    ExchangeCommand decoded;
    for (const uint8_t version : {uint8_t{6}, uint8_t{5}, uint8_t{4}}) {
      EXPECT_FALSE(decode(as_version(command, version), decoded))
          << "version " << int{version} << " had no auctions";
    }
  }
  // Nor listings that open with one: an older listing names no uncross time.
  ExchangeCommand listing;
  listing.engine.type = matching::CommandType::list_product;
  listing.engine.spec.gpu = matching::ShortName::from("H100SXM");
  ExchangeCommand decoded;
  EXPECT_TRUE(decode(as_version(listing, 6), decoded));
  listing.engine.expire_time = {1'796'112'900'000'000'000};
  for (const uint8_t version : {uint8_t{6}, uint8_t{3}}) {
    EXPECT_FALSE(decode(as_version(listing, version), decoded)) << "version " << int{version};
  }
  std::vector<uint8_t> bytes;
  encode(listing, bytes);
  ASSERT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded.engine.expire_time.ns, 1'796'112'900'000'000'000);
}

// Version 8 added block orders: one survives the journal with its windows and every order
// field the engine reads (product = the first window, side, price, quantity, client id, STP).
TEST(ExchangeCommandCodec, ABlockOrderRoundTripsWithItsWindows) {
  for (const uint8_t windows : {uint8_t{2}, uint8_t{3}, uint8_t{31}, uint8_t{255}}) {
    ExchangeCommand block;
    block.engine.type = matching::CommandType::new_block_order;
    block.engine.sequence = {904};
    block.engine.participant = {3};
    block.engine.product = {42};
    block.engine.windows = windows;
    block.engine.client_order_id = {1'001};
    block.engine.side = matching::Side::sell;
    block.engine.time_in_force = matching::TimeInForce::fill_or_kill;
    block.engine.self_trade = matching::SelfTradePrevention::cancel_maker;
    block.engine.price = {1850};
    block.engine.quantity = {4};
    std::vector<uint8_t> bytes;
    encode(block, bytes);
    EXPECT_EQ(bytes[0], exchange_command_version);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(bytes, decoded));
    EXPECT_EQ(decoded.engine.type, matching::CommandType::new_block_order);
    EXPECT_EQ(decoded.engine.windows, windows);
    EXPECT_EQ(decoded.engine.product.value, 42u);
    EXPECT_EQ(decoded.engine.participant.value, 3u);
    EXPECT_EQ(decoded.engine.client_order_id.value, 1'001u);
    EXPECT_EQ(decoded.engine.side, matching::Side::sell);
    EXPECT_EQ(decoded.engine.self_trade, matching::SelfTradePrevention::cancel_maker);
    EXPECT_EQ(decoded.engine.price.value, 1850);
    EXPECT_EQ(decoded.engine.quantity.value, 4);
    EXPECT_EQ(decoded.sequence().value, 904u);
    EXPECT_TRUE(same(block, decoded));
    std::vector<uint8_t> without = bytes;
    without.pop_back();  // a version 9 entry ends with its windows and its issuer
    EXPECT_FALSE(decode(without, decoded));
  }
}

// A journal written before block orders existed replays exactly as before: its version 7
// entries (auctions included) decode to the same commands, with no windows, and none may name
// a block order: an older entry that does is damaged.
TEST(ExchangeCommandCodec, AVersion7EntryDecodesAsBeforeAndNamesNoBlockOrder) {
  std::mt19937_64 random(8);
  for (int i = 0; i < 1'000; ++i) {
    ExchangeCommand command = random_command(random);
    if (command.engine.type > matching::CommandType::uncross_auction) {
      command.engine.type = matching::CommandType::start_auction;
    }
    without_windows(command);
    const std::vector<uint8_t> version_7 = as_version(command, 7);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(version_7, decoded)) << "command " << i;
    ASSERT_TRUE(same(command, decoded)) << "command " << i;
    EXPECT_EQ(decoded.engine.windows, 0);
  }
  ExchangeCommand block;
  block.engine.type = matching::CommandType::new_block_order;
  ExchangeCommand decoded;
  for (const uint8_t version : {uint8_t{7}, uint8_t{6}, uint8_t{4}}) {
    EXPECT_FALSE(decode(as_version(block, version), decoded))
        << "version " << int{version} << " had no block orders";
  }
  // Nor is a version 8 entry's windows byte read from an older one: it would be one too many.
  block.engine.type = matching::CommandType::new_order;
  block.engine.windows = 3;
  std::vector<uint8_t> bytes;
  encode(block, bytes);
  bytes[0] = 7;
  EXPECT_FALSE(decode(bytes, decoded));
}

// A journal written before halts existed replays exactly as before: its entries end without
// the flag, decode to the same commands (no cancel_orders), and none may name a halt.
// The audit trail: an operator's request names who sent it, whatever its kind.
TEST(ExchangeCommandCodec, TheIssuerOfAnOperatorsRequestRoundTrips) {
  for (const uint32_t issuer : {0u, 1u, 128u, 65'536u, UINT32_MAX}) {
    ExchangeCommand suspension;
    suspension.engine.type = matching::CommandType::suspend_participant;
    suspension.engine.participant = {7};
    suspension.issuer = issuer;
    std::vector<uint8_t> bytes;
    encode(suspension, bytes);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(bytes, decoded));
    EXPECT_EQ(decoded.issuer, issuer);
    EXPECT_EQ(decoded.engine.participant.value, 7u);
  }
}

// A journal written before the audit trail replays exactly as before: its version 8 entries
// (block orders included) decode to the same commands, with no issuer.
TEST(ExchangeCommandCodec, AVersion8EntryDecodesAsBeforeWithNoIssuer) {
  std::mt19937_64 random(9);
  for (int i = 0; i < 1'000; ++i) {
    ExchangeCommand command = random_command(random);
    without_issuer(command);
    const std::vector<uint8_t> version_8 = as_version(command, 8);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(version_8, decoded)) << "command " << i;
    ASSERT_TRUE(same(command, decoded)) << "command " << i;
    EXPECT_EQ(decoded.issuer, 0u);
  }
  // A version 9 entry's issuer is not read from an older one: it would be one byte too many.
  ExchangeCommand halt;
  halt.engine.type = matching::CommandType::halt_product;
  std::vector<uint8_t> bytes;
  encode(halt, bytes);
  bytes[0] = 8;
  ExchangeCommand decoded;
  EXPECT_FALSE(decode(bytes, decoded));
}

// An operator's request digest: the same for a retry (whatever the exchange adds: sequence,
// time, issuer, a new participant's id), different when anything asked differs, and fixed
// for good: the ledger keeps it, so a retry after an upgrade must still match. The golden
// value below may never change.
TEST(RequestDigest, NamesWhatWasAskedAndNeverChanges) {
  ExchangeCommand deposit;
  deposit.engine.type = matching::CommandType::deposit;
  deposit.engine.participant = {3};
  deposit.engine.amount = {100};
  const uint64_t digest = request_digest(deposit);
  EXPECT_EQ(digest, 0x86162055711f90a6ULL);
  ExchangeCommand sequenced = deposit;
  sequenced.engine.sequence = {42};
  sequenced.engine.timestamp = {1'700'000'000'000'000'000};
  sequenced.issuer = 7;
  EXPECT_EQ(request_digest(sequenced), digest);
  ExchangeCommand more = deposit;
  more.engine.amount = {101};
  EXPECT_NE(request_digest(more), digest);
  ExchangeCommand other = deposit;
  other.engine.participant = {4};
  EXPECT_NE(request_digest(other), digest);
  ExchangeCommand withdraw = deposit;
  withdraw.engine.type = matching::CommandType::withdraw;
  EXPECT_NE(request_digest(withdraw), digest);

  ExchangeCommand add;
  add.kind = ExchangeCommandKind::add_participant;
  add.name = "lab-c";
  add.roles = 1;
  ExchangeCommand given_an_id = add;
  given_an_id.engine.participant = {9};
  EXPECT_EQ(request_digest(given_an_id), request_digest(add));
  ExchangeCommand other_name = add;
  other_name.name = "lab-d";
  EXPECT_NE(request_digest(other_name), request_digest(add));
}

TEST(ExchangeCommandCodec, AVersion4EntryDecodesAsBeforeAndNamesNoHalt) {
  std::mt19937_64 random(4);
  for (int i = 0; i < 1'000; ++i) {
    ExchangeCommand command = random_command(random);
    command.engine.cancel_orders = false;
    if (command.engine.type > matching::CommandType::fail_trade) {
      command.engine.type = matching::CommandType::new_order;
    }
    without_opening_auction(command);
    without_windows(command);
    const std::vector<uint8_t> version_4 = as_version(command, 4);
    ExchangeCommand decoded;
    ASSERT_TRUE(decode(version_4, decoded)) << "command " << i;
    ASSERT_TRUE(same(command, decoded)) << "command " << i;
  }
  ExchangeCommand halt;
  halt.engine.type = matching::CommandType::halt_product;
  ExchangeCommand decoded;
  EXPECT_FALSE(decode(as_version(halt, 4), decoded)) << "version 4 had no halts";
  ExchangeCommand order;
  order.engine.type = matching::CommandType::new_order;
  std::vector<uint8_t> with_flag;
  encode(order, with_flag);
  with_flag[0] = 4;
  EXPECT_FALSE(decode(with_flag, decoded)) << "version 4 entries end before the flag";
}

}  // namespace
}  // namespace ghx::gateway
