// SPDX-License-Identifier: Apache-2.0
// Packet dissector for captured frames; see packet_dissector.h.
//
// Every read goes through a span whose size was checked first. Two lengths
// are tracked per layer:
//  * the captured bytes (`data.size()`): running past them means kTruncated;
//  * the declared bytes (from the IP length fields, bounded by the frame's
//    original length): running past them means the packet is malformed.
// The declared bound is checked first, so a header that overruns its own
// datagram is kMalformed* even when the capture is also short.
#include "mptcp_opts/capture/packet_dissector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "mptcp_opts/ip_address.h"

namespace mptcp_opts::capture {
namespace {

using Bytes = std::span<const uint8_t>;

// EtherTypes (IEEE 802.3 / IANA ieee-802-numbers).
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr uint16_t kEtherTypeVlan = 0x8100;     // IEEE 802.1Q C-tag
constexpr uint16_t kEtherTypeQinQ = 0x88A8;     // IEEE 802.1ad S-tag
constexpr uint16_t kEtherTypeQinQOld = 0x9100;  // pre-802.1ad S-tag

constexpr size_t kEthernetHeaderSize = 14;  // dst(6) src(6) type(2)
constexpr size_t kVlanTagSize = 4;          // TCI(2) inner type(2)
// Linux cooked capture v1: pkttype(2) hatype(2) halen(2) addr(8) proto(2).
constexpr size_t kSllHeaderSize = 16;
constexpr size_t kSllProtocolOffset = 14;
// Linux cooked capture v2: proto(2) reserved(2) ifindex(4) hatype(2)
// pkttype(1) halen(1) addr(8).
constexpr size_t kSll2HeaderSize = 20;
constexpr size_t kSll2ProtocolOffset = 0;

constexpr size_t kIpv4MinHeaderSize = 20;  // RFC 791 §3.1
constexpr size_t kIpv6HeaderSize = 40;     // RFC 8200 §3
constexpr size_t kTcpMinHeaderSize = 20;   // RFC 9293 §3.1

// IP protocol / IPv6 Next Header values (IANA protocol-numbers).
constexpr uint8_t kProtoHopByHop = 0;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoRouting = 43;
constexpr uint8_t kProtoFragment = 44;
constexpr uint8_t kProtoAh = 51;
constexpr uint8_t kProtoDestinationOptions = 60;
constexpr uint8_t kProtoMobility = 135;  // RFC 6275 §6.1.1
constexpr uint8_t kProtoHip = 139;       // RFC 7401 §5.1
constexpr uint8_t kProtoShim6 = 140;     // RFC 5533 §5.1

// Callers check bounds before these unchecked big-endian loads.
uint16_t Load16(Bytes b, size_t offset) {
  return static_cast<uint16_t>((b[offset] << 8) | b[offset + 1]);
}
uint32_t Load32(Bytes b, size_t offset) {
  return (uint32_t{b[offset]} << 24) | (uint32_t{b[offset + 1]} << 16) |
         (uint32_t{b[offset + 2]} << 8) | uint32_t{b[offset + 3]};
}

// What the link layer hands to the network layer.
struct NetworkLayer {
  Bytes data;            // captured bytes from the IP header on
  size_t wire_size = 0;  // bytes from the IP header on in the original frame
  // 4 or 6 when the link layer names the IP version, 0 when the version
  // nibble alone decides (raw captures).
  uint8_t expected_version = 0;
};

// What the network layer hands to TCP.
struct TransportLayer {
  Bytes data;                // captured bytes, bounded by the declared length
  size_t declared_size = 0;  // TCP header + payload length from IP
};

// Follows an EtherType through up to kMaxVlanTags IEEE 802.1Q / 802.1ad
// tags, starting with the type field that ends at `offset`, and selects the
// IP version. Used after Ethernet II and Linux cooked headers alike.
DissectStatus SelectByEtherType(Bytes frame, size_t offset, uint16_t ether_type,
                                size_t wire_size, NetworkLayer& net) {
  for (int tags = 0;
       ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ ||
       ether_type == kEtherTypeQinQOld;
       ++tags) {
    if (tags == kMaxVlanTags) return DissectStatus::kNotIp;
    // IEEE 802.1Q §9.3: a tag is TPID(2, already read) TCI(2); the
    // encapsulated EtherType follows.
    if (frame.size() - offset < kVlanTagSize) return DissectStatus::kTruncated;
    ether_type = Load16(frame, offset + 2);
    offset += kVlanTagSize;
  }
  switch (ether_type) {
    case kEtherTypeIpv4:
      net.expected_version = 4;
      break;
    case kEtherTypeIpv6:
      net.expected_version = 6;
      break;
    default:
      // Includes IEEE 802.3 length fields (< 0x0600, LLC/SNAP), ARP, MPLS.
      return DissectStatus::kNotIp;
  }
  net.data = frame.subspan(offset);
  net.wire_size = wire_size - offset;
  return DissectStatus::kOk;
}

DissectStatus DissectLinkLayer(LinkType link, Bytes frame, size_t wire_size,
                               NetworkLayer& net) {
  switch (static_cast<uint16_t>(link)) {
    case static_cast<uint16_t>(LinkType::kEthernet):
      if (frame.size() < kEthernetHeaderSize) return DissectStatus::kTruncated;
      return SelectByEtherType(frame, kEthernetHeaderSize, Load16(frame, 12),
                               wire_size, net);
    case static_cast<uint16_t>(LinkType::kLinuxSll):
      if (frame.size() < kSllHeaderSize) return DissectStatus::kTruncated;
      // libpcap re-inserts VLAN tags after the cooked header, so tags are
      // followed here as well.
      return SelectByEtherType(frame, kSllHeaderSize,
                               Load16(frame, kSllProtocolOffset), wire_size,
                               net);
    case static_cast<uint16_t>(LinkType::kLinuxSll2):
      if (frame.size() < kSll2HeaderSize) return DissectStatus::kTruncated;
      return SelectByEtherType(frame, kSll2HeaderSize,
                               Load16(frame, kSll2ProtocolOffset), wire_size,
                               net);
    case static_cast<uint16_t>(LinkType::kRaw):
    case 12:  // DLT_RAW on most platforms
    case 14:  // DLT_RAW on OpenBSD
      net = {frame, wire_size, 0};
      return DissectStatus::kOk;
    case static_cast<uint16_t>(LinkType::kIpv4):
      net = {frame, wire_size, 4};
      return DissectStatus::kOk;
    case static_cast<uint16_t>(LinkType::kIpv6):
      net = {frame, wire_size, 6};
      return DissectStatus::kOk;
    default:
      return DissectStatus::kUnsupportedLinkType;
  }
}

// RFC 791 §3.1.
DissectStatus DissectIpv4(const NetworkLayer& net, TcpSegmentView& out,
                          TransportLayer& transport) {
  const Bytes ip = net.data;
  if (ip.size() < kIpv4MinHeaderSize) return DissectStatus::kTruncated;
  const size_t header_size = (size_t{ip[0]} & 0x0F) * 4;  // IHL: 32-bit words
  if (header_size < kIpv4MinHeaderSize) return DissectStatus::kMalformedIp;
  size_t total_size = Load16(ip, 2);
  if (total_size == 0) {
    // TSO/GSO super-segments (and Linux BIG TCP over IPv4) are captured
    // with Total Length 0; the frame length is the datagram length.
    total_size = net.wire_size;
  } else if (total_size > net.wire_size) {
    return DissectStatus::kMalformedIp;  // longer than the frame on the wire
  }
  if (total_size < header_size) return DissectStatus::kMalformedIp;
  if (ip.size() < header_size) return DissectStatus::kTruncated;  // options

  out.ip_version = 4;
  out.dscp = ip[1] >> 2;  // RFC 2474 §3 / RFC 3168 §5
  out.ecn = ip[1] & 0x03;
  out.hop_limit = ip[8];
  out.src = IpAddress::FromV4Bytes(&ip[12]);
  out.dst = IpAddress::FromV4Bytes(&ip[16]);
  out.ip_header = ip.first(header_size);

  // Flags(3) Fragment Offset(13): MF = 0x2000, offset = 0x1FFF. Any
  // fragment, including the first (MF set, offset 0), needs reassembly.
  if ((Load16(ip, 6) & 0x3FFF) != 0) return DissectStatus::kFragment;
  if (ip[9] != kProtoTcp) return DissectStatus::kNotTcp;

  const size_t captured_end = std::min(total_size, ip.size());
  transport.data = ip.subspan(header_size, captured_end - header_size);
  transport.declared_size = total_size - header_size;
  return DissectStatus::kOk;
}

// RFC 8200 §3 (fixed header) and §4 (extension headers).
DissectStatus DissectIpv6(const NetworkLayer& net, TcpSegmentView& out,
                          TransportLayer& transport) {
  const Bytes ip = net.data;
  if (ip.size() < kIpv6HeaderSize) return DissectStatus::kTruncated;
  size_t total_size = Load16(ip, 4);
  if (total_size == 0) {
    // A Jumbo Payload (RFC 2675) or a Linux BIG TCP segment: the frame
    // length is the datagram length.
    if (net.wire_size < kIpv6HeaderSize) return DissectStatus::kMalformedIp;
    total_size = net.wire_size;
  } else {
    total_size += kIpv6HeaderSize;
    if (total_size > net.wire_size) return DissectStatus::kMalformedIp;
  }

  out.ip_version = 6;
  const uint8_t traffic_class =
      static_cast<uint8_t>(((ip[0] & 0x0F) << 4) | (ip[1] >> 4));
  out.dscp = traffic_class >> 2;  // RFC 8200 §7, RFC 2474 §3
  out.ecn = traffic_class & 0x03;
  out.hop_limit = ip[7];
  out.src = IpAddress::FromV6Bytes(&ip[8]);
  out.dst = IpAddress::FromV6Bytes(&ip[24]);
  out.ip_header = ip.first(kIpv6HeaderSize);

  uint8_t next_header = ip[6];
  size_t offset = kIpv6HeaderSize;
  for (int count = 0; next_header != kProtoTcp; ++count) {
    if (count == kMaxIpv6ExtensionHeaders) return DissectStatus::kMalformedIp;
    // Every extension header starts with Next Header(1) and a length
    // byte(1); the Fragment header's second byte is reserved.
    size_t header_size = 0;
    switch (next_header) {
      case kProtoHopByHop:
        // RFC 8200 §4.1: only immediately after the IPv6 header.
        if (count != 0) return DissectStatus::kMalformedIp;
        [[fallthrough]];
      case kProtoRouting:             // RFC 8200 §4.4
      case kProtoDestinationOptions:  // RFC 8200 §4.6
      case kProtoMobility:
      case kProtoHip:
      case kProtoShim6:
        // RFC 8200 §4.3 / RFC 6564 §4: Hdr Ext Len counts 8-octet units
        // beyond the first 8 octets.
        if (total_size - offset < 2) return DissectStatus::kMalformedIp;
        if (ip.size() - offset < 2) return DissectStatus::kTruncated;
        header_size = (size_t{ip[offset + 1]} + 1) * 8;
        break;
      case kProtoAh:
        // RFC 4302 §2.2: Payload Len counts 32-bit words, minus 2.
        if (total_size - offset < 2) return DissectStatus::kMalformedIp;
        if (ip.size() - offset < 2) return DissectStatus::kTruncated;
        header_size = (size_t{ip[offset + 1]} + 2) * 4;
        break;
      case kProtoFragment:
        header_size = 8;  // RFC 8200 §4.5: fixed size
        break;
      default:
        // No Next Header (59), ESP (50), UDP, ICMPv6, unknown headers.
        return DissectStatus::kNotTcp;
    }
    if (total_size - offset < header_size) return DissectStatus::kMalformedIp;
    if (ip.size() - offset < header_size) return DissectStatus::kTruncated;
    if (next_header == kProtoFragment) {
      // Fragment Offset(13) Res(2) M(1). An atomic fragment (offset 0,
      // M = 0; RFC 6946, RFC 8021) is a whole datagram.
      if ((Load16(ip, offset + 2) & 0xFFF9) != 0) {
        out.ip_header = ip.first(offset + header_size);
        return DissectStatus::kFragment;
      }
    }
    next_header = ip[offset];
    offset += header_size;
    out.ip_header = ip.first(offset);
  }

  const size_t captured_end = std::min(total_size, ip.size());
  transport.data = ip.subspan(offset, captured_end - offset);
  transport.declared_size = total_size - offset;
  return DissectStatus::kOk;
}

// RFC 9293 §3.1.
DissectStatus DissectTcp(const TransportLayer& transport, TcpSegmentView& out) {
  const Bytes tcp = transport.data;
  if (transport.declared_size < kTcpMinHeaderSize) {
    return DissectStatus::kMalformedTcp;
  }
  if (tcp.size() < kTcpMinHeaderSize) return DissectStatus::kTruncated;
  out.src_port = Load16(tcp, 0);
  out.dst_port = Load16(tcp, 2);
  out.seq = Load32(tcp, 4);
  out.ack = Load32(tcp, 8);
  out.flags = tcp[13];
  out.window = Load16(tcp, 14);
  out.checksum = Load16(tcp, 16);
  out.urgent_pointer = Load16(tcp, 18);

  const size_t header_size = (size_t{tcp[12]} >> 4) * 4;  // Data Offset
  if (header_size < kTcpMinHeaderSize) return DissectStatus::kMalformedTcp;
  if (header_size > transport.declared_size) {
    return DissectStatus::kMalformedTcp;
  }
  if (header_size > tcp.size()) {  // cut inside the options: keep what was captured
    out.truncated_options = tcp.subspan(kTcpMinHeaderSize);
    out.truncated_options_length_on_wire = static_cast<uint8_t>(header_size - kTcpMinHeaderSize);
    return DissectStatus::kTruncated;
  }

  out.tcp_header = tcp.first(header_size);
  out.options = out.tcp_header.subspan(kTcpMinHeaderSize);
  out.payload = tcp.subspan(header_size);
  const size_t payload_on_wire = transport.declared_size - header_size;
  // Only jumbograms or frames longer than 4 GiB could exceed this.
  out.payload_length_on_wire =
      static_cast<uint32_t>(std::min<size_t>(payload_on_wire, UINT32_MAX));
  out.payload_truncated = out.payload.size() < payload_on_wire;
  return DissectStatus::kOk;
}

}  // namespace

const char* DissectStatusName(DissectStatus status) {
  switch (status) {
    case DissectStatus::kOk:
      return "OK";
    case DissectStatus::kUnsupportedLinkType:
      return "UNSUPPORTED_LINK_TYPE";
    case DissectStatus::kNotIp:
      return "NOT_IP";
    case DissectStatus::kNotTcp:
      return "NOT_TCP";
    case DissectStatus::kTruncated:
      return "TRUNCATED";
    case DissectStatus::kMalformedIp:
      return "MALFORMED_IP";
    case DissectStatus::kMalformedTcp:
      return "MALFORMED_TCP";
    case DissectStatus::kFragment:
      return "FRAGMENT";
  }
  return "UNKNOWN";
}

DissectStatus DissectFrame(LinkType link, std::span<const uint8_t> captured,
                           uint32_t original_length, TcpSegmentView& out) {
  out = TcpSegmentView{};
  const size_t wire_size = std::max<size_t>(original_length, captured.size());

  NetworkLayer net;
  DissectStatus status = DissectLinkLayer(link, captured, wire_size, net);
  if (status != DissectStatus::kOk) return status;

  if (net.data.empty()) return DissectStatus::kTruncated;
  const uint8_t version = net.data[0] >> 4;
  if (net.expected_version != 0 && version != net.expected_version) {
    return DissectStatus::kMalformedIp;
  }
  TransportLayer transport;
  if (version == 4) {
    status = DissectIpv4(net, out, transport);
  } else if (version == 6) {
    status = DissectIpv6(net, out, transport);
  } else {
    return DissectStatus::kNotIp;
  }
  if (status != DissectStatus::kOk) return status;
  return DissectTcp(transport, out);
}

}  // namespace mptcp_opts::capture
