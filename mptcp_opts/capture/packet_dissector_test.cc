// SPDX-License-Identifier: Apache-2.0
// Tests for packet_dissector: every link type, VLAN stacks, IPv4 options and
// fragments, IPv6 extension header chains, malformed lengths, Ethernet
// padding, snapshot-length cuts, a truncation sweep over every prefix of
// valid frames (exact-size heap copies and guard-page copies, so a one-byte
// over-read fails under ASan and without it), random mutations, and frames
// built by scapy (testdata/gen_scapy_frames.py).
#include "mptcp_opts/capture/packet_dissector.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "mptcp_opts/ip_address.h"

// Counts every allocation through the replaceable global operator new, so a
// test can check that DissectFrame never allocates.
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();
  return p;
}
// Not inlined: at -O2 gcc 12 would otherwise see std::free() applied to what
// `operator new` returned and warn (-Wmismatched-new-delete), not knowing that
// the operator new above is malloc.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace mptcp_opts::capture {

// Lets gtest print statuses by name. Outside the unnamed namespace so that
// argument-dependent lookup finds it.
void PrintTo(DissectStatus status, std::ostream* os) {
  *os << DissectStatusName(status);
}

namespace {

using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------------------
// Frame builders. Each builds one layer byte by byte around its payload.
// ---------------------------------------------------------------------------

void Append16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void Append32(Bytes& b, uint32_t v) {
  Append16(b, static_cast<uint16_t>(v >> 16));
  Append16(b, static_cast<uint16_t>(v));
}

void Append(Bytes& b, const Bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}

Bytes Filled(size_t n, uint8_t value) { return Bytes(n, value); }

// SYN options: MSS, SACK-permitted, Timestamps, NOP, Window Scale and an
// MP_CAPABLE (RFC 8684 §3.1) with a key; 32 bytes.
// clang-format off
Bytes SynOptions() {
  return {0x02, 0x04, 0x05, 0xB4,                          // MSS 1460
          0x04, 0x02,                                      // SACK permitted
          0x08, 0x0A, 0, 0, 0, 7, 0, 0, 0, 0,              // Timestamps
          0x01,                                            // NOP
          0x03, 0x03, 0x07,                                // Window scale
          0x1E, 0x0C, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8};  // MP_CAPABLE
}
// clang-format on

// Data options: NOP, NOP, Timestamps and a DSS with a DATA_ACK; 20 bytes.
// clang-format off
Bytes DataOptions() {
  return {0x01, 0x01, 0x08, 0x0A, 0, 0, 0, 9, 0, 0, 0, 8,
          0x1E, 0x08, 0x20, 0x01, 0x00, 0x00, 0x10, 0x00};
}
// clang-format on

// RFC 9293 §3.1.
struct TcpFields {
  uint16_t src_port = 50000;
  uint16_t dst_port = 443;
  uint32_t seq = 0x01020304;
  uint32_t ack = 0xA0B0C0D0;
  uint8_t flags = kTcpFlagAck | kTcpFlagPsh;
  uint16_t window = 0xFFF0;
  uint16_t checksum = 0xBEEF;
  uint16_t urgent_pointer = 0x0102;
  Bytes options;  // a multiple of 4 bytes unless data_offset is given
  Bytes payload;
  std::optional<uint8_t> data_offset;  // 32-bit words; default from options
};

Bytes Tcp(const TcpFields& f) {
  Bytes b;
  Append16(b, f.src_port);
  Append16(b, f.dst_port);
  Append32(b, f.seq);
  Append32(b, f.ack);
  const uint8_t words =
      f.data_offset.value_or(static_cast<uint8_t>(5 + f.options.size() / 4));
  b.push_back(static_cast<uint8_t>(words << 4));
  b.push_back(f.flags);
  Append16(b, f.window);
  Append16(b, f.checksum);
  Append16(b, f.urgent_pointer);
  Append(b, f.options);
  Append(b, f.payload);
  return b;
}

// RFC 791 §3.1.
struct Ipv4Fields {
  std::array<uint8_t, 4> src = {192, 0, 2, 1};
  std::array<uint8_t, 4> dst = {198, 51, 100, 7};
  uint8_t tos = 0xB9;  // DSCP 46 (EF), ECN 1
  uint16_t id = 0x1234;
  uint16_t flags_fragment = 0x4000;  // DF
  uint8_t ttl = 61;
  uint8_t protocol = 6;
  Bytes options;               // a multiple of 4 bytes unless ihl is given
  std::optional<uint8_t> ihl;  // default from options
  std::optional<uint16_t> total_length;  // default: header + payload
};

Bytes Ipv4(const Ipv4Fields& f, const Bytes& payload) {
  const uint8_t ihl =
      f.ihl.value_or(static_cast<uint8_t>(5 + f.options.size() / 4));
  Bytes b;
  b.push_back(static_cast<uint8_t>(0x40 | (ihl & 0x0F)));
  b.push_back(f.tos);
  Append16(b, f.total_length.value_or(static_cast<uint16_t>(
                  20 + f.options.size() + payload.size())));
  Append16(b, f.id);
  Append16(b, f.flags_fragment);
  b.push_back(f.ttl);
  b.push_back(f.protocol);
  Append16(b, 0);  // checksum, filled below
  b.insert(b.end(), f.src.begin(), f.src.end());
  b.insert(b.end(), f.dst.begin(), f.dst.end());
  Append(b, f.options);
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < b.size(); i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  const uint16_t checksum = static_cast<uint16_t>(~sum);
  b[10] = static_cast<uint8_t>(checksum >> 8);
  b[11] = static_cast<uint8_t>(checksum);
  Append(b, payload);
  return b;
}

// An IPv6 extension header; bytes[0] (Next Header) is filled in by Ipv6().
struct ExtHeader {
  uint8_t type;
  Bytes bytes;
};

// Hop-by-Hop (0) or Destination Options (60), RFC 8200 §4.3/§4.6: `size`
// bytes (a multiple of 8) holding one PadN option.
ExtHeader OptionsHeader(uint8_t type, size_t size) {
  Bytes b = {0, static_cast<uint8_t>(size / 8 - 1), 0x01,
             static_cast<uint8_t>(size - 4)};
  b.resize(size, 0);
  return {type, b};
}

// Segment Routing Header (RFC 8754 §2) with one segment; 24 bytes.
ExtHeader RoutingHeader() {
  Bytes b = {0, 2, 4, 0, 0, 0, 0, 0};
  const Bytes segment = {0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0,
                         0,    0,    0,    0,    0, 0, 0, 9};
  Append(b, segment);
  return {43, b};
}

// Fragment header (RFC 8200 §4.5); `offset` in 8-octet units.
ExtHeader FragmentHeader(uint16_t offset, bool more, uint16_t reserved = 0) {
  Bytes b = {0, 0};
  Append16(b, static_cast<uint16_t>((offset << 3) | (reserved << 1) |
                                    (more ? 1 : 0)));
  Append32(b, 0xCAFE);
  return {44, b};
}

// Authentication Header (RFC 4302 §2) with a 12-byte ICV; 24 bytes.
ExtHeader AhHeader() {
  Bytes b = {0, 4, 0, 0};  // Payload Len = 24 / 4 - 2
  Append32(b, 0x100);      // SPI
  Append32(b, 1);          // Sequence Number
  b.resize(24, 0xAA);      // ICV
  return {51, b};
}

// Any header in the RFC 6564 uniform format (Mobility, HIP, Shim6).
ExtHeader UniformHeader(uint8_t type, uint8_t hdr_ext_len) {
  Bytes b = {0, hdr_ext_len};
  b.resize((hdr_ext_len + 1) * 8, 0);
  return {type, b};
}

// RFC 8200 §3.
struct Ipv6Fields {
  std::array<uint8_t, 16> src = {0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0,
                                 0,    0,    0,    0,    0, 0, 0, 1};
  std::array<uint8_t, 16> dst = {0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1,
                                 0,    0,    0,    0,    0, 0, 0, 2};
  uint8_t traffic_class = 0xB9;  // DSCP 46, ECN 1
  uint32_t flow_label = 0x12345;
  uint8_t hop_limit = 63;
  std::vector<ExtHeader> ext;
  uint8_t upper_protocol = 6;
  std::optional<uint16_t> payload_length;  // default: ext headers + upper
};

Bytes Ipv6(const Ipv6Fields& f, const Bytes& upper) {
  Bytes chain;
  for (size_t i = 0; i < f.ext.size(); ++i) {
    Bytes h = f.ext[i].bytes;
    h[0] = i + 1 < f.ext.size() ? f.ext[i + 1].type : f.upper_protocol;
    Append(chain, h);
  }
  Append(chain, upper);
  Bytes b;
  Append32(b, (6u << 28) | (uint32_t{f.traffic_class} << 20) |
                  (f.flow_label & 0xFFFFF));
  Append16(b, f.payload_length.value_or(static_cast<uint16_t>(chain.size())));
  b.push_back(f.ext.empty() ? f.upper_protocol : f.ext[0].type);
  b.push_back(f.hop_limit);
  b.insert(b.end(), f.src.begin(), f.src.end());
  b.insert(b.end(), f.dst.begin(), f.dst.end());
  Append(b, chain);
  return b;
}

struct VlanTag {
  uint16_t tpid;  // 0x8100, 0x88A8 or 0x9100
  uint16_t tci;   // PCP(3) DEI(1) VID(12)
};

// Ethernet II (IEEE 802.3 §3.2.6) with IEEE 802.1Q tags, outermost first.
Bytes Ethernet(uint16_t ether_type, const Bytes& payload,
               const std::vector<VlanTag>& tags = {}) {
  Bytes b = {0x02, 0, 0, 0, 0, 0x0B, 0x02, 0, 0, 0, 0, 0x0A};
  for (const VlanTag& tag : tags) {
    Append16(b, tag.tpid);
    Append16(b, tag.tci);
  }
  Append16(b, ether_type);
  Append(b, payload);
  return b;
}

// Pads to the 60-byte Ethernet minimum (without FCS), as NICs do.
Bytes PadEthernet(Bytes frame, uint8_t fill = 0xEE) {
  if (frame.size() < 60) frame.resize(60, fill);
  return frame;
}

// Linux cooked capture v1: pkttype, ARPHRD_ETHER, address length 6,
// 8-byte address field, protocol.
Bytes Sll(uint16_t protocol, const Bytes& payload) {
  Bytes b = {0, 4, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x0A, 0, 0};
  Append16(b, protocol);
  Append(b, payload);
  return b;
}

// Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD_ETHER,
// pkttype, address length, 8-byte address field.
Bytes Sll2(uint16_t protocol, const Bytes& payload) {
  Bytes b;
  Append16(b, protocol);
  Append16(b, 0);
  Append32(b, 3);
  Append16(b, 1);
  b.push_back(4);
  b.push_back(6);
  const Bytes addr = {0x02, 0, 0, 0, 0, 0x0A, 0, 0};
  Append(b, addr);
  Append(b, payload);
  return b;
}

Bytes Ipv4Tcp(const TcpFields& tcp = {}, const Ipv4Fields& ip = {}) {
  return Ipv4(ip, Tcp(tcp));
}
Bytes Ipv6Tcp(const TcpFields& tcp = {}, const Ipv6Fields& ip = {}) {
  return Ipv6(ip, Tcp(tcp));
}

TcpFields SynWithOptions() {
  TcpFields f;
  f.flags = kTcpFlagSyn;
  f.ack = 0;
  f.options = SynOptions();
  return f;
}

TcpFields DataSegment(size_t payload_size) {
  TcpFields f;
  f.options = DataOptions();
  f.payload.resize(payload_size);
  for (size_t i = 0; i < payload_size; ++i) f.payload[i] = i & 0xFF;
  return f;
}

// ---------------------------------------------------------------------------
// Buffers that catch over-reads.
// ---------------------------------------------------------------------------

// A heap copy of exactly the input's size: ASan reports a read one past it.
class ExactCopy {
 public:
  explicit ExactCopy(std::span<const uint8_t> bytes)
      : size_(bytes.size()), data_(size_ == 0 ? nullptr : new uint8_t[size_]) {
    if (size_ != 0) std::memcpy(data_.get(), bytes.data(), size_);
  }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }

 private:
  size_t size_;
  std::unique_ptr<uint8_t[]> data_;
};

// The input copied to the end of a readable page followed by an inaccessible
// page, so a read past it faults even without ASan (picohttpparser's trick).
class GuardedCopy {
 public:
  explicit GuardedCopy(std::span<const uint8_t> bytes) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || bytes.size() > page_) return;
    base_ = static_cast<uint8_t*>(p);
    if (mprotect(base_ + page_, page_, PROT_NONE) != 0) return;
    uint8_t* start = base_ + page_ - bytes.size();
    if (!bytes.empty()) std::memcpy(start, bytes.data(), bytes.size());
    span_ = {start, bytes.size()};
    ok_ = true;
  }
  ~GuardedCopy() {
    if (base_ != nullptr) munmap(base_, 2 * page_);
  }
  GuardedCopy(const GuardedCopy&) = delete;
  GuardedCopy& operator=(const GuardedCopy&) = delete;

  bool ok() const { return ok_; }
  std::span<const uint8_t> span() const { return span_; }

 private:
  size_t page_ = 0;
  uint8_t* base_ = nullptr;
  bool ok_ = false;
  std::span<const uint8_t> span_;
};

// Dissects an exact-size heap copy of `frame` and keeps the copy alive for
// the view's spans.
struct Dissection {
  Dissection(LinkType link, const Bytes& frame, uint32_t original_length = 0)
      : buffer(frame) {
    status = DissectFrame(link, buffer.span(), original_length, view);
  }
  // Offset of `part` in the frame.
  ptrdiff_t OffsetOf(std::span<const uint8_t> part) const {
    return part.data() - buffer.span().data();
  }

  ExactCopy buffer;
  DissectStatus status;
  TcpSegmentView view;
};

LinkType Link(uint16_t value) { return static_cast<LinkType>(value); }

Bytes ToBytes(std::span<const uint8_t> s) { return Bytes(s.begin(), s.end()); }

bool Within(std::span<const uint8_t> inner, std::span<const uint8_t> outer) {
  if (inner.empty()) return true;
  std::less_equal<const uint8_t*> le;
  return le(outer.data(), inner.data()) &&
         le(inner.data() + inner.size(), outer.data() + outer.size());
}

// Checks every kOk invariant of `v` against the buffer it was cut from.
void ExpectConsistent(const TcpSegmentView& v, std::span<const uint8_t> buf) {
  EXPECT_TRUE(Within(v.ip_header, buf));
  EXPECT_TRUE(Within(v.tcp_header, buf));
  EXPECT_TRUE(Within(v.payload, buf));
  EXPECT_TRUE(v.ip_version == 4 || v.ip_version == 6);
  EXPECT_GE(v.ip_header.size(), v.ip_version == 4 ? 20u : 40u);
  EXPECT_EQ(v.ip_header.data() + v.ip_header.size(), v.tcp_header.data());
  EXPECT_GE(v.tcp_header.size(), 20u);
  EXPECT_LE(v.tcp_header.size(), 60u);
  EXPECT_EQ(v.tcp_header.size() % 4, 0u);
  EXPECT_EQ(v.options.data(), v.tcp_header.data() + 20);
  EXPECT_EQ(v.options.size(), v.tcp_header.size() - 20);
  if (!v.payload.empty()) {
    EXPECT_EQ(v.payload.data(), v.tcp_header.data() + v.tcp_header.size());
  }
  EXPECT_LE(v.payload.size(), v.payload_length_on_wire);
  EXPECT_EQ(v.payload_truncated, v.payload.size() < v.payload_length_on_wire);
  EXPECT_EQ(v.src.family(), v.dst.family());
  EXPECT_EQ(v.src.is_v4(), v.ip_version == 4);
}

// ---------------------------------------------------------------------------
// Link layers.
// ---------------------------------------------------------------------------

TEST(DissectFrameTest, EthernetIpv4AllFields) {
  TcpFields tcp = SynWithOptions();
  tcp.flags = kTcpFlagSyn | kTcpFlagAck | kTcpFlagEce;
  tcp.ack = 0xA0B0C0D0;
  tcp.payload = {'h', 'e', 'l', 'l', 'o'};
  const Dissection d(LinkType::kEthernet, Ethernet(0x0800, Ipv4Tcp(tcp)));
  ASSERT_EQ(d.status, DissectStatus::kOk);
  const TcpSegmentView& v = d.view;
  ExpectConsistent(v, d.buffer.span());
  EXPECT_EQ(v.ip_version, 4);
  EXPECT_EQ(v.src, IpAddress::V4(192, 0, 2, 1));
  EXPECT_EQ(v.dst, IpAddress::V4(198, 51, 100, 7));
  EXPECT_EQ(v.dscp, 46);
  EXPECT_EQ(v.ecn, 1);
  EXPECT_EQ(v.hop_limit, 61);
  EXPECT_EQ(v.src_port, 50000);
  EXPECT_EQ(v.dst_port, 443);
  EXPECT_EQ(v.seq, 0x01020304u);
  EXPECT_EQ(v.ack, 0xA0B0C0D0u);
  EXPECT_EQ(v.flags, kTcpFlagSyn | kTcpFlagAck | kTcpFlagEce);
  EXPECT_TRUE(v.syn());
  EXPECT_TRUE(v.ack_flag());
  EXPECT_TRUE(v.ece());
  EXPECT_FALSE(v.fin());
  EXPECT_FALSE(v.rst());
  EXPECT_EQ(v.window, 0xFFF0);
  EXPECT_EQ(v.checksum, 0xBEEF);
  EXPECT_EQ(v.urgent_pointer, 0x0102);
  EXPECT_EQ(d.OffsetOf(v.ip_header), 14);
  EXPECT_EQ(v.ip_header.size(), 20u);
  EXPECT_EQ(d.OffsetOf(v.tcp_header), 34);
  EXPECT_EQ(v.tcp_header.size(), 52u);
  EXPECT_EQ(v.tcp_header_length(), 52u);
  EXPECT_EQ(ToBytes(v.options), SynOptions());
  EXPECT_EQ(ToBytes(v.payload), tcp.payload);
  EXPECT_EQ(v.payload_length_on_wire, 5u);
  EXPECT_FALSE(v.payload_truncated);
}

TEST(DissectFrameTest, EthernetIpv6AllFields) {
  const TcpFields tcp = DataSegment(33);
  const Dissection d(LinkType::kEthernet, Ethernet(0x86DD, Ipv6Tcp(tcp)));
  ASSERT_EQ(d.status, DissectStatus::kOk);
  const TcpSegmentView& v = d.view;
  ExpectConsistent(v, d.buffer.span());
  EXPECT_EQ(v.ip_version, 6);
  EXPECT_EQ(v.src, *IpAddress::Parse("2001:db8::1"));
  EXPECT_EQ(v.dst, *IpAddress::Parse("2001:db8:0:1::2"));
  EXPECT_EQ(v.dscp, 46);
  EXPECT_EQ(v.ecn, 1);
  EXPECT_EQ(v.hop_limit, 63);
  EXPECT_EQ(v.src_port, 50000);
  EXPECT_EQ(v.flags, kTcpFlagAck | kTcpFlagPsh);
  EXPECT_EQ(d.OffsetOf(v.ip_header), 14);
  EXPECT_EQ(v.ip_header.size(), 40u);
  EXPECT_EQ(ToBytes(v.options), DataOptions());
  EXPECT_EQ(ToBytes(v.payload), tcp.payload);
  EXPECT_EQ(v.payload_length_on_wire, 33u);
}

TEST(DissectFrameTest, FlagHelpersMatchBits) {
  using Helper = bool (TcpSegmentView::*)() const;
  const std::pair<uint8_t, Helper> helpers[] = {
      {kTcpFlagFin, &TcpSegmentView::fin},
      {kTcpFlagSyn, &TcpSegmentView::syn},
      {kTcpFlagRst, &TcpSegmentView::rst},
      {kTcpFlagPsh, &TcpSegmentView::psh},
      {kTcpFlagAck, &TcpSegmentView::ack_flag},
      {kTcpFlagUrg, &TcpSegmentView::urg},
      {kTcpFlagEce, &TcpSegmentView::ece},
      {kTcpFlagCwr, &TcpSegmentView::cwr}};
  for (const auto& [bit, helper] : helpers) {
    TcpFields tcp;
    tcp.flags = bit;
    const Dissection d(LinkType::kRaw, Ipv4Tcp(tcp));
    ASSERT_EQ(d.status, DissectStatus::kOk);
    EXPECT_EQ(d.view.flags, bit);
    for (const auto& [other_bit, other_helper] : helpers) {
      EXPECT_EQ((d.view.*other_helper)(), other_bit == bit) << int{bit};
    }
  }
}

TEST(DissectFrameTest, RawLinkTypesUseVersionNibble) {
  for (uint16_t link : {101, 12, 14}) {
    SCOPED_TRACE(link);
    const Dissection v4(Link(link), Ipv4Tcp());
    ASSERT_EQ(v4.status, DissectStatus::kOk);
    EXPECT_EQ(v4.view.ip_version, 4);
    EXPECT_EQ(v4.OffsetOf(v4.view.ip_header), 0);
    const Dissection v6(Link(link), Ipv6Tcp());
    ASSERT_EQ(v6.status, DissectStatus::kOk);
    EXPECT_EQ(v6.view.ip_version, 6);
    EXPECT_EQ(v6.OffsetOf(v6.view.ip_header), 0);
  }
}

TEST(DissectFrameTest, RawRejectsOtherVersions) {
  for (uint8_t version : {0, 1, 5, 7, 15}) {
    Bytes frame = Ipv4Tcp();
    frame[0] = static_cast<uint8_t>((version << 4) | 5);
    EXPECT_EQ(Dissection(LinkType::kRaw, frame).status, DissectStatus::kNotIp)
        << int{version};
  }
}

TEST(DissectFrameTest, Ipv4AndIpv6LinkTypesCheckVersion) {
  EXPECT_EQ(Dissection(LinkType::kIpv4, Ipv4Tcp()).status, DissectStatus::kOk);
  EXPECT_EQ(Dissection(LinkType::kIpv6, Ipv6Tcp()).status, DissectStatus::kOk);
  EXPECT_EQ(Dissection(LinkType::kIpv4, Ipv6Tcp()).status,
            DissectStatus::kMalformedIp);
  EXPECT_EQ(Dissection(LinkType::kIpv6, Ipv4Tcp()).status,
            DissectStatus::kMalformedIp);
}

TEST(DissectFrameTest, LinuxCookedV1) {
  const Dissection v4(LinkType::kLinuxSll, Sll(0x0800, Ipv4Tcp()));
  ASSERT_EQ(v4.status, DissectStatus::kOk);
  EXPECT_EQ(v4.OffsetOf(v4.view.ip_header), 16);
  EXPECT_EQ(v4.view.src_port, 50000);
  const Dissection v6(LinkType::kLinuxSll, Sll(0x86DD, Ipv6Tcp()));
  ASSERT_EQ(v6.status, DissectStatus::kOk);
  EXPECT_EQ(v6.OffsetOf(v6.view.ip_header), 16);
  EXPECT_EQ(v6.view.ip_version, 6);
  // ARP, and LINUX_SLL_P_802_2 (an 802.2 LLC frame follows).
  EXPECT_EQ(Dissection(LinkType::kLinuxSll, Sll(0x0806, Ipv4Tcp())).status,
            DissectStatus::kNotIp);
  EXPECT_EQ(Dissection(LinkType::kLinuxSll, Sll(0x0004, Ipv4Tcp())).status,
            DissectStatus::kNotIp);
  // The protocol field contradicts the version nibble.
  EXPECT_EQ(Dissection(LinkType::kLinuxSll, Sll(0x86DD, Ipv4Tcp())).status,
            DissectStatus::kMalformedIp);
}

TEST(DissectFrameTest, LinuxCookedV2) {
  const Dissection v4(LinkType::kLinuxSll2, Sll2(0x0800, Ipv4Tcp()));
  ASSERT_EQ(v4.status, DissectStatus::kOk);
  EXPECT_EQ(v4.OffsetOf(v4.view.ip_header), 20);
  const Dissection v6(LinkType::kLinuxSll2, Sll2(0x86DD, Ipv6Tcp()));
  ASSERT_EQ(v6.status, DissectStatus::kOk);
  EXPECT_EQ(v6.OffsetOf(v6.view.ip_header), 20);
  EXPECT_EQ(Dissection(LinkType::kLinuxSll2, Sll2(0x0806, Ipv4Tcp())).status,
            DissectStatus::kNotIp);
  // v1's protocol offset (14) holds address bytes in v2; must not be used.
  EXPECT_EQ(Dissection(LinkType::kLinuxSll, Sll2(0x0800, Ipv4Tcp())).status,
            DissectStatus::kNotIp);
}

TEST(DissectFrameTest, LinuxCookedWithVlanTag) {
  Bytes tagged = {0x00, 0x64};  // TCI: VID 100
  Append16(tagged, 0x0800);
  Append(tagged, Ipv4Tcp());
  const Dissection d(LinkType::kLinuxSll, Sll(0x8100, tagged));
  ASSERT_EQ(d.status, DissectStatus::kOk);
  EXPECT_EQ(d.OffsetOf(d.view.ip_header), 20);
}

TEST(DissectFrameTest, UnsupportedLinkTypes) {
  for (uint16_t link : {0, 2, 9, 105, 127, 113 + 1, 227, 230, 275, 0xFFFF}) {
    EXPECT_EQ(Dissection(Link(link), Ethernet(0x0800, Ipv4Tcp())).status,
              DissectStatus::kUnsupportedLinkType)
        << link;
    EXPECT_EQ(Dissection(Link(link), Bytes{}).status,
              DissectStatus::kUnsupportedLinkType)
        << link;
  }
}

TEST(DissectFrameTest, VlanTags) {
  struct Case {
    std::vector<VlanTag> tags;
    DissectStatus status;
  };
  const Case cases[] = {
      {{{0x8100, 0x0064}}, DissectStatus::kOk},
      {{{0x88A8, 0x0064}, {0x8100, 0x00C8}}, DissectStatus::kOk},  // 802.1ad
      {{{0x9100, 0x0064}, {0x8100, 0x00C8}}, DissectStatus::kOk},
      {{{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4}},
       DissectStatus::kOk},
      {{{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4}, {0x8100, 5}},
       DissectStatus::kNotIp},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tags.size());
    for (const bool v6 : {false, true}) {
      const Dissection d(
          LinkType::kEthernet,
          Ethernet(v6 ? 0x86DD : 0x0800, v6 ? Ipv6Tcp() : Ipv4Tcp(), c.tags));
      ASSERT_EQ(d.status, c.status);
      if (c.status != DissectStatus::kOk) continue;
      EXPECT_EQ(d.OffsetOf(d.view.ip_header),
                static_cast<ptrdiff_t>(14 + 4 * c.tags.size()));
      EXPECT_EQ(d.view.ip_version, v6 ? 6 : 4);
      EXPECT_EQ(d.view.dst_port, 443);
    }
  }
}

TEST(DissectFrameTest, NonIpEtherTypes) {
  // ARP, an IEEE 802.3 length field (LLC follows), MPLS, IPX, PPPoE, LLDP.
  for (uint16_t type :
       {0x0806, 0x002E, 0x05DC, 0x8847, 0x8137, 0x8864, 0x88CC}) {
    EXPECT_EQ(Dissection(LinkType::kEthernet, Ethernet(type, Ipv4Tcp())).status,
              DissectStatus::kNotIp)
        << type;
  }
  // Inside a VLAN tag too.
  EXPECT_EQ(Dissection(LinkType::kEthernet,
                       Ethernet(0x0806, Ipv4Tcp(), {{0x8100, 5}}))
                .status,
            DissectStatus::kNotIp);
}

TEST(DissectFrameTest, EtherTypeContradictsVersion) {
  EXPECT_EQ(Dissection(LinkType::kEthernet, Ethernet(0x0800, Ipv6Tcp())).status,
            DissectStatus::kMalformedIp);
  EXPECT_EQ(Dissection(LinkType::kEthernet, Ethernet(0x86DD, Ipv4Tcp())).status,
            DissectStatus::kMalformedIp);
}

// ---------------------------------------------------------------------------
// IPv4 (RFC 791).
// ---------------------------------------------------------------------------

TEST(DissectFrameTest, Ipv4OptionsAreSkipped) {
  Ipv4Fields ip;
  // Record Route with one slot (RFC 791 §3.1), then End of Option List.
  ip.options = {0x07, 0x07, 0x04, 10, 0, 0, 1, 0x00};
  const TcpFields tcp = DataSegment(10);
  const Dissection d(LinkType::kEthernet, Ethernet(0x0800, Ipv4Tcp(tcp, ip)));
  ASSERT_EQ(d.status, DissectStatus::kOk);
  ExpectConsistent(d.view, d.buffer.span());
  EXPECT_EQ(d.view.ip_header.size(), 28u);
  EXPECT_EQ(d.OffsetOf(d.view.tcp_header), 14 + 28);
  EXPECT_EQ(d.view.src_port, 50000);
  EXPECT_EQ(ToBytes(d.view.options), DataOptions());
  EXPECT_EQ(ToBytes(d.view.payload), tcp.payload);

  ip.options = Filled(40, 0x01);  // IHL 15: 40 bytes of NOPs
  const Dissection max(LinkType::kRaw, Ipv4Tcp(tcp, ip));
  ASSERT_EQ(max.status, DissectStatus::kOk);
  EXPECT_EQ(max.view.ip_header.size(), 60u);
  EXPECT_EQ(ToBytes(max.view.payload), tcp.payload);
}

TEST(DissectFrameTest, Ipv4IhlBelowFiveIsMalformed) {
  for (uint8_t ihl = 0; ihl < 5; ++ihl) {
    Ipv4Fields ip;
    ip.ihl = ihl;
    EXPECT_EQ(Dissection(LinkType::kRaw, Ipv4Tcp({}, ip)).status,
              DissectStatus::kMalformedIp)
        << int{ihl};
  }
}

TEST(DissectFrameTest, Ipv4TotalLengthShorterThanHeader) {
  Ipv4Fields ip;
  ip.total_length = 19;
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv4Tcp({}, ip)).status,
            DissectStatus::kMalformedIp);
  ip.options = Filled(8, 0x01);  // IHL 7 = 28 bytes
  ip.total_length = 24;
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv4Tcp({}, ip)).status,
            DissectStatus::kMalformedIp);
}

TEST(DissectFrameTest, Ipv4TotalLengthLongerThanFrame) {
  const TcpFields tcp = DataSegment(10);
  Ipv4Fields ip;
  ip.total_length = 20 + 40 + 10 + 1;
  const Bytes frame = Ethernet(0x0800, Ipv4Tcp(tcp, ip));
  // The whole frame was captured: the length field lies.
  EXPECT_EQ(Dissection(LinkType::kEthernet, frame, frame.size()).status,
            DissectStatus::kMalformedIp);
  EXPECT_EQ(Dissection(LinkType::kEthernet, frame, 0).status,
            DissectStatus::kMalformedIp);
  // The frame on the wire was one byte longer than captured: a snaplen cut.
  const Dissection cut(LinkType::kEthernet, frame, frame.size() + 1);
  ASSERT_EQ(cut.status, DissectStatus::kOk);
  EXPECT_EQ(cut.view.payload.size(), 10u);
  EXPECT_EQ(cut.view.payload_length_on_wire, 11u);
  EXPECT_TRUE(cut.view.payload_truncated);
}

TEST(DissectFrameTest, Ipv4TotalLengthZeroIsTso) {
  const TcpFields tcp = DataSegment(100);
  Ipv4Fields ip;
  ip.total_length = 0;
  const Bytes frame = Ethernet(0x0800, Ipv4Tcp(tcp, ip));
  const Dissection whole(LinkType::kEthernet, frame, frame.size());
  ASSERT_EQ(whole.status, DissectStatus::kOk);
  EXPECT_EQ(whole.view.payload_length_on_wire, 100u);
  EXPECT_FALSE(whole.view.payload_truncated);
  // Captured with a snapshot length: the wire length comes from the frame.
  const Bytes head(frame.begin(), frame.begin() + 14 + 20 + 40 + 30);
  const Dissection cut(LinkType::kEthernet, head, 70000);
  ASSERT_EQ(cut.status, DissectStatus::kOk);
  EXPECT_EQ(cut.view.payload.size(), 30u);
  EXPECT_EQ(cut.view.payload_length_on_wire, 70000u - 14 - 20 - 40);
  EXPECT_TRUE(cut.view.payload_truncated);
}

TEST(DissectFrameTest, Ipv4Fragments) {
  struct Case {
    uint16_t flags_fragment;
    DissectStatus status;
  };
  const Case cases[] = {
      {0x0000, DissectStatus::kOk},        // no flags
      {0x4000, DissectStatus::kOk},        // DF
      {0x8000, DissectStatus::kOk},        // reserved bit: ignored
      {0x2000, DissectStatus::kFragment},  // MF, offset 0: first fragment
      {0x2001, DissectStatus::kFragment},  // MF, offset 8
      {0x0001, DissectStatus::kFragment},  // last fragment
      {0x1FFF, DissectStatus::kFragment},
  };
  for (const Case& c : cases) {
    Ipv4Fields ip;
    ip.flags_fragment = c.flags_fragment;
    const Dissection d(LinkType::kRaw, Ipv4Tcp({}, ip));
    EXPECT_EQ(d.status, c.status) << std::hex << c.flags_fragment;
    // IP-level fields are set either way.
    EXPECT_EQ(d.view.src, IpAddress::V4(192, 0, 2, 1));
    EXPECT_EQ(d.view.ip_header.size(), 20u);
  }
}

TEST(DissectFrameTest, Ipv4NonTcpProtocols) {
  for (uint8_t protocol : {0, 1, 17, 41, 47, 50, 51, 132, 255}) {
    Ipv4Fields ip;
    ip.protocol = protocol;
    const Dissection d(LinkType::kRaw, Ipv4Tcp({}, ip));
    EXPECT_EQ(d.status, DissectStatus::kNotTcp) << int{protocol};
    EXPECT_EQ(d.view.dst, IpAddress::V4(198, 51, 100, 7));
    EXPECT_EQ(d.view.src_port, 0);
  }
}

// ---------------------------------------------------------------------------
// IPv6 (RFC 8200).
// ---------------------------------------------------------------------------

TEST(DissectFrameTest, Ipv6HopByHopDestinationOptionsAtomicFragment) {
  Ipv6Fields ip;
  ip.ext = {OptionsHeader(0, 8), OptionsHeader(60, 16),
            FragmentHeader(0, false)};
  const TcpFields tcp = SynWithOptions();
  const Dissection d(LinkType::kEthernet, Ethernet(0x86DD, Ipv6Tcp(tcp, ip)));
  ASSERT_EQ(d.status, DissectStatus::kOk);
  ExpectConsistent(d.view, d.buffer.span());
  EXPECT_EQ(d.view.ip_header.size(), 40u + 8 + 16 + 8);
  EXPECT_EQ(d.OffsetOf(d.view.tcp_header), 14 + 72);
  EXPECT_TRUE(d.view.syn());
  EXPECT_EQ(ToBytes(d.view.options), SynOptions());
  EXPECT_TRUE(d.view.payload.empty());
  EXPECT_EQ(d.view.payload_length_on_wire, 0u);
}

TEST(DissectFrameTest, Ipv6RoutingAndAuthenticationHeaders) {
  Ipv6Fields ip;
  ip.ext = {OptionsHeader(0, 8), RoutingHeader(), AhHeader()};
  const TcpFields tcp = DataSegment(7);
  const Dissection d(LinkType::kRaw, Ipv6Tcp(tcp, ip));
  ASSERT_EQ(d.status, DissectStatus::kOk);
  ExpectConsistent(d.view, d.buffer.span());
  EXPECT_EQ(d.view.ip_header.size(), 40u + 8 + 24 + 24);
  EXPECT_EQ(ToBytes(d.view.payload), tcp.payload);
  // dst is the IPv6 header field, not the segment list's final address.
  EXPECT_EQ(d.view.dst, *IpAddress::Parse("2001:db8:0:1::2"));
}

TEST(DissectFrameTest, Ipv6UniformFormatHeaders) {
  for (uint8_t type : {135, 139, 140}) {
    Ipv6Fields ip;
    ip.ext = {UniformHeader(type, 1)};
    const Dissection d(LinkType::kRaw, Ipv6Tcp({}, ip));
    ASSERT_EQ(d.status, DissectStatus::kOk) << int{type};
    EXPECT_EQ(d.view.ip_header.size(), 40u + 16);
  }
}

TEST(DissectFrameTest, Ipv6Fragments) {
  struct Case {
    uint16_t offset;
    bool more;
    uint16_t reserved;
    DissectStatus status;
  };
  const Case cases[] = {
      {0, false, 0, DissectStatus::kOk},  // atomic fragment (RFC 8021)
      {0, false, 3, DissectStatus::kOk},  // Res bits are ignored
      {0, true, 0, DissectStatus::kFragment},
      {1, false, 0, DissectStatus::kFragment},
      {185, true, 0, DissectStatus::kFragment},
      {0x1FFF, false, 0, DissectStatus::kFragment},
  };
  for (const Case& c : cases) {
    Ipv6Fields ip;
    ip.ext = {OptionsHeader(0, 8),
              FragmentHeader(c.offset, c.more, c.reserved)};
    const Dissection d(LinkType::kRaw, Ipv6Tcp({}, ip));
    EXPECT_EQ(d.status, c.status) << c.offset << " " << c.more;
    EXPECT_EQ(d.view.ip_version, 6);
    EXPECT_EQ(d.view.ip_header.size(), 40u + 8 + 8);
  }
}

TEST(DissectFrameTest, Ipv6ChainsNotEndingInTcp) {
  // No Next Header, ESP, UDP, ICMPv6, IPv6-in-IPv6, experimental values.
  for (uint8_t upper : {59, 50, 17, 58, 41, 253, 254}) {
    Ipv6Fields ip;
    ip.upper_protocol = upper;
    EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip)).status,
              DissectStatus::kNotTcp)
        << int{upper};
    ip.ext = {OptionsHeader(0, 8), OptionsHeader(60, 8)};
    const Dissection d(LinkType::kRaw, Ipv6Tcp({}, ip));
    EXPECT_EQ(d.status, DissectStatus::kNotTcp) << int{upper};
    EXPECT_EQ(d.view.ip_header.size(), 56u);
  }
}

TEST(DissectFrameTest, Ipv6HopByHopMustBeFirst) {
  Ipv6Fields ip;
  ip.ext = {OptionsHeader(60, 8), OptionsHeader(0, 8)};
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip)).status,
            DissectStatus::kMalformedIp);
}

TEST(DissectFrameTest, Ipv6ExtensionHeaderLimit) {
  Ipv6Fields ip;
  ip.ext = {OptionsHeader(0, 8)};
  while (ip.ext.size() < static_cast<size_t>(kMaxIpv6ExtensionHeaders)) {
    ip.ext.push_back(OptionsHeader(60, 8));
  }
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip)).status,
            DissectStatus::kOk);
  ip.ext.push_back(OptionsHeader(60, 8));
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip)).status,
            DissectStatus::kMalformedIp);
}

TEST(DissectFrameTest, Ipv6ExtensionHeaderBeyondPayloadLength) {
  Ipv6Fields ip;
  ip.ext = {OptionsHeader(60, 16)};
  for (uint16_t payload_length : {1, 15}) {
    ip.payload_length = payload_length;
    EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip)).status,
              DissectStatus::kMalformedIp)
        << payload_length;
  }
  ip.ext = {FragmentHeader(0, false)};
  ip.payload_length = 7;
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip)).status,
            DissectStatus::kMalformedIp);
}

TEST(DissectFrameTest, Ipv6PayloadLengthLongerThanFrame) {
  Ipv6Fields ip;
  ip.payload_length = 21;
  Bytes frame = Ipv6Tcp({}, ip);
  EXPECT_EQ(Dissection(LinkType::kRaw, frame).status,
            DissectStatus::kMalformedIp);
  EXPECT_EQ(Dissection(LinkType::kRaw, frame, frame.size() + 1).status,
            DissectStatus::kOk);
}

TEST(DissectFrameTest, Ipv6PayloadLengthZeroIsJumboOrBigTcp) {
  Ipv6Fields ip;
  ip.payload_length = 0;
  const TcpFields tcp = DataSegment(64);
  const Bytes frame = Ipv6Tcp(tcp, ip);
  const Dissection whole(LinkType::kRaw, frame);
  ASSERT_EQ(whole.status, DissectStatus::kOk);
  EXPECT_EQ(whole.view.payload_length_on_wire, 64u);
  const Dissection cut(LinkType::kRaw, frame, 100000);
  ASSERT_EQ(cut.status, DissectStatus::kOk);
  EXPECT_EQ(cut.view.payload.size(), 64u);
  EXPECT_EQ(cut.view.payload_length_on_wire, 100000u - 40 - 40);
  EXPECT_TRUE(cut.view.payload_truncated);
}

// ---------------------------------------------------------------------------
// TCP (RFC 9293 §3.1).
// ---------------------------------------------------------------------------

TEST(DissectFrameTest, TcpDataOffsetBelowFiveIsMalformed) {
  for (uint8_t words = 0; words < 5; ++words) {
    TcpFields tcp;
    tcp.data_offset = words;
    const Dissection d(LinkType::kRaw, Ipv4Tcp(tcp));
    EXPECT_EQ(d.status, DissectStatus::kMalformedTcp) << int{words};
    // The fixed header was there, so its fields are reported.
    EXPECT_EQ(d.view.src_port, 50000);
    EXPECT_EQ(d.view.seq, 0x01020304u);
    EXPECT_TRUE(d.view.tcp_header.empty());
  }
}

TEST(DissectFrameTest, TcpHeaderLongerThanDatagram) {
  TcpFields tcp;
  tcp.data_offset = 15;  // 60 bytes, but only 20 + 8 follow
  tcp.payload = Filled(8, 0);
  const Bytes frame = Ipv4Tcp(tcp);
  EXPECT_EQ(Dissection(LinkType::kRaw, frame).status,
            DissectStatus::kMalformedTcp);
  // Even when the capture is also short.
  EXPECT_EQ(Dissection(LinkType::kRaw, frame, 5000).status,
            DissectStatus::kMalformedTcp);
  // IP declares fewer than 20 bytes of TCP.
  Ipv4Fields ip;
  ip.total_length = 20 + 19;
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv4Tcp({}, ip)).status,
            DissectStatus::kMalformedTcp);
  Ipv6Fields ip6;
  ip6.payload_length = 0 + 19;
  EXPECT_EQ(Dissection(LinkType::kRaw, Ipv6Tcp({}, ip6)).status,
            DissectStatus::kMalformedTcp);
}

TEST(DissectFrameTest, TcpOptionAreaSizes) {
  TcpFields tcp;
  const Dissection none(LinkType::kRaw, Ipv4Tcp(tcp));
  ASSERT_EQ(none.status, DissectStatus::kOk);
  EXPECT_TRUE(none.view.options.empty());
  EXPECT_EQ(none.view.tcp_header.size(), 20u);

  tcp.options = Filled(40, 0x01);
  tcp.payload = {9, 9, 9};
  const Dissection max(LinkType::kRaw, Ipv4Tcp(tcp));
  ASSERT_EQ(max.status, DissectStatus::kOk);
  EXPECT_EQ(ToBytes(max.view.options), tcp.options);
  EXPECT_EQ(ToBytes(max.view.payload), tcp.payload);
}

// ---------------------------------------------------------------------------
// Payload bounds and truncation.
// ---------------------------------------------------------------------------

TEST(DissectFrameTest, EthernetPaddingIsNotPayload) {
  TcpFields ack;
  ack.flags = kTcpFlagAck;
  const Bytes frame = PadEthernet(Ethernet(0x0800, Ipv4Tcp(ack)));
  ASSERT_EQ(frame.size(), 60u);  // 54 + 6 bytes of padding
  const Dissection d(LinkType::kEthernet, frame);
  ASSERT_EQ(d.status, DissectStatus::kOk);
  EXPECT_TRUE(d.view.payload.empty());
  EXPECT_EQ(d.view.payload_length_on_wire, 0u);
  EXPECT_FALSE(d.view.payload_truncated);

  // Two payload bytes, padding, and a 4-byte FCS trailer.
  TcpFields data;
  data.payload = {0x11, 0x22};
  Bytes padded = PadEthernet(Ethernet(0x0800, Ipv4Tcp(data), {{0x8100, 7}}));
  Append(padded, {0xDE, 0xAD, 0xBE, 0xEF});
  const Dissection p(LinkType::kEthernet, padded);
  ASSERT_EQ(p.status, DissectStatus::kOk);
  EXPECT_EQ(ToBytes(p.view.payload), data.payload);
  EXPECT_EQ(p.view.payload_length_on_wire, 2u);
  EXPECT_FALSE(p.view.payload_truncated);
}

TEST(DissectFrameTest, SnaplenCutPayloadIsFlagged) {
  const TcpFields tcp = DataSegment(1000);
  const Bytes frame = Ethernet(0x86DD, Ipv6Tcp(tcp));
  const Bytes head(frame.begin(), frame.begin() + 128);
  const Dissection d(LinkType::kEthernet, head, frame.size());
  ASSERT_EQ(d.status, DissectStatus::kOk);
  ExpectConsistent(d.view, d.buffer.span());
  EXPECT_EQ(d.view.payload.size(), 128u - 14 - 40 - 40);
  EXPECT_EQ(d.view.payload_length_on_wire, 1000u);
  EXPECT_TRUE(d.view.payload_truncated);
  EXPECT_EQ(ToBytes(d.view.payload),
            Bytes(tcp.payload.begin(), tcp.payload.begin() + 34));
}

TEST(DissectFrameTest, TruncatedInsideTcpKeepsIpFields) {
  const Bytes frame = Ipv4Tcp(SynWithOptions());
  // Cut inside the TCP options: fixed header present.
  const Bytes head(frame.begin(), frame.begin() + 20 + 30);
  const Dissection d(LinkType::kRaw, head, frame.size());
  ASSERT_EQ(d.status, DissectStatus::kTruncated);
  EXPECT_EQ(d.view.src, IpAddress::V4(192, 0, 2, 1));
  EXPECT_EQ(d.view.ip_version, 4);
  EXPECT_EQ(d.view.src_port, 50000);
  EXPECT_TRUE(d.view.syn());
  EXPECT_TRUE(d.view.tcp_header.empty());
  EXPECT_TRUE(d.view.options.empty());
  // Cut inside the fixed header: only IP-level fields.
  const Bytes shorter(frame.begin(), frame.begin() + 20 + 10);
  const Dissection s(LinkType::kRaw, shorter, frame.size());
  ASSERT_EQ(s.status, DissectStatus::kTruncated);
  EXPECT_EQ(s.view.dst, IpAddress::V4(198, 51, 100, 7));
  EXPECT_EQ(s.view.src_port, 0);
}

TEST(DissectFrameTest, OutputIsResetOnEachCall) {
  const ExactCopy good(Ethernet(0x0800, Ipv4Tcp(DataSegment(5))));
  const ExactCopy arp(Ethernet(0x0806, Filled(28, 0)));
  TcpSegmentView v;
  ASSERT_EQ(DissectFrame(LinkType::kEthernet, good.span(), 0, v),
            DissectStatus::kOk);
  ASSERT_EQ(DissectFrame(LinkType::kEthernet, arp.span(), 0, v),
            DissectStatus::kNotIp);
  EXPECT_EQ(v.ip_version, 0);
  EXPECT_EQ(v.src_port, 0);
  EXPECT_TRUE(v.ip_header.empty());
  EXPECT_TRUE(v.tcp_header.empty());
  EXPECT_TRUE(v.payload.empty());
  EXPECT_EQ(v.payload_length_on_wire, 0u);
}

struct SampleFrame {
  std::string name;
  LinkType link;
  Bytes bytes;
};

std::vector<SampleFrame> SampleFrames() {
  Ipv6Fields chain;
  chain.ext = {OptionsHeader(0, 8), OptionsHeader(60, 16),
               FragmentHeader(0, false)};
  Ipv6Fields secured;
  secured.ext = {RoutingHeader(), AhHeader()};
  Ipv4Fields with_options;
  with_options.options = {0x07, 0x07, 0x04, 10, 0, 0, 1, 0x00};
  TcpFields short_ack;
  short_ack.flags = kTcpFlagAck;
  return {
      {"eth_qinq_ipv6_chain_syn", LinkType::kEthernet,
       Ethernet(0x86DD, Ipv6Tcp(SynWithOptions(), chain),
                {{0x88A8, 100}, {0x8100, 200}})},
      {"eth_ipv4_options_padded", LinkType::kEthernet,
       PadEthernet(Ethernet(0x0800, Ipv4Tcp(short_ack, with_options)))},
      {"eth_ipv4_data", LinkType::kEthernet,
       Ethernet(0x0800, Ipv4Tcp(DataSegment(40)))},
      {"sll_ipv4_data", LinkType::kLinuxSll,
       Sll(0x0800, Ipv4Tcp(DataSegment(12), with_options))},
      {"sll2_ipv6_routing_ah", LinkType::kLinuxSll2,
       Sll2(0x86DD, Ipv6Tcp(DataSegment(12), secured))},
      {"raw_ipv4_syn", LinkType::kRaw, Ipv4Tcp(SynWithOptions())},
      {"raw_ipv6_data", LinkType::kRaw, Ipv6Tcp(DataSegment(9))},
      {"ipv4_linktype", LinkType::kIpv4, Ipv4Tcp(DataSegment(3))},
      {"ipv6_linktype", LinkType::kIpv6, Ipv6Tcp(DataSegment(3), chain)},
  };
}

// Every prefix of a valid frame, captured from a frame of the full length:
// a cut before the end of the TCP header gives kTruncated, a cut in the
// payload gives kOk with payload_truncated. Over-reads are caught by ASan
// (exact-size heap copy) and by a guard page (without ASan).
TEST(DissectFrameTest, TruncationSweepOverEveryPrefix) {
  for (const SampleFrame& sample : SampleFrames()) {
    SCOPED_TRACE(sample.name);
    const Dissection full(sample.link, sample.bytes);
    ASSERT_EQ(full.status, DissectStatus::kOk);
    const size_t header_end = static_cast<size_t>(
        full.OffsetOf(full.view.tcp_header) + full.view.tcp_header.size());
    const size_t ip_end = header_end + full.view.payload_length_on_wire;
    ASSERT_LE(ip_end, sample.bytes.size());
    const uint32_t wire = static_cast<uint32_t>(sample.bytes.size());
    for (size_t len = 0; len <= sample.bytes.size(); ++len) {
      SCOPED_TRACE(len);
      const std::span<const uint8_t> prefix(sample.bytes.data(), len);
      const ExactCopy heap(prefix);
      const GuardedCopy guarded(prefix);
      ASSERT_TRUE(guarded.ok());
      for (std::span<const uint8_t> buf : {heap.span(), guarded.span()}) {
        TcpSegmentView v;
        const DissectStatus status = DissectFrame(sample.link, buf, wire, v);
        if (len < header_end) {
          ASSERT_EQ(status, DissectStatus::kTruncated);
          EXPECT_TRUE(v.tcp_header.empty());
          EXPECT_TRUE(v.options.empty());
          // Cut inside the option area: the captured prefix of it is kept.
          const size_t options_start = header_end - full.view.options.size();
          if (len >= options_start) {
            EXPECT_EQ(v.truncated_options_length_on_wire, full.view.options.size());
            EXPECT_EQ(v.truncated_options.size(), len - options_start);
            EXPECT_EQ(v.truncated_options.data(), buf.data() + options_start);
            EXPECT_EQ(v.seq, full.view.seq);
          } else {
            EXPECT_TRUE(v.truncated_options.empty());
            EXPECT_EQ(v.truncated_options_length_on_wire, 0);
          }
          continue;
        }
        ASSERT_EQ(status, DissectStatus::kOk);
        ExpectConsistent(v, buf);
        EXPECT_EQ(v.payload.size(), std::min(len, ip_end) - header_end);
        EXPECT_EQ(v.payload_truncated, len < ip_end);
        EXPECT_EQ(v.payload_length_on_wire, full.view.payload_length_on_wire);
      }
      // The caller claims the short frame is all there was: any status, no
      // over-read, and consistent views if kOk.
      TcpSegmentView v;
      if (DissectFrame(sample.link, heap.span(), static_cast<uint32_t>(len),
                       v) == DissectStatus::kOk) {
        ExpectConsistent(v, heap.span());
        EXPECT_FALSE(v.payload_truncated);
      }
    }
  }
}

TEST(DissectFrameTest, DoesNotAllocate) {
  std::vector<std::pair<LinkType, ExactCopy>> inputs;
  for (const SampleFrame& sample : SampleFrames()) {
    for (size_t len = 0; len <= sample.bytes.size(); ++len) {
      inputs.emplace_back(sample.link, ExactCopy({sample.bytes.data(), len}));
    }
  }
  size_t ok = 0;
  const uint64_t before = g_allocations.load();
  for (const auto& [link, buffer] : inputs) {
    TcpSegmentView v;
    ok += DissectFrame(link, buffer.span(), 0, v) == DissectStatus::kOk;
  }
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_GT(ok, 0u);
  // The counter works.
  auto probe = std::make_unique<int>(1);
  EXPECT_GT(g_allocations.load(), before);
}

// Deterministic mutations of the sample frames: flipped bytes, cuts and odd
// original lengths must give a status, never a crash or an over-read.
TEST(DissectFrameTest, RandomMutationsAreHandled) {
  std::mt19937 rng(20240611);
  std::set<DissectStatus> seen;
  for (const SampleFrame& sample : SampleFrames()) {
    SCOPED_TRACE(sample.name);
    for (int i = 0; i < 3000; ++i) {
      Bytes frame = sample.bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        frame[rng() % frame.size()] = static_cast<uint8_t>(rng());
      }
      frame.resize(rng() % (frame.size() + 1));
      const uint32_t original =
          (rng() % 3 == 0) ? static_cast<uint32_t>(rng() % 2000)
                           : static_cast<uint32_t>(sample.bytes.size());
      const ExactCopy heap(frame);
      TcpSegmentView v;
      const DissectStatus status =
          DissectFrame(sample.link, heap.span(), original, v);
      seen.insert(status);
      EXPECT_TRUE(Within(v.ip_header, heap.span()));
      EXPECT_TRUE(Within(v.tcp_header, heap.span()));
      EXPECT_TRUE(Within(v.payload, heap.span()));
      if (status == DissectStatus::kOk) ExpectConsistent(v, heap.span());
      if (::testing::Test::HasFailure()) return;
    }
  }
  // The mutations reach past the link layer.
  EXPECT_TRUE(seen.count(DissectStatus::kOk));
  EXPECT_TRUE(seen.count(DissectStatus::kTruncated));
  EXPECT_TRUE(seen.count(DissectStatus::kMalformedIp));
  EXPECT_TRUE(seen.count(DissectStatus::kMalformedTcp));
}

TEST(DissectStatusNameTest, NamesAreDistinct) {
  std::set<std::string> names;
  for (int s = 0; s <= static_cast<int>(DissectStatus::kFragment); ++s) {
    const char* name = DissectStatusName(static_cast<DissectStatus>(s));
    ASSERT_NE(name, nullptr);
    EXPECT_NE(std::string(name), "UNKNOWN");
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 8u);
  EXPECT_STREQ(DissectStatusName(DissectStatus::kTruncated), "TRUNCATED");
  EXPECT_STREQ(DissectStatusName(static_cast<DissectStatus>(200)), "UNKNOWN");
}

// ---------------------------------------------------------------------------
// Frames built by scapy, with the values scapy reports.
// ---------------------------------------------------------------------------

struct ScapyFrame {
  const char* name;
  uint16_t link;
  uint32_t original_length;
  DissectStatus status;
  std::vector<uint8_t> captured;
  const char* src;
  const char* dst;
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t seq;
  uint32_t ack;
  uint8_t flags;
  uint16_t window;
  uint8_t dscp;
  std::vector<uint8_t> options;
  size_t tcp_offset;
  uint32_t payload_length_on_wire;
};

const ScapyFrame kScapyFrames[] = {
#include "mptcp_opts/capture/testdata/scapy_frames.inc"
};

TEST(DissectFrameTest, ScapyFrames) {
  for (const ScapyFrame& f : kScapyFrames) {
    SCOPED_TRACE(f.name);
    const Dissection d(Link(f.link), f.captured, f.original_length);
    ASSERT_EQ(d.status, f.status);
    if (f.status != DissectStatus::kOk) continue;
    ExpectConsistent(d.view, d.buffer.span());
    EXPECT_EQ(d.view.src.ToString(), f.src);
    EXPECT_EQ(d.view.dst.ToString(), f.dst);
    EXPECT_EQ(d.view.src_port, f.src_port);
    EXPECT_EQ(d.view.dst_port, f.dst_port);
    EXPECT_EQ(d.view.seq, f.seq);
    EXPECT_EQ(d.view.ack, f.ack);
    EXPECT_EQ(d.view.flags, f.flags);
    EXPECT_EQ(d.view.window, f.window);
    EXPECT_EQ(d.view.dscp, f.dscp);
    EXPECT_EQ(ToBytes(d.view.options), f.options);
    EXPECT_EQ(d.OffsetOf(d.view.tcp_header),
              static_cast<ptrdiff_t>(f.tcp_offset));
    EXPECT_EQ(d.view.payload_length_on_wire, f.payload_length_on_wire);
    const size_t header_end = f.tcp_offset + d.view.tcp_header.size();
    const size_t captured_payload = std::min<size_t>(
        f.captured.size() - header_end, f.payload_length_on_wire);
    EXPECT_EQ(d.view.payload.size(), captured_payload);
    EXPECT_EQ(d.view.payload_truncated,
              captured_payload < f.payload_length_on_wire);
  }
}

}  // namespace
}  // namespace mptcp_opts::capture
