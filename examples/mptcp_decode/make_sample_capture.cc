// SPDX-License-Identifier: Apache-2.0
// Writes the sample captures the repo ships: MPTCP exchanges of the explicit
// (MP_CONVERT IEs) and implicit (MP_PREFER_PROXY) models of
// draft-boucadair-mptcp-plain-mode-10, every segment built by mptcp_opts, with
// keys, tokens and HMACs computed by the library. `--scenario=faulty` adds
// what a decoder must flag: a forged MP_JOIN HMAC, an ADD_ADDR HMAC in an old
// Linux style, malformed options and a malformed IE.
//
//   make_sample_capture --link=ethernet|vlan|sll|sll2|raw --scenario=explicit|faulty OUT.pcap
#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "mptcp_opts/crypto.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/option_area_builder.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/wire.h"

namespace {

namespace mo = mptcp_opts;
using mo::IpAddress;
using Bytes = std::vector<uint8_t>;

enum class Link { kEthernet, kVlan, kSll, kSll2, kRaw };

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kRst = 0x04, kPsh = 0x08, kFin = 0x01;

struct Flow {
  IpAddress src, dst;
  uint16_t sport, dport;
  uint32_t seq, ack;
};

class Writer {
 public:
  Writer(Link link, pcap_dumper_t* dumper) : link_(link), dumper_(dumper) {}

  // One TCP segment with the given options (built by the library) and payload.
  void Segment(const Flow& f, uint8_t flags, const std::vector<mo::TcpOptionValue>& opts,
               const Bytes& payload = {}, const Bytes& raw_options = {}) {
    uint8_t area[40];
    size_t area_len = 0;
    if (!raw_options.empty()) {
      std::memcpy(area, raw_options.data(), raw_options.size());
      area_len = raw_options.size();
    } else if (mo::BuildOptionArea(opts, area, area_len) != mo::EncodeStatus::kOk) {
      std::fprintf(stderr, "make_sample_capture: options do not fit\n");
      std::exit(1);
    }
    Bytes tcp(20 + area_len);
    mo::internal::StoreBe16(&tcp[0], f.sport);
    mo::internal::StoreBe16(&tcp[2], f.dport);
    mo::internal::StoreBe32(&tcp[4], f.seq);
    mo::internal::StoreBe32(&tcp[8], (flags & kAck) ? f.ack : 0);
    tcp[12] = uint8_t((tcp.size() / 4) << 4);
    tcp[13] = flags;
    mo::internal::StoreBe16(&tcp[14], 64240);
    std::memcpy(&tcp[20], area, area_len);
    tcp.insert(tcp.end(), payload.begin(), payload.end());
    const uint16_t c = mo::TcpChecksum(f.src, f.dst, tcp);
    mo::internal::StoreBe16(&tcp[16], c);

    Bytes ip;
    if (f.src.is_v4()) {
      ip.assign(20, 0);
      ip[0] = 0x45;
      ip[1] = 0x28;  // DSCP AF11
      mo::internal::StoreBe16(&ip[2], uint16_t(20 + tcp.size()));
      ip[6] = 0x40;  // DF
      ip[8] = 64;
      ip[9] = 6;
      std::memcpy(&ip[12], f.src.bytes().data(), 4);
      std::memcpy(&ip[16], f.dst.bytes().data(), 4);
      const uint16_t hc = uint16_t(~mo::OnesComplementSum(ip));
      mo::internal::StoreBe16(&ip[10], hc);
    } else {
      ip.assign(40, 0);
      ip[0] = 0x60;
      mo::internal::StoreBe16(&ip[4], uint16_t(tcp.size()));
      ip[6] = 6;
      ip[7] = 64;
      std::memcpy(&ip[8], f.src.bytes().data(), 16);
      std::memcpy(&ip[24], f.dst.bytes().data(), 16);
    }
    ip.insert(ip.end(), tcp.begin(), tcp.end());
    Write(ip, f.src.is_v6());
  }

 private:
  void Write(const Bytes& ip, bool v6) {
    const uint16_t ethertype = v6 ? 0x86dd : 0x0800;
    Bytes frame;
    switch (link_) {
      case Link::kEthernet:
      case Link::kVlan: {
        frame = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
        if (link_ == Link::kVlan) frame.insert(frame.end(), {0x81, 0x00, 0x00, 0x64});
        frame.push_back(uint8_t(ethertype >> 8));
        frame.push_back(uint8_t(ethertype));
        break;
      }
      case Link::kSll:  // Linux cooked v1: packet type, ARPHRD, addr len, addr[8], protocol
        frame = {0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 1, 0, 0, uint8_t(ethertype >> 8),
                 uint8_t(ethertype)};
        break;
      case Link::kSll2:  // Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, len, addr
        frame = {uint8_t(ethertype >> 8), uint8_t(ethertype), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6,
                 0x02, 0, 0, 0, 0, 1, 0, 0};
        break;
      case Link::kRaw:
        break;
    }
    frame.insert(frame.end(), ip.begin(), ip.end());
    pcap_pkthdr h{};
    h.ts.tv_sec = 1700000000 + time_us_ / 1000000;
    h.ts.tv_usec = time_us_ % 1000000;
    time_us_ += 1500;
    h.caplen = h.len = uint32_t(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, frame.data());
  }

  Link link_;
  pcap_dumper_t* dumper_;
  uint64_t time_us_ = 0;
};

Bytes Ies(std::vector<mo::MpConvertIe> ies, const std::string& data = "") {
  uint8_t buf[64];
  size_t n = 0;
  if (mo::BuildMpConvertIes(ies, buf, n) != mo::EncodeStatus::kOk) std::exit(1);
  Bytes out(buf, buf + n);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

mo::MptcpOption Cap(std::optional<uint64_t> skey, std::optional<uint64_t> rkey,
                    std::optional<uint16_t> dll = std::nullopt) {
  mo::MpCapable c;
  c.sender_key = skey;
  c.receiver_key = rkey;
  c.data_level_length = dll;
  return c;
}

Flow Reverse(const Flow& f) { return {f.dst, f.src, f.dport, f.sport, f.ack, f.seq}; }

// Host-based explicit model (draft -10 Figure 7, seed 002 Figure 6): a
// multipath client asks the MCP, by an IE, to reach a TCP-only server; a
// second subflow joins; the MCP announces another address; data; close.
void ExplicitIpv4(Writer& w, bool faulty) {
  const uint64_t key_c = 0x2c6b8a7d9e0f1a2bull, key_m = 0x71d3c4b5a6978877ull;
  const auto v1 = mo::MptcpVersion::kV1;
  const IpAddress client1 = IpAddress::V4(100, 64, 1, 10), client2 = IpAddress::V4(100, 65, 7, 20);
  const IpAddress mcp = IpAddress::V4(203, 0, 113, 1), server = IpAddress::V4(192, 0, 2, 80);
  Flow up{client1, mcp, 40001, 5555, 1000, 0};
  const Bytes syn_payload = Ies({{false, server, 443}}, "GET / HTTP/1.1\r\n");
  w.Segment(up, kSyn, {mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{1, 0},
                       mo::WindowScale{7}, Cap(std::nullopt, std::nullopt)},
            syn_payload);
  // The MCP opens the downstream leg as plain TCP, relaying the data (D4).
  Flow down{mcp, server, 61000, 443, 5000, 0};
  w.Segment(down, kSyn, {mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{2, 0}},
            Text("GET / HTTP/1.1\r\n"));
  Flow down_r = Reverse(down);
  down_r.seq = 9000;
  down_r.ack = 5000 + 1 + 16;
  w.Segment(down_r, kSyn | kAck, {mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{3, 2}});
  // Only now the SYN/ACK upstream, echoing the IE (D3).
  Flow up_r = Reverse(up);
  up_r.seq = 7000;
  up_r.ack = 1000 + 1 + uint32_t(syn_payload.size());
  mo::MpCapable synack;
  synack.sender_key = key_m;
  synack.flags |= mo::MpCapable::kFlagC;  // no joins to this address
  w.Segment(up_r, kSyn | kAck,
            {mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{4, 1}, mo::WindowScale{7},
             mo::MptcpOption{synack}},
            Ies({{false, server, 443}}));
  up.seq = up_r.ack;
  up.ack = 7000 + 1 + 16;
  w.Segment(up, kAck, {mo::Timestamps{5, 4}, Cap(key_c, key_m)});

  // Second subflow from the client's other interface (MP_JOIN to the MCP).
  const uint32_t nonce_c = 0x1a2b3c4d, nonce_m = 0x5e6f7081;
  Flow j{client2, mcp, 40002, 5555, 2000, 0};
  w.Segment(j, kSyn, {mo::Mss{1400}, mo::SackPermitted{}, mo::Timestamps{6, 0}, mo::WindowScale{7},
                      mo::MptcpOption{mo::MpJoinSyn{false, 2, mo::Token(key_m, v1), nonce_c}}});
  Flow j_r = Reverse(j);
  j_r.seq = 8000;
  j_r.ack = 2001;
  uint64_t synack_hmac = mo::JoinSynAckTruncatedHmac(v1, key_m, key_c, nonce_m, nonce_c);
  if (faulty) synack_hmac ^= 1;  // a forged HMAC: --verify must fail it
  w.Segment(j_r, kSyn | kAck, {mo::Mss{1460}, mo::SackPermitted{}, mo::Timestamps{7, 6},
                               mo::WindowScale{7},
                               mo::MptcpOption{mo::MpJoinSynAck{false, 0, synack_hmac, nonce_m}}});
  j.seq = 2001;
  j.ack = 8001;
  w.Segment(j, kAck, {mo::Timestamps{8, 7},
                      mo::MptcpOption{mo::MpJoinAck{mo::JoinAckHmac(v1, key_c, key_m, nonce_c, nonce_m)}}});

  // The MCP announces a second address, with its HMAC (RFC 8684 §3.4.1).
  const IpAddress mcp2 = IpAddress::V4(203, 0, 113, 2);
  mo::AddAddr add;
  add.address_id = 1;
  add.address = mcp2;
  add.port = 5555;
  add.truncated_hmac = mo::AddAddrHmac(key_m, key_c, 1, mcp2, 5555,
                                       faulty ? mo::AddAddrHmacVariant::kLinuxPortAlwaysZero
                                              : mo::AddAddrHmacVariant::kRfc8684);
  up_r.seq = 7001;
  up_r.ack = up.seq;
  w.Segment(up_r, kAck, {mo::Timestamps{9, 5}, mo::MptcpOption{add}});
  mo::AddAddr echo = add;
  echo.echo = true;
  echo.truncated_hmac.reset();
  w.Segment(up, kAck, {mo::Timestamps{10, 9}, mo::MptcpOption{echo}});

  // Data with a DSS mapping, then the data-level ACK, then backup change.
  mo::Dss data;
  data.data_ack = mo::Idsn(key_m, v1) + 1;
  data.data_ack_8_bytes = true;
  data.mapping = mo::DssMapping{mo::Idsn(key_c, v1) + 17, 17, 11, std::nullopt};
  data.dsn_8_bytes = true;
  w.Segment(up, kAck | kPsh, {mo::Timestamps{11, 9}, mo::MptcpOption{data}}, Text("Host: a\r\n\r\n"));
  mo::Dss ack;
  ack.data_ack = mo::Idsn(key_c, v1) + 28;
  ack.data_ack_8_bytes = true;
  w.Segment(down_r, kAck, {mo::Timestamps{12, 11}});
  w.Segment(up_r, kAck, {mo::Timestamps{13, 11}, mo::MptcpOption{ack}});
  w.Segment(j, kAck, {mo::Timestamps{14, 13}, mo::MptcpOption{mo::MpPrio{mo::MptcpVersion::kV1, true, std::nullopt}}});
  w.Segment(up_r, kAck, {mo::Timestamps{15, 14}, mo::MptcpOption{mo::RemoveAddr{1}}});

  if (faulty) {
    // Malformed options: MP_JOIN of length 14, DSS shorter than its flags say,
    // a walk that cannot advance (length 0).
    w.Segment(j, kAck, {}, {}, {0x1e, 0x0e, 0x10, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 1, 1});
    w.Segment(j, kAck, {}, {}, {0x1e, 0x08, 0x20, 0x05, 0, 0, 0, 1});
    w.Segment(j, kAck, {}, {}, {0x01, 0x01, 0x08, 0x00});
    // D10: MP_PREFER_PROXY outside a SYN is ignored.
    w.Segment(up, kAck, {mo::Timestamps{16, 15}, mo::MptcpOption{mo::MpPreferProxy{}}});
    // D7: an IE naming a loopback destination (built by hand: the library refuses to).
    Flow bad{client1, mcp, 40009, 5555, 4242, 0};
    Bytes ie = Ies({{false, server, 443}});
    ie[8] = 127, ie[9] = 0, ie[10] = 0, ie[11] = 1;
    w.Segment(bad, kSyn, {mo::Mss{1460}, Cap(std::nullopt, std::nullopt)}, ie);
  }
  // Abortive close on the client side: MP_FASTCLOSE with the MCP's key, then
  // the MCP resets the downstream leg (draft -10 §6.2 coupling).
  up.seq += 11;
  w.Segment(up, kAck | kRst, {mo::MptcpOption{mo::MpFastclose{key_m}},
                              mo::MptcpOption{mo::MpTcprst{0, 0}}});
  down.seq = 5000 + 17;
  down.ack = 9001;
  w.Segment(down, kAck | kRst, {});
}

// CPE-based explicit model with source preservation (seed 002 Figure 14,
// draft -10 Figure 9) over IPv6: two IEs, source and destination; and the
// implicit model: a SYN towards the server marked with MP_PREFER_PROXY.
void CpeIpv6(Writer& w) {
  const uint64_t key_c = 0x0a0b0c0d0e0f1011ull, key_m = 0x1213141516171819ull;
  const IpAddress cpe = *IpAddress::Parse("2001:db8:100::1"),
                  mcp = *IpAddress::Parse("2001:db8:ffff::1"),
                  lan_host = *IpAddress::Parse("2001:db8:100:1::20"),
                  server = *IpAddress::Parse("2001:db8:200::80");
  Flow up{cpe, mcp, 50001, 5555, 100, 0};
  const Bytes ies = Ies({{true, lan_host, 51515}, {false, server, 443}});
  mo::MpCapable syn;
  syn.flags |= mo::MpCapable::kFlagA;  // checksums
  w.Segment(up, kSyn, {mo::Mss{1440}, mo::SackPermitted{}, mo::Timestamps{1, 0}, mo::WindowScale{7},
                       mo::MptcpOption{syn}},
            ies);
  Flow up_r = Reverse(up);
  up_r.seq = 300;
  up_r.ack = 100 + 1 + uint32_t(ies.size());
  mo::MpCapable synack;
  synack.flags |= mo::MpCapable::kFlagA;
  synack.sender_key = key_m;
  w.Segment(up_r, kSyn | kAck, {mo::Mss{1440}, mo::SackPermitted{}, mo::Timestamps{2, 1},
                                mo::WindowScale{7}, mo::MptcpOption{synack}},
            ies);
  up.seq = up_r.ack;
  up.ack = 301 + uint32_t(ies.size());
  mo::MpCapable ack = synack;
  ack.sender_key = key_c;
  ack.receiver_key = key_m;
  w.Segment(up, kAck, {mo::Timestamps{3, 2}, mo::MptcpOption{ack}});
  mo::Dss fin;
  fin.data_fin = true;
  fin.mapping = mo::DssMapping{uint32_t(mo::Idsn(key_c, mo::MptcpVersion::kV1) + 1), 0, 1, 0xfbff};
  w.Segment(up, kAck | kFin, {mo::Timestamps{4, 2}, mo::MptcpOption{fin}});

  // Implicit model: the CPE marks the SYN for an on-path MCP.
  Flow implicit{cpe, server, 50002, 443, 777, 0};
  mo::MpCapable isyn;
  w.Segment(implicit, kSyn, {mo::Mss{1440}, mo::SackPermitted{}, mo::Timestamps{5, 0},
                             mo::WindowScale{7}, mo::MptcpOption{isyn},
                             mo::MptcpOption{mo::MpPreferProxy{}}});
}

}  // namespace

int main(int argc, char** argv) {
  Link link = Link::kEthernet;
  bool faulty = false;
  const char* out = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--link=ethernet") link = Link::kEthernet;
    else if (a == "--link=vlan") link = Link::kVlan;
    else if (a == "--link=sll") link = Link::kSll;
    else if (a == "--link=sll2") link = Link::kSll2;
    else if (a == "--link=raw") link = Link::kRaw;
    else if (a == "--scenario=explicit") faulty = false;
    else if (a == "--scenario=faulty") faulty = true;
    else if (a[0] != '-') out = argv[i];
    else {
      std::fprintf(stderr, "usage: make_sample_capture [--link=ethernet|vlan|sll|sll2|raw] "
                           "[--scenario=explicit|faulty] OUT.pcap\n");
      return 2;
    }
  }
  if (!out) return 2;
  int dlt = DLT_EN10MB;
  if (link == Link::kSll) dlt = DLT_LINUX_SLL;
  if (link == Link::kSll2) dlt = DLT_LINUX_SLL2;
  if (link == Link::kRaw) dlt = DLT_RAW;
  pcap_t* dead = pcap_open_dead(dlt, 65535);
  pcap_dumper_t* dumper = pcap_dump_open(dead, out);
  if (!dumper) {
    std::fprintf(stderr, "make_sample_capture: %s\n", pcap_geterr(dead));
    return 1;
  }
  Writer w(link, dumper);
  ExplicitIpv4(w, faulty);
  CpeIpv6(w);
  pcap_dump_close(dumper);
  pcap_close(dead);
  return 0;
}
