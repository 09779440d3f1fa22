#include "tests/recovery/market_setup.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <tuple>
#include <thread>

#include "gateway/wire_requests.h"
#include "matching/product.h"

namespace ghx::recovery {
namespace {

constexpr uint32_t setup_timeout_ms = 10'000;
constexpr int64_t buyer_cash = 10'000'000'000'000;  // minor units: never the limiting factor
constexpr int64_t seller_lots = 1'000'000;          // per product
constexpr int64_t mid_price_ticks = 2'000;
// Products must stay open far longer than the test: gate closure is 30 minutes before start.
constexpr int64_t open_for_s = 3 * 3600;
constexpr int list_attempts_max = 100;  // ghxd lists its calendar just after it starts
constexpr auto list_retry = std::chrono::milliseconds(100);
constexpr int list_pages_max = 256;
constexpr int logon_attempts_max = 100;

struct Listed {
  std::string symbol;
  int64_t start_hour = 0;
  int64_t tick = 1;
};

// One ListProducts request; every open hourly product, sorted by start.
std::vector<Listed> list_open_products(gateway::Client& client, uint64_t request_id,
                                       std::string& error) {
  std::vector<Listed> open;
  if (client.send(gateway::make_list_products(request_id, "", "")) != gateway::ClientStatus::ok) {
    error = "ListProducts: " + client.last_error();
    return open;
  }
  const int64_t now_s = static_cast<int64_t>(std::time(nullptr));
  for (int page = 0; page < list_pages_max; ++page) {
    const gateway::Received reply = client.receive_until(wire::Body::ProductList);
    if (reply.status != gateway::ClientStatus::ok) {
      error = "ListProducts: no answer";
      return {};
    }
    const wire::ProductList* list = reply.message().body_as_ProductList();
    if (list->request_id() != request_id) continue;
    if (list->products()) {
      for (const wire::ProductInfo* info : *list->products()) {
        const bool open_long = info->start_hour() * 3600 - now_s >= open_for_s;
        if (info->length() != wire::WindowLength::Hour1 || !open_long ||
            info->state() != wire::ProductState::Trading || !info->symbol()) {
          continue;
        }
        open.push_back({info->symbol()->str(), info->start_hour(),
                        std::max<int64_t>(1, info->tick_size())});
      }
    }
    if (!list->more()) break;
  }
  std::sort(open.begin(), open.end(), [](const Listed& a, const Listed& b) {
    return std::tie(a.start_hour, a.symbol) < std::tie(b.start_hour, b.symbol);
  });
  return open;
}

// Is `symbol` the window after `first`'s, of the same GPU model and zone?
bool is_next_window(const Listed& first, const std::string& symbol) {
  const matching::SymbolParse a = matching::parse_symbol(first.symbol);
  const matching::SymbolParse b = matching::parse_symbol(symbol);
  return a.ok && b.ok && a.spec.gpu == b.spec.gpu && a.spec.zone == b.spec.zone &&
         b.spec.start_hour == a.spec.start_hour + a.spec.hours();
}

// The first `count` of `listed` (sorted by start), except that the window after the first
// product's comes second when it is listed.
std::vector<Listed> choose(const std::vector<Listed>& listed, size_t count) {
  std::vector<Listed> chosen(listed.begin(), listed.begin() + std::min(count, listed.size()));
  if (count < 2) return chosen;
  for (const Listed& candidate : listed) {
    if (!is_next_window(listed[0], candidate.symbol)) continue;
    chosen.erase(chosen.begin() + 1, chosen.end());
    chosen.push_back(candidate);
    for (size_t i = 1; i < listed.size() && chosen.size() < count; ++i) {
      if (listed[i].symbol != candidate.symbol) chosen.push_back(listed[i]);
    }
    break;
  }
  return chosen;
}

bool await_operator_ack(gateway::Client& client, uint64_t request_id, std::string& error) {
  for (int frames = 0; frames < 1000; ++frames) {  // each wait is bounded by the timeout
    const gateway::Received reply = client.receive_until(wire::Body::OperatorAck);
    if (reply.status != gateway::ClientStatus::ok) {
      error = "no OperatorAck for request " + std::to_string(request_id);
      return false;
    }
    const wire::OperatorAck* ack = reply.message().body_as_OperatorAck();
    if (ack->request_id() != request_id) continue;
    if (!ack->ok()) error = "operator request " + std::to_string(request_id) + " refused";
    return ack->ok();
  }
  error = "too many frames before OperatorAck";
  return false;
}

bool operator_request(gateway::Client& client, gateway::Frame frame, uint64_t request_id,
                      std::string& error) {
  if (client.send(std::move(frame)) != gateway::ClientStatus::ok) {
    error = "operator send: " + client.last_error();
    return false;
  }
  return await_operator_ack(client, request_id, error);
}

}  // namespace

std::unique_ptr<gateway::Client> connect_as(std::string_view name, uint16_t port,
                                            const std::string& data_dir, uint32_t timeout_ms,
                                            std::string& error,
                                            std::optional<uint64_t> last_report_sequence) {
  const std::string certs = data_dir + "/certs/";
  gateway::ClientConfig config;
  config.port = port;
  config.timeout_ms = timeout_ms;
  config.tls = {.ca_file = certs + "ca.pem",
                .cert_file = certs + std::string(name) + ".pem",
                .key_file = certs + std::string(name) + ".key"};
  auto client = std::make_unique<gateway::Client>(config);
  if (client->connect() != gateway::ClientStatus::ok) {
    error = std::string(name) + ": connect: " + client->last_error();
    return nullptr;
  }
  const gateway::LogonResult logon =
      client->logon({.participant = name,
                     .cancel_on_disconnect = false,
                     .last_report_sequence = last_report_sequence});
  if (logon.status != gateway::ClientStatus::ok) {
    error = std::string(name) + ": logon: " + std::string(gateway::to_string(logon.status));
    return nullptr;
  }
  return client;
}

std::vector<MarketProduct> set_up_market(uint16_t port, const std::string& data_dir,
                                         size_t count, std::string& error) {
  // ghxd says "listening" before its default participants are committed on a fresh data
  // directory: a logon refused then is retried.
  std::unique_ptr<gateway::Client> ops;
  for (int attempt = 0; attempt < logon_attempts_max && !ops; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(list_retry);
    ops = connect_as(operator_name, port, data_dir, setup_timeout_ms, error);
  }
  if (!ops) return {};
  // Request ids are the operator's idempotency keys, which the exchange keeps across restarts:
  // each set-up starts from the clock (microseconds), past every id an earlier one used.
  uint64_t request_id =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  std::vector<Listed> listed;
  for (int attempt = 0; attempt < list_attempts_max && listed.size() < count; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(list_retry);
    listed = list_open_products(*ops, request_id++, error);
  }
  if (listed.size() < count) {
    error = "fewer than " + std::to_string(count) + " open hourly products listed";
    return {};
  }
  std::vector<MarketProduct> products;
  for (const Listed& chosen : choose(listed, count)) {
    products.push_back({chosen.symbol, chosen.tick, mid_price_ticks * chosen.tick});
  }
  if (count >= 2 && is_next_window(listed[0], products[1].symbol)) products[0].next_window = 1;
  for (std::string_view buyer : buyer_names) {
    const uint64_t id = request_id++;
    if (!operator_request(*ops, gateway::make_deposit(id, buyer, buyer_cash), id, error)) return {};
  }
  for (std::string_view seller : seller_names) {
    for (const MarketProduct& product : products) {
      const uint64_t id = request_id++;
      const auto frame = gateway::make_register_capacity(id, seller, product.symbol, seller_lots);
      if (!operator_request(*ops, frame, id, error)) return {};
    }
  }
  ops->close();
  return products;
}

}  // namespace ghx::recovery
