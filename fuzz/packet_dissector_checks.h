// SPDX-License-Identifier: Apache-2.0
// Properties of packet_dissector_fuzzer: DissectFrame (mptcp_opts/capture/)
// on any link type, frame and original length.
//
// Input: a selector byte, then the frame.
//   sel & 0x07  link type: 1 Ethernet, 101 raw, 113 Linux cooked v1,
//               228 IPv4, 229 IPv6, 276 Linux cooked v2, 12 and 14 (DLT_RAW)
//   sel & 0x08  instead, the next 2 bytes are the link type (any value)
//   sel >> 4 & 3  original length: 0 -> 0 ("unknown"); 1 -> the captured
//               size; 2 -> captured size + the next 2 bytes (a snapshot-length
//               cut); 3 -> the next 4 bytes, any value (also shorter than the
//               capture, which the dissector must treat as the captured size)
//   the rest    the captured frame, dissected from an exact-size heap copy
//
// Checked for every input:
//  * the status is one of the eight and has a name; kUnsupportedLinkType
//    exactly for link types outside the documented set;
//  * a reference model written from packet_dissector.h (link header sizes,
//    VLAN tags, IPv4 IHL and Total Length, IPv6 Payload Length and extension
//    header chain, TCP data offset; declared bounds checked before captured
//    ones) gives the same status, the same offsets and sizes of ip_header,
//    tcp_header, options and payload, payload_length_on_wire and
//    payload_truncated, and which fields are set for that status; every set
//    field equals the frame's bytes at the model's offsets, every other field
//    is value-initialised;
//  * every span lies inside the frame; on kOk the checks of
//    packet_dissector_test.cc's ExpectConsistent hold;
//  * the output is reset: dissecting into a view left over from another frame
//    gives the same view;
//  * cutting the capture (same original length) gives the same status or
//    kTruncated; with the same status (other than kTruncated), the same view,
//    with the payload cut; a kOk frame cut anywhere after its TCP header is
//    still kOk, one byte short of it kTruncated;
//  * the link layer only locates the IP header: the bytes from ip_header on,
//    dissected as raw IP with the original length reduced by the link
//    header, give the same status and fields.
#ifndef MPTCP_OPTS_FUZZ_PACKET_DISSECTOR_CHECKS_H_
#define MPTCP_OPTS_FUZZ_PACKET_DISSECTOR_CHECKS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz/decoder_fuzz_common.h"
#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/ip_address.h"

namespace mptcp_decode::fuzz {

namespace cap = mptcp_opts::capture;
using ByteSpan = std::span<const uint8_t>;

inline constexpr uint16_t kDissectorLinks[8] = {1, 101, 113, 228, 229, 276, 12, 14};

struct DissectorInput {
  uint16_t link = 0;
  uint32_t original_length = 0;
  ByteSpan frame;
};

inline DissectorInput ParseDissectorInput(ByteSpan input) {
  Reader r(input);
  DissectorInput in;
  const uint8_t sel = r.U8();
  in.link = kDissectorLinks[sel & 7];
  if (sel & 0x08) in.link = r.U16();
  const int mode = (sel >> 4) & 3;
  uint32_t extra = 0;
  if (mode == 2) extra = r.U16();
  if (mode == 3) in.original_length = r.U32();
  in.frame = r.Rest();
  if (mode == 1) in.original_length = static_cast<uint32_t>(in.frame.size());
  if (mode == 2) in.original_length = static_cast<uint32_t>(in.frame.size()) + extra;
  return in;
}

// What the model expects; offsets are from the start of the frame.
struct DissectorModel {
  cap::DissectStatus status = cap::DissectStatus::kOk;
  bool ip_set = false;  // IP-level fields and ip_header
  uint8_t ip_version = 0;
  size_t ip_offset = 0;
  size_t ip_header_size = 0;
  bool tcp_fixed_set = false;  // ports .. urgent pointer
  size_t tcp_offset = 0;
  // kTruncated inside the TCP option area: option bytes captured / declared.
  size_t options_cut_captured = 0;
  size_t options_cut_wire = 0;
  size_t tcp_header_size = 0;  // kOk only
  size_t payload_size = 0;
  uint64_t payload_wire = 0;
};

// The reference model: packet_dissector.h's contract, layer by layer. Each
// header is first checked against the bytes the IP header(s) declare (past
// them: malformed), then against the captured bytes (past them: truncated).
inline DissectorModel ModelDissect(uint16_t link, ByteSpan f, uint32_t original_length) {
  using S = cap::DissectStatus;
  DissectorModel m;
  auto fail = [&m](S s) {
    m.status = s;
    return m;
  };
  const size_t n = f.size();
  const size_t wire = std::max<size_t>(original_length, n);
  auto be16 = [&f](size_t at) { return static_cast<size_t>((f[at] << 8) | f[at + 1]); };

  // Link layer: where the IP header starts and which version it must have.
  size_t off = 0;
  int want = 0;
  size_t type_at = 0;
  bool has_ethertype = true;
  switch (link) {
    case 1: off = 14, type_at = 12; break;            // dst, src, type
    case 113: off = 16, type_at = 14; break;          // SLL: ..., protocol
    case 276: off = 20, type_at = 0; break;           // SLL2: protocol first
    case 101: case 12: case 14: has_ethertype = false; break;
    case 228: has_ethertype = false, want = 4; break;
    case 229: has_ethertype = false, want = 6; break;
    default: return fail(S::kUnsupportedLinkType);
  }
  if (has_ethertype) {
    if (n < off) return fail(S::kTruncated);
    size_t type = be16(type_at);
    int tags = 0;
    while (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
      if (tags++ == cap::kMaxVlanTags) return fail(S::kNotIp);
      if (n < off + 4) return fail(S::kTruncated);
      type = be16(off + 2);
      off += 4;
    }
    if (type == 0x0800) {
      want = 4;
    } else if (type == 0x86DD) {
      want = 6;
    } else {
      return fail(S::kNotIp);
    }
  }
  if (n == off) return fail(S::kTruncated);
  const int version = f[off] >> 4;
  if (want != 0 && version != want) return fail(S::kMalformedIp);
  if (version != 4 && version != 6) return fail(S::kNotIp);

  // Network layer: the datagram is [off, end) as declared; TCP starts at `pos`.
  size_t end = 0;
  size_t pos = 0;
  if (version == 4) {
    if (n - off < 20) return fail(S::kTruncated);
    const size_t ihl = (f[off] & 0x0F) * size_t{4};
    if (ihl < 20) return fail(S::kMalformedIp);
    size_t total = be16(off + 2);
    if (total == 0) {
      total = wire - off;  // TSO/GSO: the frame's length
    } else if (total > wire - off) {
      return fail(S::kMalformedIp);
    }
    if (total < ihl) return fail(S::kMalformedIp);
    if (n - off < ihl) return fail(S::kTruncated);
    m.ip_set = true;
    m.ip_version = 4;
    m.ip_offset = off;
    m.ip_header_size = ihl;
    if ((be16(off + 6) & 0x3FFF) != 0) return fail(S::kFragment);
    if (f[off + 9] != 6) return fail(S::kNotTcp);
    end = off + total;
    pos = off + ihl;
  } else {
    if (n - off < 40) return fail(S::kTruncated);
    const size_t payload_length = be16(off + 4);
    const size_t total = payload_length == 0 ? wire - off : payload_length + 40;
    if (total > wire - off) return fail(S::kMalformedIp);
    m.ip_set = true;
    m.ip_version = 6;
    m.ip_offset = off;
    m.ip_header_size = 40;
    end = off + total;
    pos = off + 40;
    uint8_t next = f[off + 6];
    for (int count = 0; next != 6; ++count) {
      if (count == cap::kMaxIpv6ExtensionHeaders) return fail(S::kMalformedIp);
      size_t size = 8;  // Fragment (44): fixed
      if (next != 44) {
        const bool hop_by_hop = next == 0;
        const bool uniform = next == 43 || next == 60 || next == 135 || next == 139 ||
                             next == 140;  // Routing, Dest. Options, Mobility, HIP, Shim6
        if (!hop_by_hop && !uniform && next != 51) return fail(S::kNotTcp);
        if (hop_by_hop && count != 0) return fail(S::kMalformedIp);
        if (end - pos < 2) return fail(S::kMalformedIp);
        if (n - pos < 2) return fail(S::kTruncated);
        size = next == 51 ? (f[pos + 1] + size_t{2}) * 4   // AH: 32-bit words - 2
                          : (f[pos + 1] + size_t{1}) * 8;  // 8 octets beyond the first 8
      }
      if (end - pos < size) return fail(S::kMalformedIp);
      if (n - pos < size) return fail(S::kTruncated);
      if (next == 44 && (be16(pos + 2) & 0xFFF9) != 0) {
        m.ip_header_size = pos + size - off;
        return fail(S::kFragment);
      }
      next = f[pos];
      pos += size;
      m.ip_header_size = pos - off;
    }
  }

  // Transport layer.
  const size_t declared = end - pos;
  const size_t captured = std::min(end, n) - pos;
  if (declared < 20) return fail(S::kMalformedTcp);
  if (captured < 20) return fail(S::kTruncated);
  m.tcp_fixed_set = true;
  m.tcp_offset = pos;
  const size_t data_offset = (f[pos + 12] >> 4) * size_t{4};
  if (data_offset < 20 || data_offset > declared) return fail(S::kMalformedTcp);
  if (data_offset > captured) {
    m.options_cut_captured = captured - 20;
    m.options_cut_wire = data_offset - 20;
    return fail(S::kTruncated);
  }
  m.tcp_header_size = data_offset;
  m.payload_size = captured - data_offset;
  m.payload_wire = declared - data_offset;
  return fail(S::kOk);
}

inline bool IsSupportedLink(uint16_t link) {
  return std::find(std::begin(kDissectorLinks), std::end(kDissectorLinks), link) !=
         std::end(kDissectorLinks);
}

inline bool SameSpan(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && (a.empty() || a.data() == b.data());
}

inline bool SameView(const cap::TcpSegmentView& a, const cap::TcpSegmentView& b) {
  return a.src == b.src && a.dst == b.dst && a.ip_version == b.ip_version && a.dscp == b.dscp &&
         a.ecn == b.ecn && a.hop_limit == b.hop_limit && a.src_port == b.src_port &&
         a.dst_port == b.dst_port && a.seq == b.seq && a.ack == b.ack && a.flags == b.flags &&
         a.window == b.window && a.checksum == b.checksum &&
         a.urgent_pointer == b.urgent_pointer && SameSpan(a.ip_header, b.ip_header) &&
         SameSpan(a.tcp_header, b.tcp_header) && SameSpan(a.options, b.options) &&
         SameSpan(a.payload, b.payload) && a.payload_length_on_wire == b.payload_length_on_wire &&
         a.payload_truncated == b.payload_truncated;
}

// The same fields, except that spans are compared by offset from their own
// frame's start (views of two different buffers).
inline bool SameViewAt(const cap::TcpSegmentView& a, ByteSpan fa, const cap::TcpSegmentView& b,
                       ByteSpan fb) {
  auto same = [&](ByteSpan x, ByteSpan y) {
    return x.size() == y.size() && (x.empty() || x.data() - fa.data() == y.data() - fb.data());
  };
  return a.src == b.src && a.dst == b.dst && a.ip_version == b.ip_version && a.dscp == b.dscp &&
         a.ecn == b.ecn && a.hop_limit == b.hop_limit && a.src_port == b.src_port &&
         a.dst_port == b.dst_port && a.seq == b.seq && a.ack == b.ack && a.flags == b.flags &&
         a.window == b.window && a.checksum == b.checksum &&
         a.urgent_pointer == b.urgent_pointer && same(a.ip_header, b.ip_header) &&
         same(a.tcp_header, b.tcp_header) && same(a.options, b.options) &&
         same(a.payload, b.payload) && a.payload_length_on_wire == b.payload_length_on_wire &&
         a.payload_truncated == b.payload_truncated;
}

// The view against the model and the frame's bytes.
inline void CheckViewAgainstModel(const DissectorModel& m, cap::DissectStatus status,
                                  const cap::TcpSegmentView& v, ByteSpan f) {
  using S = cap::DissectStatus;
  DECODER_FUZZ_CHECK(status == m.status);
  DECODER_FUZZ_CHECK(Within(v.ip_header, f));
  DECODER_FUZZ_CHECK(Within(v.tcp_header, f));
  DECODER_FUZZ_CHECK(Within(v.options, f));
  DECODER_FUZZ_CHECK(Within(v.payload, f));
  const mptcp_opts::IpAddress none;
  if (m.ip_set) {
    const uint8_t* ip = f.data() + m.ip_offset;
    DECODER_FUZZ_CHECK(v.ip_version == m.ip_version);
    DECODER_FUZZ_CHECK(v.ip_header.data() == ip);
    DECODER_FUZZ_CHECK(v.ip_header.size() == m.ip_header_size);
    if (m.ip_version == 4) {
      DECODER_FUZZ_CHECK(v.ip_header.size() >= 20 && v.ip_header.size() <= 60);
      DECODER_FUZZ_CHECK(v.src == mptcp_opts::IpAddress::FromV4Bytes(ip + 12));
      DECODER_FUZZ_CHECK(v.dst == mptcp_opts::IpAddress::FromV4Bytes(ip + 16));
      DECODER_FUZZ_CHECK(v.dscp == (ip[1] >> 2) && v.ecn == (ip[1] & 3));
      DECODER_FUZZ_CHECK(v.hop_limit == ip[8]);
    } else {
      DECODER_FUZZ_CHECK(v.ip_header.size() >= 40);
      DECODER_FUZZ_CHECK(v.src == mptcp_opts::IpAddress::FromV6Bytes(ip + 8));
      DECODER_FUZZ_CHECK(v.dst == mptcp_opts::IpAddress::FromV6Bytes(ip + 24));
      const int traffic_class = ((ip[0] & 0x0F) << 4) | (ip[1] >> 4);
      DECODER_FUZZ_CHECK(v.dscp == (traffic_class >> 2) && v.ecn == (traffic_class & 3));
      DECODER_FUZZ_CHECK(v.hop_limit == ip[7]);
    }
  } else {
    DECODER_FUZZ_CHECK(v.ip_version == 0);
    DECODER_FUZZ_CHECK(v.ip_header.empty());
    DECODER_FUZZ_CHECK(v.src == none && v.dst == none);
    DECODER_FUZZ_CHECK(v.dscp == 0 && v.ecn == 0 && v.hop_limit == 0);
  }
  if (m.tcp_fixed_set) {
    const uint8_t* t = f.data() + m.tcp_offset;
    auto be16 = [t](int at) { return static_cast<uint16_t>((t[at] << 8) | t[at + 1]); };
    auto be32 = [&](int at) { return (uint32_t{be16(at)} << 16) | be16(at + 2); };
    DECODER_FUZZ_CHECK(v.src_port == be16(0) && v.dst_port == be16(2));
    DECODER_FUZZ_CHECK(v.seq == be32(4) && v.ack == be32(8));
    DECODER_FUZZ_CHECK(v.flags == t[13] && v.window == be16(14));
    DECODER_FUZZ_CHECK(v.checksum == be16(16) && v.urgent_pointer == be16(18));
  } else {
    DECODER_FUZZ_CHECK(v.src_port == 0 && v.dst_port == 0 && v.seq == 0 && v.ack == 0);
    DECODER_FUZZ_CHECK(v.flags == 0 && v.window == 0 && v.checksum == 0);
    DECODER_FUZZ_CHECK(v.urgent_pointer == 0);
  }
  DECODER_FUZZ_CHECK(v.truncated_options_length_on_wire == m.options_cut_wire);
  DECODER_FUZZ_CHECK(v.truncated_options.size() == m.options_cut_captured);
  if (m.options_cut_wire != 0) {
    DECODER_FUZZ_CHECK(v.truncated_options.size() < m.options_cut_wire);
    if (!v.truncated_options.empty()) {
      DECODER_FUZZ_CHECK(v.truncated_options.data() == f.data() + m.tcp_offset + 20);
    }
  }
  if (status != S::kOk) {
    DECODER_FUZZ_CHECK(v.tcp_header.empty() && v.options.empty() && v.payload.empty());
    DECODER_FUZZ_CHECK(v.tcp_header_length() == 0);
    DECODER_FUZZ_CHECK(v.payload_length_on_wire == 0 && !v.payload_truncated);
    return;
  }
  // kOk: the model's layout, and ExpectConsistent (packet_dissector_test.cc).
  const uint8_t* tcp = f.data() + m.tcp_offset;
  DECODER_FUZZ_CHECK(v.tcp_header.data() == tcp);
  DECODER_FUZZ_CHECK(v.tcp_header.size() == m.tcp_header_size);
  DECODER_FUZZ_CHECK(v.tcp_header_length() == m.tcp_header_size);
  DECODER_FUZZ_CHECK(v.options.data() == tcp + 20);
  DECODER_FUZZ_CHECK(v.options.size() == m.tcp_header_size - 20);
  DECODER_FUZZ_CHECK(v.payload.size() == m.payload_size);
  if (!v.payload.empty()) DECODER_FUZZ_CHECK(v.payload.data() == tcp + m.tcp_header_size);
  DECODER_FUZZ_CHECK(v.payload_length_on_wire ==
                     std::min<uint64_t>(m.payload_wire, UINT32_MAX));
  DECODER_FUZZ_CHECK(v.payload_truncated == (m.payload_size < m.payload_wire));
  DECODER_FUZZ_CHECK(v.ip_version == 4 || v.ip_version == 6);
  DECODER_FUZZ_CHECK(v.ip_header.data() + v.ip_header.size() == v.tcp_header.data());
  DECODER_FUZZ_CHECK(v.tcp_header.size() >= 20 && v.tcp_header.size() <= 60);
  DECODER_FUZZ_CHECK(v.tcp_header.size() % 4 == 0);
  DECODER_FUZZ_CHECK(v.options.size() <= 40);
  DECODER_FUZZ_CHECK(v.payload.size() <= v.payload_length_on_wire);
  DECODER_FUZZ_CHECK(v.src.family() == v.dst.family());
  DECODER_FUZZ_CHECK(v.src.is_v4() == (v.ip_version == 4));
}

inline cap::DissectStatus Dissect(uint16_t link, ByteSpan frame, uint32_t original_length,
                                  cap::TcpSegmentView& out) {
  return cap::DissectFrame(static_cast<cap::LinkType>(link), frame, original_length, out);
}

// A view holding values from another frame, for the reset check.
inline cap::TcpSegmentView LeftoverView() {
  static const uint8_t kFrame[] = {
      0x45, 0xB9, 0x00, 0x2C, 0x00, 0x00, 0x40, 0x00, 0x3D, 0x06, 0x00, 0x00,  // IPv4
      0xC0, 0x00, 0x02, 0x01, 0xC6, 0x33, 0x64, 0x07,                          // addresses
      0xC3, 0x50, 0x01, 0xBB, 1, 2, 3, 4, 5, 6, 7, 8, 0x60, 0xFF, 0xFF, 0xF0,  // TCP
      0xBE, 0xEF, 0x01, 0x02, 0x1E, 0x04, 0x01, 0x81};                         // options
  cap::TcpSegmentView v;
  if (cap::DissectFrame(cap::LinkType::kRaw, kFrame, 0, v) != cap::DissectStatus::kOk) {
    CheckFailed("LeftoverView: sample frame did not dissect", __FILE__, __LINE__);
  }
  return v;
}

inline void CheckPacketDissectorInput(ByteSpan input) {
  using S = cap::DissectStatus;
  const DissectorInput in = ParseDissectorInput(input);
  const std::vector<uint8_t> copy(in.frame.begin(), in.frame.end());  // exact size
  const ByteSpan frame(copy);
  cap::TcpSegmentView v;
  const S status = Dissect(in.link, frame, in.original_length, v);
  DECODER_FUZZ_CHECK(status <= S::kFragment);
  DECODER_FUZZ_CHECK(std::strcmp(cap::DissectStatusName(status), "UNKNOWN") != 0);
  DECODER_FUZZ_CHECK((status == S::kUnsupportedLinkType) == !IsSupportedLink(in.link));

  const DissectorModel model = ModelDissect(in.link, frame, in.original_length);
  CheckViewAgainstModel(model, status, v, frame);

  // The output is reset first.
  cap::TcpSegmentView reused = LeftoverView();
  DECODER_FUZZ_CHECK(Dissect(in.link, frame, in.original_length, reused) == status);
  DECODER_FUZZ_CHECK(SameView(reused, v));

  // Cuts of the capture, each an exact-size copy, with the same wire length.
  const uint32_t wire =
      static_cast<uint32_t>(std::max<size_t>(in.original_length, frame.size()));
  size_t cuts[3] = {frame.size(), frame.size(), frame.size()};
  if (!frame.empty()) cuts[0] = frame.size() - 1;
  cuts[1] = frame.size() / 2;
  if (status == S::kOk) {
    const size_t header_end = model.tcp_offset + model.tcp_header_size;
    cuts[1] = header_end - 1;  // one byte short of the TCP header
    cuts[2] = header_end + (frame.size() - header_end) / 2;
  }
  for (size_t cut : cuts) {
    if (cut >= frame.size()) continue;
    const std::vector<uint8_t> prefix(frame.begin(), frame.begin() + cut);
    cap::TcpSegmentView pv;
    const S ps = Dissect(in.link, prefix, wire, pv);
    CheckViewAgainstModel(ModelDissect(in.link, prefix, wire), ps, pv, prefix);
    DECODER_FUZZ_CHECK(ps == status || ps == S::kTruncated);
    if (status == S::kOk) {
      const size_t header_end = model.tcp_offset + model.tcp_header_size;
      DECODER_FUZZ_CHECK((ps == S::kOk) == (cut >= header_end));
    }
    if (ps == status && status == S::kOk) {
      // Everything but the payload is the same; the payload ends at the cut
      // (or where it ended before: Ethernet padding is not payload).
      const size_t start = model.tcp_offset + model.tcp_header_size;
      const size_t size = std::min(cut, start + v.payload.size()) - start;
      cap::TcpSegmentView expect = v;
      expect.payload = frame.subspan(start, size);
      expect.payload_truncated = size < v.payload_length_on_wire;
      DECODER_FUZZ_CHECK(SameViewAt(pv, prefix, expect, frame));
    } else if (ps == status && status != S::kTruncated) {
      // The cut came after every byte the decision needed. (Two cuts can
      // both be kTruncated at different depths, with different fields set.)
      DECODER_FUZZ_CHECK(SameViewAt(pv, prefix, v, frame));
    }
  }

  // The link layer only locates the IP header.
  if (v.ip_version != 0 && in.link != 101) {
    const size_t h = static_cast<size_t>(v.ip_header.data() - frame.data());
    const std::vector<uint8_t> ip(frame.begin() + h, frame.end());
    const uint32_t ip_wire = static_cast<uint32_t>(wire - h);
    cap::TcpSegmentView rv;
    DECODER_FUZZ_CHECK(Dissect(101, ip, ip_wire, rv) == status);
    DECODER_FUZZ_CHECK(SameViewAt(rv, ByteSpan(ip), v, frame.subspan(h)));
  }
}

}  // namespace mptcp_decode::fuzz

#endif  // MPTCP_OPTS_FUZZ_PACKET_DISSECTOR_CHECKS_H_
