#include "examples/mptcp_decode/capture_decoder.h"

#include <cinttypes>
#include <cstdio>

#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/tcp_option_walker.h"

namespace mptcp_decode {
namespace {

namespace mo = mptcp_opts;
using mo::capture::TcpSegmentView;

void AppendF(std::string& out, const char* fmt, auto... args) {
  char buf[160];
  const int n = std::snprintf(buf, sizeof(buf), fmt, args...);
  out.append(buf, n < 0 ? 0 : std::min<size_t>(n, sizeof(buf) - 1));
}

void AppendHex(std::string& out, std::span<const uint8_t> bytes) {
  static const char* d = "0123456789abcdef";
  for (uint8_t b : bytes) {
    out += d[b >> 4];
    out += d[b & 15];
  }
}

// Builds one JSON object; keys are fixed ASCII, string values are escaped.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  JsonObject& Num(const char* key, uint64_t v) {
    Key(key);
    AppendF(out_, "%" PRIu64, v);
    return *this;
  }
  JsonObject& Bool(const char* key, bool v) {
    Key(key);
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonObject& Str(const char* key, const std::string& v) {
    Key(key);
    out_ += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out_ += '\\';
      if (static_cast<unsigned char>(c) < 0x20) continue;
      out_ += c;
    }
    out_ += '"';
    return *this;
  }
  JsonObject& Hex(const char* key, uint64_t v, int digits) {
    Key(key);
    AppendF(out_, "\"%0*" PRIx64 "\"", digits, v);
    return *this;
  }
  JsonObject& HexBytes(const char* key, std::span<const uint8_t> bytes) {
    Key(key);
    out_ += '"';
    AppendHex(out_, bytes);
    out_ += '"';
    return *this;
  }
  JsonObject& NumList(const char* key, std::span<const uint8_t> v) {
    Key(key);
    out_ += '[';
    for (size_t i = 0; i < v.size(); ++i) AppendF(out_, i ? ",%u" : "%u", unsigned(v[i]));
    out_ += ']';
    return *this;
  }
  void End() { out_ += "}\n"; }

 private:
  void Key(const char* key) {
    if (!first_) out_ += ", ";
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\": ";
  }
  std::string& out_;
  bool first_ = true;
};

std::string Endpoint(const mo::IpAddress& a, uint16_t port) {
  std::string s = a.is_v6() ? "[" + a.ToString() + "]" : a.ToString();
  return s + ":" + std::to_string(port);
}

std::string TcpFlags(const TcpSegmentView& s) {
  std::string f;
  if (s.syn()) f += 'S';
  if (s.fin()) f += 'F';
  if (s.rst()) f += 'R';
  if (s.psh()) f += 'P';
  if (s.ack_flag()) f += '.';
  return f;
}

void AppendJsonFields(JsonObject& j, const mo::MptcpOption& o) {
  if (auto* v = std::get_if<mo::MpCapable>(&o)) {
    j.Num("version", v->version).Num("flags", v->flags);
    if (v->sender_key) j.Hex("sender_key", *v->sender_key, 16);
    if (v->receiver_key) j.Hex("receiver_key", *v->receiver_key, 16);
    if (v->data_level_length) j.Num("data_level_length", *v->data_level_length);
    if (v->checksum) j.Num("checksum", *v->checksum);
  } else if (auto* v = std::get_if<mo::MpJoinSyn>(&o)) {
    j.Str("form", "SYN").Bool("backup", v->backup).Num("address_id", v->address_id);
    j.Hex("token", v->token, 8).Hex("nonce", v->nonce, 8);
  } else if (auto* v = std::get_if<mo::MpJoinSynAck>(&o)) {
    j.Str("form", "SYN_ACK").Bool("backup", v->backup).Num("address_id", v->address_id);
    j.Hex("truncated_hmac", v->truncated_hmac, 16).Hex("nonce", v->nonce, 8);
  } else if (auto* v = std::get_if<mo::MpJoinAck>(&o)) {
    j.Str("form", "ACK").HexBytes("hmac", v->hmac);
  } else if (auto* v = std::get_if<mo::Dss>(&o)) {
    if (v->data_ack) j.Num("data_ack", *v->data_ack);
    if (v->mapping) {
      j.Num("dsn", v->mapping->dsn).Num("subflow_seq", v->mapping->subflow_seq);
      j.Num("data_level_length", v->mapping->data_level_length);
      if (v->mapping->checksum) j.Num("checksum", *v->mapping->checksum);
    }
    j.Bool("data_fin", v->data_fin);
  } else if (auto* v = std::get_if<mo::AddAddr>(&o)) {
    j.Bool("echo", v->echo).Num("address_id", v->address_id).Str("address", v->address.ToString());
    if (v->port) j.Num("port", *v->port);
    if (v->truncated_hmac) j.Hex("truncated_hmac", *v->truncated_hmac, 16);
  } else if (auto* v = std::get_if<mo::RemoveAddr>(&o)) {
    j.NumList("address_ids", v->ids());
  } else if (auto* v = std::get_if<mo::MpPrio>(&o)) {
    j.Bool("backup", v->backup);
    if (v->address_id) j.Num("address_id", *v->address_id);
  } else if (auto* v = std::get_if<mo::MpFail>(&o)) {
    j.Num("dsn", v->dsn);
  } else if (auto* v = std::get_if<mo::MpFastclose>(&o)) {
    j.Hex("receiver_key", v->receiver_key, 16);
  } else if (auto* v = std::get_if<mo::MpTcprst>(&o)) {
    j.Bool("transient", v->transient()).Str("reason", mo::MpTcprstReasonName(v->reason));
    j.Num("reason_code", v->reason);
  } else if (auto* v = std::get_if<mo::UnknownMptcp>(&o)) {
    j.Num("subtype_value", v->subtype).HexBytes("raw", v->bytes);
  }
}

void AppendText(std::string& out, const mo::MptcpOption& o) {
  out += mo::SubtypeName(o);
  if (auto* v = std::get_if<mo::MpCapable>(&o)) {
    AppendF(out, " v%u flags=0x%02x", unsigned(v->version), unsigned(v->flags));
    if (v->sender_key) AppendF(out, " skey=%016" PRIx64, *v->sender_key);
    if (v->receiver_key) AppendF(out, " rkey=%016" PRIx64, *v->receiver_key);
    if (v->data_level_length) AppendF(out, " dll=%u", unsigned(*v->data_level_length));
    if (v->checksum) AppendF(out, " csum=0x%04x", unsigned(*v->checksum));
  } else if (auto* v = std::get_if<mo::MpJoinSyn>(&o)) {
    AppendF(out, " SYN%s id=%u token=%08x nonce=%08x", v->backup ? " backup" : "",
            unsigned(v->address_id), v->token, v->nonce);
  } else if (auto* v = std::get_if<mo::MpJoinSynAck>(&o)) {
    AppendF(out, " SYN_ACK%s id=%u hmac=%016" PRIx64 " nonce=%08x", v->backup ? " backup" : "",
            unsigned(v->address_id), v->truncated_hmac, v->nonce);
  } else if (auto* v = std::get_if<mo::MpJoinAck>(&o)) {
    out += " ACK hmac=";
    AppendHex(out, v->hmac);
  } else if (auto* v = std::get_if<mo::Dss>(&o)) {
    if (v->data_ack) AppendF(out, " ack=%" PRIu64, *v->data_ack);
    if (v->mapping) {
      AppendF(out, " dsn=%" PRIu64 " ssn=%u len=%u", v->mapping->dsn, v->mapping->subflow_seq,
              unsigned(v->mapping->data_level_length));
      if (v->mapping->checksum) AppendF(out, " csum=0x%04x", unsigned(*v->mapping->checksum));
    }
    if (v->data_fin) out += " DATA_FIN";
  } else if (auto* v = std::get_if<mo::AddAddr>(&o)) {
    AppendF(out, "%s id=%u %s", v->echo ? " echo" : "", unsigned(v->address_id),
            v->address.ToString().c_str());
    if (v->port) AppendF(out, " port=%u", unsigned(*v->port));
    if (v->truncated_hmac) AppendF(out, " hmac=%016" PRIx64, *v->truncated_hmac);
  } else if (auto* v = std::get_if<mo::RemoveAddr>(&o)) {
    out += " ids=";
    for (size_t i = 0; i < v->ids().size(); ++i) AppendF(out, i ? ",%u" : "%u", unsigned(v->ids()[i]));
  } else if (auto* v = std::get_if<mo::MpPrio>(&o)) {
    out += v->backup ? " backup" : " regular";
    if (v->address_id) AppendF(out, " id=%u", unsigned(*v->address_id));
  } else if (auto* v = std::get_if<mo::MpFail>(&o)) {
    AppendF(out, " dsn=%" PRIu64, v->dsn);
  } else if (auto* v = std::get_if<mo::MpFastclose>(&o)) {
    AppendF(out, " rkey=%016" PRIx64, v->receiver_key);
  } else if (auto* v = std::get_if<mo::MpTcprst>(&o)) {
    AppendF(out, " %s%s", mo::MpTcprstReasonName(v->reason), v->transient() ? " transient" : "");
  } else if (auto* v = std::get_if<mo::UnknownMptcp>(&o)) {
    AppendF(out, " subtype=0x%x raw=", unsigned(v->subtype));
    AppendHex(out, v->bytes);
  }
}

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
      AppendJsonFields(j, opt);
      if (prefer_proxy) j.Bool("applicable", applicable);
      if (options_.verify) AppendVerificationJson(j, v);
      j.End();
    } else {
      text_sep();
      AppendText(line, opt);
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
        AppendJsonFields(j, opt);
      }
      j.End();
    } else if (st != mo::DecodeStatus::kOk) {
      AppendF(out, "%s [malformed: %s]\n", mo::SubtypeName(mo::SubtypeOf(o.bytes), config),
              mo::StatusName(st));
    } else {
      AppendText(out, opt);
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
