// SPDX-License-Identifier: Apache-2.0
// Converter::HandleSegments: a receive burst through HandleSegment, with the
// flow table's memory fetched ahead (a two-stage software pipeline, as VPP
// and DPDK graph nodes do).
//
// Why: with a million pairs and segments of random pairs, HandleSegment waits
// for two dependent cache (and TLB) misses before it can do any work: the
// 4-tuple index's slot, then the pair its key names. One at a time, each
// segment pays both in full. Knowing the burst ahead, we ask for segment
// i + 2D's index slot and segment i + D's pair while segment i is handled:
// the misses of several segments overlap, and by the time HandleSegment gets
// to a segment its slot and pair are normally in the cache.
//
// This file uses only the flow table (flows_) and the public HandleSegment,
// so it stays what HandleSegment does, whatever the converter does inside.
#include <algorithm>
#include <cstddef>

#include "mcp_core/converter.h"

namespace mcp_core {
namespace {

// D, the pair stage's distance in segments; the index stage runs 2D ahead,
// so that a slot has had D segments' time to arrive before PrefetchPair
// reads it. Chosen by measurement (bench/mcp_core_benchmark.cc, 1M random
// pairs, bursts of 32, two runs each, ns per tracked segment): D=2 105-107,
// D=4 97-110, D=6 99-100, D=8 113-123, D=12 124-141; pass-through 28-35
// for all (D = 3, 4, 6 again with the hash computed once: within the noise
// of a loaded machine). A burst is not pipelined across calls, so the first
// 2D segments of each start with their misses only partly hidden: the
// smallest D that hides a miss wins. To try another:
// --per_file_copt=mcp_core/converter_batch.cc@-DMCP_CORE_BATCH_PREFETCH_DISTANCE=6
#ifndef MCP_CORE_BATCH_PREFETCH_DISTANCE
#define MCP_CORE_BATCH_PREFETCH_DISTANCE 4
#endif
constexpr size_t kPairAhead = MCP_CORE_BATCH_PREFETCH_DISTANCE;
constexpr size_t kIndexAhead = 2 * kPairAhead;

}  // namespace

// Handles min(segments.size(), verdicts.size()) segments, in order: when
// `verdicts` is shorter, the segments past its end are not handled (nothing
// is counted for them) and the caller sees it from the sizes.
void Converter::HandleSegments(Instant now, std::span<const SegmentView> segments,
                               std::span<Verdict> verdicts) {
  const size_t n = std::min(segments.size(), verdicts.size());
  // Each tuple is hashed once for both stages (the third hash is Find's,
  // inside HandleSegment): hashing three times cost 3-4 ns a segment.
  size_t hashes[kIndexAhead];  // by segment index modulo kIndexAhead
  auto index_stage = [&](size_t i) {
    hashes[i % kIndexAhead] = flows_.IndexHash(segments[i].tuple);
    flows_.PrefetchIndex(hashes[i % kIndexAhead]);
  };
  // Prologue: fill the pipeline. The first D pairs' stage 2 reads index
  // slots that were only just requested; it waits for them, but all 2D
  // index requests are already in flight together.
  for (size_t i = 0; i < std::min(n, kIndexAhead); ++i) index_stage(i);
  for (size_t i = 0; i < std::min(n, kPairAhead); ++i) flows_.PrefetchPair(hashes[i]);
  for (size_t i = 0; i < n; ++i) {
    // Prefetches are hints: a segment that creates or closes a pair in the
    // meantime (a SYN, a RST) only makes a later hint useless, never wrong,
    // since HandleSegment looks the tuple up itself.
    if (i + kPairAhead < n) flows_.PrefetchPair(hashes[(i + kPairAhead) % kIndexAhead]);
    if (i + kIndexAhead < n) index_stage(i + kIndexAhead);  // takes segment i's hash slot
    verdicts[i] = HandleSegment(now, segments[i]);
  }
}

}  // namespace mcp_core
