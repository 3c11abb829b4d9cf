// SPDX-License-Identifier: Apache-2.0
#include "mcp_core/actions.h"

namespace mcp_core {

static_assert(int(EventKind::kTfoBeforeDiscovery) + 1 == kNumEventKinds);

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kPairCreated: return "PAIR_CREATED";
    case EventKind::kPairEstablished: return "PAIR_ESTABLISHED";
    case EventKind::kPairClosed: return "PAIR_CLOSED";
    case EventKind::kRefusedInternetFacing: return "REFUSED_INTERNET_FACING";
    case EventKind::kRefusedAcl: return "REFUSED_ACL";
    case EventKind::kRefusedHalfOpenPerSource: return "REFUSED_HALF_OPEN_PER_SOURCE";
    case EventKind::kRefusedHalfOpenTotal: return "REFUSED_HALF_OPEN_TOTAL";
    case EventKind::kRefusedFlowTableFull: return "REFUSED_FLOW_TABLE_FULL";
    case EventKind::kRefusedSubflowLimit: return "REFUSED_SUBFLOW_LIMIT";
    case EventKind::kMalformedIe: return "MALFORMED_IE";
    case EventKind::kMissingDestination: return "MISSING_DESTINATION";
    case EventKind::kBadDestinationPort: return "BAD_DESTINATION_PORT";
    case EventKind::kUnknownIeTypeSkipped: return "UNKNOWN_IE_TYPE_SKIPPED";
    case EventKind::kNativeMptcpPassedThrough: return "NATIVE_MPTCP_PASSED_THROUGH";
    case EventKind::kNotEligible: return "NOT_ELIGIBLE";
    case EventKind::kMcpNoEcho: return "MCP_NO_ECHO";
    case EventKind::kMcpSetupTimeout: return "MCP_SETUP_TIMEOUT";
    case EventKind::kCapabilityCacheHit: return "CAPABILITY_CACHE_HIT";
    case EventKind::kSetupFailed: return "SETUP_FAILED";
    case EventKind::kIdleTimeout: return "IDLE_TIMEOUT";
    case EventKind::kPreferProxyIgnored: return "PREFER_PROXY_IGNORED";
    case EventKind::kRstChallenged: return "RST_CHALLENGED";
    case EventKind::kRstInWindowIgnored: return "RST_IN_WINDOW_IGNORED";
    case EventKind::kRstOutOfWindow: return "RST_OUT_OF_WINDOW";
    case EventKind::kFinOutOfWindow: return "FIN_OUT_OF_WINDOW";
    case EventKind::kDataFinOutOfWindow: return "DATA_FIN_OUT_OF_WINDOW";
    case EventKind::kFastCloseRejected: return "FAST_CLOSE_REJECTED";
    case EventKind::kMcpRefused: return "MCP_REFUSED";
    case EventKind::kMcpNotMptcp: return "MCP_NOT_MPTCP";
    case EventKind::kRefusedDestination: return "REFUSED_DESTINATION";
    case EventKind::kRefusedNoSourceAddress: return "REFUSED_NO_SOURCE_ADDRESS";
    case EventKind::kDuplicateTuple: return "DUPLICATE_TUPLE";
    case EventKind::kTfoBeforeDiscovery: return "TFO_BEFORE_DISCOVERY";
  }
  return "?";
}

}  // namespace mcp_core
