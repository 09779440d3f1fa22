#pragma once
// Builders for the client requests beyond wire_build.h (replace, mass
// cancel, status, subscribe, list products, operator commands). They follow wire_build's
// conventions (finished frames, sequence stamped by the sender) and belong in gateway/ when
// its owner takes them over.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/framing.h"

namespace ghx::gateway {

struct ReplaceFields {
  uint64_t orig_client_order_id = 0;
  uint64_t client_order_id = 0;
  std::string_view symbol;  // optional
  int64_t price = 0;
  int64_t quantity = 0;
};

struct DeliveryFields {
  uint64_t request_id = 0;
  uint64_t trade_id = 0;
  std::string_view symbol;  // optional
  int64_t delivered_quantity = 0;
  int64_t failed_quantity = 0;
  std::string_view text;
};

Frame make_replace_order(const ReplaceFields& fields);
Frame make_mass_cancel(std::string_view symbol);  // empty: every live order
Frame make_order_status_request(uint64_t orig_client_order_id);
Frame make_subscribe(std::span<const std::string> symbols, bool book, bool trades,
                     bool bars = false);
Frame make_unsubscribe(std::span<const std::string> symbols);
Frame make_list_products(uint64_t request_id, std::string_view gpu,
                                  std::string_view zone);
Frame make_deposit(uint64_t request_id, std::string_view participant, int64_t amount);
Frame make_withdraw(uint64_t request_id, std::string_view participant, int64_t amount);
Frame make_register_capacity(uint64_t request_id, std::string_view participant,
                                      std::string_view symbol, int64_t lots);
Frame make_delivery_outcome(const DeliveryFields& fields);
// Halts trading in `symbol` (canceling its resting orders too when `cancel_orders`), or with
// `halt` false resumes it.
Frame make_trading_halt(uint64_t request_id, std::string_view symbol, bool halt,
                        bool cancel_orders = false);
// Starts a call auction of `symbol` (uncrossed by the exchange at `uncross_time_ns`, or by the
// operator when it is 0), or with AuctionAction::Uncross uncrosses it now.
Frame make_auction(uint64_t request_id, std::string_view symbol, wire::AuctionAction action,
                   int64_t uncross_time_ns = 0);
// Suspends `participant` (its live orders canceled, new ones refused), or with `suspend` false
// reinstates it.
Frame make_suspension(uint64_t request_id, std::string_view participant, bool suspend);
// Registers `participant` with the roles given (at least one).
Frame make_add_participant(uint64_t request_id, std::string_view participant, bool buyer,
                           bool seller, bool operator_role);
// `participant` empty: the sender's own account (only an operator may name another).
Frame make_account_request(uint64_t request_id, std::string_view participant);
// The newest `count` bars of `symbol`, or those that started before `before_time_ns`.
Frame make_bars_request(uint64_t request_id, std::string_view symbol, uint32_t count,
                        std::optional<int64_t> before_time_ns = std::nullopt);

}  // namespace ghx::gateway
