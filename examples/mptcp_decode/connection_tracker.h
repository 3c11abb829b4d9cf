// SPDX-License-Identifier: Apache-2.0
// Follows MPTCP connections through a capture so their HMACs can be checked:
// MP_CAPABLE keys -> tokens -> MP_JOIN subflows (either direction), then
// every MP_JOIN SYN/ACK and ACK HMAC and every ADD_ADDR HMAC is recomputed
// from the keys and compared in constant time. It also numbers connections
// and their subflows (1, 2, ... in order of first appearance) and keeps a
// report per connection for `mptcp-decode --connections` when asked to.
//
//   ConnectionTracker tracker;  // ConnectionTracker(true): also reports()
//   MptcpVersion v = tracker.VersionFor(segment);          // before decoding
//   Verification r = tracker.Observe(segment, decoded_option);
//   if (r.result == HmacResult::kInvalid) ...
//   r.ids.connection, r.ids.subflow                        // 0: not known
#ifndef EXAMPLES_MPTCP_DECODE_CONNECTION_TRACKER_H_
#define EXAMPLES_MPTCP_DECODE_CONNECTION_TRACKER_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "mptcp_opts/capture/packet_dissector.h"
#include "mptcp_opts/crypto.h"
#include "mptcp_opts/mptcp_option.h"

namespace mptcp_decode {

using mptcp_opts::MptcpVersion;

enum class HmacResult : uint8_t {
  kNotApplicable,  // the option carries no HMAC or token
  kValid,
  kInvalid,
  kUnverifiable,   // the keys it depends on were never seen
};

// A connection's and a subflow's numbers: connections 1, 2, ... in the order
// their first MP_CAPABLE was seen; subflows 1 (the initial one), 2, ... within
// their connection in the order they joined it. 0: not known (a segment of
// no tracked connection, or an MP_JOIN whose token names no key seen yet).
struct FlowIds {
  uint32_t connection = 0;
  uint32_t subflow = 0;
};

struct Verification {
  HmacResult result = HmacResult::kNotApplicable;
  // ADD_ADDR only: set when the RFC 8684 HMAC did not match but a historical
  // Linux variant did (the result is still kInvalid).
  std::optional<mptcp_opts::AddAddrHmacVariant> matching_variant;
  // MP_JOIN SYN only: whether the token names a connection whose keys were seen.
  std::optional<bool> token_known;
  // The connection and subflow of the segment, after this option.
  FlowIds ids;
};

// One subflow of a ConnectionReport: its number and 4-tuple, SYN sender first.
struct SubflowReport {
  uint32_t id = 0;
  mptcp_opts::IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
  bool is_join = false;
};

// What --connections prints for one connection.
struct ConnectionReport {
  uint32_t id = 0;
  MptcpVersion version = MptcpVersion::kV1;
  std::optional<uint64_t> client_key, server_key;  // client: the initial SYN's sender
  std::vector<SubflowReport> subflows;
  // Sum of the data-level lengths of the DSS mappings (and MP_CAPABLE ACKs
  // with data) each side sent; retransmitted mappings count again.
  uint64_t mapped_bytes_from_client = 0;
  uint64_t mapped_bytes_from_server = 0;
  uint32_t hmacs_verified = 0;
  uint32_t hmacs_failed = 0;
  uint32_t hmacs_unverifiable = 0;
};

struct TrackerSummary {
  uint32_t connections = 0;
  uint32_t subflows = 0;  // initial subflows + MP_JOIN subflows
  uint32_t hmacs_verified = 0;
  uint32_t hmacs_failed = 0;
  uint32_t hmacs_unverifiable = 0;
  uint32_t tokens_known = 0;
  uint32_t tokens_unknown = 0;
};

// Memory grows with the connections a capture holds, not with its segments:
// retransmitted or repeated MP_JOIN SYNs and handshakes reuse what they
// replace (fuzz/README.md F3), and joins seen before their connection's keys
// are found through an index by token (F4), not by walking every subflow.
// With reports on, it also keeps one ConnectionReport per connection ever
// opened (each repeated handshake is one), as --connections prints them all.
class ConnectionTracker {
 public:
  explicit ConnectionTracker(bool keep_reports = false);
  // The MPTCP version of the connection `segment` belongs to (v1 when it is
  // not known): ADD_ADDR and MP_PRIO are decoded according to it.
  MptcpVersion VersionFor(const mptcp_opts::capture::TcpSegmentView& segment) const;

  // Records what `option` (carried by `segment`) says and verifies it.
  Verification Observe(const mptcp_opts::capture::TcpSegmentView& segment,
                       const mptcp_opts::MptcpOption& option);

  // The numbers of the connection and subflow `segment` belongs to.
  FlowIds IdsFor(const mptcp_opts::capture::TcpSegmentView& segment) const;

  const TrackerSummary& summary() const { return summary_; }
  // With reports on: every connection seen, in order of id
  // (reports()[i].id == i + 1). Empty otherwise.
  const std::vector<ConnectionReport>& reports() const { return reports_; }

 private:
  struct Endpoint {
    mptcp_opts::IpAddress address;
    uint16_t port = 0;
    friend bool operator<(const Endpoint& a, const Endpoint& b) {
      if (a.port != b.port) return a.port < b.port;
      if (a.address.family() != b.address.family()) return a.address.is_v4();
      auto ab = a.address.bytes(), bb = b.address.bytes();
      return std::lexicographical_compare(ab.begin(), ab.end(), bb.begin(), bb.end());
    }
    friend bool operator==(const Endpoint& a, const Endpoint& b) {
      return a.port == b.port && a.address == b.address;
    }
  };
  using FlowKey = std::pair<Endpoint, Endpoint>;  // ordered: lower endpoint first

  struct Connection {
    MptcpVersion version = MptcpVersion::kV1;
    std::optional<uint64_t> client_key;  // initiator of the initial subflow
    std::optional<uint64_t> server_key;
    bool tokens_indexed = false;
    uint32_t id = 0;             // FlowIds::connection; 0 for kUnresolved
    uint32_t subflows_numbered = 0;
    uint32_t refs = 0;  // subflows and tokens_ entries naming it; 0: its slot is free
  };
  // connections_[kUnresolved]: the keyless stand-in every MP_JOIN subflow
  // names until its token resolves. Never freed, never given keys.
  static constexpr size_t kUnresolved = 0;
  struct Subflow {
    size_t connection = 0;
    uint32_t id = 0;  // within its connection; 0 while unresolved
    Endpoint syn_sender;
    bool syn_sender_is_client = true;  // which key the SYN sender holds
    bool is_join = false;
    std::optional<uint32_t> token;          // MP_JOIN SYN, when unresolved
    std::optional<uint32_t> joiner_nonce;   // MP_JOIN SYN
    std::optional<uint32_t> receiver_nonce; // MP_JOIN SYN/ACK
  };

  static FlowKey KeyOf(const mptcp_opts::capture::TcpSegmentView& s);
  Subflow* Find(const mptcp_opts::capture::TcpSegmentView& s) const;
  // Keys of the segment's sender and receiver, when both are known.
  bool SenderReceiverKeys(const Subflow& f, const mptcp_opts::capture::TcpSegmentView& s,
                          uint64_t& sender_key, uint64_t& receiver_key) const;
  void IndexTokens(size_t connection);
  // A fresh connection slot (a freed one when there is one), with one reference.
  size_t NewConnection();
  void Release(size_t connection);
  // Stores `f` at `key`, releasing what the subflow it replaces referred to;
  // whether the key is new.
  std::pair<Subflow*, bool> Store(const FlowKey& key, const Subflow& f);
  // Counts `v`'s result (globally and for `f`'s connection) and sets its ids.
  Verification Count(Verification v, const Subflow* f);
  Verification Count(HmacResult result, const Subflow* f);  // only `result` set
  FlowIds IdsOf(const Subflow* f) const;
  ConnectionReport* ReportOf(const Subflow& f);
  // Gives `f` (stored at `key`, resolved to a connection) the next subflow number.
  void NumberSubflow(const FlowKey& key, Subflow& f);

  std::vector<Connection> connections_;
  std::map<FlowKey, Subflow> subflows_;
  std::vector<size_t> free_connections_;
  std::map<uint32_t, std::pair<size_t, bool>> tokens_;  // token -> (connection, is_client_key)
  std::multimap<uint32_t, FlowKey> pending_joins_;        // unresolved MP_JOIN token -> subflow
  TrackerSummary summary_;
  bool keep_reports_;
  uint32_t connections_opened_ = 0;  // the last connection id given
  std::vector<ConnectionReport> reports_;
  // Find's last hit (subflows_ never erases, so the pointer stays valid).
  mutable std::optional<FlowKey> last_key_;
  mutable Subflow* last_found_ = nullptr;
};

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_CONNECTION_TRACKER_H_
