// mptcp-decode: the project's reference decoder for MPTCP in packet captures.
// See README.md in this folder for the output formats.
#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "examples/mptcp_decode/capture_decoder.h"
#include "examples/mptcp_decode/pcap_link_type.h"
#include "mptcp_opts/hex_text.h"

namespace {

constexpr const char* kUsage =
    "usage: mptcp-decode [--json] [--verify] [--prefer-proxy-subtype N] CAPTURE|-\n"
    "       mptcp-decode [--json] [--v0] --hex HEX\n"
    "Decodes every MPTCP option and MP_CONVERT IE in a pcap/pcapng capture\n"
    "(- reads standard input). --verify follows connections and checks tokens\n"
    "and HMACs; the exit status is 1 when any check failed. --hex decodes a raw\n"
    "TCP option area. --prefer-proxy-subtype N: MP_PREFER_PROXY's subtype, an\n"
    "unassigned one, 0x9..0xE (decimal or 0x hex; default 0xE, decisions D5).\n"
    "Exit status 2: usage error or unreadable capture.\n";

// --prefer-proxy-subtype's value: decimal or 0x hex, then the one range check
// (PreferProxySubtype, decisions D5). False, with the message printed, when
// the text is not a number or is outside 0x9..0xE.
bool ParsePreferProxySubtype(const char* text, mptcp_opts::PreferProxySubtype& out) {
  const bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, hex ? 16 : 10);
  if (end == text || *end != '\0') {
    std::fprintf(stderr, "mptcp-decode: --prefer-proxy-subtype: '%s' is not a number\n", text);
    return false;
  }
  const auto subtype = mptcp_opts::PreferProxySubtype::FromValue(v);
  if (!subtype) {
    // strtoll saturates, so an out-of-range `v` never wraps into the range.
    std::fprintf(stderr, "mptcp-decode: --prefer-proxy-subtype: %s is outside %s\n", text,
                 mptcp_opts::PreferProxySubtype::kRangeReason);
    return false;
  }
  out = *subtype;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mptcp_decode::DecoderOptions options;
  const char* hex = nullptr;
  const char* path = nullptr;
  bool v0 = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") options.json = true;
    else if (a == "--verify") options.verify = true;
    else if (a == "--v0") v0 = true;
    else if (a == "--hex" && i + 1 < argc) hex = argv[++i];
    else if (a == "--prefer-proxy-subtype") {
      if (i + 1 == argc) {
        std::fprintf(stderr, "mptcp-decode: --prefer-proxy-subtype needs a value, 0x9..0xE\n");
        return 2;
      }
      if (!ParsePreferProxySubtype(argv[++i], options.prefer_proxy_subtype)) return 2;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if ((a == "-" || a[0] != '-') && !path) path = argv[i];
    else {
      std::fprintf(stderr, "mptcp-decode: unexpected argument '%s'\n%s", argv[i], kUsage);
      return 2;
    }
  }
  mptcp_decode::CaptureDecoder decoder(options);
  std::string out;
  if (hex) {
    std::vector<uint8_t> area;
    if (!mptcp_opts::ParseHex(hex, area)) {
      std::fprintf(stderr, "mptcp-decode: --hex: not a hex string\n");
      return 2;
    }
    decoder.DecodeOptionArea(area, v0 ? mptcp_opts::MptcpVersion::kV0 : mptcp_opts::MptcpVersion::kV1, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (!path) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline(path, err);
  if (!pcap) {
    std::fprintf(stderr, "mptcp-decode: %s\n", err);
    return 2;
  }
  mptcp_opts::capture::LinkType link;
  if (!mptcp_decode::ToLinkType(pcap_datalink(pcap), link)) {
    std::fprintf(stderr, "mptcp-decode: unsupported link type %s (%d)\n",
                 pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "?", pcap_datalink(pcap));
    pcap_close(pcap);
    return 2;
  }
  pcap_pkthdr* header;
  const u_char* data;
  uint64_t frame = 0;
  int rc;
  out.reserve(1 << 20);
  while ((rc = pcap_next_ex(pcap, &header, &data)) == 1) {
    decoder.DecodeFrame(++frame, link, std::span<const uint8_t>(data, header->caplen), header->len,
                        out);
    if (out.size() > (1 << 19)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  int status = 0;
  if (rc == -1) {
    // A file cut in the middle of a record: report it, keep what was decoded.
    std::fprintf(stderr, "mptcp-decode: %s: %s (after frame %llu)\n", path, pcap_geterr(pcap),
                 static_cast<unsigned long long>(frame));
    status = 2;
  }
  pcap_close(pcap);
  if (options.verify || !options.json) decoder.AppendSummary(out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (options.verify && decoder.tracker_summary().hmacs_failed > 0) status = 1;
  return status;
}
