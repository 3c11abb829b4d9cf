// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/flow_table.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>

namespace mcp_core {
namespace {

// A segment may travel either way on a leg: compare and hash endpoints in a
// canonical order.
bool EndpointLess(const mptcp_opts::IpAddress& a, uint16_t ap, const mptcp_opts::IpAddress& b,
                  uint16_t bp) {
  if (ap != bp) return ap < bp;
  const auto x = a.bytes(), y = b.bytes();
  if (x.size() != y.size()) return x.size() < y.size();
  return std::memcmp(x.data(), y.data(), x.size()) < 0;
}

}  // namespace

size_t FlowTable::Hash::operator()(const FourTuple& t) const {
  const bool swap = EndpointLess(t.dst, t.dst_port, t.src, t.src_port);
  const auto& a = swap ? t.dst : t.src;
  const auto& b = swap ? t.src : t.dst;
  const uint16_t ap = swap ? t.dst_port : t.src_port;
  const uint16_t bp = swap ? t.src_port : t.dst_port;
  const auto x = a.bytes(), y = b.bytes();
  // Whole words into absl's integer mixing. Hashing the addresses as
  // std::string_view went through std::hash's byte loop (this absl is built
  // without std::string_view support): three calls per lookup.
  const uint64_t ports = uint64_t(ap) << 48 | uint64_t(bp) << 32 | x.size() << 8 | y.size();
  if (x.size() == 4 && y.size() == 4) {
    uint32_t xw, yw;
    std::memcpy(&xw, x.data(), 4);
    std::memcpy(&yw, y.data(), 4);
    return absl::HashOf(ports, uint64_t(xw) << 32 | yw);
  }
  uint64_t w[4] = {};
  std::memcpy(&w[0], x.data(), x.size());
  std::memcpy(&w[2], y.data(), y.size());
  return absl::HashOf(ports, w[0], w[1], w[2], w[3]);
}

FourTuple FlowTable::TupleAt(uint32_t index, Leg leg) const {
  const Pair& p = Slot(index);
  const PackedTuple& k = p.packed[int(leg)];
  if (p.wide & (1u << int(leg))) {
    const WideAddresses& w = Wide(index);
    return {w.src[int(leg)], w.dst[int(leg)], k.src_port, k.dst_port};
  }
  return {mptcp_opts::IpAddress::FromV4Bytes(reinterpret_cast<const uint8_t*>(&k.src)),
          mptcp_opts::IpAddress::FromV4Bytes(reinterpret_cast<const uint8_t*>(&k.dst)), k.src_port,
          k.dst_port};
}

void FlowTable::SetTuple(FlowId id, Leg leg, const FourTuple& t) {
  const uint32_t index = uint32_t(id);
  Pair& p = Slot(index);
  assert(!(leg == Leg::kUpstream ? p.up_indexed : p.down_indexed));
  PackedTuple& k = p.packed[int(leg)];
  k.src_port = t.src_port;
  k.dst_port = t.dst_port;
  const uint8_t bit = uint8_t(1u << int(leg));
  if (t.src.is_v4() && t.dst.is_v4()) {
    std::memcpy(&k.src, t.src.bytes().data(), 4);
    std::memcpy(&k.dst, t.dst.bytes().data(), 4);
    p.wide &= uint8_t(~bit);
    return;
  }
  auto& chunk = wide_chunks_[index >> chunk_bits_];
  if (!chunk) chunk = std::make_unique<WideAddresses[]>(ChunkSize());
  WideAddresses& w = chunk[index & (ChunkSize() - 1)];
  w.src[int(leg)] = t.src;
  w.dst[int(leg)] = t.dst;
  k.src = k.dst = 0;
  p.wide |= bit;
}

bool FlowTable::LegIs(uint32_t index, int leg, const mptcp_opts::IpAddress& src, uint16_t src_port,
                      const mptcp_opts::IpAddress& dst, uint16_t dst_port) const {
  const Pair& p = Slot(index);
  const PackedTuple& k = p.packed[leg];
  if (k.src_port != src_port || k.dst_port != dst_port) return false;
  if (p.wide & (1u << leg)) {
    const WideAddresses& w = Wide(index);
    return w.src[leg] == src && w.dst[leg] == dst;
  }
  if (!src.is_v4() || !dst.is_v4()) return false;
  uint32_t s, d;
  std::memcpy(&s, src.bytes().data(), 4);
  std::memcpy(&d, dst.bytes().data(), 4);
  return k.src == s && k.dst == d;
}

bool FlowTable::SameWay(FlowId id, Leg leg, const FourTuple& t) const {
  return LegIs(uint32_t(id), int(leg), t.src, t.src_port, t.dst, t.dst_port);
}

bool FlowTable::KeyMatches(uint32_t key, const FourTuple& t) const {
  const uint32_t index = key >> 1;
  const int leg = int(key & 1);
  return LegIs(index, leg, t.src, t.src_port, t.dst, t.dst_port) ||
         LegIs(index, leg, t.dst, t.dst_port, t.src, t.src_port);
}

void FlowTable::ChunkDeleter::operator()(Pair* p) const {
  for (uint32_t i = 0; i < size; ++i) p[i].~Pair();
  DeallocateMaybeHuge(p, size * sizeof(Pair));
}

namespace {
uint32_t ChunkBitsFor(uint32_t max_flows) {
  uint32_t bits = 4;
  while (bits < FlowTable::kMaxChunkBits && (1u << bits) < max_flows) ++bits;
  return bits;
}
}  // namespace

FlowTable::FlowTable(uint32_t max_flows)
    : max_flows_(max_flows), chunk_bits_(ChunkBitsFor(max_flows)), index_(0, Hash{this}, Eq{this}) {}

std::optional<FlowId> FlowTable::Allocate() {
  if (in_use_ >= max_flows_) return std::nullopt;
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = high_water_++;
    if ((index >> chunk_bits_) >= chunks_.size()) {
      const uint32_t n = ChunkSize();
      Pair* chunk = static_cast<Pair*>(AllocateMaybeHuge(n * sizeof(Pair)));
      for (uint32_t i = 0; i < n; ++i) new (&chunk[i]) Pair();
      chunks_.emplace_back(chunk, ChunkDeleter{n});
      wide_chunks_.emplace_back();
    }
  }
  Pair& p = Slot(index);
  const uint32_t generation = p.generation + 1;
  p.~Pair();
  new (&p) Pair();
  p.generation = generation;
  p.in_use = true;
  ++in_use_;
  return MakeId(index, generation);
}

Pair* FlowTable::Get(FlowId id) {
  const uint32_t index = uint32_t(id);
  if (index >= high_water_) return nullptr;
  Pair& p = Slot(index);
  return (p.in_use && p.generation == uint32_t(id >> 32)) ? &p : nullptr;
}

const Pair* FlowTable::Get(FlowId id) const { return const_cast<FlowTable*>(this)->Get(id); }

void FlowTable::Free(FlowId id) {
  Pair* p = Get(id);
  if (!p) return;
  UnindexLeg(id, Leg::kUpstream);
  UnindexLeg(id, Leg::kDownstream);
  p->in_use = false;
  p->phase.Reset();  // release what the pair held now, not at reuse
  --in_use_;
  free_.push_back(uint32_t(id));
}

bool FlowTable::IndexLeg(FlowId id, Leg leg) {
  Pair* p = Get(id);
  if (!p) return false;
  bool& indexed = leg == Leg::kUpstream ? p->up_indexed : p->down_indexed;
  if (indexed) return true;
  const uint32_t key = (uint32_t(id) << 1) | (leg == Leg::kDownstream ? 1 : 0);
  if (index_.find(TupleAt(uint32_t(id), leg)) != index_.end()) return false;
  index_.insert(key);
  indexed = true;
  return true;
}

void FlowTable::UnindexLeg(FlowId id, Leg leg) {
  Pair* p = Get(id);
  if (!p) return;
  bool& indexed = leg == Leg::kUpstream ? p->up_indexed : p->down_indexed;
  if (!indexed) return;
  index_.erase((uint32_t(id) << 1) | (leg == Leg::kDownstream ? 1 : 0));
  indexed = false;
}

std::optional<std::pair<FlowId, Leg>> FlowTable::Find(const FourTuple& tuple) const {
  auto it = index_.find(tuple);
  if (it == index_.end()) return std::nullopt;
  const uint32_t index = *it >> 1;
  return std::make_pair(MakeId(index, Slot(index).generation),
                        (*it & 1) ? Leg::kDownstream : Leg::kUpstream);
}

void FlowTable::PrefetchSlot(uint32_t key) const {
  // Both lines of the pair (128 bytes at a 128-byte boundary of its
  // chunk): Find reads its tuples, the converter then its state and
  // sequence spaces. For writing: the converter updates the pair. A chunk
  // with wide legs: the slot's side entry too, by index, whether or not this
  // pair is wide (asking would wait for the pair).
  const uint32_t index = key >> 1;
  const char* pair = reinterpret_cast<const char*>(&Slot(index));
  __builtin_prefetch(pair, 1, 3);
  __builtin_prefetch(pair + 64, 1, 3);
  if (const auto& wide = wide_chunks_[index >> chunk_bits_]) {
    const char* entry = reinterpret_cast<const char*>(&wide[index & (ChunkSize() - 1)]);
    __builtin_prefetch(entry, 0, 3);
    __builtin_prefetch(entry + sizeof(WideAddresses) - 1, 0, 3);
  }
  asm volatile("");  // a side effect, so that the compiler keeps the prefetches (see PrefetchProbe)
}

void FlowTable::PrefetchPair(size_t hash) const {
  // find() with a key whose equality prefetches each candidate and fails:
  // the swiss table's own probe walk, ending at the first group with an
  // empty slot (normally the first one).
  (void)index_.find(PrefetchProbe{hash});
}

}  // namespace mcp_core
