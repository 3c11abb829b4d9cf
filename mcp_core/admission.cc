// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/admission.h"

#include <algorithm>
#include <string_view>

#include "absl/hash/hash.h"
#include "mptcp_opts/mp_convert_ie.h"

namespace mcp_core {
namespace {

namespace mo = mptcp_opts;

bool AnyContains(const std::vector<IpPrefix>& prefixes, const mo::IpAddress& a) {
  for (const auto& p : prefixes) if (p.Contains(a)) return true;
  return false;
}

// D13: the ranges a concentrator never connects to when
// refuse_special_destinations is on. The codec already refuses loopback,
// multicast, unspecified and broadcast IE addresses (D7, kBadAddressClass);
// they are repeated here so that the policy holds whatever the source of the
// destination. IPv4-mapped IPv6 is judged as the IPv4 address it carries.
std::optional<DestinationRefusal> SpecialRange(const mo::IpAddress& a) {
  const uint8_t* b = a.bytes().data();
  auto v4 = [](const uint8_t* x) -> std::optional<DestinationRefusal> {
    if (x[0] == 0) return DestinationRefusal::kUnspecified;  // 0/8 "this network"
    if (x[0] == 127) return DestinationRefusal::kLoopback;
    if (x[0] == 169 && x[1] == 254) return DestinationRefusal::kLinkLocal;  // cloud metadata
    if ((x[0] & 0xf0) == 0xe0) return DestinationRefusal::kMulticast;
    if (x[0] == 255 && x[1] == 255 && x[2] == 255 && x[3] == 255) return DestinationRefusal::kUnspecified;
    return std::nullopt;
  };
  if (a.is_v4()) return v4(b);
  if (b[0] == 0xff) return DestinationRefusal::kMulticast;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return DestinationRefusal::kLinkLocal;  // fe80::/10
  bool zero10 = true;
  for (int i = 0; i < 10; ++i) zero10 &= b[i] == 0;
  if (zero10 && b[10] == 0xff && b[11] == 0xff) return v4(b + 12);  // ::ffff:0:0/96
  bool zero15 = zero10 && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0;
  if (zero15 && b[15] == 0) return DestinationRefusal::kUnspecified;
  if (zero15 && b[15] == 1) return DestinationRefusal::kLoopback;
  return std::nullopt;
}

}  // namespace

mo::IpAddress UnspecifiedAddress(mo::IpAddress::Family family) {
  static constexpr uint8_t kZeros[16] = {};
  return family == mo::IpAddress::Family::kIpv4 ? mo::IpAddress::V4(0, 0, 0, 0)
                                                : mo::IpAddress::FromV6Bytes(kZeros);
}

Admission::SourceKey Admission::Key(const mo::IpAddress& a) {
  SourceKey k{};  // zero-padded: an IPv4 address is its family and 4 bytes
  k[0] = uint8_t(a.family());
  const auto b = a.bytes();
  std::copy(b.begin(), b.end(), k.begin() + 1);
  return k;
}

std::optional<Refusal> Admission::CheckSource(Interface iface, const mo::IpAddress& source) const {
  if (iface != Interface::kCustomerFacing) return Refusal{EventKind::kRefusedInternetFacing};
  if (!config_.acl_source_prefixes.empty() && !AnyContains(config_.acl_source_prefixes, source)) {
    return Refusal{EventKind::kRefusedAcl};
  }
  return std::nullopt;
}

std::optional<Refusal> Admission::CheckEligible(const mo::IpAddress& dst, uint16_t dst_port) const {
  auto no = [](NotEligibleReason r) { return Refusal{EventKind::kNotEligible, uint8_t(r)}; };
  const auto& protocols = config_.supported_transport_protocols;
  if (std::find(protocols.begin(), protocols.end(), uint8_t{6}) == protocols.end()) {
    return no(NotEligibleReason::kTransportProtocol);  // the core relays TCP only
  }
  const auto& ports = config_.eligible_ports;
  if (dst_port == 0 || (!ports.empty() && std::find(ports.begin(), ports.end(), dst_port) == ports.end())) {
    return no(NotEligibleReason::kDestinationPort);
  }
  if (!config_.eligible_prefixes.empty() && !AnyContains(config_.eligible_prefixes, dst)) {
    return no(NotEligibleReason::kDestinationPrefix);
  }
  if (AnyContains(config_.excluded_prefixes, dst)) return no(NotEligibleReason::kExcludedPrefix);
  return std::nullopt;
}

std::optional<Refusal> Admission::CheckDestination(const mo::IpAddress& dst) const {
  auto refuse = [](DestinationRefusal r) { return Refusal{EventKind::kRefusedDestination, uint8_t(r)}; };
  // Itself, by any of its addresses: a hairpin would loop a SYN's IEs back
  // into the MCP, one pair per round.
  for (const auto* own : {&config_.mcp_addresses, &config_.source_pool}) {
    if (std::find(own->begin(), own->end(), dst) != own->end()) return refuse(DestinationRefusal::kOwnAddress);
  }
  if (config_.refuse_special_destinations) {
    if (auto r = SpecialRange(dst)) return refuse(*r);
  }
  if (AnyContains(config_.refused_destination_prefixes, dst)) return refuse(DestinationRefusal::kInternalPrefix);
  return std::nullopt;
}

std::optional<mo::IpAddress> Admission::PoolAddress(mo::IpAddress::Family family,
                                                    const mo::IpAddress& client) const {
  size_t n = 0;
  for (const auto& a : config_.source_pool) n += a.family() == family;
  if (n == 0) return std::nullopt;
  const auto b = client.bytes();
  size_t pick = absl::HashOf(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())) % n;
  for (const auto& a : config_.source_pool) {
    if (a.family() != family) continue;
    if (pick-- == 0) return a;
  }
  return std::nullopt;
}

std::variant<ExplicitRequest, Refusal> Admission::ReadExplicitRequest(const FourTuple& syn,
                                                                      std::span<const uint8_t> payload) const {
  mo::MpConvertIeList ies;
  const mo::IeParseResult parsed = mo::ParseMpConvertIes(payload, ies);
  if (parsed.status == mo::IeStatus::kNoIe) return Refusal{EventKind::kMissingDestination};
  if (parsed.status != mo::IeStatus::kOk) {
    return Refusal{EventKind::kMalformedIe, uint8_t(parsed.status)};  // D7: silent teardown
  }
  const mo::MpConvertIe* dst = ies.destination();
  if (!dst) return Refusal{EventKind::kMissingDestination};
  ExplicitRequest r;
  r.skipped_unknown_types = ies.skipped_unknown_type;
  r.ies_length = parsed.consumed;
  // Destination port from the IE, else the SYN's (draft -10 §5.2).
  r.down.dst = dst->address;
  r.down.dst_port = dst->port.value_or(syn.dst_port);
  // Port 0 is reserved: nothing to connect to (found by converter_fuzzer).
  if (r.down.dst_port == 0) return Refusal{EventKind::kBadDestinationPort};
  if (auto no = CheckEligible(r.down.dst, r.down.dst_port)) return *no;
  if (auto no = CheckDestination(r.down.dst)) return *no;

  const auto family = r.down.dst.family();
  const Refusal no_source{EventKind::kRefusedNoSourceAddress, uint8_t(family)};
  const mo::MpConvertIe* src = ies.source();
  if (config_.source_pool_mode) {
    auto pooled = PoolAddress(family, syn.src);
    if (!pooled) return no_source;
    r.down.src = *pooled;
  } else if (src && src->address.family() == family) {
    r.down.src = src->address;  // the LAN host's address (seed 002 Figure 12)
    r.down.src_port = src->port.value_or(0);
  } else if (!src && syn.src.family() == family) {
    r.down.src = syn.src;
  } else if (config_.cross_family_source == Config::CrossFamilySource::kSourcePool) {
    // Seed 002 §5.5: the client's address is of the other family.
    auto pooled = PoolAddress(family, syn.src);
    if (!pooled) return no_source;
    r.down.src = *pooled;
  } else {
    r.down.src = UnspecifiedAddress(family);  // the stack's own address
  }
  // D3: echo the Type-0 IEs byte-identical; D6: unknown types are not echoed.
  if (ies.skipped_unknown_type == 0) {
    r.echo.assign(payload.begin(), payload.begin() + parsed.consumed);
  } else {
    uint8_t buf[64];
    size_t n = 0;
    if (mo::BuildMpConvertIes(ies.view(), buf, n) == mo::EncodeStatus::kOk) r.echo.assign(buf, buf + n);
  }
  return r;
}

std::optional<EventKind> Admission::SetupLimitHit(const mo::IpAddress& source, uint32_t pairs,
                                                  uint32_t max_pairs) const {
  if (pairs >= max_pairs) return EventKind::kRefusedFlowTableFull;
  if (half_open_ >= config_.max_half_open_total) return EventKind::kRefusedHalfOpenTotal;
  if (auto it = half_open_by_source_.find(Key(source));
      it != half_open_by_source_.end() && it->second >= config_.max_half_open_per_source) {
    return EventKind::kRefusedHalfOpenPerSource;
  }
  return std::nullopt;
}

void Admission::HoldHalfOpen(const mo::IpAddress& source) {
  ++half_open_by_source_[Key(source)];
  ++half_open_;
}

void Admission::ReleaseHalfOpen(const mo::IpAddress& source) {
  --half_open_;
  auto it = half_open_by_source_.find(Key(source));
  if (it != half_open_by_source_.end() && --it->second == 0) half_open_by_source_.erase(it);
}

}  // namespace mcp_core
