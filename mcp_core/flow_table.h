// SPDX-License-Identifier: Apache-2.0
// Storage for tracked pairs: a chunked slab (no 2x vector growth, stable
// addresses), generation-checked handles, the legs' 4-tuples, and one hash
// index from a leg's 4-tuple (either direction) to its pair. The index
// stores 4-byte keys and compares through the slab, so a pair costs its own
// 128 bytes plus a few bytes of index (see the memory benchmark).
//
// Tuples: IPv4 addresses are kept in the pair (PackedTuple). A leg with an
// address of another family keeps its addresses in a side array parallel to
// the slab, allocated per chunk when the chunk first holds such a leg: a
// lookup reaches it by the slot's index, never through the pair, so its load
// can start with the pair's (PrefetchSlot) instead of after it.
#ifndef MCP_CORE_FLOW_TABLE_H_
#define MCP_CORE_FLOW_TABLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "mcp_core/actions.h"
#include "mcp_core/huge_page_allocator.h"
#include "mcp_core/pair.h"
#include "mcp_core/segment.h"
#include "mcp_core/time.h"
#include "mcp_core/transitions.h"

namespace mcp_core {

class FlowTable {
 public:
  // Pairs per full chunk: the power of two (2^14..2^16) whose chunk wastes
  // least once rounded up to whole 2 MiB huge pages (AllocateMaybeHuge).
  // The 128-byte pair fills them exactly at 2^14 (one huge page); a pair
  // of another size would choose again (184 bytes wasted 28% at 2^14, 4% at
  // 2^15). Smaller tables use fewer.
  static constexpr uint32_t kMaxChunkBits = [] {
    uint32_t best = 14;
    uint64_t best_slack_permille = ~uint64_t{0};
    for (uint32_t bits = 14; bits <= 16; ++bits) {
      const uint64_t bytes = (uint64_t{1} << bits) * sizeof(Pair);
      const uint64_t huge = uint64_t{2} << 20;
      const uint64_t slack_permille = ((bytes + huge - 1) / huge * huge - bytes) * 1000 / bytes;
      if (slack_permille < best_slack_permille) {
        best = bits;
        best_slack_permille = slack_permille;
      }
    }
    return best;
  }();

  explicit FlowTable(uint32_t max_flows);
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // A fresh pair, or nullopt when max_flows are in use.
  std::optional<FlowId> Allocate();
  // The pair behind `id`, or nullptr when the handle is stale or unknown.
  Pair* Get(FlowId id);
  const Pair* Get(FlowId id) const;
  // Unindexes both legs and recycles the slot (its generation moves on).
  void Free(FlowId id);

  // The leg's 4-tuple, as the pair's traffic names it on that leg.
  FourTuple Tuple(FlowId id, Leg leg) const { return TupleAt(uint32_t(id), leg); }
  // Whether `tuple` is the leg's tuple as stored (not its reverse): the
  // segment travels from the tuple's source.
  bool SameWay(FlowId id, Leg leg, const FourTuple& tuple) const;
  // Sets the leg's tuple. Not while the leg is indexed (unindex, set, index).
  void SetTuple(FlowId id, Leg leg, const FourTuple& tuple);

  // Index the leg's tuple.
  // Returns false when another pair already owns that 4-tuple.
  bool IndexLeg(FlowId id, Leg leg);
  void UnindexLeg(FlowId id, Leg leg);
  // The pair and leg a segment with this tuple (either direction) belongs to.
  std::optional<std::pair<FlowId, Leg>> Find(const FourTuple& tuple) const;

  // Software prefetch for batch pipelines (Converter::HandleSegments). With a
  // million pairs, Find is two dependent cache misses (and TLB misses): the
  // index's control bytes and key slot, then the pair its key names, which
  // Find compares the tuple against. Issued a few segments ahead, the misses
  // of several segments overlap instead of queueing behind each other, as
  // VPP and DPDK graph nodes do. Hints only: nothing changes and nothing
  // waits for memory, except as noted.
  //
  // The index hash of `tuple`, computed once for both stages.
  size_t IndexHash(const FourTuple& tuple) const { return Hash{this}(tuple); }
  // Stage 1: the index's control group and key slots where the hash points.
  void PrefetchIndex(size_t hash) const { index_.prefetch(PrefetchProbe{hash}); }
  // Stage 2, once stage 1's lines have arrived (issued earlier for the same
  // hash; otherwise this waits for them): every cache line of each pair
  // whose key sits where the hash points with a matching hash tag (the pair
  // the tuple belongs to, if any, and rarely a stranger). No tuple compare,
  // so it never waits for a pair.
  void PrefetchPair(size_t hash) const;

  // By slot index (a FlowId's low 32 bits), for intrusive structures that
  // name pairs by index (the timer wheel): the pair in that slot, and the
  // handle of its current generation.
  Pair& AtIndex(uint32_t index) const { return Slot(index); }
  FlowId IdAt(uint32_t index) const { return MakeId(index, Slot(index).generation); }

  uint32_t size() const { return in_use_; }
  uint32_t capacity() const { return max_flows_; }

 private:
  // 2^chunk_bits_ pairs per chunk (kMaxChunkBits when the table is big).
  uint32_t ChunkSize() const { return 1u << chunk_bits_; }
  Pair& Slot(uint32_t index) const { return chunks_[index >> chunk_bits_][index & (ChunkSize() - 1)]; }
  static FlowId MakeId(uint32_t index, uint32_t generation) {
    return (uint64_t(generation) << 32) | index;
  }
  // A wide leg's addresses, [Leg] (see the header comment).
  struct WideAddresses {
    mptcp_opts::IpAddress src[2];
    mptcp_opts::IpAddress dst[2];
  };
  const WideAddresses& Wide(uint32_t index) const {
    return wide_chunks_[index >> chunk_bits_][index & (ChunkSize() - 1)];
  }
  FourTuple TupleAt(uint32_t index, Leg leg) const;
  // Whether the leg in slot `index` is (src, src_port) -> (dst, dst_port).
  bool LegIs(uint32_t index, int leg, const mptcp_opts::IpAddress& src, uint16_t src_port,
             const mptcp_opts::IpAddress& dst, uint16_t dst_port) const;
  // Whether index key `key` (slot << 1 | leg) names `t`, either way round.
  bool KeyMatches(uint32_t key, const FourTuple& t) const;

  // The prefetches' lookup key: hashes as the tuple it was computed from;
  // "compares" by prefetching the candidate's pair and saying no, so that
  // PrefetchPair's find() walks the probe sequence to its end without
  // touching a pair.
  //
  // Both stages must look like they do something: GCC 12's mod/ref analysis
  // takes a function whose only effect is __builtin_prefetch for one without
  // side effects and deletes calls to it (index_.prefetch() with a hash it
  // can see through vanished, and so did PrefetchPair's whole probe walk:
  // found in the disassembly). Hence the empty volatile asm in the probe's
  // hash and in PrefetchSlot: a side effect the compiler must keep, at no
  // cost.
  struct PrefetchProbe {
    size_t hash;
  };
  void PrefetchSlot(uint32_t key) const;

  struct Hash {
    using is_transparent = void;
    const FlowTable* table;
    size_t operator()(uint32_t key) const { return (*this)(table->TupleAt(key >> 1, Leg(key & 1))); }
    size_t operator()(const FourTuple& t) const;
    size_t operator()(const PrefetchProbe& p) const {
      size_t h = p.hash;
      asm volatile("" : "+r"(h));  // see PrefetchProbe
      return h;
    }
  };
  struct Eq {
    using is_transparent = void;
    const FlowTable* table;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, const FourTuple& t) const { return table->KeyMatches(a, t); }
    bool operator()(const FourTuple& t, uint32_t a) const { return (*this)(a, t); }
    bool operator()(uint32_t a, const PrefetchProbe&) const {
      table->PrefetchSlot(a);
      return false;
    }
    bool operator()(const PrefetchProbe& p, uint32_t a) const { return (*this)(a, p); }
  };

  uint32_t max_flows_;
  uint32_t chunk_bits_;
  uint32_t in_use_ = 0;
  uint32_t high_water_ = 0;  // slots ever handed out
  struct ChunkDeleter {
    uint32_t size = 0;
    void operator()(Pair* p) const;
  };
  mutable std::vector<std::unique_ptr<Pair[], ChunkDeleter>> chunks_;
  std::vector<std::unique_ptr<WideAddresses[]>> wide_chunks_;  // [chunk], null until needed
  std::vector<uint32_t> free_;
  absl::flat_hash_set<uint32_t, Hash, Eq, HugePageAllocator<uint32_t>> index_;
};

}  // namespace mcp_core

#endif  // MCP_CORE_FLOW_TABLE_H_
