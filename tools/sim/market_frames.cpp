#include "tools/sim/market_frames.h"

namespace ghx::sim {
namespace {

constexpr size_t builder_initial_bytes = 256;

flatbuffers::Offset<flatbuffers::String> optional_string(flatbuffers::FlatBufferBuilder& builder,
                                                         std::string_view text) {
  if (text.empty()) return 0;
  return builder.CreateString(text.data(), text.size());
}

}  // namespace

gateway::TlsFiles participant_tls(const std::string& data_dir, std::string_view name) {
  const std::string certs = data_dir + "/certs/";
  return {.ca_file = certs + "ca.pem",
          .cert_file = certs + std::string(name) + ".pem",
          .key_file = certs + std::string(name) + ".key"};
}

gateway::Frame make_deposit(uint64_t request_id, std::string_view participant, int64_t amount) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const auto who = optional_string(builder, participant);
  const auto body = wire::CreateDeposit(builder, request_id, who, amount);
  return gateway::finish_frame(builder, wire::Body::Deposit, body.Union());
}

gateway::Frame make_register_capacity(uint64_t request_id, std::string_view participant,
                                      std::string_view symbol, int64_t quantity_lots) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const auto who = optional_string(builder, participant);
  const auto product = optional_string(builder, symbol);
  wire::RegisterCapacityBuilder body(builder);
  body.add_request_id(request_id);
  body.add_participant(who);
  body.add_symbol(product);
  body.add_quantity(quantity_lots);
  return gateway::finish_frame(builder, wire::Body::RegisterCapacity, body.Finish().Union());
}

gateway::Frame make_list_products(uint64_t request_id) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const auto body = wire::CreateListProducts(builder, request_id);
  return gateway::finish_frame(builder, wire::Body::ListProducts, body.Union());
}

gateway::Frame make_mass_cancel(std::string_view symbol) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const auto product = optional_string(builder, symbol);
  wire::MassCancelBuilder body(builder);
  body.add_symbol(product);
  return gateway::finish_frame(builder, wire::Body::MassCancel, body.Finish().Union());
}

}  // namespace ghx::sim
