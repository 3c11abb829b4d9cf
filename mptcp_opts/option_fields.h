// SPDX-License-Identifier: Apache-2.0
// One description of each option's fields, in order, that every renderer
// walks: mptcp-decode's text line and JSON record, Python's repr() and
// to_dict(). A field says its kind (how its value is shown) and its name in
// each renderer; a renderer is a visitor with one overload per kind.
//
//   struct Printer {
//     void operator()(const fields::Dec& f, uint64_t v);   // ... one per kind
//   };
//   Printer p;
//   fields::VisitFields(option, p);  // option: an MptcpOption or one alternative
//
// Fields<T> is the description of T. VisitFields on an MptcpOption uses
// std::visit, so an alternative without a Fields<> specialization does not
// compile, and the static_assert below says which check failed. Adding an
// option: its header, its tests, its Fields<> here; the renderers need nothing.
#ifndef MPTCP_OPTS_OPTION_FIELDS_H_
#define MPTCP_OPTS_OPTION_FIELDS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <variant>

#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"

namespace mptcp_opts::fields {

// A field's name in each renderer; nullptr: that renderer does not show it.
struct Names {
  const char* json = nullptr;    // JSON key, and the key in Python's to_dict()
  const char* text = nullptr;    // text label, printed before the value ("" = the value alone)
  const char* python = nullptr;  // keyword of the Python constructor, shown by repr()
};

// The kinds. Each is shown as its comment says: JSON / text / repr. A field
// whose value is a std::optional is left out of JSON, text and to_dict() when
// absent, and is None in repr().

// Integer: 42 / 42 / 42.
struct Dec { Names n; };
// Integer: 129 / 0x81 / 0x81, with at least `digits` hex digits.
struct HexNum { Names n; int digits; };
// Key, token, nonce, truncated HMAC: "0a0b" / 0a0b / 0x0a0b, `digits` digits.
struct HexStr { Names n; int digits; };
// bool: true / the label when true, `text_false` (if any) when false / True.
struct Flag { Names n; const char* text_false = nullptr; };
// bool shown as one of two words: "source" / src / True.
struct Choice {
  Names n;
  const char* json_true;
  const char* json_false;
  const char* text_true;
  const char* text_false;
};
// Byte string: "0a0b" / 0a0b / bytes.fromhex('0a0b').
struct Bytes { Names n; };
// IpAddress: "192.0.2.1" / 192.0.2.1 / IPv4Address('192.0.2.1').
struct Address { Names n; };
// An address and an optional port (MP_CONVERT IE): JSON "address" and
// "port" / 192.0.2.1:443 or [2001:db8::1]:443 / address=..., port=443.
struct Endpoint { Names address; Names port; };
// Address IDs: [1, 2] / 1,2 / [1, 2].
struct IdList { Names n; };
// A code with a name (`name` of the value): "NAME" / NAME / not in repr.
struct Name { Names n; const char* (*name)(uint8_t); };
// A constant word that names a form (MP_JOIN's SYN): "SYN" / SYN / not in repr.
struct Word { Names n; };
// Names of the flags that are set: ["csum"] / csum / not in repr.
struct Words { Names n; };
// A struct of its own (DSS's mapping): its fields inline in JSON, text and
// to_dict(); in repr() its constructor, e.g. mapping=DssMapping(...).
struct Nested { Names n; };

// Value of a Words field: up to 8 names, no allocation.
struct WordList {
  const char* words[8] = {};
  uint8_t count = 0;
  void Add(const char* w) {
    if (count < 8) words[count++] = w;
  }
  std::span<const char* const> view() const { return {words, count}; }
};

// Value of an Endpoint field.
struct EndpointValue {
  const IpAddress& address;
  const std::optional<uint16_t>& port;
};

// The names of MP_CAPABLE's flags that are set. Flag A is "csum", as tcpdump
// prints it; tcpdump names no other flag, so these follow RFC 8684 §3.1:
// B extensibility, C (v1) no more subflows to this address, H the HMAC.
inline WordList MpCapableFlagNames(const MpCapable& c) {
  WordList w;
  if (c.checksum_required()) w.Add("csum");
  if (c.extensibility()) w.Add("ext");
  if (c.no_joins_to_this_address()) w.Add("nojoin");
  if (c.hmac_sha256()) w.Add("hmac-sha256");
  if (c.hmac_sha1()) w.Add("hmac-sha1");
  return w;
}

// The descriptions. Primary template left undefined: a type without one has
// no fields to walk.
template <typename T>
struct Fields;

template <>
struct Fields<MpCapable> {
  static constexpr const char* kPythonName = "MpCapable";
  template <typename F>
  static void Visit(const MpCapable& o, F&& f) {
    f(Dec{{"version", "v", "version"}}, o.version);
    f(HexNum{{"flags", "flags=", "flags"}, 2}, o.flags);
    f(Words{{"flag_names", "", nullptr}}, MpCapableFlagNames(o));
    f(HexStr{{"sender_key", "skey=", "sender_key"}, 16}, o.sender_key);
    f(HexStr{{"receiver_key", "rkey=", "receiver_key"}, 16}, o.receiver_key);
    f(Dec{{"data_level_length", "dll=", "data_level_length"}}, o.data_level_length);
    f(HexNum{{"checksum", "csum=", "checksum"}, 4}, o.checksum);
  }
};

template <>
struct Fields<MpJoinSyn> {
  static constexpr const char* kPythonName = "MpJoinSyn";
  template <typename F>
  static void Visit(const MpJoinSyn& o, F&& f) {
    f(Word{{"form", "", nullptr}}, "SYN");
    f(Flag{{"backup", "backup", "backup"}}, o.backup);
    f(Dec{{"address_id", "id=", "address_id"}}, o.address_id);
    f(HexStr{{"token", "token=", "token"}, 8}, o.token);
    f(HexStr{{"nonce", "nonce=", "nonce"}, 8}, o.nonce);
  }
};

template <>
struct Fields<MpJoinSynAck> {
  static constexpr const char* kPythonName = "MpJoinSynAck";
  template <typename F>
  static void Visit(const MpJoinSynAck& o, F&& f) {
    f(Word{{"form", "", nullptr}}, "SYN_ACK");
    f(Flag{{"backup", "backup", "backup"}}, o.backup);
    f(Dec{{"address_id", "id=", "address_id"}}, o.address_id);
    f(HexStr{{"truncated_hmac", "hmac=", "truncated_hmac"}, 16}, o.truncated_hmac);
    f(HexStr{{"nonce", "nonce=", "nonce"}, 8}, o.nonce);
  }
};

template <>
struct Fields<MpJoinAck> {
  static constexpr const char* kPythonName = "MpJoinAck";
  template <typename F>
  static void Visit(const MpJoinAck& o, F&& f) {
    f(Word{{"form", "", nullptr}}, "ACK");
    f(Bytes{{"hmac", "hmac=", "hmac"}}, std::span<const uint8_t>(o.hmac));
  }
};

template <>
struct Fields<DssMapping> {
  static constexpr const char* kPythonName = "DssMapping";
  template <typename F>
  static void Visit(const DssMapping& o, F&& f) {
    f(Dec{{"dsn", "dsn=", "dsn"}}, o.dsn);
    f(Dec{{"subflow_seq", "ssn=", "subflow_seq"}}, o.subflow_seq);
    f(Dec{{"data_level_length", "len=", "data_level_length"}}, o.data_level_length);
    f(HexNum{{"checksum", "csum=", "checksum"}, 4}, o.checksum);
  }
};

template <>
struct Fields<Dss> {
  static constexpr const char* kPythonName = "Dss";
  template <typename F>
  static void Visit(const Dss& o, F&& f) {
    f(Dec{{"data_ack", "ack=", "data_ack"}}, o.data_ack);
    f(Nested{{"", "", "mapping"}}, o.mapping);
    f(Flag{{"data_fin", "DATA_FIN", "data_fin"}}, o.data_fin);
    // Wire widths: kept so that decode -> encode reproduces the flags.
    f(Flag{{nullptr, nullptr, "data_ack_8_bytes"}}, o.data_ack_8_bytes);
    f(Flag{{nullptr, nullptr, "dsn_8_bytes"}}, o.dsn_8_bytes);
  }
};

template <>
struct Fields<AddAddr> {
  static constexpr const char* kPythonName = "AddAddr";
  template <typename F>
  static void Visit(const AddAddr& o, F&& f) {
    f(Dec{{nullptr, nullptr, "version"}}, static_cast<uint8_t>(o.version));
    f(Flag{{"echo", "echo", "echo"}}, o.echo);
    f(Dec{{"address_id", "id=", "address_id"}}, o.address_id);
    f(Address{{"address", "", "address"}}, o.address);
    f(Dec{{"port", "port=", "port"}}, o.port);
    f(HexStr{{"truncated_hmac", "hmac=", "truncated_hmac"}, 16}, o.truncated_hmac);
  }
};

template <>
struct Fields<RemoveAddr> {
  static constexpr const char* kPythonName = "RemoveAddr";
  // Any type with ids() (Python's RemoveAddr, which can hold more than the
  // 37 IDs an option carries, walks the same field).
  template <typename R, typename F>
  static void Visit(const R& o, F&& f) {
    f(IdList{{"address_ids", "ids=", "ids"}}, std::span<const uint8_t>(o.ids()));
  }
};

template <>
struct Fields<MpPrio> {
  static constexpr const char* kPythonName = "MpPrio";
  template <typename F>
  static void Visit(const MpPrio& o, F&& f) {
    f(Dec{{nullptr, nullptr, "version"}}, static_cast<uint8_t>(o.version));
    f(Flag{{"backup", "backup", "backup"}, "regular"}, o.backup);
    f(Dec{{"address_id", "id=", "address_id"}}, o.address_id);
  }
};

template <>
struct Fields<MpFail> {
  static constexpr const char* kPythonName = "MpFail";
  template <typename F>
  static void Visit(const MpFail& o, F&& f) {
    f(Dec{{"dsn", "dsn=", "dsn"}}, o.dsn);
  }
};

template <>
struct Fields<MpFastclose> {
  static constexpr const char* kPythonName = "MpFastclose";
  template <typename F>
  static void Visit(const MpFastclose& o, F&& f) {
    f(HexStr{{"receiver_key", "rkey=", "receiver_key"}, 16}, o.receiver_key);
  }
};

template <>
struct Fields<MpTcprst> {
  static constexpr const char* kPythonName = "MpTcprst";
  template <typename F>
  static void Visit(const MpTcprst& o, F&& f) {
    f(HexNum{{nullptr, nullptr, "flags"}, 1}, o.flags);
    f(Flag{{"transient", nullptr, nullptr}}, o.transient());
    f(Name{{"reason", "", nullptr}, &MpTcprstReasonName}, o.reason);
    f(Dec{{"reason_code", nullptr, "reason"}}, o.reason);
    // The text line names the reason first, then the T flag.
    f(Flag{{nullptr, "transient", nullptr}}, o.transient());
  }
};

template <>
struct Fields<MpPreferProxy> {
  static constexpr const char* kPythonName = "MpPreferProxy";
  // The subtype is the configured one (CodecConfig): only repr() shows it.
  template <typename F>
  static void Visit(const MpPreferProxy& o, F&& f) {
    f(HexNum{{nullptr, nullptr, "subtype"}, 1}, o.subtype.value());
  }
};

template <>
struct Fields<UnknownMptcp> {
  static constexpr const char* kPythonName = "UnknownMptcp";
  template <typename F>
  static void Visit(const UnknownMptcp& o, F&& f) {
    f(HexNum{{"subtype_value", "subtype=", nullptr}, 1}, o.subtype);
    f(Bytes{{"raw", "raw=", "raw"}}, o.bytes);
  }
};

// An MP_CONVERT IE (SYN payload, not a TCP option).
template <>
struct Fields<MpConvertIe> {
  static constexpr const char* kPythonName = "MpConvertIe";
  template <typename F>
  static void Visit(const MpConvertIe& o, F&& f) {
    f(Choice{{"direction", "", "source"}, "source", "destination", "src", "dst"}, o.source);
    f(Endpoint{{"address", "", "address"}, {"port", nullptr, "port"}},
      EndpointValue{o.address, o.port});
  }
};

// True when T has a description.
template <typename T>
concept Described = requires { Fields<T>::kPythonName; };

template <typename Variant>
struct AllDescribed;
template <typename... T>
struct AllDescribed<std::variant<T...>> : std::bool_constant<(Described<T> && ...)> {};

static_assert(AllDescribed<MptcpOption>::value,
              "every MptcpOption alternative needs a Fields<> description (option_fields.h)");

// Walks the fields of one value.
template <Described T, typename F>
void VisitFields(const T& value, F&& f) {
  Fields<T>::Visit(value, f);
}

// Walks the fields of the option the variant holds.
template <typename F>
void VisitFields(const MptcpOption& option, F&& f) {
  std::visit([&f](const auto& v) { VisitFields(v, f); }, option);
}

}  // namespace mptcp_opts::fields

#endif  // MPTCP_OPTS_OPTION_FIELDS_H_
