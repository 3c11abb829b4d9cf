#include "examples/mptcp_decode/connection_tracker.h"

#include <algorithm>

namespace mptcp_decode {

using mptcp_opts::capture::TcpSegmentView;
namespace mo = mptcp_opts;

ConnectionTracker::ConnectionTracker() {
  connections_.emplace_back();  // kUnresolved
  connections_[kUnresolved].refs = 1;
}

size_t ConnectionTracker::NewConnection() {
  size_t index = connections_.size();
  if (!free_connections_.empty()) {
    index = free_connections_.back();
    free_connections_.pop_back();
    connections_[index] = Connection{};
  } else {
    connections_.emplace_back();
  }
  connections_[index].refs = 1;
  return index;
}

void ConnectionTracker::Release(size_t index) {
  if (--connections_[index].refs == 0) free_connections_.push_back(index);
}

std::pair<ConnectionTracker::Subflow*, bool> ConnectionTracker::Store(const FlowKey& key,
                                                                       const Subflow& f) {
  auto [it, inserted] = subflows_.try_emplace(key, f);
  if (!inserted) {
    Subflow& old = it->second;
    if (old.token) {  // its pending join goes with it
      auto [b, e] = pending_joins_.equal_range(*old.token);
      for (auto j = b; j != e; ++j) {
        if (j->second == key) {
          pending_joins_.erase(j);
          break;
        }
      }
    }
    Release(old.connection);
    old = f;
  }
  if (f.token) pending_joins_.emplace(*f.token, key);
  return {&it->second, inserted};
}

ConnectionTracker::FlowKey ConnectionTracker::KeyOf(const TcpSegmentView& s) {
  Endpoint a{s.src, s.src_port};
  Endpoint b{s.dst, s.dst_port};
  return b < a ? FlowKey{b, a} : FlowKey{a, b};
}

ConnectionTracker::Subflow* ConnectionTracker::Find(const TcpSegmentView& s) {
  auto it = subflows_.find(KeyOf(s));
  return it == subflows_.end() ? nullptr : &it->second;
}

MptcpVersion ConnectionTracker::VersionFor(const TcpSegmentView& s) const {
  auto it = subflows_.find(KeyOf(s));
  if (it == subflows_.end()) return MptcpVersion::kV1;
  return connections_[it->second.connection].version;
}

bool ConnectionTracker::SenderReceiverKeys(const Subflow& f, const TcpSegmentView& s,
                                           uint64_t& sender_key, uint64_t& receiver_key) const {
  const Connection& c = connections_[f.connection];
  if (!c.client_key || !c.server_key) return false;
  const bool from_syn_sender = f.syn_sender == Endpoint{s.src, s.src_port};
  const bool sender_is_client = from_syn_sender == f.syn_sender_is_client;
  sender_key = sender_is_client ? *c.client_key : *c.server_key;
  receiver_key = sender_is_client ? *c.server_key : *c.client_key;
  return true;
}

void ConnectionTracker::IndexTokens(size_t index) {
  Connection& c = connections_[index];
  if (c.tokens_indexed || !c.client_key || !c.server_key) return;
  c.tokens_indexed = true;
  for (const bool client : {true, false}) {
    const uint32_t token = mo::Token(client ? *c.client_key : *c.server_key, c.version);
    auto [t, inserted] = tokens_.try_emplace(token, index, client);
    if (!inserted) {  // the same key again (a repeated handshake): the newer connection
      Release(t->second.first);
      t->second = {index, client};
    }
    ++connections_[index].refs;
    // Joins seen before the keys (capture order) can now be resolved.
    auto [b, e] = pending_joins_.equal_range(token);
    for (auto j = b; j != e; ++j) {
      Subflow& f = subflows_.at(j->second);
      Release(f.connection);  // kUnresolved
      f.connection = index;
      ++connections_[index].refs;
      f.syn_sender_is_client = !client;  // the token names the receiver
      f.token.reset();
    }
    pending_joins_.erase(b, e);
  }
}

Verification ConnectionTracker::Count(Verification v) {
  switch (v.result) {
    case HmacResult::kValid: ++summary_.hmacs_verified; break;
    case HmacResult::kInvalid: ++summary_.hmacs_failed; break;
    case HmacResult::kUnverifiable: ++summary_.hmacs_unverifiable; break;
    case HmacResult::kNotApplicable: break;
  }
  return v;
}

Verification ConnectionTracker::Count(HmacResult result) {
  Verification v;
  v.result = result;
  return Count(v);
}

Verification ConnectionTracker::Observe(const TcpSegmentView& s, const mo::MptcpOption& option) {
  const Endpoint src{s.src, s.src_port};
  if (auto* cap = std::get_if<mo::MpCapable>(&option)) {
    const auto version = cap->version == 0 ? MptcpVersion::kV0 : MptcpVersion::kV1;
    Subflow* f = Find(s);
    const bool syn_only = s.syn() && !s.ack_flag();
    // A SYN opens a connection unless it retransmits one still in handshake;
    // MP_CAPABLE on an unresolved join's 4-tuple is a new connection too.
    if (!f || f->connection == kUnresolved ||
        (syn_only && connections_[f->connection].server_key && f->syn_sender == src &&
         connections_[f->connection].client_key)) {
      ++summary_.connections;
      Subflow nf;
      nf.connection = NewConnection();  // its version and keys are set below
      // The SYN sender is the client; seen first at the SYN/ACK, it is the receiver.
      nf.syn_sender = (s.syn() && s.ack_flag()) ? Endpoint{s.dst, s.dst_port} : src;
      ++summary_.subflows;  // a new initial subflow, even on a 4-tuple used before
      f = Store(KeyOf(s), nf).first;
    }
    Connection& c = connections_[f->connection];
    c.version = version;
    const bool from_client = f->syn_sender == src;
    if (cap->sender_key) (from_client ? c.client_key : c.server_key) = *cap->sender_key;
    if (cap->receiver_key) (from_client ? c.server_key : c.client_key) = *cap->receiver_key;
    IndexTokens(f->connection);
    return {};
  }
  if (auto* syn = std::get_if<mo::MpJoinSyn>(&option)) {
    Subflow nf;
    nf.syn_sender = src;
    nf.is_join = true;
    nf.joiner_nonce = syn->nonce;
    Verification v;
    auto t = tokens_.find(syn->token);
    if (t != tokens_.end()) {
      nf.connection = t->second.first;
      nf.syn_sender_is_client = !t->second.second;
      v.token_known = true;
      ++summary_.tokens_known;
    } else {
      nf.token = syn->token;  // resolved by IndexTokens once the keys show up
      nf.connection = kUnresolved;
      v.token_known = false;
      ++summary_.tokens_unknown;
    }
    ++connections_[nf.connection].refs;
    if (Store(KeyOf(s), nf).second) ++summary_.subflows;  // not for a retransmitted SYN
    return v;
  }
  if (auto* sa = std::get_if<mo::MpJoinSynAck>(&option)) {
    Subflow* f = Find(s);
    if (!f || !f->is_join || !f->joiner_nonce) return Count(HmacResult::kUnverifiable);
    f->receiver_nonce = sa->nonce;
    uint64_t sender_key, receiver_key;
    if (!SenderReceiverKeys(*f, s, sender_key, receiver_key)) {
      return Count(HmacResult::kUnverifiable);
    }
    const uint64_t expect = mo::JoinSynAckTruncatedHmac(connections_[f->connection].version,
                                                        sender_key, receiver_key, sa->nonce,
                                                        *f->joiner_nonce);
    return Count(mo::HmacEqual(expect, sa->truncated_hmac) ? HmacResult::kValid
                                                           : HmacResult::kInvalid);
  }
  if (auto* ack = std::get_if<mo::MpJoinAck>(&option)) {
    Subflow* f = Find(s);
    if (!f || !f->is_join || !f->joiner_nonce || !f->receiver_nonce) {
      return Count(HmacResult::kUnverifiable);
    }
    uint64_t sender_key, receiver_key;
    if (!SenderReceiverKeys(*f, s, sender_key, receiver_key)) {
      return Count(HmacResult::kUnverifiable);
    }
    const auto expect = mo::JoinAckHmac(connections_[f->connection].version, sender_key,
                                        receiver_key, *f->joiner_nonce, *f->receiver_nonce);
    return Count(mo::ConstantTimeEqual(expect, ack->hmac) ? HmacResult::kValid
                                                          : HmacResult::kInvalid);
  }
  if (auto* add = std::get_if<mo::AddAddr>(&option)) {
    if (!add->truncated_hmac) return {};  // echo or v0: nothing to verify
    Subflow* f = Find(s);
    uint64_t sender_key, receiver_key;
    if (!f || !SenderReceiverKeys(*f, s, sender_key, receiver_key)) {
      return Count(HmacResult::kUnverifiable);
    }
    using V = mo::AddAddrHmacVariant;
    Verification v;
    for (V variant : {V::kRfc8684, V::kLinuxPortAlwaysZero, V::kLinuxLeftmostPortZero}) {
      const uint64_t expect = mo::AddAddrHmac(sender_key, receiver_key, add->address_id,
                                              add->address, add->port, variant);
      if (!mo::HmacEqual(expect, *add->truncated_hmac)) continue;
      if (variant == V::kRfc8684) return Count(HmacResult::kValid);
      // Without a port, the port-zero variant is the RFC value itself.
      if (variant == V::kLinuxPortAlwaysZero && !add->port) continue;
      v.matching_variant = variant;
      break;
    }
    v.result = HmacResult::kInvalid;
    return Count(v);
  }
  return {};
}

}  // namespace mptcp_decode
