// SPDX-License-Identifier: Apache-2.0
// Python bindings for the mptcp_opts codec (pybind11): `import mptcp_opts`.
//
// The C++ API reports every outcome as a small status enum; this module turns
// a status other than OK into an exception whose `.status` is the enum's
// stable name (StatusName(), e.g. "BAD_LENGTH"), and offers try_* / walk_*
// variants that return the status instead. Option values are the C++ structs
// themselves (copied in and out; nothing in Python views a C++ buffer), except
// where the C++ type holds a view or a fixed array: UnknownMptcp and
// RawOption own their bytes here, RemoveAddr holds a list.
//
//   import mptcp_opts as m
//   cap = m.decode(bytes.fromhex("1e0c0121" "0102030405060708"))
//   m.encode(cap) == bytes.fromhex("1e0c01210102030405060708")
//
// See README.md next to this file for the error model and mptcp_opts.pyi for
// the exact signatures.
#include <pybind11/eval.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "mptcp_opts/crypto.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"
#include "mptcp_opts/option_area_builder.h"
#include "mptcp_opts/option_fields.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/tcp_segment_editor.h"
#include "mptcp_opts/version.h"

namespace py = pybind11;
namespace mo = mptcp_opts;
namespace fd = mptcp_opts::fields;

namespace mptcp_opts_py {

// Any C-contiguous bytes-like argument (bytes, bytearray, memoryview),
// copied: the codec then works on memory Python cannot change under it.
struct Bytes {
  std::vector<uint8_t> data;
  // Never a null pointer, even when empty: OpenSSL 3's HMAC() fails (and
  // mptcp_opts::Hmac then returns a 0-byte digest) when both the key and the
  // message pointers are null.
  std::span<const uint8_t> span() const {
    static constexpr uint8_t kEmpty = 0;
    return data.empty() ? std::span<const uint8_t>(&kEmpty, 0)
                        : std::span<const uint8_t>(data.data(), data.size());
  }
};

// Python-side forms of the C++ values that hold views or fixed arrays.
struct UnknownMptcp {
  std::string raw;  // the whole option, Kind first
  std::optional<uint8_t> subtype() const {
    if (raw.size() < 3) return std::nullopt;
    return static_cast<uint8_t>(static_cast<uint8_t>(raw[2]) >> 4);
  }
  std::span<const uint8_t> span() const {
    return {reinterpret_cast<const uint8_t*>(raw.data()), raw.size()};
  }
  friend bool operator==(const UnknownMptcp&, const UnknownMptcp&) = default;
};

// May hold more than the 37 IDs an option carries (encode() then refuses it).
struct RemoveAddr {
  std::vector<uint8_t> id_list;
  std::span<const uint8_t> ids() const { return {id_list.data(), id_list.size()}; }
  friend bool operator==(const RemoveAddr&, const RemoveAddr&) = default;
};

struct RawOption {
  uint8_t kind = 0;
  std::string value;  // the bytes after the Length byte
  friend bool operator==(const RawOption&, const RawOption&) = default;
};

}  // namespace mptcp_opts_py

namespace pybind11::detail {

template <>
struct type_caster<mptcp_opts_py::Bytes> {
  PYBIND11_TYPE_CASTER(mptcp_opts_py::Bytes, const_name("bytes"));

  bool load(handle src, bool) {
    if (!src || PyUnicode_Check(src.ptr()) || !PyObject_CheckBuffer(src.ptr())) return false;
    Py_buffer view;
    if (PyObject_GetBuffer(src.ptr(), &view, PyBUF_SIMPLE) != 0) {
      PyErr_Clear();
      return false;
    }
    const auto* p = static_cast<const uint8_t*>(view.buf);
    value.data.assign(p, p + view.len);
    PyBuffer_Release(&view);
    return true;
  }

  static handle cast(const mptcp_opts_py::Bytes& b, return_value_policy, handle) {
    return PyBytes_FromStringAndSize(reinterpret_cast<const char*>(b.data.data()),
                                     static_cast<Py_ssize_t>(b.data.size()));
  }
};

// IpAddress <-> ipaddress.IPv4Address / IPv6Address. A str is accepted too
// and parsed by ipaddress.ip_address (its ValueError propagates).
template <>
struct type_caster<mo::IpAddress> {
  PYBIND11_TYPE_CASTER(mo::IpAddress, const_name("IPv4Address | IPv6Address"));

  bool load(handle src, bool) {
    if (!src) return false;
    module_ ipaddress = module_::import("ipaddress");
    object addr = reinterpret_borrow<object>(src);
    if (PyUnicode_Check(src.ptr())) {
      addr = ipaddress.attr("ip_address")(src);
    } else if (!isinstance(src, ipaddress.attr("IPv4Address")) &&
               !isinstance(src, ipaddress.attr("IPv6Address"))) {
      return false;
    }
    const std::string packed = addr.attr("packed").cast<std::string>();
    const auto* p = reinterpret_cast<const uint8_t*>(packed.data());
    value = packed.size() == 4 ? mo::IpAddress::FromV4Bytes(p) : mo::IpAddress::FromV6Bytes(p);
    return true;
  }

  static handle cast(const mo::IpAddress& a, return_value_policy, handle) {
    const auto b = a.bytes();
    return module_::import("ipaddress")
        .attr("ip_address")(bytes(reinterpret_cast<const char*>(b.data()), b.size()))
        .release();
  }
};

}  // namespace pybind11::detail

namespace mptcp_opts_py {
namespace {

// ---------------------------------------------------------------------------
// Exceptions. Defined in Python (module init runs kPythonSource) so they are
// ordinary ValueError subclasses with picklable (message, status[, offset]).

constexpr const char* kPythonSource = R"PY(
import collections as _collections


class MptcpOptsError(ValueError):
    """Base of every error this module raises for bad input or values.

    ``status`` is the name of the C++ status enumerator (e.g. "BAD_LENGTH").
    """

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status

    def __reduce__(self):
        return (type(self), (self.args[0], self.status))


class DecodeError(MptcpOptsError):
    """decode(): the bytes are not a valid MPTCP option (DecodeStatus)."""


class EncodeError(MptcpOptsError):
    """encode(), build_option_area(), build_mp_convert_ies(): the value has no
    wire form or does not fit (EncodeStatus)."""


class WalkError(MptcpOptsError):
    """iter_options(): the option area is structurally broken (WalkStatus).

    ``offset`` is where the walk stopped, from the start of the area.
    """

    def __init__(self, message, status, offset):
        super().__init__(message, status)
        self.offset = offset

    def __reduce__(self):
        return (type(self), (self.args[0], self.status, self.offset))


class IeError(MptcpOptsError):
    """parse_mp_convert_ies(): malformed MP_CONVERT IEs (IeStatus).

    ``offset`` is the offset of the IE where the error was found.
    """

    def __init__(self, message, status, offset):
        super().__init__(message, status)
        self.offset = offset

    def __reduce__(self):
        return (type(self), (self.args[0], self.status, self.offset))


class EditError(MptcpOptsError):
    """SegmentEditor / edit_segment(): the edit was refused (EditStatus)."""


TcpOption = _collections.namedtuple("TcpOption", ["kind", "offset", "raw", "value"])
TcpOption.__doc__ = """One option yielded by iter_options() / walk_options().

kind: the Kind byte. offset: from the start of the option area. raw: the
whole option (Kind, Length, value). value: the decoded option (an MPTCP
option object, Mss, SackPermitted, Timestamps or WindowScale), or None for
other kinds and for options that do not decode (try_decode(raw) says why).
"""
)PY";

// Exception types and the TcpOption namedtuple, created once at import and
// kept for the life of the process (never released: module state outlives
// any py::object static's destructor ordering).
struct ModuleTypes {
  PyObject* decode_error = nullptr;
  PyObject* encode_error = nullptr;
  PyObject* walk_error = nullptr;
  PyObject* ie_error = nullptr;
  PyObject* edit_error = nullptr;
  PyObject* tcp_option = nullptr;
};
ModuleTypes g_types;

[[noreturn]] void Raise(PyObject* type, const char* status, const std::string& message) {
  py::object exc = py::reinterpret_borrow<py::object>(type)(message, status);
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

[[noreturn]] void Raise(PyObject* type, const char* status, const std::string& message,
                        size_t offset) {
  py::object exc = py::reinterpret_borrow<py::object>(type)(message, status, offset);
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

std::string Format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), fmt, args...);
  return buf;
}

// ---------------------------------------------------------------------------
// Arguments shared by many functions.

mo::MptcpVersion ToVersion(int version) {
  if (version == 0) return mo::MptcpVersion::kV0;
  if (version == 1) return mo::MptcpVersion::kV1;
  throw py::value_error(Format("version must be 0 or 1, not %d", version));
}

int FromVersion(mo::MptcpVersion v) { return static_cast<int>(v); }

// Any Python int (no narrowing to a C++ type first) through the one range
// check, PreferProxySubtype::FromValue (decisions.md D5: 0x9..0xE).
std::optional<mo::PreferProxySubtype> PreferProxySubtypeFrom(const py::int_& value) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (overflow != 0) return std::nullopt;
  return mo::PreferProxySubtype::FromValue(v);
}

// The one range check for a Python int, or ValueError naming `what` (the
// keyword or attribute) and the range; `none_note` says what None means there.
mo::PreferProxySubtype RequirePreferProxySubtype(const py::int_& value, const char* what,
                                                 const char* none_note) {
  if (auto s = PreferProxySubtypeFrom(value)) return *s;
  const std::string given = py::str(py::handle(value));
  throw py::value_error(std::string(what) + ": " + given + " is outside " +
                        mo::PreferProxySubtype::kRangeReason + none_note);
}

// prefer_proxy_subtype: 0x9..0xE, or None for disabled (the bytes then decode
// as UnknownMptcp). Anything else raises ValueError naming the keyword.
mo::CodecConfig ToConfig(int version, const std::optional<py::int_>& prefer_proxy_subtype) {
  mo::CodecConfig config;
  config.version = ToVersion(version);
  if (!prefer_proxy_subtype) {
    config.prefer_proxy_subtype = std::nullopt;
  } else {
    config.prefer_proxy_subtype = RequirePreferProxySubtype(
        *prefer_proxy_subtype, "prefer_proxy_subtype", "; None disables MP_PREFER_PROXY");
  }
  return config;
}

uint8_t ToSubtype(int subtype) {
  if (subtype < 0 || subtype > 0x0f) {
    throw py::value_error(Format("an MPTCP subtype is 0..15, not %d", subtype));
  }
  return static_cast<uint8_t>(subtype);
}

py::bytes ToPyBytes(std::span<const uint8_t> b) {
  return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
}

// ---------------------------------------------------------------------------
// __repr__ and to_dict() of the MPTCP options, DssMapping and MpConvertIe:
// both walk the option's description (mptcp_opts/option_fields.h), nothing
// here is written per option. repr() is the keyword form, eval()-able given
// the classes and IPv4Address / IPv6Address, with keys, tokens, nonces,
// HMACs and flags in hex. to_dict() has the keys and values of an
// mptcp-decode --json record (without "frame" and "subtype").

std::string Hex(uint64_t v, int digits) {
  return Format("0x%0*llx", digits, static_cast<unsigned long long>(v));
}
std::string HexDigits(uint64_t v, int digits) {
  return Format("%0*llx", digits, static_cast<unsigned long long>(v));
}
std::string HexText(std::span<const uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += kDigits[x >> 4];
    s += kDigits[x & 15];
  }
  return s;
}
std::string BytesRepr(std::span<const uint8_t> b) { return "bytes.fromhex('" + HexText(b) + "')"; }
std::string BytesRepr(const std::string& b) {
  return BytesRepr({reinterpret_cast<const uint8_t*>(b.data()), b.size()});
}
std::string AddrRepr(const mo::IpAddress& a) { return py::repr(py::cast(a)).cast<std::string>(); }

// "kw=value" for every field with a Python keyword, in description order.
struct ReprRenderer {
  std::string out;
  bool first = true;

  bool Key(const fd::Names& n) {
    if (!n.python) return false;
    if (!first) out += ", ";
    first = false;
    out += n.python;
    out += '=';
    return true;
  }
  template <typename Kind, typename T>
  void operator()(const Kind& k, const std::optional<T>& v) {
    if (v) {
      (*this)(k, *v);
    } else if (Key(k.n)) {
      out += "None";
    }
  }
  void operator()(const fd::Dec& f, uint64_t v) {
    if (Key(f.n)) out += std::to_string(v);
  }
  void operator()(const fd::HexNum& f, uint64_t v) {
    if (Key(f.n)) out += Hex(v, f.digits);
  }
  void operator()(const fd::HexStr& f, uint64_t v) {
    if (Key(f.n)) out += Hex(v, f.digits);
  }
  void operator()(const fd::Flag& f, bool v) {
    if (Key(f.n)) out += v ? "True" : "False";
  }
  void operator()(const fd::Choice& f, bool v) {
    if (Key(f.n)) out += v ? "True" : "False";
  }
  void operator()(const fd::Bytes& f, std::span<const uint8_t> v) {
    if (Key(f.n)) out += BytesRepr(v);
  }
  void operator()(const fd::Address& f, const mo::IpAddress& v) {
    if (Key(f.n)) out += AddrRepr(v);
  }
  void operator()(const fd::Endpoint& f, const fd::EndpointValue& v) {
    if (Key(f.address)) out += AddrRepr(v.address);
    if (Key(f.port)) out += v.port ? std::to_string(*v.port) : "None";
  }
  void operator()(const fd::IdList& f, std::span<const uint8_t> v) {
    if (!Key(f.n)) return;
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
    out += ']';
  }
  // Names, form words and flag names are derived: no constructor keyword.
  void operator()(const fd::Name& f, uint8_t v) {
    if (Key(f.n)) out += std::to_string(v);
  }
  void operator()(const fd::Word&, const char*) {}
  void operator()(const fd::Words&, const fd::WordList&) {}
  template <fd::Described T>
  void operator()(const fd::Nested& f, const T& v) {
    if (!Key(f.n)) return;
    ReprRenderer inner;
    fd::Fields<T>::Visit(v, inner);
    out += std::string(fd::Fields<T>::kPythonName) + "(" + inner.out + ")";
  }
};

// The JSON record's keys and values, as Python objects.
struct DictRenderer {
  py::dict d;

  template <typename Kind, typename T>
  void operator()(const Kind& k, const std::optional<T>& v) {
    if (v) (*this)(k, *v);
  }
  void operator()(const fd::Dec& f, uint64_t v) {
    if (f.n.json) d[f.n.json] = v;
  }
  void operator()(const fd::HexNum& f, uint64_t v) {
    if (f.n.json) d[f.n.json] = v;
  }
  void operator()(const fd::HexStr& f, uint64_t v) {
    if (f.n.json) d[f.n.json] = HexDigits(v, f.digits);
  }
  void operator()(const fd::Flag& f, bool v) {
    if (f.n.json) d[f.n.json] = v;
  }
  void operator()(const fd::Choice& f, bool v) {
    if (f.n.json) d[f.n.json] = v ? f.json_true : f.json_false;
  }
  void operator()(const fd::Bytes& f, std::span<const uint8_t> v) {
    if (f.n.json) d[f.n.json] = HexText(v);
  }
  void operator()(const fd::Address& f, const mo::IpAddress& v) {
    if (f.n.json) d[f.n.json] = v.ToString();
  }
  void operator()(const fd::Endpoint& f, const fd::EndpointValue& v) {
    if (f.address.json) d[f.address.json] = v.address.ToString();
    if (f.port.json && v.port) d[f.port.json] = *v.port;
  }
  void operator()(const fd::IdList& f, std::span<const uint8_t> v) {
    if (f.n.json) d[f.n.json] = std::vector<uint8_t>(v.begin(), v.end());
  }
  void operator()(const fd::Name& f, uint8_t v) {
    if (f.n.json) d[f.n.json] = f.name(v);
  }
  void operator()(const fd::Word& f, const char* v) {
    if (f.n.json) d[f.n.json] = v;
  }
  void operator()(const fd::Words& f, const fd::WordList& v) {
    if (!f.n.json) return;
    py::list l;
    for (const char* w : v.view()) l.append(w);
    d[f.n.json] = l;
  }
  template <fd::Described T>
  void operator()(const fd::Nested& f, const T& v) {
    if (f.n.json) fd::VisitFields(v, *this);
  }
};

// `Described` is the type whose description is walked; `value` is one of it
// or (RemoveAddr) the Python-side form with the same accessors.
template <typename Described, typename Value>
std::string DescribedRepr(const Value& value) {
  ReprRenderer r;
  fd::Fields<Described>::Visit(value, r);
  return std::string(fd::Fields<Described>::kPythonName) + "(" + r.out + ")";
}
template <typename Described, typename Value>
py::dict DescribedDict(const Value& value) {
  DictRenderer r;
  fd::Fields<Described>::Visit(value, r);
  return r.d;
}

mo::UnknownMptcp View(const UnknownMptcp& u) { return {u.subtype().value_or(0), u.span()}; }

template <fd::Described T>
std::string Repr(const T& v) {
  return DescribedRepr<T>(v);
}
std::string Repr(const RemoveAddr& v) { return DescribedRepr<mo::RemoveAddr>(v); }
std::string Repr(const UnknownMptcp& v) { return DescribedRepr<mo::UnknownMptcp>(View(v)); }

template <fd::Described T>
py::dict ToDict(const T& v) {
  return DescribedDict<T>(v);
}
py::dict ToDict(const RemoveAddr& v) { return DescribedDict<mo::RemoveAddr>(v); }
py::dict ToDict(const UnknownMptcp& v) {
  py::dict d = DescribedDict<mo::UnknownMptcp>(View(v));
  if (!v.subtype()) d["subtype_value"] = py::none();  // raw shorter than 3 bytes
  return d;
}

std::string Repr(const mo::Mss& v) { return "Mss(value=" + std::to_string(v.value) + ")"; }
std::string Repr(const mo::SackPermitted&) { return "SackPermitted()"; }
std::string Repr(const mo::Timestamps& v) {
  return "Timestamps(value=" + std::to_string(v.value) +
         ", echo_reply=" + std::to_string(v.echo_reply) + ")";
}
std::string Repr(const mo::WindowScale& v) {
  return "WindowScale(shift=" + std::to_string(v.shift) + ")";
}
std::string Repr(const RawOption& v) {
  return "RawOption(kind=" + std::to_string(v.kind) + ", value=" + BytesRepr(v.value) + ")";
}

std::string Repr(py::handle obj) { return py::repr(obj).cast<std::string>(); }

// Equality for the builder's structs, which have no operator== in C++.
template <typename T>
bool Equal(const T& a, const T& b) {
  return a == b;
}
template <>
bool Equal(const mo::Mss& a, const mo::Mss& b) {
  return a.value == b.value;
}
template <>
bool Equal(const mo::SackPermitted&, const mo::SackPermitted&) {
  return true;
}
template <>
bool Equal(const mo::Timestamps& a, const mo::Timestamps& b) {
  return a.value == b.value && a.echo_reply == b.echo_reply;
}
template <>
bool Equal(const mo::WindowScale& a, const mo::WindowScale& b) {
  return a.shift == b.shift;
}

// __eq__ (NotImplemented for other types), __repr__, __copy__,
// __deepcopy__; __hash__ = None because the values are mutable. to_dict()
// for the types with a field description.
template <typename T, typename... Extra>
void AddValueProtocol(py::class_<T, Extra...>& c) {
  c.def(
      "__eq__", [](const T& a, const T& b) { return Equal(a, b); }, py::is_operator());
  c.def("__repr__", [](const T& v) { return Repr(v); });
  if constexpr (requires(const T& v) { ToDict(v); }) {
    c.def(
        "to_dict", [](const T& v) { return ToDict(v); },
        "The fields as mptcp-decode --json writes them (same keys and values, without "
        "frame and subtype); absent optional fields are left out.");
  }
  c.def("__copy__", [](const T& v) { return T(v); });
  c.def(
      "__deepcopy__", [](const T& v, py::handle) { return T(v); }, py::arg("memo"));
  c.attr("__hash__") = py::none();
}

// ---------------------------------------------------------------------------
// Python objects <-> C++ variants.

py::object ToPython(const mo::MptcpOption& option) {
  return std::visit(
      [](const auto& v) -> py::object {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, mo::UnknownMptcp>) {
          return py::cast(UnknownMptcp{std::string(v.bytes.begin(), v.bytes.end())});
        } else if constexpr (std::is_same_v<T, mo::RemoveAddr>) {
          return py::cast(RemoveAddr{std::vector<uint8_t>(v.ids().begin(), v.ids().end())});
        } else {
          return py::cast(v);
        }
      },
      option);
}

// An MPTCP option object as the C++ variant. `valid` is false for a value the
// C++ type cannot even hold (a RemoveAddr with more than 37 IDs): it has no
// wire form. Views (UnknownMptcp) point into `obj`, which the caller keeps
// alive. nullopt when `obj` is not an MPTCP option object.
struct CppOption {
  mo::MptcpOption option;
  bool valid = true;
};

template <typename T>
bool Take(py::handle obj, std::optional<CppOption>& out) {
  if (!py::isinstance<T>(obj)) return false;
  out = CppOption{obj.cast<const T&>(), true};
  return true;
}

std::optional<CppOption> ToCppOption(py::handle obj) {
  std::optional<CppOption> out;
  if (Take<mo::MpCapable>(obj, out) || Take<mo::MpJoinSyn>(obj, out) ||
      Take<mo::MpJoinSynAck>(obj, out) || Take<mo::MpJoinAck>(obj, out) ||
      Take<mo::Dss>(obj, out) || Take<mo::AddAddr>(obj, out) || Take<mo::MpPrio>(obj, out) ||
      Take<mo::MpFail>(obj, out) || Take<mo::MpFastclose>(obj, out) ||
      Take<mo::MpTcprst>(obj, out) || Take<mo::MpPreferProxy>(obj, out)) {
    return out;
  }
  if (py::isinstance<RemoveAddr>(obj)) {
    const auto& r = obj.cast<const RemoveAddr&>();
    mo::RemoveAddr cpp;
    for (uint8_t id : r.id_list) (void)cpp.Add(id);  // refuses past kMaxIds
    return CppOption{cpp, r.id_list.size() <= mo::RemoveAddr::kMaxIds};
  }
  if (py::isinstance<UnknownMptcp>(obj)) {
    const auto& u = obj.cast<const UnknownMptcp&>();
    return CppOption{mo::UnknownMptcp{u.subtype().value_or(0xff), u.span()}, true};
  }
  return std::nullopt;
}

std::string TypeName(py::handle obj) {
  return py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>();
}

CppOption RequireCppOption(py::handle obj, const char* function) {
  auto o = ToCppOption(obj);
  if (!o) {
    throw py::type_error(std::string(function) + "() expects an MPTCP option object, not " +
                         TypeName(obj));
  }
  return *o;
}

// A TCP option for the builder: an MPTCP option object or one of Mss,
// SackPermitted, Timestamps, WindowScale, RawOption. Views point into `obj`.
struct CppTcpOption {
  mo::TcpOptionValue value;
  bool valid = true;
};

std::optional<CppTcpOption> ToCppTcpOption(py::handle obj) {
  if (py::isinstance<mo::Mss>(obj)) return CppTcpOption{obj.cast<const mo::Mss&>()};
  if (py::isinstance<mo::SackPermitted>(obj)) return CppTcpOption{mo::SackPermitted{}};
  if (py::isinstance<mo::Timestamps>(obj)) return CppTcpOption{obj.cast<const mo::Timestamps&>()};
  if (py::isinstance<mo::WindowScale>(obj)) {
    return CppTcpOption{obj.cast<const mo::WindowScale&>()};
  }
  if (py::isinstance<RawOption>(obj)) {
    const auto& r = obj.cast<const RawOption&>();
    return CppTcpOption{mo::RawOption{
        r.kind, {reinterpret_cast<const uint8_t*>(r.value.data()), r.value.size()}}};
  }
  if (auto o = ToCppOption(obj)) return CppTcpOption{o->option, o->valid};
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Decoding.

std::string DecodeMessage(std::span<const uint8_t> data, mo::DecodeStatus status,
                          const mo::CodecConfig& config) {
  const std::string what =
      data.size() >= 3 ? std::string(mo::SubtypeName(uint8_t(data[2] >> 4), config)) + " option"
                       : std::string("MPTCP option");
  const unsigned length = data.size() >= 2 ? data[1] : 0;
  std::string detail;
  switch (status) {
    case mo::DecodeStatus::kTruncated:
      detail = data.size() < 3 ? Format("%zu bytes given, an MPTCP option has at least 3",
                                        data.size())
                               : Format("Length %u but %zu bytes given", length, data.size());
      break;
    case mo::DecodeStatus::kBadLength:
      detail = Format("Length %u is not valid for this subtype (version %d)", length,
                      FromVersion(config.version));
      break;
    case mo::DecodeStatus::kWrongKind:
      detail = Format("Kind %u is not 30", data.empty() ? 0u : unsigned(data[0]));
      break;
    case mo::DecodeStatus::kWrongSubtype:
      detail = "subtype does not match";
      break;
    case mo::DecodeStatus::kUnsupportedVersion:
      detail = Format("MP_CAPABLE version %u is not implemented", unsigned(data[2] & 0x0f));
      break;
    case mo::DecodeStatus::kBadIpVersion:
      detail = Format("IPVer %u does not match Length %u (v0)", unsigned(data[2] & 0x0f), length);
      break;
    case mo::DecodeStatus::kOk:
      break;
  }
  return std::string(mo::StatusName(status)) + ": cannot decode " + what + ": " + detail;
}

std::pair<mo::DecodeStatus, py::object> TryDecode(std::span<const uint8_t> data,
                                                  const mo::CodecConfig& config) {
  mo::MptcpOption option;
  const mo::DecodeStatus s = mo::DecodeMptcpOption(data, config, option);
  if (s != mo::DecodeStatus::kOk) return {s, py::none()};
  return {s, ToPython(option)};
}

// Decoded value of one walked option for TcpOption.value: MPTCP options
// through the dispatcher, the four builder kinds when their Length is right.
py::object DecodeWalked(const mo::TcpOption& o, const mo::CodecConfig& config) {
  const auto& b = o.bytes;
  switch (o.kind) {
    case mo::kKindMptcp:
      return TryDecode(b, config).second;
    case mo::kKindMss:
      if (b.size() == 4) return py::cast(mo::Mss{mo::internal::LoadBe16(b.data() + 2)});
      break;
    case mo::kKindSackPermitted:
      if (b.size() == 2) return py::cast(mo::SackPermitted{});
      break;
    case mo::kKindTimestamps:
      if (b.size() == 10) {
        return py::cast(mo::Timestamps{mo::internal::LoadBe32(b.data() + 2),
                                       mo::internal::LoadBe32(b.data() + 6)});
      }
      break;
    case mo::kKindWindowScale:
      if (b.size() == 3) return py::cast(mo::WindowScale{b[2]});
      break;
  }
  return py::none();
}

struct WalkResult {
  mo::WalkStatus status = mo::WalkStatus::kOk;
  size_t offset = 0;
  py::list entries;
};

WalkResult Walk(std::span<const uint8_t> area, const mo::CodecConfig& config) {
  WalkResult r;
  mo::TcpOptionWalker walker(area);
  py::handle tcp_option(g_types.tcp_option);
  for (mo::TcpOption o; walker.Next(o);) {
    r.entries.append(tcp_option(o.kind, o.offset, ToPyBytes(o.bytes), DecodeWalked(o, config)));
  }
  r.status = walker.status();
  r.offset = walker.offset();
  return r;
}

std::string WalkMessage(mo::WalkStatus status, size_t offset, size_t area_size) {
  std::string detail;
  switch (status) {
    case mo::WalkStatus::kAreaTooLong:
      detail = Format("the area is %zu bytes, at most 40 are possible", area_size);
      break;
    case mo::WalkStatus::kBadOptionLength:
      detail = Format("option at offset %zu has a Length of 0 or 1", offset);
      break;
    case mo::WalkStatus::kOptionPastEnd:
      detail = Format("option at offset %zu reaches past the end of the %zu-byte area", offset,
                      area_size);
      break;
    case mo::WalkStatus::kOk:
      break;
  }
  return std::string(mo::StatusName(status)) + ": " + detail;
}

// iter_options(): yields what the walk produced, then raises WalkError once
// if it stopped on a structural error.
class OptionIterator {
 public:
  OptionIterator(WalkResult r, size_t area_size) : r_(std::move(r)), area_size_(area_size) {}

  py::object Next() {
    if (next_ < r_.entries.size()) return r_.entries[next_++];
    if (!raised_ && r_.status != mo::WalkStatus::kOk) {
      raised_ = true;
      Raise(g_types.walk_error, mo::StatusName(r_.status),
            WalkMessage(r_.status, r_.offset, area_size_), r_.offset);
    }
    throw py::stop_iteration();
  }

 private:
  WalkResult r_;
  size_t area_size_;
  size_t next_ = 0;
  bool raised_ = false;
};

// ---------------------------------------------------------------------------
// Encoding.

std::string EncodeMessage(mo::EncodeStatus status, const std::string& what) {
  const char* detail = "";
  switch (status) {
    case mo::EncodeStatus::kInvalidValue:
      detail = "the value has no wire form";
      break;
    case mo::EncodeStatus::kNoOptionSpace:
      detail = "the options do not fit in the 40-byte TCP option area";
      break;
    case mo::EncodeStatus::kBufferTooSmall:
      detail = "the output buffer is too small";
      break;
    case mo::EncodeStatus::kOk:
      break;
  }
  return std::string(mo::StatusName(status)) + ": cannot encode " + what + ": " + detail;
}

py::bytes Encode(py::handle obj) {
  const CppOption o = RequireCppOption(obj, "encode");
  std::array<uint8_t, 255> out{};
  size_t n = 0;
  const mo::EncodeStatus s =
      o.valid ? mo::Encode(o.option, out, n) : mo::EncodeStatus::kInvalidValue;
  if (s != mo::EncodeStatus::kOk) {
    Raise(g_types.encode_error, mo::StatusName(s), EncodeMessage(s, Repr(obj)));
  }
  return ToPyBytes({out.data(), n});
}

size_t EncodedSize(py::handle obj) {
  const CppOption o = RequireCppOption(obj, "encoded_size");
  return o.valid ? mo::EncodedSize(o.option) : 0;
}

py::bytes BuildOptionArea(const py::iterable& options) {
  std::vector<py::object> keep;  // owners of the views in `values`
  std::vector<mo::TcpOptionValue> values;
  bool valid = true;
  for (py::handle item : options) {
    auto v = ToCppTcpOption(item);
    if (!v) {
      throw py::type_error("build_option_area() expects option objects, not " + TypeName(item));
    }
    keep.push_back(py::reinterpret_borrow<py::object>(item));
    values.push_back(v->value);
    valid &= v->valid;
  }
  std::array<uint8_t, mo::kMaxOptionAreaBytes> out{};
  size_t n = 0;
  const mo::EncodeStatus s =
      valid ? mo::BuildOptionArea(values, out, n) : mo::EncodeStatus::kInvalidValue;
  if (s != mo::EncodeStatus::kOk) {
    Raise(g_types.encode_error, mo::StatusName(s),
          EncodeMessage(s, Format("an option area of %zu options", values.size())));
  }
  return ToPyBytes({out.data(), n});
}

// ---------------------------------------------------------------------------
// Segment editor.

std::string EditMessage(mo::EditStatus status, const std::string& what) {
  const char* detail = "";
  switch (status) {
    case mo::EditStatus::kMalformedHeader:
      detail = "shorter than 20 bytes, or the data offset is < 5 or past the end";
      break;
    case mo::EditStatus::kMalformedOptions:
      detail = "the option area does not walk cleanly";
      break;
    case mo::EditStatus::kNoOptionSpace:
      detail = "the result would exceed 40 bytes of options";
      break;
    case mo::EditStatus::kBufferTooSmall:
      detail = "no room for the header to grow";
      break;
    case mo::EditStatus::kNotFound:
      detail = "nothing to change";
      break;
    case mo::EditStatus::kInvalidValue:
      detail = "the option has no wire form";
      break;
    case mo::EditStatus::kOk:
      break;
  }
  return std::string(mo::StatusName(status)) + ": " + what + ": " + detail;
}

class SegmentEditor {
 public:
  // A copy of `segment` in a buffer with 40 spare bytes (the most a header
  // can grow). Raises EditError when the header or its options are broken.
  explicit SegmentEditor(std::span<const uint8_t> segment)
      : buffer_(MakeBuffer(segment)), editor_(buffer_, segment.size()) {
    if (editor_.status() != mo::EditStatus::kOk) {
      Raise(g_types.edit_error, mo::StatusName(editor_.status()),
            EditMessage(editor_.status(), Format("cannot edit a %zu-byte segment",
                                                 segment.size())));
    }
  }
  SegmentEditor(const SegmentEditor&) = delete;
  SegmentEditor& operator=(const SegmentEditor&) = delete;

  void Insert(py::handle option) {
    std::array<uint8_t, 255> bytes{};
    size_t n = 0;
    mo::EditStatus s = mo::EditStatus::kOk;
    if (auto tcp = ToCppTcpOption(option)) {
      n = tcp->valid ? mo::internal::OptionSize(tcp->value) : 0;
      if (n == 0 || mo::internal::WriteOption(tcp->value, bytes.data(), bytes.size()) !=
                        mo::EncodeStatus::kOk) {
        s = mo::EditStatus::kInvalidValue;
      }
    } else if (PyObject_CheckBuffer(option.ptr())) {
      const Bytes raw = option.cast<Bytes>();
      if (raw.data.size() > bytes.size()) {
        s = mo::EditStatus::kInvalidValue;
      } else {
        std::copy(raw.data.begin(), raw.data.end(), bytes.begin());
        n = raw.data.size();
      }
    } else {
      throw py::type_error("insert() expects an option object or bytes, not " + TypeName(option));
    }
    if (s == mo::EditStatus::kOk) s = editor_.InsertOption({bytes.data(), n});
    Check(s, "cannot insert " + Repr(option));
  }

  bool RemoveMptcpSubtype(int subtype) {
    const mo::EditStatus s = editor_.RemoveMptcpSubtype(ToSubtype(subtype));
    if (s == mo::EditStatus::kNotFound) return false;
    Check(s, Format("cannot remove subtype %d", subtype));
    return true;
  }

  bool ClampMss(int max_mss) {
    if (max_mss < 0 || max_mss > 0xffff) {
      throw py::value_error(Format("max_mss must be in 0..65535, not %d", max_mss));
    }
    const mo::EditStatus s = editor_.ClampMss(static_cast<uint16_t>(max_mss));
    if (s == mo::EditStatus::kNotFound) return false;
    Check(s, Format("cannot clamp the MSS to %d", max_mss));
    return true;
  }

  py::bytes Segment() const { return ToPyBytes({buffer_.data(), editor_.segment_length()}); }
  size_t HeaderLength() const { return editor_.header_length(); }
  py::bytes Area() const { return ToPyBytes(editor_.area()); }

 private:
  static std::vector<uint8_t> MakeBuffer(std::span<const uint8_t> segment) {
    std::vector<uint8_t> b(segment.size() + mo::kMaxOptionAreaBytes);
    std::copy(segment.begin(), segment.end(), b.begin());
    return b;
  }
  static void Check(mo::EditStatus s, const std::string& what) {
    if (s != mo::EditStatus::kOk) Raise(g_types.edit_error, mo::StatusName(s), EditMessage(s, what));
  }

  std::vector<uint8_t> buffer_;  // declared before editor_, which views it
  mo::TcpSegmentEditor editor_;
};

py::bytes EditSegment(const Bytes& segment, const py::iterable& insert,
                      const std::vector<int>& remove_subtypes, std::optional<int> clamp_mss) {
  SegmentEditor ed(segment.span());
  for (int subtype : remove_subtypes) (void)ed.RemoveMptcpSubtype(subtype);
  for (py::handle option : insert) ed.Insert(option);
  if (clamp_mss) (void)ed.ClampMss(*clamp_mss);
  return ed.Segment();
}

// ---------------------------------------------------------------------------
// MP_CONVERT IEs.

std::string IeMessage(mo::IeStatus status, size_t offset) {
  const char* detail = "";
  switch (status) {
    case mo::IeStatus::kNoIe: detail = "the payload does not start with the magic number"; break;
    case mo::IeStatus::kPastEnd: detail = "an IE reaches past the end of the payload"; break;
    case mo::IeStatus::kBadLength: detail = "an IE has an invalid Length"; break;
    case mo::IeStatus::kTooManyIes: detail = "too many IEs"; break;
    case mo::IeStatus::kDuplicateDirection:
      detail = "two address IEs with the same direction (D bit)";
      break;
    case mo::IeStatus::kMissingLastFlag: detail = "the last IE has M=0"; break;
    case mo::IeStatus::kBadAddressClass:
      detail = "multicast, broadcast, loopback or unspecified address";
      break;
    case mo::IeStatus::kOk: break;
  }
  return std::string(mo::StatusName(status)) + ": " + detail + Format(" (IE at offset %zu)", offset);
}

struct IeParse {
  mo::IeStatus status;
  std::vector<mo::MpConvertIe> ies;
  size_t consumed;
  int skipped;
};

IeParse ParseIes(const Bytes& payload) {
  mo::MpConvertIeList list;
  const mo::IeParseResult r = mo::ParseMpConvertIes(payload.span(), list);
  return {r.status, {list.view().begin(), list.view().end()}, r.consumed,
          list.skipped_unknown_type};
}

py::bytes BuildIes(const std::vector<mo::MpConvertIe>& ies) {
  std::array<uint8_t, 2 * 28> out{};  // two IPv6 IEs with ports: 2 * (4 + 24)
  size_t n = 0;
  const mo::EncodeStatus s =
      ies.size() > mo::kMaxAddressIes ? mo::EncodeStatus::kInvalidValue
                                      : mo::BuildMpConvertIes(ies, out, n);
  if (s != mo::EncodeStatus::kOk) {
    Raise(g_types.encode_error, mo::StatusName(s),
          EncodeMessage(s, Format("%zu MP_CONVERT IEs", ies.size())) +
              " (one or two, different directions, allowed addresses)");
  }
  return ToPyBytes({out.data(), n});
}

// ---------------------------------------------------------------------------
// Crypto.

mo::AddAddrHmacVariant ToVariant(const std::string& name) {
  for (auto v : {mo::AddAddrHmacVariant::kRfc8684, mo::AddAddrHmacVariant::kLinuxPortAlwaysZero,
                 mo::AddAddrHmacVariant::kLinuxLeftmostPortZero}) {
    if (name == mo::AddAddrHmacVariantName(v)) return v;
  }
  throw py::value_error("unknown ADD_ADDR HMAC variant '" + name +
                        "' (rfc8684, linux-port-always-zero, linux-leftmost-port-zero)");
}

// ---------------------------------------------------------------------------
// Class bindings.

void BindOptionClasses(py::module_& m) {
  // MP_CAPABLE
  py::class_<mo::MpCapable> cap(m, "MpCapable", R"doc(MP_CAPABLE (RFC 8684 §3.1, RFC 6824 §3.1).

Which fields are present names the handshake step: none (v1 SYN, 4 bytes),
sender_key (SYN/ACK, v0 SYN, 12), both keys (third ACK, 20), plus
data_level_length (v1 ACK with data, 22) and checksum (24).)doc");
  cap.def(py::init([](uint8_t version, uint8_t flags, std::optional<uint64_t> sender_key,
                      std::optional<uint64_t> receiver_key,
                      std::optional<uint16_t> data_level_length, std::optional<uint16_t> checksum) {
            return mo::MpCapable{version, flags, sender_key, receiver_key, data_level_length,
                                 checksum};
          }),
          py::kw_only(), py::arg("version") = 1, py::arg("flags") = mo::MpCapable::kFlagH,
          py::arg("sender_key") = py::none(), py::arg("receiver_key") = py::none(),
          py::arg("data_level_length") = py::none(), py::arg("checksum") = py::none())
      .def_readwrite("version", &mo::MpCapable::version, "4 bits on the wire (0 or 1 decode).")
      .def_readwrite("flags", &mo::MpCapable::flags, "Byte 3: A B C D E F G H, A = 0x80.")
      .def_readwrite("sender_key", &mo::MpCapable::sender_key)
      .def_readwrite("receiver_key", &mo::MpCapable::receiver_key)
      .def_readwrite("data_level_length", &mo::MpCapable::data_level_length)
      .def_readwrite("checksum", &mo::MpCapable::checksum)
      .def_property_readonly("checksum_required", &mo::MpCapable::checksum_required, "Flag A.")
      .def_property_readonly("extensibility", &mo::MpCapable::extensibility, "Flag B.")
      .def_property_readonly("no_joins_to_this_address",
                             &mo::MpCapable::no_joins_to_this_address, "Flag C, v1 only.")
      .def_property_readonly("hmac_sha256", &mo::MpCapable::hmac_sha256, "Flag H in v1.")
      .def_property_readonly("hmac_sha1", &mo::MpCapable::hmac_sha1, "Flag H in v0.")
      .def_property_readonly("usable_by_receiver", &mo::MpCapable::usable_by_receiver,
                             "False when a receiver must ignore this MP_CAPABLE and fall back "
                             "to plain TCP: flag B set, or flag H clear (RFC 8684 section 3.1).");
  cap.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpCapable);
  cap.attr("FLAG_A") = mo::MpCapable::kFlagA;
  cap.attr("FLAG_B") = mo::MpCapable::kFlagB;
  cap.attr("FLAG_C") = mo::MpCapable::kFlagC;
  cap.attr("FLAG_D") = mo::MpCapable::kFlagD;
  cap.attr("FLAG_E") = mo::MpCapable::kFlagE;
  cap.attr("FLAG_F") = mo::MpCapable::kFlagF;
  cap.attr("FLAG_G") = mo::MpCapable::kFlagG;
  cap.attr("FLAG_H") = mo::MpCapable::kFlagH;
  AddValueProtocol(cap);

  // MP_JOIN, three forms.
  py::class_<mo::MpJoinSyn> syn(m, "MpJoinSyn", "MP_JOIN in a SYN (Length 12, RFC 8684 §3.2).");
  syn.def(py::init([](bool backup, uint8_t address_id, uint32_t token, uint32_t nonce) {
            return mo::MpJoinSyn{backup, address_id, token, nonce};
          }),
          py::kw_only(), py::arg("backup") = false, py::arg("address_id") = 0,
          py::arg("token") = 0, py::arg("nonce") = 0)
      .def_readwrite("backup", &mo::MpJoinSyn::backup)
      .def_readwrite("address_id", &mo::MpJoinSyn::address_id)
      .def_readwrite("token", &mo::MpJoinSyn::token, "The receiver's token.")
      .def_readwrite("nonce", &mo::MpJoinSyn::nonce, "The sender's random number.");
  syn.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpJoin);
  AddValueProtocol(syn);

  py::class_<mo::MpJoinSynAck> synack(m, "MpJoinSynAck",
                                      "MP_JOIN in a SYN/ACK (Length 16, RFC 8684 §3.2).");
  synack
      .def(py::init([](bool backup, uint8_t address_id, uint64_t truncated_hmac, uint32_t nonce) {
             return mo::MpJoinSynAck{backup, address_id, truncated_hmac, nonce};
           }),
           py::kw_only(), py::arg("backup") = false, py::arg("address_id") = 0,
           py::arg("truncated_hmac") = 0, py::arg("nonce") = 0)
      .def_readwrite("backup", &mo::MpJoinSynAck::backup)
      .def_readwrite("address_id", &mo::MpJoinSynAck::address_id)
      .def_readwrite("truncated_hmac", &mo::MpJoinSynAck::truncated_hmac,
                     "Leftmost 64 bits of the sender's HMAC.")
      .def_readwrite("nonce", &mo::MpJoinSynAck::nonce);
  synack.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpJoin);
  AddValueProtocol(synack);

  auto set_hmac = [](mo::MpJoinAck& a, const Bytes& b) {
    if (b.data.size() != a.hmac.size()) {
      throw py::value_error(Format("MpJoinAck.hmac is 20 bytes, not %zu", b.data.size()));
    }
    std::copy(b.data.begin(), b.data.end(), a.hmac.begin());
  };
  py::class_<mo::MpJoinAck> ack(m, "MpJoinAck",
                                "MP_JOIN in the third ACK (Length 24): 160-bit HMAC.");
  ack.def(py::init([set_hmac](std::optional<Bytes> hmac) {
            mo::MpJoinAck a;
            if (hmac) set_hmac(a, *hmac);
            return a;
          }),
          py::kw_only(), py::arg("hmac") = py::none(), "hmac defaults to 20 zero bytes.")
      .def_property(
          "hmac", [](const mo::MpJoinAck& a) { return ToPyBytes(a.hmac); }, set_hmac,
          "20 bytes: v0 the whole HMAC-SHA1, v1 the leftmost 160 bits of HMAC-SHA256.");
  ack.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpJoin);
  AddValueProtocol(ack);

  // DSS
  py::class_<mo::DssMapping> mapping(m, "DssMapping", "The mapping part of a DSS.");
  mapping
      .def(py::init([](uint64_t dsn, uint32_t subflow_seq, uint16_t data_level_length,
                       std::optional<uint16_t> checksum) {
             return mo::DssMapping{dsn, subflow_seq, data_level_length, checksum};
           }),
           py::kw_only(), py::arg("dsn") = 0, py::arg("subflow_seq") = 0,
           py::arg("data_level_length") = 0, py::arg("checksum") = py::none())
      .def_readwrite("dsn", &mo::DssMapping::dsn, "Data sequence number (4 or 8 bytes).")
      .def_readwrite("subflow_seq", &mo::DssMapping::subflow_seq)
      .def_readwrite("data_level_length", &mo::DssMapping::data_level_length)
      .def_readwrite("checksum", &mo::DssMapping::checksum, "Present when checksums are used.");
  AddValueProtocol(mapping);

  py::class_<mo::Dss> dss(m, "Dss", R"doc(DSS, the Data Sequence Signal (RFC 8684 §3.3).

data_ack_8_bytes / dsn_8_bytes are the wire widths; they are kept even when
the field they size is absent, so decode -> encode reproduces the flags.)doc");
  dss.def(py::init([](std::optional<uint64_t> data_ack, std::optional<mo::DssMapping> mapping,
                      bool data_fin, bool data_ack_8_bytes, bool dsn_8_bytes) {
            return mo::Dss{data_ack, mapping, data_fin, data_ack_8_bytes, dsn_8_bytes};
          }),
          py::kw_only(), py::arg("data_ack") = py::none(), py::arg("mapping") = py::none(),
          py::arg("data_fin") = false, py::arg("data_ack_8_bytes") = false,
          py::arg("dsn_8_bytes") = false)
      .def_readwrite("data_ack", &mo::Dss::data_ack)
      .def_readwrite("mapping", &mo::Dss::mapping,
                     "A DssMapping (a view into this Dss: changing it changes the Dss) or None.")
      .def_readwrite("data_fin", &mo::Dss::data_fin)
      .def_readwrite("data_ack_8_bytes", &mo::Dss::data_ack_8_bytes)
      .def_readwrite("dsn_8_bytes", &mo::Dss::dsn_8_bytes)
      .def_property_readonly("flags", &mo::DssFlags, "The flags byte this value encodes to.");
  dss.attr("SUBTYPE") = uint8_t(mo::Subtype::kDss);
  dss.attr("FLAG_DATA_FIN") = mo::Dss::kFlagDataFin;
  dss.attr("FLAG_DSN_8") = mo::Dss::kFlagDsn8;
  dss.attr("FLAG_MAPPING") = mo::Dss::kFlagMapping;
  dss.attr("FLAG_ACK_8") = mo::Dss::kFlagAck8;
  dss.attr("FLAG_ACK") = mo::Dss::kFlagAck;
  AddValueProtocol(dss);

  // ADD_ADDR
  py::class_<mo::AddAddr> add(m, "AddAddr", R"doc(ADD_ADDR (RFC 8684 §3.4.1; RFC 6824 for v0).

v1: truncated_hmac is present exactly when echo is False. v0: no echo, no
HMAC. The address is an ipaddress.IPv4Address / IPv6Address (a str is
accepted when setting).)doc");
  add.def(py::init([](int version, bool echo, uint8_t address_id, mo::IpAddress address,
                      std::optional<uint16_t> port, std::optional<uint64_t> truncated_hmac) {
            return mo::AddAddr{ToVersion(version), echo, address_id, address, port,
                               truncated_hmac};
          }),
          py::kw_only(), py::arg("version") = 1, py::arg("echo") = false,
          py::arg("address_id") = 0, py::arg("address") = mo::IpAddress{},
          py::arg("port") = py::none(), py::arg("truncated_hmac") = py::none())
      .def_property(
          "version", [](const mo::AddAddr& a) { return FromVersion(a.version); },
          [](mo::AddAddr& a, int v) { a.version = ToVersion(v); }, "0 or 1.")
      .def_readwrite("echo", &mo::AddAddr::echo)
      .def_readwrite("address_id", &mo::AddAddr::address_id)
      .def_readwrite("address", &mo::AddAddr::address)
      .def_readwrite("port", &mo::AddAddr::port)
      .def_readwrite("truncated_hmac", &mo::AddAddr::truncated_hmac,
                     "Rightmost 64 bits of the HMAC (v1, not echo).");
  add.attr("SUBTYPE") = uint8_t(mo::Subtype::kAddAddr);
  AddValueProtocol(add);

  // REMOVE_ADDR
  py::class_<RemoveAddr> rem(m, "RemoveAddr",
                             "REMOVE_ADDR (RFC 8684 §3.4.2): 1 to 37 address IDs.");
  rem.def(py::init([](std::vector<uint8_t> ids) { return RemoveAddr{std::move(ids)}; }),
          py::kw_only(), py::arg("ids") = std::vector<uint8_t>{})
      .def_readwrite("ids", &RemoveAddr::id_list, "A list of IDs (a copy: assign to change).");
  rem.attr("SUBTYPE") = uint8_t(mo::Subtype::kRemoveAddr);
  rem.attr("MAX_IDS") = mo::RemoveAddr::kMaxIds;
  AddValueProtocol(rem);

  // MP_PRIO
  py::class_<mo::MpPrio> prio(m, "MpPrio", "MP_PRIO (RFC 8684 §3.3.8); address_id is v0 only.");
  prio.def(py::init([](int version, bool backup, std::optional<uint8_t> address_id) {
             return mo::MpPrio{ToVersion(version), backup, address_id};
           }),
           py::kw_only(), py::arg("version") = 1, py::arg("backup") = false,
           py::arg("address_id") = py::none())
      .def_property(
          "version", [](const mo::MpPrio& p) { return FromVersion(p.version); },
          [](mo::MpPrio& p, int v) { p.version = ToVersion(v); }, "0 or 1.")
      .def_readwrite("backup", &mo::MpPrio::backup)
      .def_readwrite("address_id", &mo::MpPrio::address_id);
  prio.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpPrio);
  AddValueProtocol(prio);

  py::class_<mo::MpFail> fail(m, "MpFail", "MP_FAIL (RFC 8684 §3.7).");
  fail.def(py::init([](uint64_t dsn) { return mo::MpFail{dsn}; }), py::kw_only(),
           py::arg("dsn") = 0)
      .def_readwrite("dsn", &mo::MpFail::dsn);
  fail.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpFail);
  AddValueProtocol(fail);

  py::class_<mo::MpFastclose> fc(m, "MpFastclose", "MP_FASTCLOSE (RFC 8684 §3.5).");
  fc.def(py::init([](uint64_t receiver_key) { return mo::MpFastclose{receiver_key}; }),
         py::kw_only(), py::arg("receiver_key") = 0)
      .def_readwrite("receiver_key", &mo::MpFastclose::receiver_key);
  fc.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpFastclose);
  AddValueProtocol(fc);

  py::class_<mo::MpTcprst> rst(m, "MpTcprst", "MP_TCPRST (RFC 8684 §3.6, v1 only).");
  rst.def(py::init([](uint8_t flags, uint8_t reason) { return mo::MpTcprst{flags, reason}; }),
          py::kw_only(), py::arg("flags") = 0, py::arg("reason") = 0)
      .def_readwrite("flags", &mo::MpTcprst::flags, "Low nibble: U V W T.")
      .def_readwrite("reason", &mo::MpTcprst::reason, "Raw reason code.")
      .def_property_readonly("transient", &mo::MpTcprst::transient, "Flag T.")
      .def_property_readonly(
          "reason_name", [](const mo::MpTcprst& r) { return mo::MpTcprstReasonName(r.reason); },
          "IANA name of the reason, or 'UNASSIGNED'.");
  rst.attr("SUBTYPE") = uint8_t(mo::Subtype::kMpTcprst);
  rst.attr("FLAG_TRANSIENT") = mo::MpTcprst::kFlagTransient;
  AddValueProtocol(rst);

  py::class_<mo::MpPreferProxy> pp(m, "MpPreferProxy", R"doc(MP_PREFER_PROXY
(draft-boucadair-mptcp-plain-mode-10 §4). Its subtype was never assigned; it
is configurable (decisions.md D5) to 0x9..0xE, default 0xE.)doc");
  // The same range as prefer_proxy_subtype= (PreferProxySubtype): what can be
  // built is what can be configured, decoded and encoded.
  pp.def(py::init([](const py::int_& subtype) {
           return mo::MpPreferProxy{RequirePreferProxySubtype(subtype, "MpPreferProxy.subtype", "")};
         }),
         py::kw_only(), py::arg("subtype") = mo::kDefaultPreferProxySubtype)
      .def_property(
          "subtype", [](const mo::MpPreferProxy& p) { return p.subtype.value(); },
          [](mo::MpPreferProxy& p, const py::int_& subtype) {
            p.subtype = RequirePreferProxySubtype(subtype, "MpPreferProxy.subtype", "");
          });
  pp.attr("DEFAULT_SUBTYPE") = mo::kDefaultPreferProxySubtype;
  AddValueProtocol(pp);

  py::class_<UnknownMptcp> unk(m, "UnknownMptcp", R"doc(An MPTCP option the codec does not
interpret (private use 0xF, unassigned, MP_TCPRST in v0): the whole option.)doc");
  unk.def(py::init([](const Bytes& raw) {
            return UnknownMptcp{std::string(raw.data.begin(), raw.data.end())};
          }),
          py::kw_only(), py::arg("raw") = Bytes{})
      .def_property(
          "raw", [](const UnknownMptcp& u) { return py::bytes(u.raw); },
          [](UnknownMptcp& u, const Bytes& b) { u.raw.assign(b.data.begin(), b.data.end()); },
          "The whole option, Kind first; encode() writes it back unchanged.")
      .def_property_readonly("subtype", &UnknownMptcp::subtype,
                             "High nibble of byte 2, None if raw is shorter than 3 bytes.");
  AddValueProtocol(unk);

  // MP_CONVERT IE (SYN payload, not a TCP option).
  py::class_<mo::MpConvertIe> ie(m, "MpConvertIe", R"doc(One MP_CONVERT Type-0 IE
(draft-boucadair-mptcp-plain-mode-10 §5): source (D=1) or destination address
and optional port.)doc");
  ie.def(py::init([](bool source, mo::IpAddress address, std::optional<uint16_t> port) {
           return mo::MpConvertIe{source, address, port};
         }),
         py::kw_only(), py::arg("source") = false, py::arg("address") = mo::IpAddress{},
         py::arg("port") = py::none())
      .def_readwrite("source", &mo::MpConvertIe::source, "D bit: True = source, False = destination.")
      .def_readwrite("address", &mo::MpConvertIe::address)
      .def_readwrite("port", &mo::MpConvertIe::port);
  AddValueProtocol(ie);

  // Plain TCP options for build_option_area() and the editor.
  py::class_<mo::Mss> mss(m, "Mss", "TCP MSS option (Kind 2).");
  mss.def(py::init([](uint16_t value) { return mo::Mss{value}; }), py::arg("value") = 0)
      .def_readwrite("value", &mo::Mss::value);
  AddValueProtocol(mss);

  py::class_<mo::SackPermitted> sack(m, "SackPermitted", "TCP SACK-permitted option (Kind 4).");
  sack.def(py::init<>());
  AddValueProtocol(sack);

  py::class_<mo::Timestamps> ts(m, "Timestamps", "TCP timestamps option (Kind 8).");
  ts.def(py::init([](uint32_t value, uint32_t echo_reply) {
           return mo::Timestamps{value, echo_reply};
         }),
         py::arg("value") = 0, py::arg("echo_reply") = 0)
      .def_readwrite("value", &mo::Timestamps::value)
      .def_readwrite("echo_reply", &mo::Timestamps::echo_reply);
  AddValueProtocol(ts);

  py::class_<mo::WindowScale> ws(m, "WindowScale", "TCP window scale option (Kind 3).");
  ws.def(py::init([](uint8_t shift) { return mo::WindowScale{shift}; }), py::arg("shift") = 0)
      .def_readwrite("shift", &mo::WindowScale::shift);
  AddValueProtocol(ws);

  py::class_<RawOption> rawopt(m, "RawOption",
                               "Any other TCP option: Kind and the bytes after the Length.");
  rawopt
      .def(py::init([](uint8_t kind, const Bytes& value) {
             return RawOption{kind, std::string(value.data.begin(), value.data.end())};
           }),
           py::arg("kind"), py::arg("value") = Bytes{})
      .def_readwrite("kind", &RawOption::kind)
      .def_property(
          "value", [](const RawOption& r) { return py::bytes(r.value); },
          [](RawOption& r, const Bytes& b) { r.value.assign(b.data.begin(), b.data.end()); });
  AddValueProtocol(rawopt);
}

void BindFunctions(py::module_& m) {
  // Decoding.
  m.def(
      "decode",
      [](const Bytes& data, int version, const std::optional<py::int_>& prefer_proxy_subtype) {
        const mo::CodecConfig config = ToConfig(version, prefer_proxy_subtype);
        auto [s, obj] = TryDecode(data.span(), config);
        if (s != mo::DecodeStatus::kOk) {
          Raise(g_types.decode_error, mo::StatusName(s), DecodeMessage(data.span(), s, config));
        }
        return obj;
      },
      py::arg("data"), py::kw_only(), py::arg("version") = 1,
      py::arg("prefer_proxy_subtype") = mo::kDefaultPreferProxySubtype,
      R"doc(Decodes one MPTCP option (Kind 30, starting at the Kind byte; bytes past its
Length are ignored) into the object its subtype and Length name. version is
the connection's MPTCP version (ADD_ADDR and MP_PRIO layouts, MP_TCPRST);
prefer_proxy_subtype is MP_PREFER_PROXY's subtype, one IANA left unassigned,
0x9..0xE (decisions.md D5), or None to disable it; any other value raises
ValueError. Raises DecodeError.)doc");
  m.def(
      "try_decode",
      [](const Bytes& data, int version, const std::optional<py::int_>& prefer_proxy_subtype) {
        auto [s, obj] = TryDecode(data.span(), ToConfig(version, prefer_proxy_subtype));
        return py::make_tuple(mo::StatusName(s), obj);
      },
      py::arg("data"), py::kw_only(), py::arg("version") = 1,
      py::arg("prefer_proxy_subtype") = mo::kDefaultPreferProxySubtype,
      "Like decode(), but returns (status_name, option or None) and never raises DecodeError.");

  m.def("encode", &Encode, py::arg("option"),
        "Encodes one MPTCP option object to bytes. Raises EncodeError (INVALID_VALUE when "
        "the value has no wire form).");
  m.def("encoded_size", &EncodedSize, py::arg("option"),
        "Bytes encode() would write; 0 when the value has no wire form.");
  m.def(
      "subtype_name",
      [](py::object option, int version,
         const std::optional<py::int_>& prefer_proxy_subtype) -> std::string {
        if (PyLong_Check(option.ptr())) {
          return mo::SubtypeName(ToSubtype(option.cast<int>()),
                                 ToConfig(version, prefer_proxy_subtype));
        }
        return mo::SubtypeName(RequireCppOption(option, "subtype_name").option);
      },
      py::arg("option"), py::kw_only(), py::arg("version") = 1,
      py::arg("prefer_proxy_subtype") = mo::kDefaultPreferProxySubtype,
      "'MP_CAPABLE', 'MP_JOIN', 'DSS', ... for an option object or a subtype number "
      "(version and prefer_proxy_subtype apply to numbers only).");

  // Walking and building option areas.
  m.def(
      "walk_options",
      [](const Bytes& area, int version, const std::optional<py::int_>& prefer_proxy_subtype) {
        WalkResult r = Walk(area.span(), ToConfig(version, prefer_proxy_subtype));
        return py::make_tuple(mo::StatusName(r.status), r.entries);
      },
      py::arg("area"), py::kw_only(), py::arg("version") = 1,
      py::arg("prefer_proxy_subtype") = mo::kDefaultPreferProxySubtype,
      "Walks a TCP option area (<= 40 bytes): (status_name, [TcpOption, ...]) with the "
      "options before any structural error. Never raises WalkError.");
  m.def(
      "iter_options",
      [](const Bytes& area, int version, const std::optional<py::int_>& prefer_proxy_subtype) {
        return std::make_unique<OptionIterator>(
            Walk(area.span(), ToConfig(version, prefer_proxy_subtype)), area.data.size());
      },
      py::arg("area"), py::kw_only(), py::arg("version") = 1,
      py::arg("prefer_proxy_subtype") = mo::kDefaultPreferProxySubtype,
      "Iterates over the TcpOption entries of a TCP option area; after the last one "
      "before a structural error, raises WalkError (.status, .offset).");
  m.def("build_option_area", &BuildOptionArea, py::arg("options"),
        "Packs option objects (MPTCP options, Mss, SackPermitted, Timestamps, WindowScale, "
        "RawOption) into one NOP-aligned option area. Raises EncodeError "
        "(NO_OPTION_SPACE, INVALID_VALUE).");

  // Segment editing.
  m.def("edit_segment", &EditSegment, py::arg("segment"), py::kw_only(),
        py::arg("insert") = py::tuple(), py::arg("remove_subtypes") = std::vector<int>{},
        py::arg("clamp_mss") = py::none(),
        "Returns a copy of the TCP segment (header + payload) with the MPTCP options of "
        "remove_subtypes removed, then the insert options appended, then the MSS clamped; "
        "the checksum is updated incrementally. Nothing to remove or clamp is not an error. "
        "Raises EditError.");

  // MP_CONVERT IEs.
  m.def(
      "parse_mp_convert_ies",
      [](const Bytes& payload) {
        IeParse p = ParseIes(payload);
        if (p.status == mo::IeStatus::kNoIe) {
          return py::make_tuple(py::list(), 0, 0);
        }
        if (p.status != mo::IeStatus::kOk) {
          Raise(g_types.ie_error, mo::StatusName(p.status), IeMessage(p.status, p.consumed),
                p.consumed);
        }
        return py::make_tuple(py::cast(p.ies), p.consumed, p.skipped);
      },
      py::arg("payload"),
      "Parses the MP_CONVERT IEs at the start of a SYN payload: (ies, consumed, "
      "skipped_unknown_type); application data starts at payload[consumed]. No magic "
      "number (NO_IE) gives ([], 0, 0). Raises IeError on malformed IEs.");
  m.def(
      "try_parse_mp_convert_ies",
      [](const Bytes& payload) {
        IeParse p = ParseIes(payload);
        return py::make_tuple(mo::StatusName(p.status), py::cast(p.ies), p.consumed, p.skipped);
      },
      py::arg("payload"),
      "(status_name, ies, consumed, skipped_unknown_type); never raises IeError. On an "
      "error, ies are those parsed before it and consumed is the offset of the bad IE.");
  m.def("build_mp_convert_ies", &BuildIes, py::arg("ies"),
        "Encodes one or two MpConvertIe (different directions, allowed addresses), M=1 on "
        "the last. Raises EncodeError (INVALID_VALUE).");
  m.def(
      "is_exact_echo",
      [](const Bytes& sent, const Bytes& syn_ack_payload) {
        return mo::IsExactEcho(sent.span(), syn_ack_payload.span());
      },
      py::arg("sent"), py::arg("syn_ack_payload"),
      "True when syn_ack_payload starts with the (non-empty) IE bytes sent (D3).");
  m.def("is_allowed_ie_address", &mo::IsAllowedIeAddress, py::arg("address"),
        "False for unspecified, loopback, multicast and broadcast addresses (also "
        "IPv4-mapped).");

  // MP_PREFER_PROXY and MP_TCPRST helpers.
  m.def(
      "is_valid_prefer_proxy_subtype",
      [](const py::int_& subtype) { return PreferProxySubtypeFrom(subtype).has_value(); },
      py::arg("subtype"),
      "True for the unassigned subtypes 0x9..0xE, the values prefer_proxy_subtype= takes.");
  m.def("is_prefer_proxy_applicable", &mo::IsPreferProxyApplicable, py::arg("syn"),
        py::arg("ack"), py::arg("has_mp_capable"),
        "MP_PREFER_PROXY counts only in a SYN (not SYN/ACK) carrying MP_CAPABLE (D10).");
  m.def(
      "mp_tcprst_reason_name", [](uint8_t reason) { return mo::MpTcprstReasonName(reason); },
      py::arg("reason"), "IANA name of an MP_TCPRST reason code, or 'UNASSIGNED'.");

  // TCP checksum.
  m.def(
      "tcp_checksum",
      [](const mo::IpAddress& src, const mo::IpAddress& dst, const Bytes& segment) {
        if (src.family() != dst.family()) {
          throw py::value_error("src and dst must be the same address family");
        }
        return mo::TcpChecksum(src, dst, segment.span());
      },
      py::arg("src"), py::arg("dst"), py::arg("segment"),
      "TCP checksum under the IPv4/IPv6 pseudo-header: with the checksum field zeroed, the "
      "value to store; over a received segment, 0 when it is valid.");
  m.def(
      "ones_complement_sum",
      [](const Bytes& data, uint32_t initial) {
        return mo::OnesComplementSum(data.span(), initial);
      },
      py::arg("data"), py::arg("initial") = 0, "Folded 16-bit one's-complement sum.");
  m.def("update_checksum", &mo::UpdateChecksum, py::arg("checksum"), py::arg("old_sum"),
        py::arg("new_sum"), "RFC 1624 eqn. 3 incremental checksum update.");

  // Crypto.
  m.def(
      "hash_key",
      [](uint64_t key, int version) { return ToPyBytes(mo::HashKey(key, ToVersion(version)).view()); },
      py::arg("key"), py::arg("version") = 1,
      "SHA-1 (v0) or SHA-256 (v1) of the key's 8 big-endian bytes.");
  m.def(
      "token", [](uint64_t key, int version) { return mo::Token(key, ToVersion(version)); },
      py::arg("key"), py::arg("version") = 1, "Most significant 32 bits of hash_key(key).");
  m.def(
      "idsn", [](uint64_t key, int version) { return mo::Idsn(key, ToVersion(version)); },
      py::arg("key"), py::arg("version") = 1,
      "Least significant 64 bits of hash_key(key): the initial data sequence number.");
  m.def(
      "hmac_digest",
      [](int version, const Bytes& key, const Bytes& message) {
        return ToPyBytes(mo::Hmac(ToVersion(version), key.span(), message.span()).view());
      },
      py::arg("version"), py::arg("key"), py::arg("message"),
      "HMAC-SHA1 (v0) or HMAC-SHA256 (v1) of message under key.");
  m.def(
      "join_hmac",
      [](int version, uint64_t own_key, uint64_t peer_key, uint32_t own_nonce,
         uint32_t peer_nonce) {
        return ToPyBytes(
            mo::JoinHmac(ToVersion(version), own_key, peer_key, own_nonce, peer_nonce).view());
      },
      py::arg("version"), py::arg("own_key"), py::arg("peer_key"), py::arg("own_nonce"),
      py::arg("peer_nonce"),
      "HMAC(own key || peer key, own nonce || peer nonce), the full digest (RFC 8684 §3.2).");
  m.def(
      "join_syn_ack_truncated_hmac",
      [](int version, uint64_t responder_key, uint64_t initiator_key, uint32_t responder_nonce,
         uint32_t initiator_nonce) {
        return mo::JoinSynAckTruncatedHmac(ToVersion(version), responder_key, initiator_key,
                                           responder_nonce, initiator_nonce);
      },
      py::arg("version"), py::arg("responder_key"), py::arg("initiator_key"),
      py::arg("responder_nonce"), py::arg("initiator_nonce"),
      "MP_JOIN SYN/ACK: leftmost 64 bits of the responder's HMAC, as an int.");
  m.def(
      "join_ack_hmac",
      [](int version, uint64_t initiator_key, uint64_t responder_key, uint32_t initiator_nonce,
         uint32_t responder_nonce) {
        return ToPyBytes(mo::JoinAckHmac(ToVersion(version), initiator_key, responder_key,
                                         initiator_nonce, responder_nonce));
      },
      py::arg("version"), py::arg("initiator_key"), py::arg("responder_key"),
      py::arg("initiator_nonce"), py::arg("responder_nonce"),
      "MP_JOIN ACK: leftmost 160 bits (20 bytes) of the initiator's HMAC.");
  m.def(
      "add_addr_hmac",
      [](uint64_t sender_key, uint64_t receiver_key, uint8_t address_id,
         const mo::IpAddress& address, std::optional<uint16_t> port, const std::string& variant) {
        return mo::AddAddrHmac(sender_key, receiver_key, address_id, address, port,
                               ToVariant(variant));
      },
      py::arg("sender_key"), py::arg("receiver_key"), py::arg("address_id"), py::arg("address"),
      py::arg("port") = py::none(), py::arg("variant") = "rfc8684",
      "v1 ADD_ADDR truncated HMAC as an int. variant: 'rfc8684' (default), "
      "'linux-port-always-zero', 'linux-leftmost-port-zero'.");
  m.def(
      "constant_time_equal",
      [](const Bytes& a, const Bytes& b) { return mo::ConstantTimeEqual(a.span(), b.span()); },
      py::arg("a"), py::arg("b"),
      "Constant-time comparison of two byte strings (False when the lengths differ).");
  m.def(
      "constant_time_equal", [](uint64_t a, uint64_t b) { return mo::HmacEqual(a, b); },
      py::arg("a"), py::arg("b"), "Constant-time comparison of two 64-bit truncated HMACs.");
}

}  // namespace
}  // namespace mptcp_opts_py

PYBIND11_MODULE(mptcp_opts, m) {
  using namespace mptcp_opts_py;
  m.doc() = R"doc(MPTCP option codec (RFC 8684 / RFC 6824, MP_PREFER_PROXY and MP_CONVERT IEs
of draft-boucadair-mptcp-plain-mode-10): Python bindings of the C++ library
mptcp_opts. See README.md for the error model.)doc";

  py::dict globals;
  globals["__name__"] = "mptcp_opts";
  globals["__builtins__"] = py::module_::import("builtins");
  py::exec(kPythonSource, globals);
  for (const char* name : {"MptcpOptsError", "DecodeError", "EncodeError", "WalkError", "IeError",
                           "EditError", "TcpOption"}) {
    m.attr(name) = globals[name];
  }
  g_types.decode_error = globals["DecodeError"].ptr();
  g_types.encode_error = globals["EncodeError"].ptr();
  g_types.walk_error = globals["WalkError"].ptr();
  g_types.ie_error = globals["IeError"].ptr();
  g_types.edit_error = globals["EditError"].ptr();
  g_types.tcp_option = globals["TcpOption"].ptr();
  for (PyObject* t : {g_types.decode_error, g_types.encode_error, g_types.walk_error,
                      g_types.ie_error, g_types.edit_error, g_types.tcp_option}) {
    Py_INCREF(t);  // held for the life of the process
  }

  m.attr("__version__") = std::string(mo::kVersion);
  m.attr("KIND_MPTCP") = mo::kKindMptcp;
  m.attr("MAX_OPTION_AREA_BYTES") = mo::kMaxOptionAreaBytes;
  m.attr("DEFAULT_PREFER_PROXY_SUBTYPE") = mo::kDefaultPreferProxySubtype;
  m.attr("MP_CONVERT_MAGIC") =
      py::bytes(reinterpret_cast<const char*>(mo::kMpConvertMagic.data()), 4);

  BindOptionClasses(m);

  py::class_<OptionIterator>(m, "OptionIterator", "Iterator returned by iter_options().")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &OptionIterator::Next);

  py::class_<SegmentEditor>(m, "SegmentEditor", R"doc(Edits a copy of a TCP segment (header
and payload, starting at the TCP source port): insert options, remove MPTCP
subtypes, clamp the MSS. The checksum is updated incrementally, so it stays
valid exactly when it was valid before. Raises EditError.)doc")
      .def(py::init([](const Bytes& segment) {
             return std::make_unique<SegmentEditor>(segment.span());
           }),
           py::arg("segment"))
      .def("insert", &SegmentEditor::Insert, py::arg("option"),
           "Appends an option object or the bytes of one whole option.")
      .def("remove_mptcp_subtype", &SegmentEditor::RemoveMptcpSubtype, py::arg("subtype"),
           "Removes every MPTCP option with this subtype; False when there was none.")
      .def("clamp_mss", &SegmentEditor::ClampMss, py::arg("max_mss"),
           "Lowers an MSS above max_mss; False when there is none or it is already lower.")
      .def_property_readonly("segment", &SegmentEditor::Segment, "The edited segment.")
      .def_property_readonly("header_length", &SegmentEditor::HeaderLength)
      .def_property_readonly("area", &SegmentEditor::Area, "The current option area.");

  BindFunctions(m);
}
