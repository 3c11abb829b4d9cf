// SPDX-License-Identifier: Apache-2.0
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
                                 std::string& out, FrameTime time) {
  ++counters_.frames;
  timestamps_.Next(time);
  TcpSegmentView seg;
  const auto status = mo::capture::DissectFrame(link, captured, original_length, seg);
  if (status == mo::capture::DissectStatus::kTruncated) {
    ++counters_.truncated_frames;
    if (seg.truncated_options_length_on_wire != 0) {
      // Cut inside the option area: the options captured whole are shown.
      DecodeSegment(frame, seg, seg.truncated_options, true, out);
      return;
    }
    if (options_.connections) return;
    if (options_.json) {
      JsonObject j(out);
      j.Num("frame", frame).Str("subtype", "UNKNOWN").Str("error", "TRUNCATED_CAPTURE");
      segment_json_.clear();
      segment_json_ += "\"time\": ";
      AppendEpoch(segment_json_, timestamps_.current());
      segment_json_ += R"(, "src": null, "src_port": null, "dst": null, "dst_port": null, )"
                       R"("tcp_flags": null, "connection": null, "subflow": null)";
      j.Fields(segment_json_).End();
    } else {
      AppendF(out, "%" PRIu64 " ", frame);
      if (timestamps_.style() != TimestampStyle::kNone) {
        timestamps_.Append(out);
        out += ' ';
      }
      AppendF(out, "[truncated capture: %zu of %u bytes, TCP options cut]\n", captured.size(),
              original_length);
    }
    return;
  }
  if (status != mo::capture::DissectStatus::kOk) {
    if (status == mo::capture::DissectStatus::kUnsupportedLinkType && !options_.json &&
        !options_.connections) {
      AppendF(out, "%" PRIu64 " [unsupported link type %u]\n", frame, unsigned(link));
    }
    return;
  }
  ++counters_.tcp_segments;
  DecodeSegment(frame, seg, seg.options, false, out);
}

void CaptureDecoder::RenderSegmentJson(const TcpSegmentView& seg) {
  std::string& f = segment_json_;
  f.clear();
  f += "\"time\": ";
  AppendEpoch(f, timestamps_.current());
  f += ", \"src\": \"";
  AppendAddress(f, seg.src);
  f += "\", \"src_port\": ";
  AppendUnsigned(f, seg.src_port);
  f += ", \"dst\": \"";
  AppendAddress(f, seg.dst);
  f += "\", \"dst_port\": ";
  AppendUnsigned(f, seg.dst_port);
  f += ", \"tcp_flags\": \"";
  AppendTcpFlags(f, seg);
  f += '"';
}

void CaptureDecoder::DecodeSegment(uint64_t frame, const TcpSegmentView& seg,
                                   std::span<const uint8_t> options, bool cut, std::string& out) {
  mo::CodecConfig config;
  config.version = tracker_.VersionFor(seg);
  config.prefer_proxy_subtype = options_.prefer_proxy_subtype;
  const bool json = options_.json && !options_.connections;
  const bool text = !options_.json && !options_.connections;
  if (json) RenderSegmentJson(seg);
  // The segment's connection and subflow: those of its last decoded option,
  // asked of the tracker only when no option gave them.
  FlowIds ids;
  bool ids_known = false;
  auto segment_ids = [&] {
    if (!ids_known) ids = tracker_.IdsFor(seg);
    ids_known = true;
    return ids;
  };
  // A JSON record's closing fields: the segment's, then its ids.
  auto end_record = [&](JsonObject& j) {
    const FlowIds i = segment_ids();
    j.Fields(segment_json_).NumOrNull("connection", i.connection).NumOrNull("subflow", i.subflow);
    j.End();
  };

  std::string& line = line_;  // text mode: the segment's options, joined
  line.clear();
  bool any = false;  // something to show for this segment
  auto text_sep = [&] {
    if (any) line += "; ";
    any = true;
  };
  // D10 needs to know whether the segment carries MP_CAPABLE anywhere in its
  // area; asked only when an MP_PREFER_PROXY shows up, so other segments are
  // walked once.
  auto has_mp_capable = [&] {
    mo::TcpOptionWalker scan(options);
    for (mo::TcpOption o; scan.Next(o);) {
      if (o.kind == mo::kKindMptcp && mo::SubtypeOf(o.bytes) == 0) return true;
    }
    return false;
  };
  mo::TcpOptionWalker walker(options);
  for (mo::TcpOption o; walker.Next(o);) {
    if (o.kind != mo::kKindMptcp) continue;
    ++counters_.options;
    mo::MptcpOption opt;
    const mo::DecodeStatus st = mo::DecodeMptcpOption(o.bytes, config, opt);
    if (st != mo::DecodeStatus::kOk) {
      ++counters_.malformed_options;
      const char* name = mo::SubtypeName(mo::SubtypeOf(o.bytes), config);
      if (json) {
        JsonObject j(out);
        j.Num("frame", frame).Str("subtype", name).Str("error", mo::StatusName(st));
        end_record(j);
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
    ids = v.ids;
    ids_known = true;
    const bool prefer_proxy = std::holds_alternative<mo::MpPreferProxy>(opt);
    const bool applicable =
        !prefer_proxy || mo::IsPreferProxyApplicable(seg.syn(), seg.ack_flag(), has_mp_capable());
    if (!applicable) ++counters_.prefer_proxy_ignored;
    if (json) {
      JsonObject j(out);
      j.Num("frame", frame).Str("subtype", mo::SubtypeName(opt));
      AppendOptionJson(j, opt);
      if (prefer_proxy) j.Bool("applicable", applicable);
      if (options_.verify) AppendVerificationJson(j, v);
      end_record(j);
    } else {
      text_sep();
      AppendOptionText(line, opt);
      if (!applicable) line += " [ignored: not in SYN with MP_CAPABLE]";
      if (options_.verify) AppendVerificationText(line, v);
    }
  }
  if (cut && walker.status() != mo::WalkStatus::kBadOptionLength) {
    // The snap length cut the option area: the option it cut is marked, by
    // its subtype when its first three bytes (kind 30, length, subtype) are there.
    const auto rest = options.subspan(std::min(walker.offset(), options.size()));
    const bool mptcp = walker.status() != mo::WalkStatus::kOk && rest.size() >= 3 &&
                       rest[0] == mo::kKindMptcp;
    const char* name = mptcp ? mo::SubtypeName(mo::SubtypeOf(rest), config) : "UNKNOWN";
    // The cut MPTCP option's bytes, or the whole area's.
    const size_t captured = mptcp ? rest.size() : options.size();
    const size_t wire = mptcp ? rest[1] : seg.truncated_options_length_on_wire;
    if (json) {
      JsonObject j(out);
      j.Num("frame", frame).Str("subtype", name).Str("error", "TRUNCATED_CAPTURE");
      j.Num("captured_length", captured).Num("length", wire);
      end_record(j);
    } else {
      text_sep();
      if (mptcp) {
        line += name;
        line += ' ';
      }
      AppendF(line, "[truncated capture: %s%zu of %zu bytes]", mptcp ? "" : "TCP options ",
              captured, wire);
    }
  } else if (walker.status() != mo::WalkStatus::kOk) {
    ++counters_.malformed_option_areas;
    if (json) {
      JsonObject j(out);
      j.Num("frame", frame).Str("subtype", "UNKNOWN").Str("error", mo::StatusName(walker.status()));
      end_record(j);
    } else {
      text_sep();
      line += "[option area: ";
      line += mo::StatusName(walker.status());
      line += ']';
    }
  }
  // MP_CONVERT IEs lead the payload of a SYN (draft -10 §5) and its echo in
  // the SYN/ACK (decisions.md D3).
  if (!cut && seg.syn() && !seg.payload.empty()) {
    mo::MpConvertIeList ies;
    const auto r = mo::ParseMpConvertIes(seg.payload, ies);
    if (r.status != mo::IeStatus::kNoIe) {
      const bool payload_cut = seg.payload_truncated;
      if (r.status != mo::IeStatus::kOk) {
        if (!payload_cut) ++counters_.malformed_ies;
        if (json) {
          JsonObject j(out);
          j.Num("frame", frame).Str("subtype", "MP_CONVERT").Str("error", mo::StatusName(r.status));
          if (payload_cut) j.Bool("truncated_capture", true);
          end_record(j);
        } else {
          text_sep();
          line += "MP_CONVERT [malformed: ";
          line += mo::StatusName(r.status);
          line += payload_cut ? ", capture truncated]" : "]";
        }
      }
      for (const auto& ie : ies.view()) {
        ++counters_.ies;
        if (json) {
          JsonObject j(out);
          j.Num("frame", frame).Str("subtype", "MP_CONVERT");
          AppendIeJson(j, ie);
          end_record(j);
        } else {
          text_sep();
          AppendIeText(line, ie);
        }
      }
      if (r.status == mo::IeStatus::kOk && r.consumed < seg.payload.size() && text) {
        AppendF(line, " (+%zu bytes of data)", seg.payload.size() - r.consumed);
      }
    }
  }
  if (!any) return;
  if (!cut) ++counters_.mptcp_segments;
  if (!text) return;
  AppendUnsigned(out, frame);
  out += ' ';
  if (timestamps_.style() != TimestampStyle::kNone) {
    timestamps_.Append(out);
    out += ' ';
  }
  AppendEndpoint(out, seg.src, seg.src_port);
  out += " > ";
  AppendEndpoint(out, seg.dst, seg.dst_port);
  out += " [";
  AppendTcpFlags(out, seg);
  out += "] seq ";
  AppendUnsigned(out, seg.seq);
  if (seg.ack_flag()) {
    out += " ack ";
    AppendUnsigned(out, seg.ack);
  }
  const FlowIds i = segment_ids();
  if (i.connection != 0) {
    out += " conn ";
    AppendUnsigned(out, i.connection);
    out += " sf ";
    AppendUnsigned(out, i.subflow);
  }
  out += ": ";
  out += line;
  out += '\n';
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
    ++counters_.options;
    if (st != mo::DecodeStatus::kOk) ++counters_.malformed_options;
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
    ++counters_.malformed_option_areas;
    if (options_.json) {
      JsonObject(out).Num("frame", 0).Str("subtype", "UNKNOWN").Str("error", mo::StatusName(walker.status())).End();
    } else {
      AppendF(out, "[option area: %s at offset %zu]\n", mo::StatusName(walker.status()), walker.offset());
    }
  }
}

void CaptureDecoder::AppendConnections(std::string& out) const {
  for (const ConnectionReport& c : tracker_.reports()) {
    if (options_.json) {
      JsonObject j(out);
      j.Num("connection", c.id).Num("version", c.version == MptcpVersion::kV0 ? 0 : 1);
      if (c.client_key) j.Hex("client_key", *c.client_key, 16);
      if (c.server_key) j.Hex("server_key", *c.server_key, 16);
      std::string subflows = "\"subflows\": [";
      for (const SubflowReport& f : c.subflows) {
        if (f.id != 1) subflows += ", ";
        JsonObject sf(subflows);
        sf.Num("subflow", f.id).Str("src", f.src.ToString()).Num("src_port", f.src_port);
        sf.Str("dst", f.dst.ToString()).Num("dst_port", f.dst_port).Bool("mp_join", f.is_join);
        sf.Close();
      }
      subflows += ']';
      j.Fields(subflows);
      j.Num("mapped_bytes_from_client", c.mapped_bytes_from_client)
          .Num("mapped_bytes_from_server", c.mapped_bytes_from_server);
      j.Num("hmacs_verified", c.hmacs_verified).Num("hmacs_failed", c.hmacs_failed)
          .Num("hmacs_unverifiable", c.hmacs_unverifiable);
      j.End();
      continue;
    }
    AppendF(out, "conn %u v%u", c.id, c.version == MptcpVersion::kV0 ? 0u : 1u);
    if (c.client_key) AppendF(out, " client key %016" PRIx64, *c.client_key);
    if (c.server_key) AppendF(out, " server key %016" PRIx64, *c.server_key);
    AppendF(out, ": %zu subflow%s; DSS-mapped bytes %" PRIu64 " from client, %" PRIu64
                 " from server; HMACs %u ok, %u BAD, %u unverifiable\n",
            c.subflows.size(), c.subflows.size() == 1 ? "" : "s", c.mapped_bytes_from_client,
            c.mapped_bytes_from_server, c.hmacs_verified, c.hmacs_failed, c.hmacs_unverifiable);
    for (const SubflowReport& f : c.subflows) {
      AppendF(out, "  sf %u ", f.id);
      AppendEndpoint(out, f.src, f.src_port);
      out += " > ";
      AppendEndpoint(out, f.dst, f.dst_port);
      out += f.is_join ? " (MP_JOIN)\n" : " (initial)\n";
    }
  }
}

void CaptureDecoder::AppendSummary(std::string& out) const {
  if (options_.connections) AppendConnections(out);
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
