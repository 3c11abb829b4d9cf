#include "examples/mptcp_decode/option_render.h"

#include <cinttypes>
#include <variant>

namespace mptcp_decode {

namespace mo = mptcp_opts;

void AppendOptionJson(JsonObject& j, const mo::MptcpOption& o) {
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

void AppendOptionText(std::string& out, const mo::MptcpOption& o) {
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

}  // namespace mptcp_decode
