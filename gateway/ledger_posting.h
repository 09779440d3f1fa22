#pragma once
// What the engine's events mean for the ledger: holds taken and released, fills settled,
// deposits, capacity registrations, listings and deliveries, as operations of a ledger batch.
// The engine's events carry every amount needed, so the ledger keeps no copy of engine state.

#include <span>

#include "gateway/exchange_command.h"
#include "ledger/batch.h"
#include "matching/engine.h"
#include "matching/event.h"

namespace ghx::gateway {

// Adds the ledger operations of one sequenced command (and the events it caused) to `batch`.
// Returns ok, or the batch's error.
// Reads product specs from `engine`: call it on the engine thread.
ledger::Result post_to_ledger(const ExchangeCommand& command,
                              std::span<const matching::Event> events,
                              const matching::Engine& engine, ledger::Batch& batch);

}  // namespace ghx::gateway
