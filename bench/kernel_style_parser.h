// SPDX-License-Identifier: Apache-2.0
// A "kernel-style" TCP option parser, written for this project's benchmarks
// from RFC 9293 §3.1, RFC 7323 and RFC 8684 §3 (NOT copied from Linux, whose
// code is GPL; the project rule is to compare against the kernel's behaviour,
// never to paste its code). It is the baseline the walk+decode benchmarks are
// measured against: what a stack that parses options straight into one flat
// per-segment struct costs, in the way Linux's tcp_parse_options() and
// mptcp_parse_option() are organised:
//
//   * one function walks the area: EOL stops, NOP skips, everything else needs
//     a Length byte in [2, bytes left] or the walk silently stops;
//   * a switch on Kind picks out MSS, window scale, SACK-permitted and
//     timestamps (each only with its exact length), and for Kind 30 a switch on
//     the subtype writes the fields into KernelStyleOptions;
//   * each subtype has the minimal length check that makes its loads safe:
//     the length must be one the subtype allows, else the option is ignored.
//
// What it validates LESS than mptcp_opts (so a ratio > 1 is partly the price
// of these, see bench/README.md):
//   1. No status: a structural error (Length 0/1 or past the end) silently
//      ends the walk, and a bad MPTCP option is silently ignored; the caller
//      cannot tell truncated from bad length from unknown version. mptcp_opts
//      returns a WalkStatus / DecodeStatus for each.
//   2. No check that the area is at most 40 bytes.
//   3. MPTCP v1 only: MP_CAPABLE with a version other than 1 is ignored (no v0
//      12-byte SYN form, no kUnsupportedVersion), ADD_ADDR is read with the v1
//      layout (no v0 IPVer check), MP_PRIO is length 3 only, MP_TCPRST is not
//      gated on the version.
//   4. REMOVE_ADDR keeps at most 8 IDs (a longer option is ignored); mptcp_opts
//      decodes up to 37.
//   5. MP_PREFER_PROXY, private-use and unassigned subtypes are skipped: no
//      value, no view of their bytes is kept.
//   6. No per-option value: everything lands in one struct, so a second option
//      of the same subtype overwrites the first, and only the presence bits
//      (and the TCP flags) are reset per segment; fields of absent options keep
//      stale values. mptcp_opts builds a fresh, self-describing value (variant
//      of structs with std::optional fields) for every MPTCP option.
// What it checks that mptcp_opts leaves to its caller: an MP_CAPABLE with the
// B (extensibility) flag set or without the H (HMAC-SHA256) flag is ignored,
// as RFC 8684 §3.1 requires of a receiver. mptcp_opts decodes such an option
// (it is well-formed) and offers the check as MpCapable::usable_by_receiver()
// (two bit tests, not in the timed loop).
// The standard options (MSS, window scale, SACK-permitted, timestamps) are
// extracted with the same checks on both sides of every comparison; neither
// side looks at the SYN flag (Linux reads MSS and window scale only on SYNs).
#ifndef BENCH_KERNEL_STYLE_PARSER_H_
#define BENCH_KERNEL_STYLE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mptcp_bench {

// Bit i of KernelStyleOptions::suboptions: subtype i was seen.
inline constexpr uint16_t kSeenMpCapable = 1 << 0;
inline constexpr uint16_t kSeenMpJoin = 1 << 1;
inline constexpr uint16_t kSeenDss = 1 << 2;
inline constexpr uint16_t kSeenAddAddr = 1 << 3;
inline constexpr uint16_t kSeenRemoveAddr = 1 << 4;
inline constexpr uint16_t kSeenMpPrio = 1 << 5;
inline constexpr uint16_t kSeenMpFail = 1 << 6;
inline constexpr uint16_t kSeenMpFastclose = 1 << 7;
inline constexpr uint16_t kSeenMpTcprst = 1 << 8;

inline constexpr size_t kKernelStyleMaxRmIds = 8;

// Everything the parser extracts from one segment's option area.
struct KernelStyleOptions {
  // Standard options (the fields tcp_parse_options fills).
  uint32_t rcv_tsval;
  uint32_t rcv_tsecr;
  uint16_t mss_clamp;
  uint8_t snd_wscale;
  bool wscale_ok;
  bool sack_ok;
  bool saw_tstamp;

  // MPTCP (the fields mptcp_parse_option fills), valid per `suboptions`.
  uint16_t suboptions;
  // MP_CAPABLE
  uint8_t mpc_version;
  bool csum_reqd;
  bool deny_join_id0;
  uint8_t mpc_keys;  // 0, 1 (sender) or 2 (sender and receiver)
  bool mpc_has_data_len;
  bool mpc_has_csum;
  uint64_t sndr_key;
  uint64_t rcvr_key;
  uint16_t mpc_data_len;
  uint16_t mpc_csum;
  // DSS
  bool use_ack;
  bool ack64;
  bool use_map;
  bool dsn64;
  bool data_fin;
  bool dss_has_csum;
  uint64_t data_ack;
  uint64_t data_seq;
  uint32_t subflow_seq;
  uint16_t data_len;
  uint16_t dss_csum;
  // MP_JOIN (the form is given by join_len: 12, 16 or 24)
  uint8_t join_len;
  uint8_t join_id;
  bool backup;
  uint32_t token;
  uint32_t nonce;
  uint64_t thmac;
  uint8_t hmac[20];
  // ADD_ADDR (v1)
  bool echo;
  bool add_addr_has_port;
  bool add_addr_has_hmac;
  uint8_t addr_id;
  uint8_t family;  // 4 or 6
  uint8_t addr[16];
  uint16_t port;
  uint64_t ahmac;
  // REMOVE_ADDR
  uint8_t rm_nr;
  uint8_t rm_ids[kKernelStyleMaxRmIds];
  // MP_PRIO
  bool prio_backup;
  // MP_FASTCLOSE
  uint64_t fastclose_key;
  // MP_FAIL
  uint64_t fail_seq;
  // MP_TCPRST
  uint8_t reset_reason;
  bool reset_transient;
};

namespace kernel_style_internal {

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint64_t Be64(const uint8_t* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

// One MPTCP option; `opt` points at its Kind byte, `size` is its Length
// (already checked to be >= 2 and within the area).
inline void ParseMptcp(const uint8_t* opt, uint8_t size, KernelStyleOptions& o) {
  if (size < 3) return;
  const uint8_t subtype = opt[2] >> 4;
  switch (subtype) {
    case 0x0: {  // MP_CAPABLE, RFC 8684 §3.1
      if (size != 4 && size != 12 && size != 20 && size != 22 && size != 24) return;
      const uint8_t version = opt[2] & 0x0f;
      const uint8_t flags = opt[3];
      if (version != 1) return;
      if ((flags & 0x40) || !(flags & 0x01)) return;  // B set, or no HMAC-SHA256
      o.mpc_version = version;
      o.csum_reqd = flags & 0x80;
      o.deny_join_id0 = flags & 0x20;
      o.mpc_keys = size >= 20 ? 2 : size >= 12 ? 1 : 0;
      if (size >= 12) o.sndr_key = Be64(opt + 4);
      if (size >= 20) o.rcvr_key = Be64(opt + 12);
      o.mpc_has_data_len = size >= 22;
      if (size >= 22) o.mpc_data_len = Be16(opt + 20);
      o.mpc_has_csum = size == 24;
      if (size == 24) o.mpc_csum = Be16(opt + 22);
      o.suboptions |= kSeenMpCapable;
      return;
    }
    case 0x1: {  // MP_JOIN, RFC 8684 §3.2: the length names the handshake step
      if (size == 12) {
        o.backup = opt[2] & 0x01;
        o.join_id = opt[3];
        o.token = Be32(opt + 4);
        o.nonce = Be32(opt + 8);
      } else if (size == 16) {
        o.backup = opt[2] & 0x01;
        o.join_id = opt[3];
        o.thmac = Be64(opt + 4);
        o.nonce = Be32(opt + 12);
      } else if (size == 24) {
        std::memcpy(o.hmac, opt + 4, sizeof(o.hmac));
      } else {
        return;
      }
      o.join_len = size;
      o.suboptions |= kSeenMpJoin;
      return;
    }
    case 0x2: {  // DSS, RFC 8684 §3.3
      if (size < 4) return;
      const uint8_t flags = opt[3];
      const bool ack = flags & 0x01, ack8 = flags & 0x02, map = flags & 0x04,
                 dsn8 = flags & 0x08;
      uint8_t expected = 4;
      if (ack) expected += ack8 ? 8 : 4;
      if (map) expected += (dsn8 ? 8 : 4) + 4 + 2;
      const bool csum = map && size == expected + 2;
      if (!csum && size != expected) return;
      o.use_ack = ack;
      o.ack64 = ack8;
      o.use_map = map;
      o.dsn64 = dsn8;
      o.data_fin = flags & 0x10;
      const uint8_t* p = opt + 4;
      if (ack) {
        o.data_ack = ack8 ? Be64(p) : Be32(p);
        p += ack8 ? 8 : 4;
      }
      if (map) {
        o.data_seq = dsn8 ? Be64(p) : Be32(p);
        p += dsn8 ? 8 : 4;
        o.subflow_seq = Be32(p);
        o.data_len = Be16(p + 4);
        o.dss_has_csum = csum;
        if (csum) o.dss_csum = Be16(p + 6);
      }
      o.suboptions |= kSeenDss;
      return;
    }
    case 0x3: {  // ADD_ADDR v1, RFC 8684 §3.4.1
      const bool echo = opt[2] & 0x01;
      if (!echo && size < 16) return;
      const uint8_t body = echo ? size : static_cast<uint8_t>(size - 8);
      uint8_t addr_len;
      bool port;
      switch (body) {
        case 8: addr_len = 4, port = false; break;
        case 10: addr_len = 4, port = true; break;
        case 20: addr_len = 16, port = false; break;
        case 22: addr_len = 16, port = true; break;
        default: return;
      }
      o.echo = echo;
      o.addr_id = opt[3];
      o.family = addr_len == 4 ? 4 : 6;
      std::memcpy(o.addr, opt + 4, addr_len);
      o.add_addr_has_port = port;
      o.port = port ? Be16(opt + 4 + addr_len) : 0;
      o.add_addr_has_hmac = !echo;
      if (!echo) o.ahmac = Be64(opt + body);
      o.suboptions |= kSeenAddAddr;
      return;
    }
    case 0x4: {  // REMOVE_ADDR, RFC 8684 §3.4.2
      if (size < 4 || size > 3 + kKernelStyleMaxRmIds) return;
      o.rm_nr = static_cast<uint8_t>(size - 3);
      std::memcpy(o.rm_ids, opt + 3, o.rm_nr);
      o.suboptions |= kSeenRemoveAddr;
      return;
    }
    case 0x5:  // MP_PRIO, RFC 8684 §3.3.8
      if (size != 3) return;
      o.prio_backup = opt[2] & 0x01;
      o.suboptions |= kSeenMpPrio;
      return;
    case 0x6:  // MP_FAIL, RFC 8684 §3.7
      if (size != 12) return;
      o.fail_seq = Be64(opt + 4);
      o.suboptions |= kSeenMpFail;
      return;
    case 0x7:  // MP_FASTCLOSE, RFC 8684 §3.5
      if (size != 12) return;
      o.fastclose_key = Be64(opt + 4);
      o.suboptions |= kSeenMpFastclose;
      return;
    case 0x8:  // MP_TCPRST, RFC 8684 §3.6
      if (size != 4) return;
      o.reset_transient = opt[2] & 0x01;
      o.reset_reason = opt[3];
      o.suboptions |= kSeenMpTcprst;
      return;
    default:  // unassigned, private use, MP_PREFER_PROXY: ignored
      return;
  }
}

}  // namespace kernel_style_internal

// Parses the option area `area[0, len)` into `o`. Resets only the presence
// flags (see point 6 above); never reads outside the area.
inline void KernelStyleParse(const uint8_t* area, size_t len, KernelStyleOptions& o) {
  o.saw_tstamp = false;
  o.sack_ok = false;
  o.wscale_ok = false;
  o.mss_clamp = 0;
  o.suboptions = 0;
  const uint8_t* p = area;
  while (len > 0) {
    const uint8_t kind = p[0];
    if (kind == 0) return;  // EOL
    if (kind == 1) {        // NOP
      ++p;
      --len;
      continue;
    }
    if (len < 2) return;
    const uint8_t size = p[1];
    if (size < 2 || size > len) return;
    switch (kind) {
      case 2:  // MSS
        if (size == 4) o.mss_clamp = kernel_style_internal::Be16(p + 2);
        break;
      case 3:  // window scale (RFC 7323 §2.3: shifts above 14 mean 14)
        if (size == 3) {
          o.wscale_ok = true;
          o.snd_wscale = p[2] > 14 ? 14 : p[2];
        }
        break;
      case 4:  // SACK-permitted
        if (size == 2) o.sack_ok = true;
        break;
      case 8:  // timestamps
        if (size == 10) {
          o.saw_tstamp = true;
          o.rcv_tsval = kernel_style_internal::Be32(p + 2);
          o.rcv_tsecr = kernel_style_internal::Be32(p + 6);
        }
        break;
      case 30:
        kernel_style_internal::ParseMptcp(p, size, o);
        break;
      default:
        break;
    }
    p += size;
    len -= size;
  }
}

}  // namespace mptcp_bench

#endif  // BENCH_KERNEL_STYLE_PARSER_H_
