// SPDX-License-Identifier: Apache-2.0
// mptcp-decode: the project's reference decoder for MPTCP in packet captures
// and live traffic, with tcpdump's habits (filter expression, -c, -i, -r, -l,
// -t styles). See README.md and mptcp-decode.1 in this folder.
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "examples/mptcp_decode/capture_decoder.h"
#include "examples/mptcp_decode/pcap_link_type.h"
#include "mptcp_opts/hex_text.h"
#include "mptcp_opts/version.h"

namespace {

// Exit statuses (documented in --help, README.md and mptcp-decode.1). When
// several apply, the first of usage, HMAC, malformed wins.
constexpr int kExitOk = 0;
constexpr int kExitHmacFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitMalformed = 3;

constexpr const char* kUsage =
    "usage: mptcp-decode [OPTIONS] CAPTURE|- [CAPTURE...] [FILTER...]\n"
    "       mptcp-decode [OPTIONS] -r CAPTURE [-r CAPTURE...] [FILTER...]\n"
    "       mptcp-decode [OPTIONS] -i IFACE [FILTER...]\n"
    "       mptcp-decode [--json] [--v0] --hex HEX\n"
    "Decodes every MPTCP option and MP_CONVERT IE in pcap/pcapng captures or live\n"
    "traffic: one line per TCP segment that carries them, or with --json one\n"
    "object per option. FILTER is a tcpdump (pcap-filter) expression, one or\n"
    "several words, e.g. 'tcp port 80'. Without -r, the first argument (- is\n"
    "standard input) and each next one that names a file are the captures,\n"
    "the rest is the filter. Several captures are one stream: frame numbers\n"
    "and connections continue from one file to the next.\n"
    "Options:\n"
    "  -r FILE        read the capture FILE (- is standard input); repeatable\n"
    "  -i IFACE       capture live on IFACE (any: every interface)\n"
    "  -c N           stop after N frames that pass the filter\n"
    "  -l             flush after each frame's output (the default on a terminal)\n"
    "  -t             no timestamps (default: time of day, local time, as tcpdump)\n"
    "  -tt            seconds since the epoch\n"
    "  -ttt           time since the previous frame\n"
    "  -tttt          date and time of day\n"
    "  -ttttt         time since the first frame\n"
    "  --json         one JSON object per option or IE, with time, endpoints,\n"
    "                 TCP flags and connection / subflow numbers\n"
    "  --verify       check MP_JOIN tokens and MP_JOIN / ADD_ADDR HMACs against\n"
    "                 the keys seen in MP_CAPABLE\n"
    "  --connections  a summary per MPTCP connection (subflows, addresses,\n"
    "                 DSS-mapped bytes, HMAC results) instead of per segment\n"
    "  --prefer-proxy-subtype N\n"
    "                 MP_PREFER_PROXY's subtype, an unassigned one, 0x9..0xE\n"
    "                 (decimal or 0x hex; default 0xE, decisions D5)\n"
    "  --hex HEX      decode a raw TCP option area given in hex\n"
    "  --v0           with --hex: decode as MPTCP version 0\n"
    "  --version      print the version and exit\n"
    "  -h, --help     print this help and exit\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  --verify found an HMAC that does not match\n"
    "  2  usage error, bad filter, unreadable capture or interface, torn file\n"
    "  3  a malformed MPTCP option, option area or MP_CONVERT IE was seen\n"
    "  When several apply: 2, then 1, then 3.\n";

int Usage(const char* fmt, const char* arg) {
  std::fputs("mptcp-decode: ", stderr);
  std::fprintf(stderr, fmt, arg);
  std::fputs("\n(mptcp-decode --help for the options)\n", stderr);
  return kExitUsage;
}

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

// A word after the first capture that names a file is a capture too (a
// lone "-" there is filter arithmetic: standard input is only ever first).
bool IsCaptureFile(const char* path) {
  struct stat st;
  return std::strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
         (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode));
}

// The live capture being read, for the signal handler: ^C ends it cleanly
// (the summary is printed, as tcpdump prints its counts).
pcap_t* volatile g_live = nullptr;
void StopLive(int) {
  if (g_live) pcap_breakloop(g_live);
}

struct Run {
  mptcp_decode::CaptureDecoder& decoder;
  std::string& out;
  bool line_buffered = false;
  uint64_t limit = 0;   // -c; 0: none
  uint64_t frame = 0;   // frames read: a file's own numbers (continued over files)
  uint64_t passed = 0;  // frames that passed the filter (what -c counts)
  bool done() const { return limit != 0 && passed >= limit; }
  void Flush() {
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (line_buffered) std::fflush(stdout);
    out.clear();
  }
};

// The filter compiled by libpcap for one capture (its link type); none when
// the expression is empty.
class Filter {
 public:
  ~Filter() {
    if (compiled_) pcap_freecode(&program_);
  }
  // False, with the message printed, when libpcap refuses the expression.
  bool Compile(pcap_t* pcap, const std::string& expression) {
    if (expression.empty()) return true;
    if (pcap_compile(pcap, &program_, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      std::fprintf(stderr, "mptcp-decode: filter '%s': %s\n", expression.c_str(),
                   pcap_geterr(pcap));
      return false;
    }
    compiled_ = true;
    return true;
  }
  const bpf_program* program() const { return compiled_ ? &program_ : nullptr; }

 private:
  bpf_program program_{};
  bool compiled_ = false;
};

// Decodes what `pcap` delivers until it ends, fails or -c is reached.
// `filter` (files): applied here, frame by frame, so frame numbers stay the
// file's own (as Wireshark numbers them); a live capture is filtered in the
// kernel instead (pcap_setfilter). Returns pcap_next_ex's last status.
int Pump(pcap_t* pcap, Run& run, mptcp_opts::capture::LinkType link,
         const bpf_program* filter) {
  pcap_pkthdr* header;
  const u_char* data;
  int rc = 1;
  while (!run.done() && (rc = pcap_next_ex(pcap, &header, &data)) >= 0) {
    if (rc == 0) continue;  // live: the read timeout, no frame
    ++run.frame;
    if (filter && pcap_offline_filter(filter, header, data) == 0) continue;
    ++run.passed;
    run.decoder.DecodeFrame(run.frame, link, std::span<const uint8_t>(data, header->caplen),
                            header->len, run.out,
                            {static_cast<int64_t>(header->ts.tv_sec),
                             static_cast<int32_t>(header->ts.tv_usec)});
    if (run.line_buffered ? !run.out.empty() : run.out.size() > (1 << 19)) run.Flush();
  }
  return rc;
}

bool LinkOf(pcap_t* pcap, const char* source, mptcp_opts::capture::LinkType& link) {
  if (mptcp_decode::ToLinkType(pcap_datalink(pcap), link)) return true;
  std::fprintf(stderr, "mptcp-decode: %s: unsupported link type %s (%d)\n", source,
               pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "?", pcap_datalink(pcap));
  return false;
}

enum class ReadResult { kOk, kUnreadable, kBadFilter };

// Reads one capture file to its end (or to -c).
ReadResult ReadFile(const char* path, const std::string& filter, Run& run) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline(path, err);
  if (!pcap) {
    std::fprintf(stderr, "mptcp-decode: %s\n", err);
    return ReadResult::kUnreadable;
  }
  mptcp_opts::capture::LinkType link;
  if (!LinkOf(pcap, path, link)) {
    pcap_close(pcap);
    return ReadResult::kUnreadable;
  }
  Filter compiled;
  if (!compiled.Compile(pcap, filter)) {
    pcap_close(pcap);
    return ReadResult::kBadFilter;
  }
  const int rc = Pump(pcap, run, link, compiled.program());
  ReadResult result = ReadResult::kOk;
  if (rc == PCAP_ERROR) {
    // A file cut in the middle of a record: report it, keep what was decoded.
    std::fprintf(stderr, "mptcp-decode: %s: %s (after frame %llu)\n", path, pcap_geterr(pcap),
                 static_cast<unsigned long long>(run.frame));
    result = ReadResult::kUnreadable;
  }
  pcap_close(pcap);
  return result;
}

// Captures on `iface` until -c, a signal or an error; false on an error.
bool ReadLive(const char* iface, const std::string& filter, Run& run) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_create(iface, err);
  if (!pcap) {
    std::fprintf(stderr, "mptcp-decode: %s\n", err);
    return false;
  }
  pcap_set_snaplen(pcap, 262144);
  pcap_set_timeout(pcap, 1000);
  pcap_set_immediate_mode(pcap, 1);  // each frame as it arrives, as tcpdump -l users expect
  const int activated = pcap_activate(pcap);
  if (activated < 0) {
    std::fprintf(stderr, "mptcp-decode: %s: %s%s%s\n", iface, pcap_statustostr(activated),
                 *pcap_geterr(pcap) ? ": " : "", pcap_geterr(pcap));
    pcap_close(pcap);
    return false;
  }
  if (activated > 0) {
    std::fprintf(stderr, "mptcp-decode: %s: warning: %s\n", iface, pcap_statustostr(activated));
  }
  mptcp_opts::capture::LinkType link;
  Filter compiled;
  if (!LinkOf(pcap, iface, link) || !compiled.Compile(pcap, filter) ||
      (compiled.program() &&
       pcap_setfilter(pcap, const_cast<bpf_program*>(compiled.program())) != 0)) {
    if (compiled.program()) std::fprintf(stderr, "mptcp-decode: %s: %s\n", iface, pcap_geterr(pcap));
    pcap_close(pcap);
    return false;
  }
  g_live = pcap;
  struct sigaction stop = {};
  stop.sa_handler = StopLive;  // no SA_RESTART: the read wakes up
  sigaction(SIGINT, &stop, nullptr);
  sigaction(SIGTERM, &stop, nullptr);
  std::fprintf(stderr, "mptcp-decode: listening on %s, link type %s\n", iface,
               pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "?");
  const int rc = Pump(pcap, run, link, nullptr);
  g_live = nullptr;
  const bool ok = rc != PCAP_ERROR;
  if (!ok) std::fprintf(stderr, "mptcp-decode: %s: %s\n", iface, pcap_geterr(pcap));
  pcap_close(pcap);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  mptcp_decode::DecoderOptions options;
  options.timestamps = mptcp_decode::TimestampStyle::kTimeOfDay;  // tcpdump's default
  const char* hex = nullptr;
  const char* iface = nullptr;
  std::vector<const char*> files;    // -r
  std::vector<const char*> words;    // positional: captures, then the filter
  bool v0 = false, line_buffered = false;
  int t_count = 0;
  uint64_t limit = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 == argc ? nullptr : argv[++i]; };
    if (a == "--json") options.json = true;
    else if (a == "--verify") options.verify = true;
    else if (a == "--connections") options.connections = true;
    else if (a == "--v0") v0 = true;
    else if (a == "-l") line_buffered = true;
    else if (a.size() >= 2 && a[0] == '-' && a.find_first_not_of('t', 1) == std::string::npos) {
      t_count += static_cast<int>(a.size() - 1);  // -t -t is -tt, as with tcpdump
    } else if (a == "--hex") {
      if (!(hex = value())) return Usage("%s needs a value", "--hex");
    } else if (a == "-i") {
      if (!(iface = value())) return Usage("%s needs an interface", "-i");
    } else if (a == "-r") {
      const char* f = value();
      if (!f) return Usage("%s needs a file", "-r");
      files.push_back(f);
    } else if (a == "-c" || (a.size() > 2 && a.starts_with("-c") && std::isdigit(a[2]))) {
      const char* n = a == "-c" ? value() : argv[i] + 2;
      if (!n) return Usage("%s needs a count", "-c");
      char* end = nullptr;
      const unsigned long long v = std::strtoull(n, &end, 10);
      if (*n < '0' || *n > '9' || *end != '\0' || v == 0) {
        return Usage("-c: '%s' is not a positive count", n);
      }
      limit = v;
    } else if (a == "--prefer-proxy-subtype") {
      if (i + 1 == argc) {
        std::fprintf(stderr, "mptcp-decode: --prefer-proxy-subtype needs a value, 0x9..0xE\n");
        return kExitUsage;
      }
      if (!ParsePreferProxySubtype(argv[++i], options.prefer_proxy_subtype)) return kExitUsage;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    } else if (a == "--version") {
      std::printf("mptcp-decode %.*s\n", static_cast<int>(mptcp_opts::kVersion.size()),
                  mptcp_opts::kVersion.data());
      return kExitOk;
    } else if (a == "-" || a[0] != '-' || !words.empty()) {
      words.push_back(argv[i]);  // after the first word, "-..." is filter text (e.g. "-1")
    } else {
      return Usage("unexpected argument '%s'", argv[i]);
    }
  }
  if (t_count > 5) return Usage("%s: at most -ttttt", "-t");
  if (t_count > 0) {
    using TS = mptcp_decode::TimestampStyle;
    static constexpr TS kStyles[] = {TS::kNone, TS::kEpoch, TS::kSincePrevious, TS::kDateTime,
                                     TS::kSinceFirst};
    options.timestamps = kStyles[t_count - 1];
  }
  mptcp_decode::CaptureDecoder decoder(options);
  std::string out;
  if (hex) {
    std::vector<uint8_t> area;
    if (!mptcp_opts::ParseHex(hex, area)) {
      std::fprintf(stderr, "mptcp-decode: --hex: not a hex string\n");
      return kExitUsage;
    }
    decoder.DecodeOptionArea(area, v0 ? mptcp_opts::MptcpVersion::kV0 : mptcp_opts::MptcpVersion::kV1, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return decoder.saw_malformed() ? kExitMalformed : kExitOk;
  }
  // Captures named without -r: the first word always (so a missing file is
  // reported as such), then every word naming a file, up to the filter.
  size_t first_filter_word = 0;
  if (files.empty() && !iface) {
    while (first_filter_word < words.size() &&
           (first_filter_word == 0 || IsCaptureFile(words[first_filter_word]))) {
      files.push_back(words[first_filter_word++]);
    }
  }
  std::string filter;
  for (size_t w = first_filter_word; w < words.size(); ++w) {
    if (!filter.empty()) filter += ' ';
    filter += words[w];
  }
  if (files.empty() && !iface) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  if (iface && !files.empty()) return Usage("%s: either -i or captures, not both", "-i");

  Run run{decoder, out};
  run.line_buffered = line_buffered || isatty(STDOUT_FILENO);
  run.limit = limit;
  out.reserve(1 << 20);
  bool read_ok = true;
  bool bad_filter = false;
  if (iface) {
    read_ok = ReadLive(iface, filter, run);
  } else {
    // An unreadable or torn file is reported and the next one read; a
    // filter libpcap refuses ends the run.
    for (size_t f = 0; f < files.size() && !run.done() && !bad_filter; ++f) {
      const ReadResult r = ReadFile(files[f], filter, run);
      read_ok = read_ok && r == ReadResult::kOk;
      bad_filter = r == ReadResult::kBadFilter;
    }
  }
  if (!bad_filter && (read_ok || run.frame > 0)) decoder.AppendSummary(out);
  run.Flush();
  std::fflush(stdout);
  if (!read_ok) return kExitUsage;
  if (options.verify && decoder.tracker_summary().hmacs_failed > 0) return kExitHmacFailed;
  if (decoder.saw_malformed()) return kExitMalformed;
  return kExitOk;
}
