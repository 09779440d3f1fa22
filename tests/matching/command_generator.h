#pragma once
// A random but plausible command stream for randomized engine tests (the differential test,
// snapshot tests). Seeded and reproducible.

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {

constexpr uint32_t participants = 8;

// Generates a random but plausible stream: mostly orders near a wandering mid price, with
// block orders, cancels, replaces, funds, listings, failed trades, operator halts and resumes,
// call auctions and their uncrosses, suspensions and reinstatements of participants, time
// passing through gate closures and deliveries, and bad input.
class CommandGenerator {
 public:
  explicit CommandGenerator(uint64_t seed) : random_(seed) {}

  // Optional: shown the engine's events, the generator learns real trades, so that most of its
  // fail_trade commands name one; which products are listed and halted, so that most resumes
  // name a halted one and some halts last until the gate closes; and each participant's latest
  // order in each product, so that some replaces meet a halt; and which participants are
  // suspended, so that most reinstatements name one; and which products are in auction, so
  // that most uncrosses name one and some orders and replaces cross their books; the specs of
  // the products whose gates are open and the levels of their books, so that block orders name
  // runs of windows at prices that fill. Without it every fail_trade is a guess, and rejected,
  // and so are most resumes, uncrosses, reinstatements and block orders.
  void observe(const Event& event) {
    if (event.type == EventType::participant_state) {
      if (event.suspended) {
        suspended_.insert(event.participant.value);
      } else {
        suspended_.erase(event.participant.value);
      }
    } else if (event.type == EventType::accepted || event.type == EventType::replaced) {
      latest_order_[{event.participant.value, event.product.value}] = {event.client_order_id.value,
                                                                       event.side};
    } else if (event.type == EventType::product_listed) {
      // Only a list_product command lists, and it is the one generated last.
      gate_closure_ns_[event.product.value] = last_gate_closure_ns_;
      tick_size_[event.product.value] = last_tick_size_;
      open_specs_[event.product.value] = last_spec_;
    } else if (event.type == EventType::book_level) {
      auto& levels = levels_[{event.product.value, event.side}];
      if (event.quantity.value == 0) {
        levels.erase(event.price.value);
      } else {
        levels[event.price.value] = event.quantity.value;
      }
    } else if (event.type == EventType::fill) {
      const bool taker_buys = event.side == Side::buy;
      TradeFacts trade;
      trade.trade_id = event.trade_id.value;
      trade.product = event.product.value;
      trade.buyer = taker_buys ? event.participant.value : event.maker_participant.value;
      trade.seller = taker_buys ? event.maker_participant.value : event.participant.value;
      trade.notional = event.notional.value;
      trade.seller_fee = event.seller_fee.value;
      trade.lots = event.quantity.value;
      recent_trades_[trades_seen_++ % recent_trades_.size()] = trade;
      last_trade_of_product_[trade.product] = trade;
    } else if (event.type == EventType::product_state) {
      // A product leaves the halted set by a resume, a reopening auction or its gate closing;
      // the auction set by an uncross, a halt or its gate closing. Only a start_auction command
      // starts an auction, and it is the one generated last.
      if (event.product_state == ProductState::halted) {
        halted_.insert(event.product.value);
      } else {
        halted_.erase(event.product.value);
      }
      if (event.product_state == ProductState::auction) {
        auction_uncross_ns_[event.product.value] = last_uncross_ns_;
      } else {
        auction_uncross_ns_.erase(event.product.value);
      }
      if (event.product_state == ProductState::gate_closed) {
        gate_closure_ns_.erase(event.product.value);
        open_specs_.erase(event.product.value);
      }
      if (event.product_state != ProductState::delivered) return;
      // Kept to fail a trade of a delivered product, which must be refused.
      const auto last = last_trade_of_product_.find(event.product.value);
      if (last == last_trade_of_product_.end()) return;
      delivered_trades_[delivered_seen_++ % delivered_trades_.size()] = last->second;
      last_trade_of_product_.erase(last);
    }
  }

  Command next(int64_t now_ns, uint32_t product_count) {
    Command c;
    c.participant = ParticipantId{pick(participants)};
    const uint32_t roll = pick(1000);
    if (product_count == 0 || roll < 8) return listing(now_ns);
    // Mostly the newest products (the older ones have closed); now and then an unknown one.
    const uint32_t back = pick(std::min(product_count, 8u));
    c.product = ProductId{roll % 50 == 0 ? product_count : product_count - 1 - back};
    // The strip ends when its first window's gate closes (or was never a run).
    if (strip_.size() < 2 || open_specs_.count(strip_[0]) == 0) strip_ = block_run();
    if (roll < 30) {
      c.type = pick(3) == 0 ? CommandType::withdraw : CommandType::deposit;
      c.amount = Cash{static_cast<int64_t>(pick(3'000'000)) - 1000};
    } else if (roll < 60) {
      c.type = CommandType::register_capacity;
      c.capacity = Quantity{static_cast<int64_t>(pick(60)) - 2};
      aim_at_strip(c);
    } else if (roll < 230) {
      c.type = CommandType::cancel_order;
      c.orig_client_order_id = ClientOrderId{recent_id(c.participant.value)};
    } else if (roll < 320) {
      c.type = CommandType::replace_order;
      c.orig_client_order_id = ClientOrderId{recent_id(c.participant.value)};
      c.client_order_id = ClientOrderId{fresh_id(c.participant.value)};
      c.price = Price{price_near_mid()};
      c.quantity = Quantity{static_cast<int64_t>(pick(12))};
      if (!halted_.empty() && pick(4) == 0) {
        aim_at_halted(c);
      } else if (!auction_uncross_ns_.empty() && pick(3) == 0) {
        aim_replace_at_auction(c);
      }
    } else if (roll < 330) {
      c.type = CommandType::mass_cancel;
      c.has_product = pick(2) == 0;
    } else if (roll < 345) {
      c.type = CommandType::order_status;
      c.orig_client_order_id = ClientOrderId{recent_id(c.participant.value)};
    } else if (roll < 355) {
      c.type = CommandType::tick;
    } else if (roll < 363) {
      fail_trade(c, product_count);
    } else if (roll < 368) {
      operator_control(c, product_count, now_ns);
    } else if (roll < 370) {
      participant_control(c);
    } else if (roll < 373) {
      start_auction(c, product_count, now_ns);
    } else if (roll < 376) {
      uncross_auction(c, product_count, now_ns);
    } else if (roll < 386) {
      block_order(c, product_count, now_ns);
    } else {
      new_order(c, now_ns);
    }
    return c;
  }

  // 20 ms on average: a million commands span about five and a half hours of gate closures.
  int64_t time_step_ns() { return static_cast<int64_t>(pick(40)) * ns_per_second / 1000; }

 private:
  // What fail_trade needs to know of a trade, as its fill reported it.
  struct TradeFacts {
    uint64_t trade_id = 0;
    uint32_t product = 0;
    uint32_t buyer = 0;
    uint32_t seller = 0;
    int64_t notional = 0;
    int64_t seller_fee = 0;
    int64_t lots = 0;
  };

  uint32_t pick(uint32_t bound) { return static_cast<uint32_t>(random_() % bound); }

  int64_t price_near_mid() {
    if (pick(20) == 0) mid_ += static_cast<int64_t>(pick(21)) - 10;
    mid_ = std::clamp<int64_t>(mid_, 200, 5000);
    return mid_ + static_cast<int64_t>(pick(15)) - 7;
  }

  uint64_t fresh_id(uint32_t participant) {
    if (pick(100) == 0) return recent_id(participant);  // a duplicate, on purpose
    return ++next_id_[participant];
  }

  uint64_t recent_id(uint32_t participant) {
    const uint64_t last = next_id_[participant];
    const uint64_t back = pick(40);
    return last > back ? last - back : 1;
  }

  Command listing(int64_t now_ns) {
    Command c;
    c.type = CommandType::list_product;
    c.spec = h100_spec();
    const char* gpus[] = {"H100SXM", "H20", "910B"};
    c.spec.gpu = ShortName::from(gpus[pick(3)]);
    c.spec.start_hour = now_ns / ns_per_hour + 1 + pick(6);  // some already past gate closure
    c.spec.length = pick(4) == 0 ? WindowLength::hour_4 : WindowLength::hour_1;
    c.spec.tick_size = pick(5) == 0 ? 5 : 1;
    if (pick(40) == 0) c.spec.lot_size_gpus = 0;  // invalid on purpose
    last_gate_closure_ns_ = c.spec.delivery_start().ns - gate_closure_lead_default_ns;
    last_tick_size_ = c.spec.tick_size;
    last_spec_ = c.spec;
    // One listing in four opens with a call auction that uncrosses by itself seconds later;
    // one in ten of those at a time refused on purpose (now, or the gate closure).
    if (pick(4) == 0) {
      int64_t uncross_ns = now_ns + (2 + static_cast<int64_t>(pick(12))) * ns_per_second;
      if (pick(10) == 0) uncross_ns = pick(2) == 0 ? now_ns : last_gate_closure_ns_;
      c.expire_time = Timestamp{uncross_ns};
      last_uncross_ns_ = uncross_ns;
    }
    return c;
  }

  void new_order(Command& c, int64_t now_ns) {
    c.type = CommandType::new_order;
    c.client_order_id = ClientOrderId{fresh_id(c.participant.value)};
    c.side = pick(2) == 0 ? Side::buy : Side::sell;
    c.price = Price{price_near_mid()};
    c.quantity = Quantity{static_cast<int64_t>(pick(12))};  // 0 is invalid on purpose
    const uint32_t kind = pick(100);
    if (kind < 8) c.order_type = OrderType::market;
    if (kind >= 8 && kind < 20) c.time_in_force = TimeInForce::immediate_or_cancel;
    if (kind >= 20 && kind < 27) c.time_in_force = TimeInForce::fill_or_kill;
    if (kind >= 27 && kind < 40) {
      c.time_in_force = TimeInForce::good_till_time;
      c.expire_time = Timestamp{now_ns + static_cast<int64_t>(pick(120)) * ns_per_second -
                                5 * ns_per_second};
    }
    if (pick(10) == 0) c.post_only = true;
    if (pick(8) == 0) c.min_quantity = Quantity{static_cast<int64_t>(pick(14))};
    c.self_trade = static_cast<SelfTradePrevention>(pick(3));
    if (aim_at_strip(c)) c.price = Price{resting_price(c.product.value, c.side)};
    if (!auction_uncross_ns_.empty() && pick(4) == 0) aim_order_at_auction(c, now_ns);
  }

  // Block orders, 10 in 624 order commands. Each names a run of windows whose gates are open,
  // as listings showed them: 4 in 5 the strip (where some orders rest), the rest a run from a
  // window picked afresh (mostly empty books); 2 to 4 windows (fewer when the run is shorter),
  // 1 or 2 lots on the side the levels seen let trade in every window, at a limit that trades
  // them in every window by those levels, so that many fill in full; one in five a tick or more
  // tighter (block_not_fillable), as are some that meet their own orders. Refused on purpose:
  // 1 in 12 a window past the run's last (block_window_not_trading), 1 in 10 with more lots
  // than the funds or capacity of most (half of those buys at the price limit, beyond anyone's
  // funds), 1 in 30 off the tick of some windows, 9 in 40 wrong in some other way (too few or
  // too many windows, bad quantity, price, product or participant, a window long closed).
  // Windows halted or in auction are met as they come. A quarter fill the fields a block does
  // not use: the engine must ignore them. One in a hundred moves the strip elsewhere.
  void block_order(Command& c, uint32_t product_count, int64_t now_ns) {
    c.type = CommandType::new_block_order;
    c.client_order_id = ClientOrderId{fresh_id(c.participant.value)};
    c.side = pick(2) == 0 ? Side::buy : Side::sell;
    c.self_trade = static_cast<SelfTradePrevention>(pick(3));
    const bool oversized = pick(10) == 0;
    c.quantity = Quantity{oversized ? int64_t{100} << pick(14) : 1 + static_cast<int64_t>(pick(2))};
    if (pick(100) == 0) strip_ = block_run();
    const std::vector<uint32_t> run = pick(5) == 0 ? block_run() : strip_;
    const auto run_windows = static_cast<uint32_t>(run.size());
    c.windows = static_cast<uint8_t>(2 + pick(3));
    if (!run.empty()) {
      c.product = ProductId{run[0]};
      c.windows = static_cast<uint8_t>(std::clamp(run_windows, 2u, uint32_t{c.windows}));
      if (pick(12) == 0) c.windows = static_cast<uint8_t>(run_windows + 1);
    }
    // Trade the side the levels seen let trade in every window, if only one does.
    const uint32_t windows = std::min<uint32_t>(run_windows, c.windows);
    if (!depth_in_all(run, windows, c.side, c.quantity.value) &&
        depth_in_all(run, windows, opposite(c.side), c.quantity.value)) {
      c.side = opposite(c.side);
    }
    c.price = Price{block_price(c, run)};
    if (oversized && c.side == Side::buy && pick(2) == 0) c.price = Price{price_max_};
    if (pick(30) == 0) c.price.value += 1;
    refuse_block_on_purpose(c, product_count);
    if (pick(4) == 0) {
      c.order_type = OrderType::market;
      c.time_in_force = static_cast<TimeInForce>(pick(4));
      c.post_only = true;
      c.min_quantity = Quantity{static_cast<int64_t>(pick(14))};
      c.expire_time = Timestamp{now_ns - ns_per_second};
    }
  }

  // 9 in 40 blocks, each wrong in one way.
  void refuse_block_on_purpose(Command& c, uint32_t product_count) {
    switch (pick(40)) {
      case 0:
      case 1:
        c.windows = static_cast<uint8_t>(pick(2));
        break;
      case 2:
      case 3:
        c.windows = static_cast<uint8_t>(block_windows_max_ + 1 + pick(20));
        break;
      case 4:
        c.quantity = Quantity{pick(2) == 0 ? 0 : quantity_max_lots_ + 1};
        break;
      case 5:
        c.price = Price{-static_cast<int64_t>(pick(2))};
        break;
      case 6:
        c.product = ProductId{product_count + pick(3)};
        break;
      case 7:
        c.participant = ParticipantId{unknown_participant_ + pick(3)};
        break;
      case 8:  // one of the first listed: its gate closed in the first hours, and it delivered
        c.product = ProductId{pick(std::min(product_count, 8u))};
        break;
      default:
        break;
    }
  }

  // A run of consecutive windows, as listings showed them: window 0, picked among the products
  // whose gates are open and whose next window is listed too (any open one when none is), and
  // each next window after it (the same GPU model, zone and length, starting where the one
  // before ends). Empty when no gate is open.
  std::vector<uint32_t> block_run() {
    std::vector<uint32_t> firsts;
    for (const auto& [product, spec] : open_specs_) {
      if (next_window(spec) != no_window) firsts.push_back(product);
    }
    if (firsts.empty()) {
      for (const auto& [product, spec] : open_specs_) firsts.push_back(product);
    }
    if (firsts.empty()) return {};
    std::vector<uint32_t> run{firsts[pick(static_cast<uint32_t>(firsts.size()))]};
    for (uint32_t next = next_window(open_specs_.at(run[0])); next != no_window;
         next = next_window(open_specs_.at(next))) {
      run.push_back(next);
    }
    return run;
  }

  static constexpr uint32_t no_window = UINT32_MAX;

  // The strip's first windows, those its block orders trade.
  uint32_t strip_windows() const { return std::min<uint32_t>(strip_.size(), 4); }

  // One new order or registration in eight goes to a window of the strip most block orders
  // trade, so that they find books and capacity there: the newest products, where the rest go,
  // are seldom a run of windows. True when it did.
  bool aim_at_strip(Command& c) {
    if (strip_.size() < 2 || pick(8) != 0) return false;
    c.product = ProductId{strip_[pick(strip_windows())]};
    return true;
  }

  // A few ticks off the mid on the order's own side, on the product's tick: an order that
  // rests, for block orders to trade with (one near the mid would mostly trade at once).
  int64_t resting_price(uint32_t product, Side side) {
    const int64_t tick = tick_size_.at(product);
    const int64_t offset = 1 + static_cast<int64_t>(pick(8));
    const int64_t price = side == Side::buy ? mid_ - offset : mid_ + offset;
    return std::max(tick, price / tick * tick);
  }

  // The open product whose window follows the spec's, or no_window.
  uint32_t next_window(const ProductSpec& spec) const {
    for (const auto& [product, other] : open_specs_) {
      if (other.gpu == spec.gpu && other.zone == spec.zone && other.length == spec.length &&
          other.start_hour == spec.start_hour + spec.hours()) {
        return product;
      }
    }
    return no_window;
  }

  // The least limit (a buy; a sell: the greatest) that trades the block's lots in each of its
  // windows by the levels seen, own orders aside, on every window's tick; near the mid when no
  // window has a book. One in five a tick or more tighter: mostly not fillable.
  int64_t block_price(const Command& c, const std::vector<uint32_t>& run) {
    const bool buy = c.side == Side::buy;
    int64_t price = 0;
    int64_t tick = 1;
    for (size_t k = 0; k < std::min<size_t>(run.size(), c.windows); ++k) {
      tick = std::lcm(tick, tick_size_.at(run[k]));
      const int64_t sweep = sweep_price(run[k], c.side, c.quantity.value);
      if (sweep == 0) continue;
      price = price == 0 ? sweep : buy ? std::max(price, sweep) : std::min(price, sweep);
    }
    if (price == 0) price = price_near_mid();
    if (pick(5) == 0) price += (buy ? -tick : tick) * (1 + static_cast<int64_t>(pick(3)));
    price = buy ? (price + tick - 1) / tick * tick : price / tick * tick;
    return std::max(price, tick);
  }

  // Whether the levels seen hold `lots` for a taker of `side` in each of the run's first
  // windows.
  bool depth_in_all(const std::vector<uint32_t>& run, uint32_t windows, Side side, int64_t lots) {
    for (uint32_t k = 0; k < windows; ++k) {
      int64_t depth = 0;
      const auto book = levels_.find({run[k], opposite(side)});
      if (book == levels_.end()) return false;
      for (const auto& [price, size] : book->second) depth += size;
      if (depth < lots) return false;
    }
    return true;
  }

  // The price of the level at which a taker of `side` trades `lots` in the product, by the
  // levels seen (the last level's when they hold fewer lots); 0 when the book side is empty.
  int64_t sweep_price(uint32_t product, Side side, int64_t lots) {
    const auto book = levels_.find({product, opposite(side)});
    if (book == levels_.end()) return 0;
    int64_t price = 0;
    int64_t depth = 0;
    const auto walk = [&](auto level, auto end) {
      for (; level != end && depth < lots; ++level) {
        price = level->first;
        depth += level->second;
      }
    };
    if (side == Side::buy) {
      walk(book->second.begin(), book->second.end());
    } else {
      walk(book->second.rbegin(), book->second.rend());
    }
    return price;
  }

  // Operator halts and resumes, 0.5 % of commands. Of those, 5 in 20 halt a product picked as
  // orders pick theirs (some find it halted already, or closed: refused), a third of them
  // canceling its orders; 11 in 20 resume a product seen halted, or the picked one when none
  // is (refused). A halt lasts some hundreds of commands, so that orders, replaces and
  // registrations meet it, yet about nine orders in ten find their product trading. Orders
  // pick the newest products, whose gates are hours away, so 2 in 20 halt a product whose
  // gate closes next, and resumes leave a product alone in its last minute before the gate:
  // some gates close on a halted product. Refused on purpose: 1 in 20 resumes the picked
  // product, 1 in 20 halts a halted one, and one in ten of all names an unknown product.
  void operator_control(Command& c, uint32_t product_count, int64_t now_ns) {
    c.participant = ParticipantId{};  // the operator's, not a participant's
    const uint32_t kind = pick(20);
    const bool halt = kind < 5 || kind >= 17;
    c.type = halt ? CommandType::halt_product : CommandType::resume_product;
    c.cancel_orders = halt && pick(3) == 0;
    const uint32_t picked = c.product.value;
    if (kind >= 5 && kind < 16) c.product = ProductId{halted_product(picked, true, now_ns)};
    if (kind == 17 || kind == 18) c.product = ProductId{closing_next(picked)};
    if (kind == 19) c.product = ProductId{halted_product(picked, false, now_ns)};
    // Halt an auction: canceling its book (allowed) or not (refused).
    if (kind < 5 && !auction_uncross_ns_.empty() && pick(2) == 0) {
      c.product = ProductId{auction_product(picked, false, now_ns)};
      c.cancel_orders = pick(2) == 0;
    }
    if (pick(10) == 0) c.product = ProductId{product_count + pick(3)};
  }

  // The operator's kill switch, 0.2 % of commands. Drawn evenly, a suspension would last a
  // thousand commands or more, and several participants would often be suspended at once; so
  // each command leans towards the other state. While no participant is suspended, 16 in 20
  // suspend the picked one and 4 in 20 reinstate it (refused); while some are, 16 in 20
  // reinstate one of them, 2 in 20 suspend the picked one (another, or refused) and 2 in 20
  // suspend a suspended one (refused). A suspension then lasts some 700 commands, long enough
  // for dozens of its participant's orders to be refused, and each participant is suspended
  // about 7 % of the time. One in ten of all names an unknown participant (refused). The
  // product the command carries means nothing to the engine; rejects copy it.
  void participant_control(Command& c) {
    const uint32_t kind = pick(20);
    const bool any_suspended = !suspended_.empty();
    const bool suspend = any_suspended ? kind >= 16 : kind < 16;
    c.type = suspend ? CommandType::suspend_participant : CommandType::reinstate_participant;
    if (any_suspended && (!suspend || kind >= 18)) c.participant = ParticipantId{suspended()};
    if (pick(10) == 0) c.participant = ParticipantId{unknown_participant_ + pick(3)};
  }

  // One of the participants seen suspended (there is one).
  uint32_t suspended() {
    auto it = suspended_.begin();
    std::advance(it, pick(static_cast<uint32_t>(suspended_.size())));
    return *it;
  }

  // A halted product (with spare_closing, none whose gate closes within a minute of now_ns);
  // `otherwise` when there is none.
  uint32_t halted_product(uint32_t otherwise, bool spare_closing, int64_t now_ns) {
    std::vector<uint32_t> products;
    for (const uint32_t product : halted_) {
      const auto gate = gate_closure_ns_.find(product);
      const bool closing = gate != gate_closure_ns_.end() && gate->second - now_ns < ns_per_minute;
      if (!spare_closing || !closing) products.push_back(product);
    }
    if (products.empty()) return otherwise;
    return products[pick(static_cast<uint32_t>(products.size()))];
  }

  // One of the products whose gate closes next (gates close on the half hour, several products
  // at a time); `otherwise` when no gate is still to close. Half the time the newest of them:
  // orders go to the newest products, so it is the one likeliest to have orders resting.
  uint32_t closing_next(uint32_t otherwise) {
    std::vector<uint32_t> products;
    int64_t next_gate_ns = INT64_MAX;
    for (const auto& [product, gate_ns] : gate_closure_ns_) {
      if (gate_ns < next_gate_ns) products.clear();
      if (gate_ns <= next_gate_ns) products.push_back(product);
      next_gate_ns = std::min(next_gate_ns, gate_ns);
    }
    if (products.empty()) return otherwise;
    if (pick(2) == 0) return products.back();  // ids ascend
    return products[pick(static_cast<uint32_t>(products.size()))];
  }

  // Starts an auction, 0.3 % of commands. 6 in 20 of a product picked as orders pick theirs
  // with the uncross scheduled a few hundred commands ahead, 5 in 20 with none (the operator
  // uncrosses); 2 in 20 reopen a halted product (else the picked one), half with a schedule;
  // 2 in 20 the product whose gate closes next, with none (uncrosses spare a product in its
  // last minutes, so some gates close on an auction); 1 in 20 a schedule just before the
  // gate. Refused on purpose: 1 in 20 an auction already running, 1 in 20 a bad time (now, in
  // the past, at or after the gate), 1 in 20 an unknown product, 1 in 20 the first product
  // listed (closed after the first hours); half of these three with a bad time as well.
  void start_auction(Command& c, uint32_t product_count, int64_t now_ns) {
    c.participant = ParticipantId{};  // the operator's
    c.type = CommandType::start_auction;
    const uint32_t kind = pick(20);
    const uint32_t picked = c.product.value;
    if (kind < 6) c.expire_time = Timestamp{now_ns + uncross_delay_ns()};
    if (kind == 11 || kind == 12) {
      c.product = ProductId{halted_product(picked, false, now_ns)};
      if (kind == 11) c.expire_time = Timestamp{now_ns + uncross_delay_ns()};
    }
    if (kind == 13 || kind == 14) c.product = ProductId{closing_next(picked)};
    if (kind == 15) c.product = ProductId{auction_product(picked, false, now_ns)};
    if (kind == 17) c.product = ProductId{product_count + pick(3)};
    if (kind == 18) c.product = ProductId{0};
    const auto gate = gate_closure_ns_.find(c.product.value);
    const int64_t gate_ns = gate == gate_closure_ns_.end() ? now_ns : gate->second;
    // Some refused for two reasons at once, to try the order of the checks.
    if (kind == 16 || (kind >= 15 && kind <= 18 && pick(2) == 0)) {
      const int64_t times_ns[] = {now_ns, now_ns - ns_per_second, gate_ns, gate_ns + ns_per_hour};
      c.expire_time = Timestamp{times_ns[pick(4)]};
    }
    if (kind == 19) c.expire_time = Timestamp{gate_ns - 1};
    last_uncross_ns_ = c.expire_time.ns;
  }

  // 100 to 650 commands' worth of time.
  int64_t uncross_delay_ns() { return (2 + static_cast<int64_t>(pick(12))) * ns_per_second; }

  // Uncrosses, 0.3 % of commands: 8 in 10 a product in auction (else the picked one), 1 in 10
  // the picked one (mostly refused: not in auction), 1 in 10 an unknown product.
  void uncross_auction(Command& c, uint32_t product_count, int64_t now_ns) {
    c.participant = ParticipantId{};  // the operator's
    c.type = CommandType::uncross_auction;
    const uint32_t kind = pick(10);
    if (kind < 8) c.product = ProductId{auction_product(c.product.value, true, now_ns)};
    if (kind == 9) c.product = ProductId{product_count + pick(3)};
  }

  // A product in auction (with spare_closing, none whose gate closes within five minutes of
  // now_ns); `otherwise` when there is none.
  uint32_t auction_product(uint32_t otherwise, bool spare_closing, int64_t now_ns) {
    std::vector<uint32_t> products;
    for (const auto& [product, uncross_ns] : auction_uncross_ns_) {
      const auto gate = gate_closure_ns_.find(product);
      const bool closing =
          gate != gate_closure_ns_.end() && gate->second - now_ns < 5 * ns_per_minute;
      if (!spare_closing || !closing) products.push_back(product);
    }
    if (products.empty()) return otherwise;
    return products[pick(static_cast<uint32_t>(products.size()))];
  }

  // A price that crosses an auction's book: bids above the mid, asks below, on the tick.
  int64_t crossing_price(uint32_t product, Side side) {
    const int64_t offset = static_cast<int64_t>(pick(10));
    const int64_t price = side == Side::buy ? mid_ + offset : mid_ - offset;
    const auto tick = tick_size_.find(product);
    const int64_t tick_size = tick == tick_size_.end() ? 1 : tick->second;
    return price / tick_size * tick_size;
  }

  // A quarter of new orders, while some product is in auction, go to one of them at a crossing
  // price, so that uncrosses trade (and meet self-trades of every mode). 4 in 5 become orders
  // the call phase takes; the rest keep their type (some refused: invalid_in_auction). One in
  // eight of those with a scheduled uncross expires at the uncross time (expiries come first).
  void aim_order_at_auction(Command& c, int64_t now_ns) {
    const uint32_t product = auction_product(0, false, now_ns);
    c.product = ProductId{product};
    c.price = Price{crossing_price(product, c.side)};
    if (pick(5) != 0) {
      c.order_type = OrderType::limit;
      if (c.time_in_force == TimeInForce::immediate_or_cancel ||
          c.time_in_force == TimeInForce::fill_or_kill) {
        c.time_in_force = TimeInForce::good_till_gate_closure;
      }
      c.post_only = false;
      c.min_quantity = Quantity{};
    }
    const int64_t uncross_ns = auction_uncross_ns_.at(product);
    if (uncross_ns != 0 && pick(8) == 0) {
      c.time_in_force = TimeInForce::good_till_time;
      c.expire_time = Timestamp{uncross_ns};
    }
  }

  // The replace names the participant's latest order in a product in auction (it may be done:
  // refused as unknown) and moves it to a crossing price, a post-only one too.
  void aim_replace_at_auction(Command& c) {
    const uint32_t product = auction_product(0, false, 0);
    const auto latest = latest_order_.find({c.participant.value, product});
    if (latest == latest_order_.end()) return;
    c.orig_client_order_id = ClientOrderId{latest->second.first};
    c.price = Price{crossing_price(product, latest->second.second)};
  }

  // The replace names the participant's latest order in a halted product (it may be done:
  // refused as unknown), a third of the time with a client order id in use, to try where the
  // halt stands among the replace's checks.
  void aim_at_halted(Command& c) {
    const uint32_t product = halted_product(0, false, 0);
    const auto latest = latest_order_.find({c.participant.value, product});
    if (latest == latest_order_.end()) return;
    c.orig_client_order_id = ClientOrderId{latest->second.first};
    if (pick(3) == 0) c.client_order_id = ClientOrderId{recent_id(c.participant.value)};
  }

  // Mostly the facts of a recent trade, so that most failures go through (a few meet a trade
  // that failed already or whose product was delivered); the rest are wrong on purpose.
  void fail_trade(Command& c, uint32_t product_count) {
    c.type = CommandType::fail_trade;
    TradeFacts trade;  // trade id 0 until a trade has been observed: invalid
    if (trades_seen_ > 0) {
      trade = recent_trades_[pick(
          static_cast<uint32_t>(std::min<uint64_t>(trades_seen_, recent_trades_.size())))];
    }
    const uint32_t kind = pick(20);
    if (kind == 0 && delivered_seen_ > 0) {  // a trade of a delivered product
      trade = delivered_trades_[pick(
          static_cast<uint32_t>(std::min<uint64_t>(delivered_seen_, delivered_trades_.size())))];
    }
    if (kind == 1 && last_failure_.type == CommandType::fail_trade) {
      c = last_failure_;  // the same trade failing twice
      return;
    }
    c.participant = ParticipantId{trade.seller};
    c.counterparty = ParticipantId{trade.buyer};
    c.product = ProductId{trade.product};
    c.trade_id = TradeId{trade.trade_id};
    c.amount = Cash{trade.notional};
    c.fee = Cash{trade.seller_fee};
    c.capacity = Quantity{trade.lots};
    // Half fail the whole trade, half some of its lots (so that some trades fail in steps).
    c.quantity = Quantity{pick(2) == 0 || trade.lots <= 1
                              ? trade.lots
                              : static_cast<int64_t>(pick(static_cast<uint32_t>(trade.lots))) + 1};
    wrong_on_purpose(c, kind, product_count);
    last_failure_ = c;
  }

  void wrong_on_purpose(Command& c, uint32_t kind, uint32_t product_count) {
    const uint64_t far_future_trades = 1'000'000;
    switch (kind) {
      case 2:  // another seller, maybe the buyer
        c.participant = ParticipantId{pick(participants)};
        break;
      case 3:  // more than any seller's proceeds
        c.amount.value += int64_t{1} << 40;
        break;
      case 4:  // no such trade yet
        c.trade_id = TradeId{pick(2) == 0 ? 0 : c.trade_id.value + far_future_trades};
        break;
      case 5:
        c.product = ProductId{product_count};
        break;
      case 6:  // beyond any engine's participant limit
        c.counterparty = ParticipantId{UINT32_MAX};
        break;
      case 7: {
        const uint32_t which = pick(4);
        if (which == 0) c.fee = Cash{c.amount.value + 1};
        if (which == 1) c.fee = Cash{-1};
        if (which == 2) c.amount = Cash{0};
        if (which == 3) c.fee = c.amount;  // valid: takes nothing from the proceeds
        break;
      }
      case 8: {
        const uint32_t which = pick(4);
        if (which == 0) c.quantity = Quantity{c.capacity.value + 1};
        if (which == 1) c.quantity = Quantity{0};
        if (which == 2) c.capacity = Quantity{c.capacity.value + 1};  // disagrees with the trade
        if (which == 3) c.capacity = Quantity{0};
        break;
      }
      default:  // the trade as it was
        break;
    }
  }

  std::mt19937_64 random_;
  // The first participant id the engines of the tests do not know.
  const uint32_t unknown_participant_ = EngineTest::make_config().limits.participants_max;
  const uint32_t block_windows_max_ = EngineTest::make_config().limits.block_windows_max;
  const int64_t price_max_ = EngineTest::make_config().limits.price_max;  // on every tick
  const int64_t quantity_max_lots_ = EngineTest::make_config().limits.quantity_max_lots;
  int64_t mid_ = 1000;
  uint64_t next_id_[participants] = {};

  // Trades seen through observe(): the latest ones, the last one of each product not yet
  // delivered, and some of delivered products.
  std::array<TradeFacts, 64> recent_trades_{};
  uint64_t trades_seen_ = 0;
  std::map<uint32_t, TradeFacts> last_trade_of_product_;
  std::array<TradeFacts, 16> delivered_trades_{};
  uint64_t delivered_seen_ = 0;
  Command last_failure_;

  // As events reported them (through observe()): the gate closure time and tick of each
  // product listed whose gate has not closed, the products halted, those in auction with
  // their scheduled uncross time (0 = none), and the client order id and side of each
  // participant's latest order accepted or replaced in each product; the participants suspended;
  // the spec of each product whose gate is open, and the size of each level of every book.
  int64_t last_gate_closure_ns_ = 0;  // of the last listing generated
  int64_t last_tick_size_ = 1;        // of the last listing generated
  ProductSpec last_spec_;             // of the last listing generated
  int64_t last_uncross_ns_ = 0;       // of the last start_auction generated
  std::map<uint32_t, int64_t> gate_closure_ns_;
  std::map<uint32_t, int64_t> tick_size_;
  std::set<uint32_t> halted_;
  std::map<uint32_t, int64_t> auction_uncross_ns_;
  // (participant, product) -> (client order id, side)
  std::map<std::pair<uint32_t, uint32_t>, std::pair<uint64_t, Side>> latest_order_;
  std::set<uint32_t> suspended_;
  std::map<uint32_t, ProductSpec> open_specs_;
  std::vector<uint32_t> strip_;  // a run of open windows (block_run()), renewed as gates close
  std::map<std::pair<uint32_t, Side>, std::map<int64_t, int64_t>> levels_;  // price -> lots
};

}  // namespace ghx::matching::testing
