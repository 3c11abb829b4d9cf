// SPDX-License-Identifier: Apache-2.0
// The field descriptions (option_fields.h): every option type has one, a
// missing one is detected, and each description names what the renderers
// print, in the order the spec lays the fields out.
#include "mptcp_opts/option_fields.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "mptcp_opts/test_util.h"

namespace mptcp_opts::fields {
namespace {

// A type nobody described: the check must say so.
struct Undescribed {};
static_assert(!Described<Undescribed>);
static_assert(!AllDescribed<std::variant<MpCapable, Undescribed>>::value,
              "a variant with an undescribed alternative must fail the check");
static_assert(AllDescribed<std::variant<MpCapable, DssMapping, MpConvertIe>>::value);

// Records what a walk visits: (json key, text label, python keyword, value
// as text) per field, nested fields flattened with the nesting field first.
struct Recorder {
  struct Field {
    std::string json, text, python, value;
    bool present = true;
  };
  std::vector<Field> fields;

  static std::string S(const char* s) { return s ? s : "-"; }
  void Add(const Names& n, std::string v, bool present = true) {
    fields.push_back({S(n.json), S(n.text), S(n.python), std::move(v), present});
  }
  template <typename Kind, typename T>
  void operator()(const Kind& k, const std::optional<T>& v) {
    if (v) {
      (*this)(k, *v);
    } else {
      Add(k.n, "None", false);
    }
  }
  void operator()(const Dec& f, uint64_t v) { Add(f.n, std::to_string(v)); }
  void operator()(const HexNum& f, uint64_t v) { Add(f.n, "hexnum" + std::to_string(v)); }
  void operator()(const HexStr& f, uint64_t v) { Add(f.n, "hexstr" + std::to_string(v)); }
  void operator()(const Flag& f, bool v) { Add(f.n, v ? "true" : "false"); }
  void operator()(const Choice& f, bool v) { Add(f.n, v ? f.json_true : f.json_false); }
  void operator()(const Bytes& f, std::span<const uint8_t> v) {
    Add(f.n, std::to_string(v.size()) + " bytes");
  }
  void operator()(const Address& f, const IpAddress& v) { Add(f.n, v.ToString()); }
  void operator()(const Endpoint& f, const EndpointValue& v) {
    Add(f.address, v.address.ToString());
    if (v.port) {
      Add(f.port, std::to_string(*v.port));
    } else {
      Add(f.port, "None", false);
    }
  }
  void operator()(const IdList& f, std::span<const uint8_t> v) {
    std::string s;
    for (uint8_t id : v) s += std::to_string(id) + ",";
    Add(f.n, s);
  }
  void operator()(const Name& f, uint8_t v) { Add(f.n, f.name(v)); }
  void operator()(const Word& f, const char* v) { Add(f.n, v); }
  void operator()(const Words& f, const WordList& v) {
    std::string s;
    for (const char* w : v.view()) s += std::string(w) + " ";
    Add(f.n, s);
  }
  template <Described T>
  void operator()(const Nested& f, const T& v) {
    Add(f.n, Fields<T>::kPythonName);
    VisitFields(v, *this);
  }

  std::vector<std::string> JsonKeys() const {
    std::vector<std::string> k;
    for (const auto& f : fields) {
      if (f.json != "-" && f.json != "" && f.present) k.push_back(f.json);
    }
    return k;
  }
  std::vector<std::string> PythonKeywords() const {
    std::vector<std::string> k;
    for (const auto& f : fields) {
      if (f.python != "-") k.push_back(f.python);
    }
    return k;
  }
};

template <typename T>
Recorder Walk(const T& v) {
  Recorder r;
  VisitFields(v, r);
  return r;
}

// One value of every alternative, by index: each walks, through the variant,
// to at least one field or a Python name, and every Python class name is
// distinct (repr() names the class).
template <size_t... I>
void WalkEveryAlternative(std::index_sequence<I...>, std::set<std::string>& names) {
  (
      [&] {
        using T = std::variant_alternative_t<I, MptcpOption>;
        const MptcpOption o{std::in_place_index<I>};
        Recorder r;
        VisitFields(o, r);
        EXPECT_FALSE(r.fields.empty()) << Fields<T>::kPythonName;
        names.insert(Fields<T>::kPythonName);
      }(),
      ...);
}

TEST(OptionFields, EveryAlternativeHasADescriptionWithAClassName) {
  std::set<std::string> names;
  WalkEveryAlternative(std::make_index_sequence<std::variant_size_v<MptcpOption>>{}, names);
  EXPECT_EQ(names.size(), std::variant_size_v<MptcpOption>);
}

TEST(OptionFields, MpCapableFieldsInWireOrderWithFlagNames) {
  // RFC 8684 §3.1: version, flags A..H, sender key, receiver key, data-level
  // length, checksum. A = 0x80 (checksum), H = 0x01 (HMAC-SHA256 in v1).
  const MpCapable c{1, 0x81, 0x0102030405060708, std::nullopt, std::nullopt, std::nullopt};
  const Recorder r = Walk(c);
  EXPECT_EQ(r.JsonKeys(),
            (std::vector<std::string>{"version", "flags", "flag_names", "sender_key"}));
  EXPECT_EQ(r.PythonKeywords(),
            (std::vector<std::string>{"version", "flags", "sender_key", "receiver_key",
                                      "data_level_length", "checksum"}));
  EXPECT_EQ(r.fields[2].value, "csum hmac-sha256 ");
}

TEST(OptionFields, MpCapableFlagNamesFollowTheVersion) {
  auto names = [](uint8_t version, uint8_t flags) {
    const WordList words = MpCapableFlagNames(
        MpCapable{version, flags, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
    std::string s;
    for (const char* w : words.view()) s += std::string(w) + " ";
    return s;
  };
  EXPECT_EQ(names(1, 0x01), "hmac-sha256 ");
  EXPECT_EQ(names(0, 0x01), "hmac-sha1 ");
  EXPECT_EQ(names(1, 0x21), "nojoin hmac-sha256 ");
  EXPECT_EQ(names(0, 0x21), "hmac-sha1 ");  // C is not "no joins" in v0
  EXPECT_EQ(names(1, 0xC1), "csum ext hmac-sha256 ");
  EXPECT_EQ(names(1, 0x00), "");
}

TEST(OptionFields, DssMappingIsNestedAndFlattenedForJson) {
  const Dss d{7, DssMapping{100, 5, 1424, 0xabcd}, true, false, false};
  const Recorder r = Walk(d);
  EXPECT_EQ(r.JsonKeys(), (std::vector<std::string>{"data_ack", "dsn", "subflow_seq",
                                                    "data_level_length", "checksum",
                                                    "data_fin"}));
  EXPECT_EQ(r.PythonKeywords(),
            (std::vector<std::string>{"data_ack", "mapping", "dsn", "subflow_seq",
                                      "data_level_length", "checksum", "data_fin",
                                      "data_ack_8_bytes", "dsn_8_bytes"}));
  // Without a mapping, its fields are absent, not zero.
  const Recorder ack_only = Walk(Dss{7, std::nullopt, false, false, false});
  EXPECT_EQ(ack_only.JsonKeys(), (std::vector<std::string>{"data_ack", "data_fin"}));
}

TEST(OptionFields, MpTcprstNamesTheReasonAndKeepsTheCode) {
  const Recorder r = Walk(MpTcprst{1, 6});
  EXPECT_EQ(r.JsonKeys(),
            (std::vector<std::string>{"transient", "reason", "reason_code"}));
  EXPECT_EQ(r.fields[2].value, "MIDDLEBOX_INTERFERENCE");
  EXPECT_EQ(r.PythonKeywords(), (std::vector<std::string>{"flags", "reason"}));
}

TEST(OptionFields, MpConvertIeHasDirectionAddressPort) {
  const MpConvertIe ie{true, IpAddress::V4(192, 0, 2, 80), 443};
  const Recorder r = Walk(ie);
  EXPECT_EQ(r.JsonKeys(), (std::vector<std::string>{"direction", "address", "port"}));
  EXPECT_EQ(r.fields[0].value, "source");
  EXPECT_EQ(r.fields[1].value, "192.0.2.80");
  EXPECT_EQ(r.PythonKeywords(), (std::vector<std::string>{"source", "address", "port"}));
}

TEST(OptionFields, DecodedOptionsWalkThroughTheVariant) {
  // REMOVE_ADDR of IDs 1, 2, 3 (RFC 8684 §3.4.2): Kind 30, Length 6, 0x40.
  const auto bytes = test::Hex("1e 06 40 01 02 03");
  MptcpOption o;
  ASSERT_EQ(DecodeMptcpOption(bytes, CodecConfig{}, o), DecodeStatus::kOk);
  Recorder r;
  VisitFields(o, r);
  ASSERT_EQ(r.fields.size(), 1u);
  EXPECT_EQ(r.fields[0].json, "address_ids");
  EXPECT_EQ(r.fields[0].value, "1,2,3,");
}

}  // namespace
}  // namespace mptcp_opts::fields
