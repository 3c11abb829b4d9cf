// SPDX-License-Identifier: Apache-2.0
#include "examples/mptcp_decode/connection_tracker.h"

#include <algorithm>

namespace mptcp_decode {

using mptcp_opts::capture::TcpSegmentView;
namespace mo = mptcp_opts;

ConnectionTracker::ConnectionTracker(bool keep_reports) : keep_reports_(keep_reports) {
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

ConnectionTracker::Subflow* ConnectionTracker::Find(const TcpSegmentView& s) const {
  // Segments come in runs of one flow, and every segment asks VersionFor and
  // then Observe: one map walk for both. The map never erases, so a node's
  // address stays valid.
  const FlowKey key = KeyOf(s);
  if (last_found_ && *last_key_ == key) return last_found_;
  auto it = subflows_.find(key);
  if (it == subflows_.end()) return nullptr;
  last_key_ = key;
  last_found_ = const_cast<Subflow*>(&it->second);
  return last_found_;
}

MptcpVersion ConnectionTracker::VersionFor(const TcpSegmentView& s) const {
  const Subflow* f = Find(s);
  return f ? connections_[f->connection].version : MptcpVersion::kV1;
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
      NumberSubflow(j->second, f);
    }
    pending_joins_.erase(b, e);
  }
}

FlowIds ConnectionTracker::IdsOf(const Subflow* f) const {
  if (!f || f->id == 0) return {};
  return {connections_[f->connection].id, f->id};
}

FlowIds ConnectionTracker::IdsFor(const TcpSegmentView& s) const { return IdsOf(Find(s)); }

ConnectionReport* ConnectionTracker::ReportOf(const Subflow& f) {
  const uint32_t id = connections_[f.connection].id;
  return id == 0 || !keep_reports_ ? nullptr : &reports_[id - 1];
}

void ConnectionTracker::NumberSubflow(const FlowKey& key, Subflow& f) {
  Connection& c = connections_[f.connection];
  if (c.id == 0) return;
  f.id = ++c.subflows_numbered;
  ConnectionReport* r = ReportOf(f);
  if (!r) return;
  SubflowReport sr;
  sr.id = f.id;
  const bool first_is_sender = key.first == f.syn_sender;
  const Endpoint& to = first_is_sender ? key.second : key.first;
  sr.src = f.syn_sender.address;
  sr.src_port = f.syn_sender.port;
  sr.dst = to.address;
  sr.dst_port = to.port;
  sr.is_join = f.is_join;
  r->subflows.push_back(sr);
}

Verification ConnectionTracker::Count(Verification v, const Subflow* f) {
  ConnectionReport* r = f ? ReportOf(*f) : nullptr;
  switch (v.result) {
    case HmacResult::kValid:
      ++summary_.hmacs_verified;
      if (r) ++r->hmacs_verified;
      break;
    case HmacResult::kInvalid:
      ++summary_.hmacs_failed;
      if (r) ++r->hmacs_failed;
      break;
    case HmacResult::kUnverifiable:
      ++summary_.hmacs_unverifiable;
      if (r) ++r->hmacs_unverifiable;
      break;
    case HmacResult::kNotApplicable: break;
  }
  v.ids = IdsOf(f);
  return v;
}

Verification ConnectionTracker::Count(HmacResult result, const Subflow* f) {
  Verification v;
  v.result = result;
  return Count(v, f);
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
      connections_[nf.connection].id = ++connections_opened_;
      if (keep_reports_) {
        reports_.emplace_back();
        reports_.back().id = connections_opened_;
      }
      // The SYN sender is the client; seen first at the SYN/ACK, it is the receiver.
      nf.syn_sender = (s.syn() && s.ack_flag()) ? Endpoint{s.dst, s.dst_port} : src;
      ++summary_.subflows;  // a new initial subflow, even on a 4-tuple used before
      const FlowKey key = KeyOf(s);
      f = Store(key, nf).first;
      NumberSubflow(key, *f);
    }
    Connection& c = connections_[f->connection];
    c.version = version;
    const bool from_client = f->syn_sender == src;
    if (cap->sender_key) (from_client ? c.client_key : c.server_key) = *cap->sender_key;
    if (cap->receiver_key) (from_client ? c.server_key : c.client_key) = *cap->receiver_key;
    IndexTokens(f->connection);
    if (ConnectionReport* r = ReportOf(*f)) {
      r->version = version;
      r->client_key = c.client_key;
      r->server_key = c.server_key;
      if (cap->data_level_length) {
        (from_client ? r->mapped_bytes_from_client : r->mapped_bytes_from_server) +=
            *cap->data_level_length;
      }
    }
    Verification v;
    v.ids = IdsOf(f);
    return v;
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
    const FlowKey key = KeyOf(s);
    // A retransmitted SYN of a subflow already numbered keeps its number.
    const Subflow* old = Find(s);
    const uint32_t old_id =
        old && old->connection == nf.connection && old->syn_sender == src ? old->id : 0;
    auto [f, inserted] = Store(key, nf);
    if (inserted) ++summary_.subflows;  // not for a retransmitted SYN
    if (old_id != 0) {
      f->id = old_id;
    } else if (f->connection != kUnresolved) {
      NumberSubflow(key, *f);
    }
    v.ids = IdsOf(f);
    return v;
  }
  if (auto* sa = std::get_if<mo::MpJoinSynAck>(&option)) {
    Subflow* f = Find(s);
    if (!f || !f->is_join || !f->joiner_nonce) return Count(HmacResult::kUnverifiable, f);
    f->receiver_nonce = sa->nonce;
    uint64_t sender_key, receiver_key;
    if (!SenderReceiverKeys(*f, s, sender_key, receiver_key)) {
      return Count(HmacResult::kUnverifiable, f);
    }
    const uint64_t expect = mo::JoinSynAckTruncatedHmac(connections_[f->connection].version,
                                                        sender_key, receiver_key, sa->nonce,
                                                        *f->joiner_nonce);
    return Count(mo::HmacEqual(expect, sa->truncated_hmac) ? HmacResult::kValid
                                                           : HmacResult::kInvalid, f);
  }
  if (auto* ack = std::get_if<mo::MpJoinAck>(&option)) {
    Subflow* f = Find(s);
    if (!f || !f->is_join || !f->joiner_nonce || !f->receiver_nonce) {
      return Count(HmacResult::kUnverifiable, f);
    }
    uint64_t sender_key, receiver_key;
    if (!SenderReceiverKeys(*f, s, sender_key, receiver_key)) {
      return Count(HmacResult::kUnverifiable, f);
    }
    const auto expect = mo::JoinAckHmac(connections_[f->connection].version, sender_key,
                                        receiver_key, *f->joiner_nonce, *f->receiver_nonce);
    return Count(mo::ConstantTimeEqual(expect, ack->hmac) ? HmacResult::kValid
                                                          : HmacResult::kInvalid, f);
  }
  if (auto* add = std::get_if<mo::AddAddr>(&option)) {
    Subflow* f = Find(s);
    if (!add->truncated_hmac) return Count(HmacResult::kNotApplicable, f);  // echo or v0
    uint64_t sender_key, receiver_key;
    if (!f || !SenderReceiverKeys(*f, s, sender_key, receiver_key)) {
      return Count(HmacResult::kUnverifiable, f);
    }
    using V = mo::AddAddrHmacVariant;
    Verification v;
    for (V variant : {V::kRfc8684, V::kLinuxPortAlwaysZero, V::kLinuxLeftmostPortZero}) {
      const uint64_t expect = mo::AddAddrHmac(sender_key, receiver_key, add->address_id,
                                              add->address, add->port, variant);
      if (!mo::HmacEqual(expect, *add->truncated_hmac)) continue;
      if (variant == V::kRfc8684) return Count(HmacResult::kValid, f);
      // Without a port, the port-zero variant is the RFC value itself.
      if (variant == V::kLinuxPortAlwaysZero && !add->port) continue;
      v.matching_variant = variant;
      break;
    }
    v.result = HmacResult::kInvalid;
    return Count(v, f);
  }
  // Every other option: only its ids, and the bytes a DSS mapping carries.
  Subflow* f = Find(s);
  if (auto* dss = std::get_if<mo::Dss>(&option); dss && dss->mapping && f) {
    if (ConnectionReport* r = ReportOf(*f)) {
      const bool from_syn_sender = f->syn_sender == src;
      const bool from_client = from_syn_sender == f->syn_sender_is_client;
      (from_client ? r->mapped_bytes_from_client : r->mapped_bytes_from_server) +=
          dss->mapping->data_level_length;
    }
  }
  return Count(HmacResult::kNotApplicable, f);
}

}  // namespace mptcp_decode
