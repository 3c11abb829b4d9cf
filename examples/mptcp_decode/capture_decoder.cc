#include "examples/mptcp_decode/capture_decoder.h"

#include <cinttypes>
#include <cstdio>

#include "examples/mptcp_decode/json_object.h"
#include "examples/mptcp_decode/option_render.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/tcp_option_walker.h"

namespace mptcp_decode {
namespace {

namespace mo = mptcp_opts;
using mo::capture::TcpSegmentView;

void AppendVerificationJson(JsonObject& j, const Verification& v) {
  if (v.token_known) j.Bool("token_known", *v.token_known);
  if (v.result == HmacResult::kValid || v.result == HmacResult::kInvalid) {
    j.Bool("hmac_valid", v.result == HmacResult::kValid);
  }
  if (v.matching_variant) j.Str("hmac_variant", mo::AddAddrHmacVariantName(*v.matching_variant));
}

void AppendVerificationText(std::string& out, const Verification& v) {
  if (v.token_known) out += *v.token_known ? " [token ok]" : " [token unknown]";
  switch (v.result) {
    case HmacResult::kValid: out += " [hmac ok]"; break;
    case HmacResult::kInvalid:
      out += " [hmac BAD";
      if (v.matching_variant) {
        out += ", matches old Linux variant ";
        out += mo::AddAddrHmacVariantName(*v.matching_variant);
      }
      out += ']';
      break;
    case HmacResult::kUnverifiable: out += " [hmac unverifiable]"; break;
    case HmacResult::kNotApplicable: break;
  }
}

}  // namespace

void CaptureDecoder::DecodeFrame(uint64_t frame, mo::capture::LinkType link,
                                 std::span<const uint8_t> captured, uint32_t original_length,
                                 std::string& out) {
  ++counters_.frames;
  TcpSegmentView seg;
  const auto status = mo::capture::DissectFrame(link, captured, original_length, seg);
  if (status == mo::capture::DissectStatus::kTruncated) {
    ++counters_.truncated_frames;
    if (options_.json) {
      JsonObject(out).Num("frame", frame).Str("subtype", "UNKNOWN")
          .Str("error", "TRUNCATED_CAPTURE").End();
    } else {
      AppendF(out, "%" PRIu64 " [truncated capture: %zu of %u bytes, TCP options cut]\n", frame,
              captured.size(), original_length);
    }
    return;
  }
  if (status != mo::capture::DissectStatus::kOk) {
    if (status == mo::capture::DissectStatus::kUnsupportedLinkType && !options_.json) {
      AppendF(out, "%" PRIu64 " [unsupported link type %u]\n", frame, unsigned(link));
    }
    return;
  }
  ++counters_.tcp_segments;
  DecodeSegment(frame, seg, out);
}

void CaptureDecoder::DecodeSegment(uint64_t frame, const TcpSegmentView& seg, std::string& out) {
  mo::CodecConfig config;
  config.version = tracker_.VersionFor(seg);
  config.prefer_proxy_subtype = options_.prefer_proxy_subtype;

  std::string line;  // text mode: the segment's options, joined
  auto text_sep = [&] { line += line.empty() ? "" : "; "; };
  // D10 needs to know whether the segment carries MP_CAPABLE anywhere in its
  // area; asked only when an MP_PREFER_PROXY shows up, so other segments are
  // walked once.
  auto has_mp_capable = [&] {
    mo::TcpOptionWalker scan(seg.options);
    for (mo::TcpOption o; scan.Next(o);) {
      if (o.kind == mo::kKindMptcp && mo::SubtypeOf(o.bytes) == 0) return true;
    }
    return false;
  };
  mo::TcpOptionWalker walker(seg.options);
  for (mo::TcpOption o; walker.Next(o);) {
    if (o.kind != mo::kKindMptcp) continue;
    ++counters_.options;
    mo::MptcpOption opt;
    const mo::DecodeStatus st = mo::DecodeMptcpOption(o.bytes, config, opt);
    if (st != mo::DecodeStatus::kOk) {
      ++counters_.malformed_options;
      const char* name = mo::SubtypeName(mo::SubtypeOf(o.bytes), config);
      if (options_.json) {
        JsonObject(out).Num("frame", frame).Str("subtype", name).Str("error", mo::StatusName(st)).End();
      } else {
        text_sep();
        line += name;
        line += " [malformed: ";
        line += mo::StatusName(st);
        line += " raw=";
        AppendHex(line, o.bytes);
        line += ']';
      }
      continue;
    }
    // Tracked even without --verify: the connection's version decides how
    // its ADD_ADDR and MP_PRIO are decoded.
    const Verification v = tracker_.Observe(seg, opt);
    const bool prefer_proxy = std::holds_alternative<mo::MpPreferProxy>(opt);
    const bool applicable =
        !prefer_proxy || mo::IsPreferProxyApplicable(seg.syn(), seg.ack_flag(), has_mp_capable());
    if (!applicable) ++counters_.prefer_proxy_ignored;
    if (options_.json) {
      JsonObject j(out);
      j.Num("frame", frame).Str("subtype", mo::SubtypeName(opt));
      AppendOptionJson(j, opt);
      if (prefer_proxy) j.Bool("applicable", applicable);
      if (options_.verify) AppendVerificationJson(j, v);
      j.End();
    } else {
      text_sep();
      AppendOptionText(line, opt);
      if (!applicable) line += " [ignored: not in SYN with MP_CAPABLE]";
      if (options_.verify) AppendVerificationText(line, v);
    }
  }
  if (walker.status() != mo::WalkStatus::kOk) {
    if (options_.json) {
      JsonObject(out).Num("frame", frame).Str("subtype", "UNKNOWN")
          .Str("error", mo::StatusName(walker.status())).End();
    } else {
      text_sep();
      line += "[option area: ";
      line += mo::StatusName(walker.status());
      line += ']';
    }
  }
  // MP_CONVERT IEs lead the payload of a SYN (draft -10 §5) and its echo in
  // the SYN/ACK (decisions.md D3).
  if (seg.syn() && !seg.payload.empty()) {
    mo::MpConvertIeList ies;
    const auto r = mo::ParseMpConvertIes(seg.payload, ies);
    if (r.status != mo::IeStatus::kNoIe) {
      const bool cut = seg.payload_truncated;
      if (r.status != mo::IeStatus::kOk) {
        if (options_.json) {
          JsonObject j(out);
          j.Num("frame", frame).Str("subtype", "MP_CONVERT").Str("error", mo::StatusName(r.status));
          if (cut) j.Bool("truncated_capture", true);
          j.End();
        } else {
          text_sep();
          line += "MP_CONVERT [malformed: ";
          line += mo::StatusName(r.status);
          line += cut ? ", capture truncated]" : "]";
        }
      }
      for (const auto& ie : ies.view()) {
        ++counters_.ies;
        if (options_.json) {
          JsonObject j(out);
          j.Num("frame", frame).Str("subtype", "MP_CONVERT")
              .Str("direction", ie.source ? "source" : "destination")
              .Str("address", ie.address.ToString());
          if (ie.port) j.Num("port", *ie.port);
          j.End();
        } else {
          text_sep();
          line += "MP_CONVERT ";
          line += ie.source ? "src " : "dst ";
          line += ie.port ? Endpoint(ie.address, *ie.port) : ie.address.ToString();
        }
      }
      if (r.status == mo::IeStatus::kOk && r.consumed < seg.payload.size() && !options_.json) {
        AppendF(line, " (+%zu bytes of data)", seg.payload.size() - r.consumed);
      }
    }
  }
  if (!line.empty()) {
    ++counters_.mptcp_segments;
    if (!options_.json) {
      AppendF(out, "%" PRIu64 " ", frame);
      out += Endpoint(seg.src, seg.src_port);
      out += " > ";
      out += Endpoint(seg.dst, seg.dst_port);
      AppendF(out, " [%s] seq %u", TcpFlags(seg).c_str(), seg.seq);
      if (seg.ack_flag()) AppendF(out, " ack %u", seg.ack);
      out += ": ";
      out += line;
      out += '\n';
    }
  }
}

void CaptureDecoder::DecodeOptionArea(std::span<const uint8_t> area, mo::MptcpVersion version,
                                      std::string& out) {
  mo::CodecConfig config;
  config.version = version;
  config.prefer_proxy_subtype = options_.prefer_proxy_subtype;
  mo::TcpOptionWalker walker(area);
  for (mo::TcpOption o; walker.Next(o);) {
    if (o.kind != mo::kKindMptcp) {
      if (!options_.json) {
        AppendF(out, "kind %u len %zu: ", unsigned(o.kind), o.bytes.size());
        AppendHex(out, o.bytes);
        out += '\n';
      }
      continue;
    }
    mo::MptcpOption opt;
    const auto st = mo::DecodeMptcpOption(o.bytes, config, opt);
    if (options_.json) {
      JsonObject j(out);
      j.Num("frame", 0);
      if (st != mo::DecodeStatus::kOk) {
        j.Str("subtype", mo::SubtypeName(mo::SubtypeOf(o.bytes), config)).Str("error", mo::StatusName(st));
      } else {
        j.Str("subtype", mo::SubtypeName(opt));
        AppendOptionJson(j, opt);
      }
      j.End();
    } else if (st != mo::DecodeStatus::kOk) {
      AppendF(out, "%s [malformed: %s]\n", mo::SubtypeName(mo::SubtypeOf(o.bytes), config),
              mo::StatusName(st));
    } else {
      AppendOptionText(out, opt);
      out += '\n';
    }
  }
  if (walker.status() != mo::WalkStatus::kOk) {
    if (options_.json) {
      JsonObject(out).Num("frame", 0).Str("subtype", "UNKNOWN").Str("error", mo::StatusName(walker.status())).End();
    } else {
      AppendF(out, "[option area: %s at offset %zu]\n", mo::StatusName(walker.status()), walker.offset());
    }
  }
}

void CaptureDecoder::AppendSummary(std::string& out) const {
  const TrackerSummary& t = tracker_.summary();
  if (options_.json) {
    if (!options_.verify) return;
    out += "{\"summary\": {";
    AppendF(out, "\"connections\": %u, \"subflows\": %u, \"hmacs_verified\": %u, ", t.connections,
            t.subflows, t.hmacs_verified);
    AppendF(out, "\"hmacs_failed\": %u, \"hmacs_unverifiable\": %u, ", t.hmacs_failed,
            t.hmacs_unverifiable);
    AppendF(out, "\"tokens_known\": %u, \"tokens_unknown\": %u, ", t.tokens_known, t.tokens_unknown);
    AppendF(out, "\"options\": %" PRIu64 ", \"malformed_options\": %" PRIu64 "}}\n",
            counters_.options, counters_.malformed_options);
    return;
  }
  AppendF(out, "-- %" PRIu64 " frames, %" PRIu64 " TCP segments, %" PRIu64
               " with MPTCP; %" PRIu64 " options (%" PRIu64 " malformed), %" PRIu64 " MP_CONVERT IEs",
          counters_.frames, counters_.tcp_segments, counters_.mptcp_segments, counters_.options,
          counters_.malformed_options, counters_.ies);
  if (counters_.truncated_frames) AppendF(out, ", %" PRIu64 " truncated frames", counters_.truncated_frames);
  out += '\n';
  if (options_.verify) {
    AppendF(out, "-- verify: %u connections, %u subflows; HMACs: %u verified, %u failed, %u unverifiable; "
                 "MP_JOIN tokens: %u known, %u unknown\n",
            t.connections, t.subflows, t.hmacs_verified, t.hmacs_failed, t.hmacs_unverifiable,
            t.tokens_known, t.tokens_unknown);
  }
}

}  // namespace mptcp_decode
