// SPDX-License-Identifier: Apache-2.0
// libpcap reports a capture's link layer as a DLT_ value; the dissector
// (mptcp_opts/capture) takes LINKTYPE_ values. One mapping, for mptcp-decode
// and for the fuzz target that opens captures the same way.
#ifndef EXAMPLES_MPTCP_DECODE_PCAP_LINK_TYPE_H_
#define EXAMPLES_MPTCP_DECODE_PCAP_LINK_TYPE_H_

#include <pcap/pcap.h>

#include "mptcp_opts/capture/packet_dissector.h"

namespace mptcp_decode {

// False for a link type the dissector does not read.
inline bool ToLinkType(int dlt, mptcp_opts::capture::LinkType& out) {
  using mptcp_opts::capture::LinkType;
  switch (dlt) {
    case DLT_EN10MB: out = LinkType::kEthernet; return true;
    case DLT_RAW: out = LinkType::kRaw; return true;
    case 101: out = LinkType::kRaw; return true;  // LINKTYPE_RAW where DLT_RAW is 12 or 14
    case DLT_LINUX_SLL: out = LinkType::kLinuxSll; return true;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2: out = LinkType::kLinuxSll2; return true;
#endif
    case DLT_IPV4: out = LinkType::kIpv4; return true;
    case DLT_IPV6: out = LinkType::kIpv6; return true;
  }
  return false;
}

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_PCAP_LINK_TYPE_H_
