// Randomized differential test: millions of random commands through the engine and through the
// reference engine; the event streams must be identical, event for event.
//
// Seeded and reproducible: a failure prints the seed and the command index. The number of
// commands defaults to 1,000,000 (GHX_DIFFERENTIAL_COMMANDS overrides it), and
// GHX_DIFFERENTIAL_SEED replaces the first test's seed. GHX_DIFFERENTIAL_DUMP, when set, prints
// both streams of a command that differs.

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "tests/matching/engine_fixture.h"
#include "tests/matching/command_generator.h"
#include "tests/matching/reference_engine.h"

namespace ghx::matching::testing {
namespace {

std::string describe(const Event& e) {
  std::ostringstream out;
  out << to_string(e.type) << " seq=" << e.sequence.value << " t=" << e.timestamp.ns
      << " part=" << e.participant.value << " prod=" << e.product.value
      << " oid=" << e.order_id.value << " cid=" << e.client_order_id.value
      << " orig=" << e.orig_client_order_id.value << " side=" << int(e.side)
      << " px=" << e.price.value << " qty=" << e.quantity.value << " rem=" << e.remaining.value
      << " rej=" << to_string(e.reject_reason) << " cxl=" << to_string(e.cancel_reason)
      << " exp=" << to_string(e.expire_reason) << " trade=" << e.trade_id.value
      << " maker=" << e.maker_order_id.value << " mrem=" << e.maker_remaining.value
      << " counterparty=" << e.counterparty.value << " notional=" << e.notional.value
      << " seller_fee=" << e.seller_fee.value << " penalty=" << e.penalty.value
      << " avail=" << e.available_cash.value << " held=" << e.held_cash.value
      << " suspended=" << e.suspended;
  return out.str();
}

// Call auctions as the stream tells them: what started, how each ended, what the uncrosses
// did. A product in auction matches nothing, so its fills and self-trade cancels are its
// uncross's.
struct AuctionFigures {
  std::map<uint32_t, int64_t> uncross_ns;  // product in auction -> its schedule (0: none)
  // A schedule whose auction ended before it (by an uncross or a halt): when it comes due
  // during a later auction of the product, it must change nothing.
  std::set<std::pair<int64_t, uint32_t>> forgotten;  // (time, product)
  uint64_t started = 0, reopenings = 0, openings = 0, forgotten_in_auction = 0;
  uint64_t uncrosses = 0, traded = 0, scheduled = 0, unscheduled = 0, lots = 0, fills = 0;
  uint64_t self_trades = 0, halted = 0, gates_closed = 0;

  bool in_auction(uint32_t product) const { return uncross_ns.count(product) > 0; }

  // Before each command's events: the forgotten schedules now due.
  void pass_time(int64_t now_ns) {
    while (!forgotten.empty() && forgotten.begin()->first <= now_ns) {
      const uint32_t product = forgotten.begin()->second;
      const auto auction = uncross_ns.find(product);
      forgotten_in_auction +=
          auction != uncross_ns.end() && auction->second != forgotten.begin()->first;
      forgotten.erase(forgotten.begin());
    }
  }

  void observe(const Command& command, const Event& event, bool was_halted) {
    const uint32_t product = event.product.value;
    const auto auction = uncross_ns.find(product);
    const bool in = auction != uncross_ns.end();
    fills += in && event.type == EventType::fill;
    self_trades += in && event.cancel_reason == CancelReason::self_trade;
    if (event.type != EventType::product_state) return;
    if (event.product_state == ProductState::auction) {
      ++started;
      reopenings += was_halted;
      openings += command.type == CommandType::list_product;
      // Only a start_auction, or a listing with an opening auction, starts one.
      uncross_ns[product] = command.expire_time.ns;
      return;
    }
    if (!in) return;
    const int64_t at_ns = auction->second;
    const bool by_operator =
        command.type == CommandType::uncross_auction && command.product.value == product;
    if (event.product_state == ProductState::trading) {
      ++uncrosses;
      traded += event.quantity.value > 0;
      lots += static_cast<uint64_t>(event.quantity.value);
      scheduled += !by_operator;
      // An uncross nobody asked for must be a schedule come due.
      unscheduled += !by_operator && (at_ns == 0 || at_ns > event.timestamp.ns);
    }
    halted += event.product_state == ProductState::halted;
    gates_closed += event.product_state == ProductState::gate_closed;
    if (at_ns != 0 && (by_operator || event.product_state != ProductState::trading)) {
      forgotten.emplace(at_ns, product);
    }
    uncross_ns.erase(auction);
  }
};

// Block orders as the stream tells them: how many filled in full (a part accepted in every
// window, and each part's fills adding up to the block's lots), how many were refused and why.
struct BlockFigures {
  uint64_t orders = 0, filled = 0, windows = 0, fills = 0, self_trades = 0, not_whole = 0;
  uint64_t stopped = 0;                     // refused at a window halted or in auction
  uint64_t later_window = 0;                // refused naming a window after the first
  std::map<std::string, uint64_t> rejects;  // by reason
  uint64_t accepted = 0, lots = 0;          // of the command under way

  void observe(const Command& command, const Event& event, bool window_stopped) {
    if (command.type != CommandType::new_block_order) return;
    accepted += event.type == EventType::accepted;
    // The block's own fills; and the makers its cancel_maker and cancel_both parts cancel (a
    // scheduled uncross before the block may cancel self-trades too).
    if (event.type == EventType::fill && event.order_id.value == command.sequence.value) {
      ++fills;
      lots += static_cast<uint64_t>(event.quantity.value);
    }
    self_trades += accepted > 0 && event.cancel_reason == CancelReason::self_trade;
    if (event.type != EventType::rejected) return;
    ++rejects[std::string(to_string(event.reject_reason))];
    stopped += event.reject_reason == RejectReason::block_window_not_trading && window_stopped;
    later_window += event.product != command.product;
  }

  // After each command's events.
  void end(const Command& command) {
    if (command.type == CommandType::new_block_order) {
      ++orders;
      if (accepted > 0) {
        ++filled;
        windows += accepted;
        not_whole +=
            accepted != command.windows ||
            lots != uint64_t{command.windows} * static_cast<uint64_t>(command.quantity.value);
      }
    }
    accepted = 0;
    lots = 0;
  }
};

// Both streams of the failing command, in full (GHX_DIFFERENTIAL_DUMP set).
std::string dump(const std::vector<Event>& engine, const std::vector<Event>& reference) {
  std::string text;
  for (const auto* events : {&engine, &reference}) {
    text += events == &engine ? "\n engine's events:" : "\n reference's events:";
    for (const Event& event : *events) text += "\n  " + describe(event);
  }
  return text;
}

uint64_t commands_to_run() {
  if (const char* text = std::getenv("GHX_DIFFERENTIAL_COMMANDS")) return std::stoull(text);
  return 1'000'000;
}

// With check_coverage, every kind of event and reason must have occurred in the stream.
void run_differential(uint64_t seed, uint64_t commands, bool check_coverage) {
  EngineConfig config = EngineTest::make_config();
  config.limits.products_max = 4096;
  config.limits.client_ids_max = 1 << 22;
  config.limits.capacity_accounts_max = 1 << 16;
  Engine engine(config);
  ReferenceEngine reference(config);
  CommandGenerator generator(seed);
  std::vector<Event> engine_events, reference_events;
  int64_t now_ns = t0_ns;
  uint64_t events_compared = 0, fills = 0, failed_trades = 0, proceeds_paid = 0, deliveries = 0;
  uint64_t halts = 0, resumes = 0, gates_closed_halted = 0;
  std::set<uint32_t> halted;             // products halted now, as the stream says
  uint64_t suspensions = 0, reinstatements = 0;
  uint64_t suspended_commands = 0;         // of each participant, summed: commands while suspended
  uint64_t canceled_halted = 0;            // orders a suspension canceled in a halted product
  uint64_t orders_refused = 0;             // new orders refused: their participant was suspended
  std::map<uint32_t, uint64_t> suspended;  // participant -> the command that suspended it
  AuctionFigures auctions;
  BlockFigures blocks;
  std::map<std::string, uint64_t> seen;  // event kinds and reasons the stream produced
  for (uint64_t i = 1; i <= commands; ++i) {
    now_ns += generator.time_step_ns();
    Command command = generator.next(now_ns, engine.product_count());
    command.sequence = SequenceNumber{i};
    command.timestamp = Timestamp{now_ns};
    engine_events.clear();
    reference_events.clear();
    auctions.pass_time(now_ns);
    engine.process(command, engine_events);
    reference.process(command, reference_events);
    const size_t shared = std::min(engine_events.size(), reference_events.size());
    for (size_t e = 0; e < shared; ++e) {
      ASSERT_EQ(engine_events[e], reference_events[e])
          << "seed " << seed << ", command " << i << ", event " << e
          << "\n engine:    " << describe(engine_events[e])
          << "\n reference: " << describe(reference_events[e])
          << (std::getenv("GHX_DIFFERENTIAL_DUMP") ? dump(engine_events, reference_events) : "");
      const Event& event = engine_events[e];
      generator.observe(event);
      fills += event.type == EventType::fill;
      failed_trades += event.type == EventType::trade_failed;
      proceeds_paid += event.type == EventType::proceeds_paid;
      deliveries +=
          event.type == EventType::product_state && event.product_state == ProductState::delivered;
      const bool was_halted = halted.count(event.product.value) > 0;
      if (event.type == EventType::product_state) {
        halts += event.product_state == ProductState::halted;
        resumes += event.product_state == ProductState::trading &&
                   !auctions.in_auction(event.product.value);
        gates_closed_halted += event.product_state == ProductState::gate_closed &&
                               halted.count(event.product.value) > 0;
        if (event.product_state == ProductState::halted) {
          halted.insert(event.product.value);
        } else {
          halted.erase(event.product.value);
        }
      }
      if (event.type == EventType::participant_state) {
        suspensions += event.suspended;
        reinstatements += !event.suspended;
        if (event.suspended) {
          suspended[event.participant.value] = i;
        } else {
          suspended_commands += i - suspended[event.participant.value];
          suspended.erase(event.participant.value);
        }
      }
      blocks.observe(command, event, was_halted || auctions.in_auction(event.product.value));
      auctions.observe(command, event, was_halted);
      canceled_halted += event.cancel_reason == CancelReason::participant_suspended &&
                         halted.count(event.product.value) > 0;
      orders_refused += event.reject_reason == RejectReason::participant_suspended &&
                        command.type == CommandType::new_order;
      ++seen[std::string(to_string(event.type))];
      ++seen["cancel:" + std::string(to_string(event.cancel_reason))];
      ++seen["expire:" + std::string(to_string(event.expire_reason))];
      ++seen["reject:" + std::string(to_string(event.reject_reason))];
    }
    ASSERT_EQ(engine_events.size(), reference_events.size())
        << "seed " << seed << ", command " << i << ": event counts differ";
    events_compared += shared;
    blocks.end(command);
  }
  // The stream must have exercised the engine, not just bounced off validation.
  EXPECT_GT(fills, commands / 50);
  // About 0.8 % of commands fail a trade, most of them one the generator saw fill.
  EXPECT_GT(failed_trades, commands / 400);
  // Products deliver hours after listing: a short run may see none. Most delivered products
  // traded, and each of those pays at least one seller.
  if (deliveries > 0) {
    EXPECT_GT(proceeds_paid, deliveries / 2);
  }
  // About 0.3 % of commands start an auction and 0.3 % uncross one; while a product is in
  // auction a quarter of new orders cross its book, some of a type it refuses.
  EXPECT_GT(auctions.started, commands / 1000);
  EXPECT_GT(auctions.reopenings, commands / 20000);
  EXPECT_GT(auctions.openings, 0u);  // a listing in four opens with one (of some 40-70)
  EXPECT_GT(auctions.traded, commands / 2000);
  EXPECT_GT(auctions.scheduled, commands / 10000);
  EXPECT_EQ(auctions.unscheduled, 0u);
  EXPECT_GT(auctions.lots, commands / 50);
  EXPECT_GT(auctions.self_trades, commands / 1000);
  for (int mode = 0; mode <= static_cast<int>(SelfTradePrevention::cancel_both); ++mode) {
    EXPECT_GT(reference.uncross_self_trades(static_cast<SelfTradePrevention>(mode)),
              commands / 4000)
        << "self-trade mode " << mode;
  }
  EXPECT_GT(auctions.halted, commands / 20000);
  EXPECT_GT(seen["reject:invalid_in_auction"], commands / 100);
  EXPECT_GT(seen["reject:product_in_auction"], commands / 10000);
  EXPECT_GT(seen["reject:product_not_in_auction"], commands / 10000);
  // About 1 % of commands are block orders; most name a run of open windows at a limit that
  // trades in every one of them (a fifth fill in full), some a limit a tick too tight, and
  // some are wrong on purpose. A filled block filled every window in full, and some filled
  // more than two windows.
  EXPECT_GT(blocks.filled, commands / 1000);
  EXPECT_EQ(blocks.not_whole, 0u);
  EXPECT_GT(blocks.windows, 2 * blocks.filled);
  EXPECT_GT(seen["reject:block_not_fillable"], commands / 1000);
  EXPECT_GT(seen["reject:invalid_block"], commands / 5000);
  EXPECT_GT(seen["reject:block_window_not_trading"], commands / 2000);
  EXPECT_GT(blocks.rejects["insufficient_cash"], commands / 10000);
  EXPECT_GT(blocks.rejects["insufficient_capacity"], commands / 5000);
  EXPECT_GT(blocks.later_window, commands / 2000);  // a reject naming window k > 0
  if (check_coverage) {
    EXPECT_GT(deliveries, 10u);
    EXPECT_GT(auctions.gates_closed, 0u);
    EXPECT_GT(auctions.forgotten_in_auction, 0u);
    for (int type = 0; type <= static_cast<int>(EventType::participant_state); ++type) {
      EXPECT_GT(seen[std::string(to_string(static_cast<EventType>(type)))], 0u)
          << to_string(static_cast<EventType>(type));
    }
    for (int reason = 1; reason <= static_cast<int>(CancelReason::participant_suspended);
         ++reason) {
      EXPECT_GT(seen["cancel:" + std::string(to_string(static_cast<CancelReason>(reason)))], 0u)
          << to_string(static_cast<CancelReason>(reason));
    }
    EXPECT_GT(seen["expire:good_till_time"], 0u);
    EXPECT_GT(seen["expire:gate_closure"], 0u);
    for (const char* reason :
         {"unknown_product", "product_not_trading", "invalid_price", "invalid_quantity",
          "invalid_min_quantity", "invalid_expire_time", "invalid_order_type",
          "duplicate_client_order_id", "unknown_order", "insufficient_cash",
          "insufficient_capacity", "post_only_would_cross", "invalid_amount", "invalid_product",
          "duplicate_product", "unknown_participant", "trade_not_open", "product_halted",
          "product_not_halted"}) {
      EXPECT_GT(seen[std::string("reject:") + reason], 0u) << reason;
    }
    for (const char* reason :
         {"invalid_in_auction", "product_in_auction", "product_not_in_auction"}) {
      EXPECT_GT(seen[std::string("reject:") + reason], 0u) << reason;
    }
    // participant_suspended refuses both new orders and suspensions: each must have occurred.
    EXPECT_GT(orders_refused, 0u);
    EXPECT_GT(seen["reject:participant_suspended"], orders_refused);
    EXPECT_GT(seen["reject:participant_not_suspended"], 0u);
    EXPECT_GT(blocks.stopped, 0u);      // a window halted or in auction
    EXPECT_GT(blocks.self_trades, 0u);  // makers a block's part canceled
  }
  std::printf(
      "seed %llu: %llu commands, %llu events identical, %llu fills, %llu trades failed, "
      "%llu proceeds paid, %llu of %u products delivered\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(commands),
      static_cast<unsigned long long>(events_compared), static_cast<unsigned long long>(fills),
      static_cast<unsigned long long>(failed_trades),
      static_cast<unsigned long long>(proceeds_paid), static_cast<unsigned long long>(deliveries),
      engine.product_count());
  const auto count = [&](const char* key) { return static_cast<unsigned long long>(seen[key]); };
  std::printf(
      "  %llu halts, %llu resumes, %llu gates closed on a halted product, %llu orders canceled "
      "by halts, %llu product_halted and %llu product_not_halted rejects\n",
      static_cast<unsigned long long>(halts), static_cast<unsigned long long>(resumes),
      static_cast<unsigned long long>(gates_closed_halted), count("cancel:product_halted"),
      count("reject:product_halted"), count("reject:product_not_halted"));
  for (const auto& [participant, since] : suspended) suspended_commands += commands - since;
  std::printf(
      "  %llu suspensions, %llu reinstatements, a participant suspended %.1f %% of the time, "
      "%llu orders canceled by suspensions (%llu in halted products), %llu participant_suspended "
      "rejects (%llu of new orders) and %llu participant_not_suspended rejects\n",
      static_cast<unsigned long long>(suspensions), static_cast<unsigned long long>(reinstatements),
      100.0 * static_cast<double>(suspended_commands) /
          static_cast<double>(commands * participants),
      count("cancel:participant_suspended"), static_cast<unsigned long long>(canceled_halted),
      count("reject:participant_suspended"), static_cast<unsigned long long>(orders_refused),
      count("reject:participant_not_suspended"));
  const auto figure = [](uint64_t value) { return static_cast<unsigned long long>(value); };
  std::printf(
      "  %llu auctions started (%llu reopening a halt, %llu opening a listing), %llu uncrosses "
      "(%llu by schedule), %llu "
      "traded %llu lots in %llu fills, %llu orders canceled by self-trades in uncrosses (met "
      "with the taker's cancel_taker %llu, cancel_maker %llu, cancel_both %llu), %llu auctions "
      "halted, %llu gates "
      "closed on an auction, %llu forgotten schedules came due in a later auction, %llu "
      "invalid_in_auction, %llu product_in_auction and %llu product_not_in_auction rejects\n",
      figure(auctions.started), figure(auctions.reopenings), figure(auctions.openings),
      figure(auctions.uncrosses), figure(auctions.scheduled), figure(auctions.traded),
      figure(auctions.lots), figure(auctions.fills), figure(auctions.self_trades),
      figure(reference.uncross_self_trades(SelfTradePrevention::cancel_taker)),
      figure(reference.uncross_self_trades(SelfTradePrevention::cancel_maker)),
      figure(reference.uncross_self_trades(SelfTradePrevention::cancel_both)),
      figure(auctions.halted), figure(auctions.gates_closed), figure(auctions.forgotten_in_auction),
      count("reject:invalid_in_auction"), count("reject:product_in_auction"),
      count("reject:product_not_in_auction"));
  const auto rejects = [&](const char* reason) { return figure(blocks.rejects[reason]); };
  uint64_t other_rejects = blocks.orders - blocks.filled;
  for (const char* reason :
       {"invalid_block", "block_window_not_trading", "block_not_fillable", "insufficient_cash",
        "insufficient_capacity", "participant_suspended"}) {
    other_rejects -= blocks.rejects[reason];
  }
  std::printf(
      "  %llu block orders, %llu filled in full (%llu windows, %llu fills, %llu makers canceled "
      "by self-trades); refused: %llu invalid_block, %llu block_window_not_trading (%llu at a "
      "window halted or in auction), %llu block_not_fillable, %llu insufficient_cash, %llu "
      "insufficient_capacity, %llu participant_suspended, %llu for other reasons; %llu naming a "
      "window after the first\n",
      figure(blocks.orders), figure(blocks.filled), figure(blocks.windows), figure(blocks.fills),
      figure(blocks.self_trades), rejects("invalid_block"), rejects("block_window_not_trading"),
      figure(blocks.stopped), rejects("block_not_fillable"), rejects("insufficient_cash"),
      rejects("insufficient_capacity"), rejects("participant_suspended"), figure(other_rejects),
      figure(blocks.later_window));
}

uint64_t seed_to_run() {
  if (const char* text = std::getenv("GHX_DIFFERENTIAL_SEED")) return std::stoull(text);
  return 20261129;
}

TEST(Differential, EngineMatchesReferenceOnRandomCommands) {
  run_differential(seed_to_run(), commands_to_run(), commands_to_run() >= 1'000'000);
}

TEST(Differential, EngineMatchesReferenceOnAnotherSeed) {
  run_differential(7, commands_to_run() / 4, false);
}

}  // namespace
}  // namespace ghx::matching::testing
