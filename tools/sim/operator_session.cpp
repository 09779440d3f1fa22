#include "tools/sim/operator_session.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <set>

#include "gateway/option_numbers.h"
#include "gateway/wire_requests.h"
#include "tools/sim/participants.h"

namespace ghx::sim {
namespace {

// The ghxd default: gate closure 30 minutes before delivery start.
constexpr int64_t gate_closure_lead_s = 30 * 60;
constexpr int64_t s_per_hour = 3600;
// A product list page holds a few hundred products; ghxd lists a few thousand at most.
constexpr int product_list_frames_max = 256;

ProductRow to_row(const wire::ProductInfo& info) {
  ProductRow row;
  row.product_id = info.product_id();
  row.symbol = info.symbol() ? info.symbol()->str() : "";
  row.gpu = info.gpu() ? info.gpu()->str() : "";
  row.zone = info.zone() ? info.zone()->str() : "";
  row.start_hour = info.start_hour();
  row.length = info.length();
  row.lot_size_gpus = info.lot_size_gpus();
  row.tick_size = std::max<int64_t>(1, info.tick_size());
  row.state = info.state();
  return row;
}

}  // namespace

bool parse_endpoint_option(const std::string& name, const std::string& value, Endpoint& endpoint) {
  if (name == "--host") {
    endpoint.host = value;
  } else if (name == "--port") {
    endpoint.port = static_cast<uint16_t>(gateway::parse_whole_option(value, name, 1, UINT16_MAX));
  } else if (name == "--data") {
    endpoint.data_dir = value;
  } else {
    return false;
  }
  return true;
}

bool asks_for_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return true;
  }
  return false;
}

std::unique_ptr<gateway::Client> connect_participant(const Endpoint& endpoint,
                                                     std::string_view name, std::string& error,
                                                     bool cancel_on_disconnect) {
  gateway::ClientConfig config;
  config.host = endpoint.host;
  config.port = endpoint.port;
  config.tls = participant_tls(endpoint.data_dir, name);
  auto client = std::make_unique<gateway::Client>(config);
  if (client->connect() != gateway::ClientStatus::ok) {
    error = std::string(name) + ": " + client->last_error();
    return nullptr;
  }
  const gateway::LogonResult logon =
      client->logon({.participant = name, .cancel_on_disconnect = cancel_on_disconnect});
  if (logon.status != gateway::ClientStatus::ok) {
    error = std::string(name) + ": logon " + std::string(gateway::to_string(logon.status)) +
            (logon.text.empty() ? "" : ": " + logon.text);
    return nullptr;
  }
  return client;
}

bool OperatorSession::open(std::string& error) {
  client_ = connect_participant(endpoint_, operator_name, error);
  return client_ != nullptr;
}

void OperatorSession::close() {
  if (client_) client_->close();
  client_.reset();
}

std::optional<std::vector<ProductRow>> OperatorSession::list_products(std::string& error) {
  const uint64_t request_id = next_request_id_++;
  if (client_->send(gateway::make_list_products(request_id, "", "")) != gateway::ClientStatus::ok) {
    error = "ListProducts: " + client_->last_error();
    return std::nullopt;
  }
  std::vector<ProductRow> rows;
  // A long list arrives in pages; each receive_until waits at most the client's timeout.
  for (int frames = 0; frames < product_list_frames_max; ++frames) {
    gateway::Received reply = client_->receive_until(wire::Body::ProductList);
    if (reply.status != gateway::ClientStatus::ok) {
      error = "ListProducts: no ProductList (" + std::string(gateway::to_string(reply.status)) +
              ")";
      return std::nullopt;
    }
    const wire::ProductList* list = reply.message().body_as_ProductList();
    if (list->request_id() != request_id) continue;
    if (list->products()) {
      for (const wire::ProductInfo* info : *list->products()) rows.push_back(to_row(*info));
    }
    if (!list->more()) return rows;
  }
  error = "ListProducts: more than " + std::to_string(product_list_frames_max) + " pages";
  return std::nullopt;
}

bool OperatorSession::await_ack(uint64_t request_id, std::string& error) {
  for (;;) {  // bounded: each receive_until waits at most the client's timeout
    gateway::Received reply = client_->receive_until(wire::Body::OperatorAck);
    if (reply.status != gateway::ClientStatus::ok) {
      error = "no OperatorAck (" + std::string(gateway::to_string(reply.status)) + ")";
      return false;
    }
    const wire::OperatorAck* ack = reply.message().body_as_OperatorAck();
    if (ack->request_id() != request_id) continue;
    if (ack->ok()) return true;
    error = std::string(wire::EnumNameOrderRejectReason(ack->reject_reason())) +
            (ack->text() ? ": " + ack->text()->str() : "");
    return false;
  }
}

bool OperatorSession::request(const gateway::Frame& frame, uint64_t request_id,
                              std::string_view what, std::string& error) {
  if (client_->send(frame) != gateway::ClientStatus::ok) {
    error = std::string(what) + ": " + client_->last_error();
    return false;
  }
  return await_ack(request_id, error);
}

bool OperatorSession::deposit(std::string_view participant, int64_t amount, std::string& error) {
  const uint64_t request_id = next_request_id_++;
  return request(gateway::make_deposit(request_id, participant, amount), request_id, "Deposit",
                 error);
}

bool OperatorSession::register_capacity(std::string_view participant, std::string_view symbol,
                                        int64_t quantity_lots, std::string& error) {
  const uint64_t request_id = next_request_id_++;
  return request(gateway::make_register_capacity(request_id, participant, symbol, quantity_lots),
                 request_id, "RegisterCapacity", error);
}

bool OperatorSession::start_auction(std::string_view symbol, int64_t uncross_time_ns,
                                    std::string& error) {
  const uint64_t request_id = next_request_id_++;
  return request(
      gateway::make_auction(request_id, symbol, wire::AuctionAction::Start, uncross_time_ns),
      request_id, "Auction", error);
}

bool OperatorSession::subscribe_trades(const std::vector<std::string>& symbols,
                                       std::string& error) {
  const gateway::Frame frame = gateway::make_subscribe(symbols, /*book=*/false, /*trades=*/true);
  if (client_->send(frame) != gateway::ClientStatus::ok) {
    error = "Subscribe: " + client_->last_error();
    return false;
  }
  return true;
}

gateway::Received OperatorSession::receive(uint32_t timeout_ms) {
  gateway::Received received = client_->receive(timeout_ms);
  if (received.status != gateway::ClientStatus::ok &&
      received.status != gateway::ClientStatus::timeout) {
    return received;
  }
  // A session that only listens still has to show the server it is alive.
  if (client_->heartbeat_if_due() != gateway::ClientStatus::ok) return {};  // status failed
  return received;
}

const std::string& OperatorSession::last_error() const {
  static const std::string not_open = "not connected";
  return client_ ? client_->last_error() : not_open;
}

std::vector<ProductRow> choose_products(const std::vector<ProductRow>& listed,
                                        const std::vector<std::string>& models,
                                        size_t windows_per_model, size_t count_max,
                                        int64_t open_for_s) {
  const int64_t now_s = static_cast<int64_t>(std::time(nullptr));
  std::vector<std::string> zones;
  for (const ProductRow& row : listed) {
    if (std::find(zones.begin(), zones.end(), row.zone) == zones.end()) zones.push_back(row.zone);
  }
  std::sort(zones.begin(), zones.end());
  std::vector<ProductRow> chosen;
  size_t model_index = 0;
  for (const std::string& model : models) {
    std::vector<ProductRow> candidates;
    for (const ProductRow& row : listed) {
      const bool open = row.start_hour * s_per_hour - gate_closure_lead_s - now_s >= open_for_s;
      if (row.gpu == model && row.length == wire::WindowLength::Hour1 &&
          row.state == wire::ProductState::Trading && open) {
        candidates.push_back(row);
      }
    }
    if (candidates.empty()) continue;
    // Prefer this model's zone in turn, so that both zones appear in the market.
    const std::string& zone = zones[model_index++ % zones.size()];
    std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
      return std::pair(a.zone != zone, a.start_hour) < std::pair(b.zone != zone, b.start_hour);
    });
    for (size_t i = 0; i < candidates.size() && i < windows_per_model; ++i) {
      if (chosen.size() < count_max) chosen.push_back(candidates[i]);
    }
  }
  return chosen;
}

}  // namespace ghx::sim
