// SPDX-License-Identifier: Apache-2.0
#include "examples/mptcp_decode/option_render.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <span>

#include "mptcp_opts/option_fields.h"

namespace mptcp_decode {

namespace mo = mptcp_opts;
namespace fd = mptcp_opts::fields;

namespace {

void AppendDec(std::string& out, uint64_t v) {
  char buf[20];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// At least `digits` lowercase hex digits, more if the value needs them.
void AppendHexNum(std::string& out, uint64_t v, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char buf[16];
  int n = 0;
  do {
    buf[15 - n++] = kDigits[v & 15];
    v >>= 4;
  } while (v != 0);
  while (n < digits && n < 16) buf[15 - n++] = '0';
  out.append(buf + 16 - n, n);
}

// The text line: " <label><value>" per field the text shows.
struct TextRenderer {
  std::string& out;

  bool Label(const fd::Names& n) {
    if (!n.text) return false;
    out += ' ';
    out += n.text;
    return true;
  }
  template <typename Kind, typename T>
  void operator()(const Kind& k, const std::optional<T>& v) {
    if (v) (*this)(k, *v);
  }
  void operator()(const fd::Dec& f, uint64_t v) {
    if (Label(f.n)) AppendDec(out, v);
  }
  void operator()(const fd::HexNum& f, uint64_t v) {
    if (!Label(f.n)) return;
    out += "0x";
    AppendHexNum(out, v, f.digits);
  }
  void operator()(const fd::HexStr& f, uint64_t v) {
    if (Label(f.n)) AppendHexNum(out, v, f.digits);
  }
  void operator()(const fd::Flag& f, bool v) {
    if (!f.n.text) return;
    const char* word = v ? f.n.text : f.text_false;
    if (!word) return;
    out += ' ';
    out += word;
  }
  void operator()(const fd::Choice& f, bool v) {
    if (Label(f.n)) out += v ? f.text_true : f.text_false;
  }
  void operator()(const fd::Bytes& f, std::span<const uint8_t> v) {
    if (Label(f.n)) AppendHex(out, v);
  }
  void operator()(const fd::Address& f, const mo::IpAddress& v) {
    if (Label(f.n)) out += v.ToString();
  }
  void operator()(const fd::Endpoint& f, const fd::EndpointValue& v) {
    if (!Label(f.address)) return;
    out += v.port ? Endpoint(v.address, *v.port) : v.address.ToString();
  }
  void operator()(const fd::IdList& f, std::span<const uint8_t> v) {
    if (!Label(f.n)) return;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      AppendDec(out, v[i]);
    }
  }
  void operator()(const fd::Name& f, uint8_t v) {
    if (Label(f.n)) out += f.name(v);
  }
  void operator()(const fd::Word& f, const char* v) {
    if (Label(f.n)) out += v;
  }
  void operator()(const fd::Words& f, const fd::WordList& v) {
    if (!f.n.text) return;
    for (const char* w : v.view()) {
      out += ' ';
      out += w;
    }
  }
  template <fd::Described T>
  void operator()(const fd::Nested& f, const T& v) {
    if (f.n.text) fd::VisitFields(v, *this);
  }
};

// The JSON record's fields: "<key>": <value> per field JSON shows.
struct JsonRenderer {
  JsonObject& j;

  template <typename Kind, typename T>
  void operator()(const Kind& k, const std::optional<T>& v) {
    if (v) (*this)(k, *v);
  }
  void operator()(const fd::Dec& f, uint64_t v) {
    if (f.n.json) j.Num(f.n.json, v);
  }
  void operator()(const fd::HexNum& f, uint64_t v) {
    if (f.n.json) j.Num(f.n.json, v);
  }
  void operator()(const fd::HexStr& f, uint64_t v) {
    if (f.n.json) j.Hex(f.n.json, v, f.digits);
  }
  void operator()(const fd::Flag& f, bool v) {
    if (f.n.json) j.Bool(f.n.json, v);
  }
  void operator()(const fd::Choice& f, bool v) {
    if (f.n.json) j.Str(f.n.json, v ? f.json_true : f.json_false);
  }
  void operator()(const fd::Bytes& f, std::span<const uint8_t> v) {
    if (f.n.json) j.HexBytes(f.n.json, v);
  }
  void operator()(const fd::Address& f, const mo::IpAddress& v) {
    if (f.n.json) j.Str(f.n.json, v.ToString());
  }
  void operator()(const fd::Endpoint& f, const fd::EndpointValue& v) {
    if (f.address.json) j.Str(f.address.json, v.address.ToString());
    if (f.port.json && v.port) j.Num(f.port.json, *v.port);
  }
  void operator()(const fd::IdList& f, std::span<const uint8_t> v) {
    if (f.n.json) j.NumList(f.n.json, v);
  }
  void operator()(const fd::Name& f, uint8_t v) {
    if (f.n.json) j.Str(f.n.json, f.name(v));
  }
  void operator()(const fd::Word& f, const char* v) {
    if (f.n.json) j.Str(f.n.json, v);
  }
  void operator()(const fd::Words& f, const fd::WordList& v) {
    if (f.n.json) j.StrList(f.n.json, v.view());
  }
  template <fd::Described T>
  void operator()(const fd::Nested& f, const T& v) {
    if (f.n.json) fd::VisitFields(v, *this);
  }
};

}  // namespace

void AppendOptionJson(JsonObject& j, const mo::MptcpOption& o) {
  fd::VisitFields(o, JsonRenderer{j});
}

void AppendOptionText(std::string& out, const mo::MptcpOption& o) {
  out += mo::SubtypeName(o);
  fd::VisitFields(o, TextRenderer{out});
}

void AppendIeText(std::string& out, const mo::MpConvertIe& ie) {
  out += "MP_CONVERT";
  fd::VisitFields(ie, TextRenderer{out});
}

void AppendIeJson(JsonObject& j, const mo::MpConvertIe& ie) {
  fd::VisitFields(ie, JsonRenderer{j});
}

}  // namespace mptcp_decode
