// SPDX-License-Identifier: Apache-2.0
// Packet dissector for captured frames: finds the IP addresses, the TCP
// header fields, the TCP option area and the captured payload of one frame
// from a pcap/pcapng capture. The reference decoder `mptcp-decode` and the
// kernel-capture tests use it to hand the option area to the MPTCP option
// codec. It is total: any byte string gives a DissectStatus and never reads
// outside `captured`. It does not allocate, and every span in the result
// points into the caller's buffer.
//
//   TcpSegmentView seg;  // namespace mptcp_opts::capture
//   DissectStatus st = DissectFrame(LinkType::kEthernet, frame, wire_len, seg);
//   if (st == DissectStatus::kOk) HandleOptions(seg.options, seg.payload);
//
// Scope: Ethernet II (with up to kMaxVlanTags IEEE 802.1Q/802.1ad tags),
// Linux cooked capture v1/v2 and raw IPv4/IPv6. Not supported: IPv4 AH,
// tunnels (GRE, IP-in-IP, VXLAN), MPLS, PPPoE, LLC/SNAP. IP and TCP
// checksums are not checked, because captures taken on the sending host with
// checksum offload carry unfilled checksums.
#ifndef MPTCP_OPTS_CAPTURE_PACKET_DISSECTOR_H_
#define MPTCP_OPTS_CAPTURE_PACKET_DISSECTOR_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "mptcp_opts/ip_address.h"

namespace mptcp_opts::capture {

// The link-layer header type of a capture. The values are the pcap
// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) as stored in a
// pcap file header or a pcapng Interface Description Block, so callers can
// static_cast them. The DLT_RAW values 12 (most platforms) and 14 (OpenBSD)
// are also accepted and mean kRaw.
enum class LinkType : uint16_t {
  kEthernet = 1,     // LINKTYPE_ETHERNET (DLT_EN10MB)
  kRaw = 101,        // LINKTYPE_RAW: IPv4 or IPv6, the version nibble decides
  kLinuxSll = 113,   // LINKTYPE_LINUX_SLL: Linux cooked capture v1
  kIpv4 = 228,       // LINKTYPE_IPV4
  kIpv6 = 229,       // LINKTYPE_IPV6
  kLinuxSll2 = 276,  // LINKTYPE_LINUX_SLL2: Linux cooked capture v2
};

enum class DissectStatus : uint8_t {
  kOk,
  // `link` is not one of the types above.
  kUnsupportedLinkType,
  // The frame does not carry IPv4 or IPv6: another EtherType or cooked
  // protocol, more than kMaxVlanTags VLAN tags, or a raw frame whose version
  // nibble is neither 4 nor 6.
  kNotIp,
  // IP, but the transport is not TCP: another IPv4 protocol, or an IPv6
  // header chain that ends in No Next Header (59), ESP (50), UDP, ICMPv6 or
  // an unknown header.
  kNotTcp,
  // The captured bytes end before the link, IP or TCP header (including IPv4
  // options, IPv6 extension headers and TCP options) is complete. A payload
  // cut short by the snapshot length is NOT an error; see
  // TcpSegmentView::payload_truncated.
  kTruncated,
  // An IP header that cannot be right: IHL < 5, a total/payload length
  // shorter than the header(s) or longer than the frame on the wire
  // (`original_length`), a version nibble that contradicts the link layer,
  // a Hop-by-Hop header that is not first, or more than
  // kMaxIpv6ExtensionHeaders extension headers.
  kMalformedIp,
  // A TCP header that cannot be right: data offset < 5, or a header longer
  // than the IP-declared transport length.
  kMalformedTcp,
  // An IPv4 fragment (MF set or offset != 0) or an IPv6 Fragment header
  // with M set or offset != 0. A first fragment is also reported here: the
  // TCP header of a datagram that still needs reassembly is not parsed.
  // IPv6 atomic fragments (offset 0, M = 0; RFC 8021) are parsed normally.
  kFragment,
};

// A stable upper-case name for logs and test output, e.g. "TRUNCATED".
// Returns "UNKNOWN" for values outside the enum. Never returns nullptr.
const char* DissectStatusName(DissectStatus status);

inline constexpr int kMaxVlanTags = 4;
inline constexpr int kMaxIpv6ExtensionHeaders = 8;

// TCP flag bits in byte 13 of the TCP header (RFC 9293 §3.1, RFC 3168 §6.1).
inline constexpr uint8_t kTcpFlagFin = 0x01;
inline constexpr uint8_t kTcpFlagSyn = 0x02;
inline constexpr uint8_t kTcpFlagRst = 0x04;
inline constexpr uint8_t kTcpFlagPsh = 0x08;
inline constexpr uint8_t kTcpFlagAck = 0x10;
inline constexpr uint8_t kTcpFlagUrg = 0x20;
inline constexpr uint8_t kTcpFlagEce = 0x40;
inline constexpr uint8_t kTcpFlagCwr = 0x80;

// One dissected TCP segment. Plain data: it owns nothing, and every span is
// a view into the `captured` buffer passed to DissectFrame, valid only as long
// as that buffer is.
//
// Which fields are meaningful after DissectFrame:
//  * kOk: all of them.
//  * IP-level fields (src, dst, ip_version, dscp, ecn, hop_limit, ip_header)
//    are also set when the IP header(s) were parsed but a later step failed:
//    kFragment, kNotTcp and kMalformedTcp always; kTruncated when the cut is
//    after the IP header(s); kMalformedIp/kTruncated inside an IPv6 extension
//    header chain.
//  * The fixed TCP fields (ports, seq, ack, flags, window, checksum,
//    urgent_pointer) are also set on kTruncated/kMalformedTcp if the first 20
//    bytes of the TCP header were captured (and declared by IP).
//  * truncated_options: only on kTruncated, cut inside the option area.
//  * Anything else is left value-initialised (zero / empty).
struct TcpSegmentView {
  // Network layer.
  IpAddress src;
  // The IPv6 header's destination field; with a Routing header this is the
  // next segment's address, not necessarily the final destination.
  IpAddress dst;
  uint8_t ip_version = 0;  // 4 or 6
  uint8_t dscp = 0;        // RFC 2474: upper 6 bits of TOS / Traffic Class
  uint8_t ecn = 0;         // RFC 3168: lower 2 bits of TOS / Traffic Class
  uint8_t hop_limit = 0;   // IPv4 TTL or IPv6 Hop Limit

  // Transport layer (RFC 9293 §3.1).
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;   // Acknowledgment Number (meaningful if ack_flag())
  uint8_t flags = 0;  // kTcpFlag* bits; the AE/NS bit is not included
  uint16_t window = 0;
  uint16_t checksum = 0;
  uint16_t urgent_pointer = 0;

  // The whole network-layer header: the IPv4 header including options, or
  // the IPv6 fixed header plus every extension header before TCP.
  std::span<const uint8_t> ip_header;
  // The complete TCP header, options included (data offset * 4 bytes).
  std::span<const uint8_t> tcp_header;
  // The TCP option area: tcp_header bytes 20 .. data offset * 4 (may be
  // empty; at most 40 bytes).
  std::span<const uint8_t> options;
  // The captured payload after the TCP header, bounded by the IP-declared
  // length, so Ethernet padding and trailers are never part of it.
  std::span<const uint8_t> payload;
  // The payload length the IP header(s) declare. Equals payload.size()
  // unless the capture's snapshot length cut the frame.
  uint32_t payload_length_on_wire = 0;
  bool payload_truncated = false;  // payload.size() < payload_length_on_wire

  // kTruncated with the cut inside the TCP option area (the fixed 20 bytes
  // were captured and the data offset is sane): the option bytes captured, a
  // strict prefix of the area, and the area's length from the data offset
  // (at most 40). A decoder can then still show the options captured whole,
  // as tcpdump does. Empty / 0 otherwise (with kOk, `options` is the area).
  std::span<const uint8_t> truncated_options;
  uint8_t truncated_options_length_on_wire = 0;

  bool fin() const { return (flags & kTcpFlagFin) != 0; }
  bool syn() const { return (flags & kTcpFlagSyn) != 0; }
  bool rst() const { return (flags & kTcpFlagRst) != 0; }
  bool psh() const { return (flags & kTcpFlagPsh) != 0; }
  // Not ack(): `ack` is the Acknowledgment Number field.
  bool ack_flag() const { return (flags & kTcpFlagAck) != 0; }
  bool urg() const { return (flags & kTcpFlagUrg) != 0; }
  bool ece() const { return (flags & kTcpFlagEce) != 0; }
  bool cwr() const { return (flags & kTcpFlagCwr) != 0; }
  // Data offset in bytes (20..60); 0 unless the status was kOk.
  size_t tcp_header_length() const { return tcp_header.size(); }
};

// Dissects one captured frame whose link-layer header type is `link`.
//
// `captured` is the bytes the capture holds (pcap caplen). `original_length`
// is the frame's length on the wire (pcap len); values smaller than
// captured.size() (including 0 for "unknown") are treated as
// captured.size(). It is used to tell a snapshot-length cut from a malformed
// length field, and as the datagram length for TSO/GSO/BIG TCP segments
// whose IPv4 Total Length or IPv6 Payload Length is 0.
//
// `out` is reset first and then filled as documented at TcpSegmentView; its
// spans point into `captured`. Runs in time linear in the header bytes,
// allocates nothing and never reads outside `captured`.
DissectStatus DissectFrame(LinkType link, std::span<const uint8_t> captured,
                           uint32_t original_length, TcpSegmentView& out);

}  // namespace mptcp_opts::capture

#endif  // MPTCP_OPTS_CAPTURE_PACKET_DISSECTOR_H_
