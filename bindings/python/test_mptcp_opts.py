# SPDX-License-Identifier: Apache-2.0
"""pytest for the mptcp_opts Python bindings.

Run by Bazel (`bazel test //bindings/python:test_mptcp_opts`; per-case results
go to $XML_OUTPUT_FILE) or by hand against a built module:

    ./dev python -m pytest -q -p no:cacheprovider bindings/python/test_mptcp_opts.py

Vectors are those of the C++ tests (mptcp_opts/*_test.cc) and of
../shared/spec/wire-formats.md §9 (crypto).
"""
import ast
import copy
import hashlib
import hmac
import ipaddress
import os
import pickle
import re
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of Bazel's runfiles
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pytest  # noqa: E402

import mptcp_opts as m  # noqa: E402

if getattr(m, "__file__", None) is None:  # the source directory mptcp_opts/, not the module
    raise ImportError("mptcp_opts resolved to a namespace package (%s): build "
                      "//bindings/python:mptcp_opts.so and put its directory on PYTHONPATH"
                      % list(m.__path__))
from mptcp_opts import (  # noqa: E402
    AddAddr,
    DecodeError,
    Dss,
    DssMapping,
    EditError,
    EncodeError,
    IeError,
    MpCapable,
    MpConvertIe,
    MpFail,
    MpFastclose,
    MpJoinAck,
    MpJoinSyn,
    MpJoinSynAck,
    MpPreferProxy,
    MpPrio,
    MpTcprst,
    Mss,
    RawOption,
    RemoveAddr,
    SackPermitted,
    Timestamps,
    UnknownMptcp,
    WalkError,
    WindowScale,
)

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address


def H(text):
    """Hex (spaces allowed) to bytes."""
    return bytes.fromhex(text.replace(" ", ""))


KEY_A = 0x0102030405060708
KEY_B = 0x1112131415161718
NONCE_A = 0x01020304
NONCE_B = 0x05060708

# ---------------------------------------------------------------------------
# Every form: (hex, MPTCP version, expected value, subtype name). From
# mptcp_option_test.cc kV1Cases plus the per-subtype tests.

FORMS = [
    # MP_CAPABLE
    ("1e 04 01 81", 1, MpCapable(version=1, flags=0x81), "MP_CAPABLE"),
    ("1e 0c 01 01 0102030405060708", 1, MpCapable(sender_key=KEY_A), "MP_CAPABLE"),
    ("1e 0c 01 21 0102030405060708", 1, MpCapable(flags=0x21, sender_key=KEY_A), "MP_CAPABLE"),
    ("1e 14 01 01 0102030405060708 1112131415161718", 1,
     MpCapable(sender_key=KEY_A, receiver_key=KEY_B), "MP_CAPABLE"),
    ("1e 16 01 01 0102030405060708 1112131415161718 0010", 1,
     MpCapable(sender_key=KEY_A, receiver_key=KEY_B, data_level_length=16), "MP_CAPABLE"),
    ("1e 16 01 01 0102030405060708 1112131415161718 05 dc", 1,
     MpCapable(sender_key=KEY_A, receiver_key=KEY_B, data_level_length=1500), "MP_CAPABLE"),
    ("1e 18 01 81 0102030405060708 1112131415161718 0010 abcd", 1,
     MpCapable(flags=0x81, sender_key=KEY_A, receiver_key=KEY_B, data_level_length=16,
               checksum=0xABCD), "MP_CAPABLE"),
    ("1e 0c 00 81 0102030405060708", 1,
     MpCapable(version=0, flags=0x81, sender_key=KEY_A), "MP_CAPABLE"),
    ("1e 14 00 81 0102030405060708 1112131415161718", 0,
     MpCapable(version=0, flags=0x81, sender_key=KEY_A, receiver_key=KEY_B), "MP_CAPABLE"),
    # MP_JOIN
    ("1e 0c 10 01 ccad45ac 01020304", 1,
     MpJoinSyn(backup=False, address_id=1, token=0xCCAD45AC, nonce=NONCE_A), "MP_JOIN"),
    ("1e 0c 11 05 ccad45ac 01020304", 1,
     MpJoinSyn(backup=True, address_id=5, token=0xCCAD45AC, nonce=NONCE_A), "MP_JOIN"),
    ("1e 10 11 01 65ee096833f661d9 05060708", 1,
     MpJoinSynAck(backup=True, address_id=1, truncated_hmac=0x65EE096833F661D9, nonce=NONCE_B),
     "MP_JOIN"),
    ("1e 10 10 00 65ee096833f661d9 05060708", 1,
     MpJoinSynAck(truncated_hmac=0x65EE096833F661D9, nonce=NONCE_B), "MP_JOIN"),
    ("1e 18 10 00 24bdde08dfc55c9b4185e1b56b2f89db241ac0f2", 1,
     MpJoinAck(hmac=H("24bdde08dfc55c9b4185e1b56b2f89db241ac0f2")), "MP_JOIN"),
    # DSS
    ("1e 08 20 01 11223344", 1, Dss(data_ack=0x11223344), "DSS"),
    ("1e 0c 20 03 1122334455667788", 1,
     Dss(data_ack=0x1122334455667788, data_ack_8_bytes=True), "DSS"),
    ("1e 1a 20 0f 0000000000000064 00000000000003e8 00000001 05a0", 1,
     Dss(data_ack=100, mapping=DssMapping(dsn=1000, subflow_seq=1, data_level_length=1440),
         data_ack_8_bytes=True, dsn_8_bytes=True), "DSS"),
    ("1e 10 20 14 0000abcd 00000005 0001 beef", 1,
     Dss(mapping=DssMapping(dsn=0xABCD, subflow_seq=5, data_level_length=1, checksum=0xBEEF),
         data_fin=True), "DSS"),
    ("1e 04 20 00", 1, Dss(), "DSS"),
    ("1e 04 20 0a", 1, Dss(data_ack_8_bytes=True, dsn_8_bytes=True), "DSS"),
    # ADD_ADDR v1
    ("1e 10 30 01 c0000201 df24410fac2c3edb", 1,
     AddAddr(address_id=1, address=IPv4("192.0.2.1"), truncated_hmac=0xDF24410FAC2C3EDB),
     "ADD_ADDR"),
    ("1e 12 30 01 c0000201 1f90 68e8377eb37c4afa", 1,
     AddAddr(address_id=1, address=IPv4("192.0.2.1"), port=8080,
             truncated_hmac=0x68E8377EB37C4AFA), "ADD_ADDR"),
    ("1e 1c 30 02 20010db8000000000000000000000001 0f4ad3095f39843d", 1,
     AddAddr(address_id=2, address=IPv6("2001:db8::1"), truncated_hmac=0x0F4AD3095F39843D),
     "ADD_ADDR"),
    ("1e 1e 30 02 20010db8000000000000000000000001 1f90 0f4ad3095f39843d", 1,
     AddAddr(address_id=2, address=IPv6("2001:db8::1"), port=8080,
             truncated_hmac=0x0F4AD3095F39843D), "ADD_ADDR"),
    ("1e 08 31 01 c0000201", 1,
     AddAddr(echo=True, address_id=1, address=IPv4("192.0.2.1")), "ADD_ADDR"),
    ("1e 0a 31 01 c0000201 1f90", 1,
     AddAddr(echo=True, address_id=1, address=IPv4("192.0.2.1"), port=8080), "ADD_ADDR"),
    ("1e 14 31 02 20010db8000000000000000000000001", 1,
     AddAddr(echo=True, address_id=2, address=IPv6("2001:db8::1")), "ADD_ADDR"),
    ("1e 16 31 02 20010db8000000000000000000000001 1f90", 1,
     AddAddr(echo=True, address_id=2, address=IPv6("2001:db8::1"), port=8080), "ADD_ADDR"),
    # ADD_ADDR v0
    ("1e 08 34 03 0a000001", 0,
     AddAddr(version=0, address_id=3, address=IPv4("10.0.0.1")), "ADD_ADDR"),
    ("1e 0a 34 03 0a000001 0050", 0,
     AddAddr(version=0, address_id=3, address=IPv4("10.0.0.1"), port=80), "ADD_ADDR"),
    ("1e 14 36 03 fd000000000000000000000000000001", 0,
     AddAddr(version=0, address_id=3, address=IPv6("fd00::1")), "ADD_ADDR"),
    ("1e 16 36 03 fd000000000000000000000000000001 0050", 0,
     AddAddr(version=0, address_id=3, address=IPv6("fd00::1"), port=80), "ADD_ADDR"),
    # REMOVE_ADDR
    ("1e 04 40 07", 1, RemoveAddr(ids=[7]), "REMOVE_ADDR"),
    ("1e 06 40 01 02 03", 1, RemoveAddr(ids=[1, 2, 3]), "REMOVE_ADDR"),
    # MP_PRIO
    ("1e 03 51", 1, MpPrio(backup=True), "MP_PRIO"),
    ("1e 03 50", 0, MpPrio(version=0), "MP_PRIO"),
    ("1e 04 50 09", 0, MpPrio(version=0, address_id=9), "MP_PRIO"),
    # MP_FAIL, MP_FASTCLOSE
    ("1e 0c 60 00 0102030405060708", 1, MpFail(dsn=KEY_A), "MP_FAIL"),
    ("1e 0c 70 00 1112131415161718", 1, MpFastclose(receiver_key=KEY_B), "MP_FASTCLOSE"),
    # MP_TCPRST
    ("1e 04 81 02", 1, MpTcprst(flags=1, reason=2), "MP_TCPRST"),
    ("1e 04 80 c8", 1, MpTcprst(flags=0, reason=200), "MP_TCPRST"),
    # MP_PREFER_PROXY (default subtype 0xE)
    ("1e 04 e0 00", 1, MpPreferProxy(subtype=0xE), "MP_PREFER_PROXY"),
    # Unknown subtypes are values, not errors.
    ("1e 05 f0 aa bb", 1, UnknownMptcp(raw=H("1e05f0aabb")), "UNKNOWN"),
    ("1e 03 90", 1, UnknownMptcp(raw=H("1e0390")), "UNKNOWN"),
    ("1e 04 81 02", 0, UnknownMptcp(raw=H("1e048102")), "UNKNOWN"),  # no MP_TCPRST in v0
]

FORM_IDS = ["%s-v%d-%s" % (name, v, h.replace(" ", "")) for h, v, _, name in FORMS]


def repr_namespace():
    ns = {name: getattr(m, name) for name in dir(m) if not name.startswith("_")}
    ns.update(IPv4Address=IPv4, IPv6Address=IPv6)
    return ns


@pytest.mark.parametrize("hex_, version, expected, name", FORMS, ids=FORM_IDS)
def test_every_form_decodes_encodes_and_reprs(hex_, version, expected, name):
    data = H(hex_)
    got = m.decode(data, version=version)
    assert type(got) is type(expected)
    assert got == expected, (got, expected)
    assert m.encode(got) == data
    assert m.encode(expected) == data, "a value built by keywords encodes to the vector"
    assert m.encoded_size(got) == len(data)
    assert m.subtype_name(got) == name
    assert m.subtype_name(data[2] >> 4, version=version) == name
    assert m.try_decode(data, version=version) == ("OK", expected)
    again = eval(repr(got), repr_namespace())  # noqa: S307 - our own repr
    assert again == got
    # Bytes past the option's Length are not read; bytearray/memoryview work.
    assert m.decode(bytearray(data) + b"\x01\x01", version=version) == expected
    assert m.decode(memoryview(data), version=version) == expected


@pytest.mark.parametrize("hex_, version, expected, name", FORMS, ids=FORM_IDS)
def test_every_prefix_is_truncated(hex_, version, expected, name):
    data = H(hex_)
    for cut in range(len(data)):
        with pytest.raises(DecodeError) as e:
            m.decode(data[:cut], version=version)
        assert e.value.status == "TRUNCATED", cut
        assert m.try_decode(data[:cut], version=version) == ("TRUNCATED", None)


def test_version_is_the_one_in_version_h():
    # mptcp_opts/version.h is the one place the version is written.
    with open(os.path.join(HERE, "..", "..", "mptcp_opts", "version.h"), encoding="utf-8") as f:
        found = re.search(r'kVersion\s*=\s*"([^"]+)"', f.read())
    assert found, "no kVersion in mptcp_opts/version.h"
    assert m.__version__ == found.group(1)
    assert re.fullmatch(r"\d+\.\d+\.\d+", m.__version__)


def test_repr_is_readable_with_hex_keys():
    c = m.decode(H("1e 0c 01 81 0102030405060708"))
    assert repr(c) == ("MpCapable(version=1, flags=0x81, sender_key=0x0102030405060708, "
                       "receiver_key=None, data_level_length=None, checksum=None)")
    assert repr(MpJoinSyn(token=0xCCAD45AC)) == (
        "MpJoinSyn(backup=False, address_id=0, token=0xccad45ac, nonce=0x00000000)")
    assert repr(AddAddr(address="192.0.2.1", truncated_hmac=1)) == (
        "AddAddr(version=1, echo=False, address_id=0, address=IPv4Address('192.0.2.1'), "
        "port=None, truncated_hmac=0x0000000000000001)")
    assert repr(MpJoinAck(hmac=bytes(range(20)))) == (
        "MpJoinAck(hmac=bytes.fromhex('000102030405060708090a0b0c0d0e0f10111213'))")
    assert repr(RemoveAddr(ids=[1, 2])) == "RemoveAddr(ids=[1, 2])"
    assert repr(MpPreferProxy()) == "MpPreferProxy(subtype=0xe)"
    assert repr(Timestamps(1, 2)) == "Timestamps(value=1, echo_reply=2)"


# ---------------------------------------------------------------------------
# Attributes and flag helpers.


def test_mp_capable_flags_and_optional_fields():
    syn = m.decode(H("1e 04 01 81"))
    assert syn.version == 1 and syn.flags == 0x81
    assert syn.checksum_required and syn.hmac_sha256 and not syn.hmac_sha1
    assert syn.sender_key is None and syn.receiver_key is None
    assert syn.data_level_length is None and syn.checksum is None
    synack = m.decode(H("1e 0c 01 21 0102030405060708"))
    assert synack.no_joins_to_this_address and not synack.checksum_required
    assert synack.sender_key == KEY_A and synack.receiver_key is None
    v0 = m.decode(H("1e 0c 00 21 0102030405060708"))
    assert v0.hmac_sha1 and not v0.hmac_sha256
    assert not v0.no_joins_to_this_address, "in v0 the C bit is a crypto bit"
    assert MpCapable(flags=MpCapable.FLAG_B).extensibility
    assert syn.usable_by_receiver and v0.usable_by_receiver
    assert not m.decode(H("1e 04 01 41")).usable_by_receiver, "B set: fall back"
    assert not m.decode(H("1e 04 01 80")).usable_by_receiver, "no H: fall back"
    assert MpCapable.FLAG_A == 0x80 and MpCapable.FLAG_H == 0x01 and MpCapable.SUBTYPE == 0
    assert MpCapable() == MpCapable(version=1, flags=1)  # the C++ default


def test_mp_tcprst_and_dss_helpers():
    r = m.decode(H("1e 04 81 02"))
    assert r.transient and r.reason_name == "LACK_OF_RESOURCES"
    assert MpTcprst(reason=200).reason_name == "UNASSIGNED"
    assert m.mp_tcprst_reason_name(6) == "MIDDLEBOX_INTERFERENCE"
    assert MpTcprst.FLAG_TRANSIENT == 1
    d = m.decode(H("1e 1a 20 0f 0000000000000064 00000000000003e8 00000001 05a0"))
    assert d.flags == 0x0F
    assert d.flags == Dss.FLAG_ACK | Dss.FLAG_ACK_8 | Dss.FLAG_MAPPING | Dss.FLAG_DSN_8
    assert d.mapping.checksum is None and not d.data_fin
    assert m.decode(H("1e 10 20 14 0000abcd 00000005 0001 beef")).flags == (
        Dss.FLAG_DATA_FIN | Dss.FLAG_MAPPING)


def test_attributes_are_writable_and_dss_mapping_is_a_view():
    d = Dss(data_ack=1, mapping=DssMapping(dsn=2, subflow_seq=3, data_level_length=4))
    d.mapping.dsn = 99
    assert d.mapping.dsn == 99, "d.mapping refers into d"
    d.mapping = None
    assert m.encode(d) == H("1e 08 20 01 00000001")
    a = AddAddr(echo=True)
    a.address = "2001:db8::7"
    assert a.address == IPv6("2001:db8::7")
    a.address = IPv4("198.51.100.1")
    a.port = 443
    assert m.encode(a) == H("1e 0a 31 00 c6336401 01bb")
    ack = MpJoinAck()
    assert ack.hmac == bytes(20)
    ack.hmac = bytearray(range(20))
    assert ack.hmac == bytes(range(20))
    u = UnknownMptcp(raw=H("1e 03 f0"))
    assert u.subtype == 0xF
    assert UnknownMptcp().subtype is None


def test_field_validation_errors():
    with pytest.raises(ValueError):
        MpJoinAck(hmac=b"short")
    with pytest.raises(ValueError):
        AddAddr(address="not an address")
    with pytest.raises(ValueError):
        AddAddr(version=2)
    with pytest.raises(ValueError):
        MpPrio().version = 7
    with pytest.raises(TypeError):
        MpJoinSyn(token=1 << 32)  # does not fit the 32-bit field
    with pytest.raises(TypeError):
        MpCapable(1)  # keyword-only
    with pytest.raises(TypeError):
        AddAddr(address=b"\xc0\x00\x02\x01")  # bytes are not an address


def test_value_semantics_equality_copy_hash():
    a = MpCapable(sender_key=1)
    b = copy.copy(a)
    assert a == b and a is not b
    b.sender_key = 2
    assert a != b
    assert copy.deepcopy(Dss(mapping=DssMapping(dsn=5))) == Dss(mapping=DssMapping(dsn=5))
    assert MpCapable() != MpJoinSyn() and MpCapable() != 0
    with pytest.raises(TypeError):
        hash(MpCapable())
    assert Mss(1460) == Mss(1460) != Mss(536)
    assert SackPermitted() == SackPermitted()
    assert RawOption(34, b"ab") == RawOption(kind=34, value=b"ab")


# ---------------------------------------------------------------------------
# Malformed input: DecodeError with the right .status, and try_decode.

DECODE_ERRORS = [
    ("", 1, "TRUNCATED", "MPTCP option"),
    ("1e", 1, "TRUNCATED", "MPTCP option"),
    ("02 04 05 b4", 1, "WRONG_KIND", "Kind 2"),
    ("1e 02 00", 1, "BAD_LENGTH", "MP_CAPABLE"),
    ("1e 0c 10 01 ccad45ac", 1, "TRUNCATED", "MP_JOIN"),
    ("1e 0e 10 01 ccad45ac 01020304 0000", 1, "BAD_LENGTH", "MP_JOIN"),
    ("1e 04 02 81", 1, "UNSUPPORTED_VERSION", "MP_CAPABLE"),
    ("1e 04 00 81", 0, "BAD_LENGTH", "MP_CAPABLE"),  # v0 SYN carries a key
    ("1e 16 00 81 0102030405060708 1112131415161718 0010", 0, "BAD_LENGTH", "MP_CAPABLE"),
    ("1e 09 20 01 11223344 00", 1, "BAD_LENGTH", "DSS"),
    ("1e 08 34 03 0a000001", 1, "BAD_LENGTH", "ADD_ADDR"),  # v1 E=0 needs an HMAC
    ("1e 08 36 03 0a000001", 0, "BAD_IP_VERSION", "ADD_ADDR"),
    ("1e 08 35 03 0a000001", 0, "BAD_IP_VERSION", "ADD_ADDR"),
    ("1e 03 40", 1, "BAD_LENGTH", "REMOVE_ADDR"),
    ("1e 04 50 09", 1, "BAD_LENGTH", "MP_PRIO"),  # address ID is v0 only
    ("1e 0b 60 00 01020304050607", 1, "BAD_LENGTH", "MP_FAIL"),
    ("1e 0d 70 00 0102030405060708 00", 1, "BAD_LENGTH", "MP_FASTCLOSE"),
    ("1e 05 81 02 00", 1, "BAD_LENGTH", "MP_TCPRST"),
    ("1e 05 e0 00 00", 1, "BAD_LENGTH", "MP_PREFER_PROXY"),
]


@pytest.mark.parametrize("hex_, version, status, words", DECODE_ERRORS,
                         ids=[c[2] + "-" + c[0].replace(" ", "")[:12] for c in DECODE_ERRORS])
def test_decode_errors(hex_, version, status, words):
    with pytest.raises(DecodeError) as e:
        m.decode(H(hex_), version=version)
    assert isinstance(e.value, ValueError) and isinstance(e.value, m.MptcpOptsError)
    assert e.value.status == status
    assert str(e.value).startswith(status + ":")
    assert words in str(e.value), "the message names the subtype"
    assert m.try_decode(H(hex_), version=version) == (status, None)


def test_decoder_configuration():
    assert m.decode(H("1e 04 b0 00"), prefer_proxy_subtype=0xB) == MpPreferProxy(subtype=0xB)
    assert m.encode(MpPreferProxy(subtype=0xB)) == H("1e 04 b0 00")
    # 0xE is then just an unassigned subtype; None disables MP_PREFER_PROXY.
    assert isinstance(m.decode(H("1e 04 e0 00"), prefer_proxy_subtype=0xB), UnknownMptcp)
    assert isinstance(m.decode(H("1e 04 e0 00"), prefer_proxy_subtype=None), UnknownMptcp)
    # A subtype outside 0x9..0xE is refused (it could hide DSS): see
    # test_prefer_proxy_subtype_outside_d5_range_raises_value_error.
    # Reserved bits are ignored on receipt and sent as zero.
    assert m.encode(m.decode(H("1e 04 ef ff"))) == H("1e 04 e0 00")
    assert m.subtype_name(0xB, prefer_proxy_subtype=0xB) == "MP_PREFER_PROXY"
    assert m.subtype_name(8, version=0) == "UNKNOWN"
    with pytest.raises(ValueError):
        m.decode(H("1e 04 01 81"), version=2)
    with pytest.raises(ValueError, match="prefer_proxy_subtype"):
        m.decode(H("1e 04 01 81"), prefer_proxy_subtype=256)
    with pytest.raises(TypeError):
        m.decode("1e040181")  # str is not bytes
    assert m.is_valid_prefer_proxy_subtype(0xE) and not m.is_valid_prefer_proxy_subtype(0xF)
    assert m.is_prefer_proxy_applicable(True, False, True)
    assert not m.is_prefer_proxy_applicable(True, True, True)
    assert not m.is_prefer_proxy_applicable(True, False, False)


# Issue 12: prefer_proxy_subtype= takes the one range of decisions.md D5,
# 0x9..0xE, or None; before, 0..255 was taken and 2 silently did nothing.
PREFER_PROXY_USERS = [
    ("decode", lambda **kw: m.decode(H("1e 04 e0 00"), **kw)),
    ("try_decode", lambda **kw: m.try_decode(H("1e 04 e0 00"), **kw)),
    ("subtype_name", lambda **kw: m.subtype_name(0xE, **kw)),
    ("walk_options", lambda **kw: m.walk_options(H("1e 04 e0 00"), **kw)),
    ("iter_options", lambda **kw: list(m.iter_options(H("1e 04 e0 00"), **kw))),
]
OUTSIDE_D5 = [2, 0x8, 0xF, 16, 256, 0, -1, 0x10E, 1 << 70, -(1 << 70)]


@pytest.mark.parametrize("value", OUTSIDE_D5, ids=[hex(v) for v in OUTSIDE_D5])
@pytest.mark.parametrize("name, call", PREFER_PROXY_USERS, ids=[c[0] for c in PREFER_PROXY_USERS])
def test_prefer_proxy_subtype_outside_d5_range_raises_value_error(name, call, value):
    with pytest.raises(ValueError) as e:
        call(prefer_proxy_subtype=value)
    assert not isinstance(e.value, m.MptcpOptsError), "an argument error, not a codec status"
    assert str(e.value).startswith("prefer_proxy_subtype: %d is outside 0x9..0xE" % value)
    assert not m.is_valid_prefer_proxy_subtype(value)


@pytest.mark.parametrize("value", [0x9, 0xB, 0xE])
def test_prefer_proxy_subtype_accepts_d5_range(value):
    wire = bytes([0x1E, 0x04, value << 4, 0x00])
    assert m.decode(wire, prefer_proxy_subtype=value) == MpPreferProxy(subtype=value)
    assert m.try_decode(wire, prefer_proxy_subtype=value) == ("OK", MpPreferProxy(subtype=value))
    assert m.subtype_name(value, prefer_proxy_subtype=value) == "MP_PREFER_PROXY"
    status, entries = m.walk_options(wire, prefer_proxy_subtype=value)
    assert status == "OK" and entries[0].value == MpPreferProxy(subtype=value)
    assert [o.value for o in m.iter_options(wire, prefer_proxy_subtype=value)] == [
        MpPreferProxy(subtype=value)]
    assert m.is_valid_prefer_proxy_subtype(value)


@pytest.mark.parametrize("value", [0x2, 0x8, 0xF, 0x10, 256, -1, 2**70])
def test_mp_prefer_proxy_cannot_hold_a_subtype_outside_d5_range(value):
    # The value type holds the same range as prefer_proxy_subtype=: what can
    # be built can be encoded, and decodes back under that configuration.
    with pytest.raises(ValueError) as e:
        MpPreferProxy(subtype=value)
    assert str(e.value).startswith("MpPreferProxy.subtype: %d is outside 0x9..0xE" % value)
    pp = MpPreferProxy()
    with pytest.raises(ValueError):
        pp.subtype = value
    assert pp.subtype == 0xE


@pytest.mark.parametrize("value", range(0x9, 0xF))
def test_mp_prefer_proxy_every_buildable_value_round_trips(value):
    wire = m.encode(MpPreferProxy(subtype=value))
    assert wire == bytes([0x1E, 0x04, value << 4, 0x00])
    assert m.decode(wire, prefer_proxy_subtype=value) == MpPreferProxy(subtype=value)


def test_prefer_proxy_subtype_none_disables_it():
    assert isinstance(m.decode(H("1e 04 e0 00"), prefer_proxy_subtype=None), UnknownMptcp)
    assert m.subtype_name(0xE, prefer_proxy_subtype=None) == "UNKNOWN"
    # A DSS stays a DSS under every accepted setting.
    for value in [None] + list(range(0x9, 0xF)):
        assert isinstance(m.decode(H("1e 08 20 01 11223344"), prefer_proxy_subtype=value), Dss)


def test_mp_join_reserved_bits_ignored():
    assert m.decode(H("1e 0c 1e 05 00000001 00000002")).backup is False


# ---------------------------------------------------------------------------
# Encoding errors.

UNENCODABLE = [
    ("receiver key without sender key", MpCapable(receiver_key=1)),
    ("checksum without data-level length", MpCapable(sender_key=1, receiver_key=2, checksum=3)),
    ("version above 15", MpCapable(version=16)),
    ("4-byte Data ACK above 32 bits", Dss(data_ack=1 << 32)),
    ("4-byte DSN above 32 bits", Dss(mapping=DssMapping(dsn=1 << 32))),
    ("v1 ADD_ADDR without HMAC", AddAddr(address="192.0.2.1")),
    ("ADD_ADDR echo with HMAC", AddAddr(echo=True, truncated_hmac=1)),
    ("v0 ADD_ADDR with HMAC", AddAddr(version=0, truncated_hmac=1)),
    ("v0 ADD_ADDR echo", AddAddr(version=0, echo=True)),
    ("REMOVE_ADDR without IDs", RemoveAddr()),
    ("REMOVE_ADDR with 38 IDs", RemoveAddr(ids=list(range(38)))),
    ("v1 MP_PRIO with address ID", MpPrio(address_id=3)),
    ("MP_TCPRST flags above a nibble", MpTcprst(flags=0x10)),
    ("unknown option, Length mismatch", UnknownMptcp(raw=H("1e 05 f0"))),
    ("unknown option, empty", UnknownMptcp()),
    ("unknown option, not Kind 30", UnknownMptcp(raw=H("02 04 05 b4"))),
]


@pytest.mark.parametrize("what, value", UNENCODABLE, ids=[c[0] for c in UNENCODABLE])
def test_encode_refuses_values_without_wire_form(what, value):
    with pytest.raises(EncodeError) as e:
        m.encode(value)
    assert e.value.status == "INVALID_VALUE"
    assert isinstance(e.value, ValueError)
    assert m.encoded_size(value) == 0


def test_encode_edges():
    assert len(m.encode(RemoveAddr(ids=list(range(37))))) == 40
    assert m.encode(Dss(data_ack=1 << 32, data_ack_8_bytes=True)) == H(
        "1e 0c 20 03 0000000100000000")
    with pytest.raises(TypeError):
        m.encode(5)
    with pytest.raises(TypeError):
        m.encode(Mss(1460))  # a plain TCP option: use build_option_area()


def test_errors_pickle_with_status():
    for exc in (DecodeError("x", "BAD_LENGTH"), EncodeError("y", "INVALID_VALUE"),
                EditError("z", "NOT_FOUND"), WalkError("w", "OPTION_PAST_END", 4),
                IeError("i", "PAST_END", 8)):
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc)
        assert again.status == exc.status and str(again) == str(exc)
        assert getattr(again, "offset", None) == getattr(exc, "offset", None)


# ---------------------------------------------------------------------------
# Option areas: iter_options / walk_options / build_option_area.

LINUX_SYN_AREA = H("020405b4 0402080a 00000001 00000000 01030307 1e040181")


def test_walk_linux_syn():
    entries = list(m.iter_options(LINUX_SYN_AREA))
    assert [(e.kind, e.offset) for e in entries] == [(2, 0), (4, 4), (8, 6), (3, 17), (30, 20)]
    assert [e.value for e in entries] == [Mss(1460), SackPermitted(), Timestamps(1, 0),
                                          WindowScale(7), MpCapable(flags=0x81)]
    kind, offset, raw, value = entries[-1]
    assert raw == H("1e040181") and value.checksum_required
    assert m.walk_options(LINUX_SYN_AREA) == ("OK", entries)


def test_walk_eol_unknown_kinds_and_undecodable_mptcp():
    status, entries = m.walk_options(H("fd 04 aa bb 00 02 04 05 b4"))
    assert status == "OK"
    assert entries == [(0xFD, 0, H("fd04aabb"), None)]
    assert m.walk_options(b"") == ("OK", [])
    assert m.walk_options(H("01 01 01")) == ("OK", [])
    # An MPTCP option that does not decode is yielded with value None.
    status, entries = m.walk_options(H("1e 05 10 00 00 01 01 01"))
    assert status == "OK" and entries[0].value is None
    assert m.try_decode(entries[0].raw)[0] == "BAD_LENGTH"
    # Options of the wrong size for their kind are not decoded either.
    assert m.walk_options(H("02 03 05 01"))[1][0].value is None
    # The version selects the ADD_ADDR layout.
    (entry,) = m.walk_options(H("1e 08 34 03 0a000001"), version=0)[1]
    assert entry.value == AddAddr(version=0, address_id=3, address="10.0.0.1")
    assert m.walk_options(H("1e 08 34 03 0a000001"))[1][0].value is None


WALK_ERRORS = [
    ("020405b4 08 00", "BAD_OPTION_LENGTH", [2], 4),
    ("08 01 00 00", "BAD_OPTION_LENGTH", [], 0),
    ("020405b4 1e 0c 00", "OPTION_PAST_END", [2], 4),
    ("01 01 01 08", "OPTION_PAST_END", [], 3),
    ("01" * 41, "AREA_TOO_LONG", [], 0),
]


@pytest.mark.parametrize("hex_, status, kinds, offset", WALK_ERRORS,
                         ids=[c[1] + "-" + c[0].replace(" ", "")[:10] for c in WALK_ERRORS])
def test_walk_errors_yield_then_raise(hex_, status, kinds, offset):
    area = H(hex_)
    got = []
    it = m.iter_options(area)
    with pytest.raises(WalkError) as e:
        for entry in it:
            got.append(entry.kind)
    assert got == kinds, "options before the error are yielded first"
    assert e.value.status == status and e.value.offset == offset
    assert isinstance(e.value, ValueError)
    with pytest.raises(StopIteration):
        next(it)  # raised once; the iterator is then exhausted
    walked = m.walk_options(area)
    assert walked[0] == status and [x.kind for x in walked[1]] == kinds


def test_build_linux_syn_layout():
    area = m.build_option_area([Mss(1460), SackPermitted(), Timestamps(1, 0), WindowScale(7),
                                MpCapable()])
    assert area == H("020405b40402080a0000000100000000010303071e040101")


def test_build_alignment_raw_and_exact_fit():
    assert m.build_option_area([Timestamps(0x11223344, 0x55667788)]) == H(
        "0101080a1122334455667788")
    assert m.build_option_area([SackPermitted()]) == H("01010402")
    assert m.build_option_area([RawOption(34, bytes(range(1, 9)))]) == H(
        "0101220a0102030405060708")
    assert m.build_option_area([]) == b""
    full = m.build_option_area(
        (Timestamps(1, 2), MpCapable(sender_key=1, receiver_key=2), Mss(1460), WindowScale(1)))
    assert len(full) == 40
    dss = Dss(data_ack=100, data_ack_8_bytes=True, dsn_8_bytes=True,
              mapping=DssMapping(dsn=1000, subflow_seq=1, data_level_length=1440))
    area = m.build_option_area([Timestamps(1, 2), dss])
    assert len(area) == 12 + 2 + 26
    assert [e.value for e in m.iter_options(area)] == [Timestamps(1, 2), dss]


def test_build_errors():
    ack = MpCapable(sender_key=1, receiver_key=2, data_level_length=3, checksum=4)  # 24 bytes
    with pytest.raises(EncodeError) as e:
        m.build_option_area([Timestamps(1, 2), Mss(1460), ack, WindowScale(7)])
    assert e.value.status == "NO_OPTION_SPACE"
    assert len(m.build_option_area([Timestamps(1, 2), Mss(1460), ack])) == 40
    for bad in ([Mss(1), MpCapable(receiver_key=1)], [RawOption(1)], [RawOption(0)],
                [RawOption(99, bytes(254))], [RemoveAddr(ids=list(range(38)))]):
        with pytest.raises(EncodeError) as e:
            m.build_option_area(bad)
        assert e.value.status == "INVALID_VALUE", bad
    with pytest.raises(TypeError):
        m.build_option_area([Mss(1460), "MSS"])


# ---------------------------------------------------------------------------
# MP_CONVERT IEs.


def test_mp_convert_spec_examples():
    dst = MpConvertIe(source=False, address="198.51.100.10", port=443)
    assert m.build_mp_convert_ies([dst]) == H("faa8faa8000a0001c633640a01bb0000")
    src = MpConvertIe(source=True, address=IPv6("2001:db8::5"))
    assert m.build_mp_convert_ies([src]) == H(
        "faa8faa80014000320010db8000000000000000000000005")
    payload = H("faa8faa8000a0001c633640a01bb0000") + b"GET"
    ies, consumed, skipped = m.parse_mp_convert_ies(payload)
    assert ies == [dst] and consumed == 16 and skipped == 0
    assert payload[consumed:] == b"GET", "application data starts after the padding (D4)"
    assert m.MP_CONVERT_MAGIC == H("faa8faa8")


@pytest.mark.parametrize("src, dst", [
    (MpConvertIe(source=True, address="10.1.2.3"),
     MpConvertIe(address="192.0.2.1", port=80)),
    (MpConvertIe(source=True, address="2001:db8::1", port=1234),
     MpConvertIe(address="2001:db8::2")),
])
def test_mp_convert_source_and_destination(src, dst):
    wire = m.build_mp_convert_ies([src, dst])
    assert len(wire) % 4 == 0
    ies, consumed, skipped = m.parse_mp_convert_ies(wire + b"data")
    assert ies == [src, dst] and consumed == len(wire)
    assert m.try_parse_mp_convert_ies(wire) == ("OK", [src, dst], len(wire), 0)


def test_mp_convert_no_ie_and_unknown_type():
    for payload in (b"", H("474554202f"), H("faa8fa"), H("faa8faa9000a0001")):
        assert m.parse_mp_convert_ies(payload) == ([], 0, 0)
        assert m.try_parse_mp_convert_ies(payload) == ("NO_IE", [], 0, 0)
    payload = H("faa8faa8 07060000 abcd0000  faa8faa8 00080001 c0000201")
    ies, consumed, skipped = m.parse_mp_convert_ies(payload)
    assert consumed == len(payload) and skipped == 1
    assert ies == [MpConvertIe(address="192.0.2.1")]


IE_ERRORS = [
    ("three IEs", "faa8faa8 00080000 c0000201 faa8faa8 00080002 0a000001 "
                  "faa8faa8 00080001 c0000202", "TOO_MANY_IES", 24),
    ("same D twice", "faa8faa8 00080000 c0000201 faa8faa8 00080001 c0000202",
     "DUPLICATE_DIRECTION", 12),
    ("length 9", "faa8faa8 00090001 c0000201 0a000000", "BAD_LENGTH", 0),
    ("length 4", "faa8faa8 00040001", "BAD_LENGTH", 0),
    ("length 2", "faa8faa8 00020001", "BAD_LENGTH", 0),
    ("length past end", "faa8faa8 00160001 20010db8", "PAST_END", 0),
    ("header cut", "faa8faa8 0008", "PAST_END", 0),
    ("M=0 on last", "faa8faa8 00080000 c0000201", "MISSING_LAST_FLAG", 12),
    ("M=0 then data", "faa8faa8 00080000 c0000201 47455420", "MISSING_LAST_FLAG", 12),
    ("multicast v4", "faa8faa8 00080001 e0000001", "BAD_ADDRESS_CLASS", 0),
    ("broadcast v4", "faa8faa8 00080001 ffffffff", "BAD_ADDRESS_CLASS", 0),
    ("loopback v4", "faa8faa8 00080001 7f000001", "BAD_ADDRESS_CLASS", 0),
    ("unspecified v4", "faa8faa8 00080001 00000000", "BAD_ADDRESS_CLASS", 0),
    ("multicast v6", "faa8faa8 00140001 ff020000000000000000000000000001",
     "BAD_ADDRESS_CLASS", 0),
    ("loopback v6", "faa8faa8 00140001 00000000000000000000000000000001",
     "BAD_ADDRESS_CLASS", 0),
    ("mapped loopback", "faa8faa8 00140001 00000000000000000000ffff7f000001",
     "BAD_ADDRESS_CLASS", 0),
    ("five unknown types", "faa8faa8 07040000 faa8faa8 07040000 faa8faa8 07040000 "
                           "faa8faa8 07040000 faa8faa8 07040001", "TOO_MANY_IES", 32),
]


@pytest.mark.parametrize("name, hex_, status, offset", IE_ERRORS, ids=[c[0] for c in IE_ERRORS])
def test_mp_convert_malformed(name, hex_, status, offset):
    with pytest.raises(IeError) as e:
        m.parse_mp_convert_ies(H(hex_))
    assert e.value.status == status and e.value.offset == offset
    assert isinstance(e.value, ValueError)
    got = m.try_parse_mp_convert_ies(H(hex_))
    assert got[0] == status and got[2] == offset


def test_mp_convert_truncation_never_ok():
    payload = H("faa8faa8 00140002 20010db8000000000000000000000001 "
                "faa8faa8 000a0001 c633640a 01bb0000")
    for cut in range(len(payload)):
        status, ies, consumed, skipped = m.try_parse_mp_convert_ies(payload[:cut])
        assert status != "OK" and consumed <= cut


def test_mp_convert_build_errors_and_echo():
    ok = MpConvertIe(address="192.0.2.1")
    for bad in ([], [ok, ok], [ok, MpConvertIe(source=True, address="10.0.0.1"), ok],
                [MpConvertIe(address="127.0.0.1")]):
        with pytest.raises(EncodeError) as e:
            m.build_mp_convert_ies(bad)
        assert e.value.status == "INVALID_VALUE"
    sent = H("faa8faa8000a0001c633640a01bb0000")
    assert m.is_exact_echo(sent, sent) and m.is_exact_echo(sent, sent + b"H")
    assert not m.is_exact_echo(sent, sent[:15] + b"\x01")
    assert not m.is_exact_echo(sent, H("faa8faa8")) and not m.is_exact_echo(b"", sent)
    assert m.is_allowed_ie_address("192.0.2.1")
    assert not m.is_allowed_ie_address(IPv6("::ffff:127.0.0.1"))
    assert not m.is_allowed_ie_address("255.255.255.255")


# ---------------------------------------------------------------------------
# Crypto: wire-formats.md §9.


def ascii_be(text):
    return int.from_bytes(text.encode("ascii"), "big")


# §9.1 Linux KUnit net/mptcp/crypto_test.c: ASCII bytes as key and message.
KUNIT = [
    ("0b0b0b0b0b0b0b0b", "48692054",
     "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa"),
    ("aaaaaaaaaaaaaaaa", "dddddddd",
     "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9"),
    ("0102030405060708", "cdcdcdcd",
     "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d"),
]


@pytest.mark.parametrize("key, msg, digest", KUNIT, ids=[k[0] for k in KUNIT])
def test_linux_kunit_hmac_sha256(key, msg, digest):
    got = m.join_hmac(1, ascii_be(key[:8]), ascii_be(key[8:]), ascii_be(msg[:4]),
                      ascii_be(msg[4:]))
    assert got.hex() == digest
    assert m.hmac_digest(1, key.encode(), msg.encode()).hex() == digest
    assert hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest() == digest


# §9.2 v0 token examples.
V0_TOKENS = [
    (0x1D1D262C4CB328FD, 3453009450, 0x14DECBFCC6A182C7),
    (0xC58478A9DD4BDC20, 1187499290, 0x9F22934D842AE7B8),
    (0x0DA4D294F8B537F8, 3611618124, 0x4DF333EEF13773EF),
    (0x5686675606032088, 2308765430, 0x556C16FE314AB5F2),
]


@pytest.mark.parametrize("key, token, idsn", V0_TOKENS, ids=[hex(v[0]) for v in V0_TOKENS])
def test_v0_token_examples(key, token, idsn):
    assert m.token(key, version=0) == token
    assert m.idsn(key, 0) == idsn


def test_local_table_tokens_and_idsns():
    assert m.token(KEY_A, 0) == 0xDD5783BC and m.idsn(KEY_A, 0) == 0x3A95ED6E4EBB4AD5
    assert m.token(KEY_B, 0) == 0x3383D918 and m.idsn(KEY_B, 0) == 0x9E1AE42F702627A9
    assert m.token(KEY_A) == 0x66840DDA and m.idsn(KEY_A) == 0xF5A101D3D29D6F72
    assert m.token(KEY_B, 1) == 0xCCAD45AC and m.idsn(KEY_B, 1) == 0x535BEEA38E087C8E
    key = KEY_A.to_bytes(8, "big")
    assert m.hash_key(KEY_A, 0) == hashlib.sha1(key).digest()
    assert m.hash_key(KEY_A) == hashlib.sha256(key).digest()


def test_local_table_join_hmacs():
    assert m.join_hmac(0, KEY_A, KEY_B, NONCE_A, NONCE_B).hex() == (
        "5759d8ab7fe30caebe9bbae6a9634f530c3d0a3c")
    assert m.join_hmac(0, KEY_B, KEY_A, NONCE_B, NONCE_A).hex() == (
        "93fdbef955c9f2138e40738bc80889ae82c92f10")
    assert m.join_hmac(1, KEY_A, KEY_B, NONCE_A, NONCE_B).hex() == (
        "24bdde08dfc55c9b4185e1b56b2f89db241ac0f29084bb04927ac6c6548dfe65")
    assert m.join_hmac(1, KEY_B, KEY_A, NONCE_B, NONCE_A).hex() == (
        "65ee096833f661d92fc5b27515cbc3b840dd77a5575c1d9c4b4271561ed13849")
    assert m.join_syn_ack_truncated_hmac(0, KEY_B, KEY_A, NONCE_B, NONCE_A) == 0x93FDBEF955C9F213
    assert m.join_syn_ack_truncated_hmac(1, KEY_B, KEY_A, NONCE_B, NONCE_A) == 0x65EE096833F661D9
    assert m.join_ack_hmac(0, KEY_A, KEY_B, NONCE_A, NONCE_B).hex() == (
        "5759d8ab7fe30caebe9bbae6a9634f530c3d0a3c")
    assert m.join_ack_hmac(1, KEY_A, KEY_B, NONCE_A, NONCE_B).hex() == (
        "24bdde08dfc55c9b4185e1b56b2f89db241ac0f2")


def test_join_handshake_vectors_agree_with_crypto():
    """The MP_JOIN option vectors carry the §9.3 values."""
    syn = m.decode(H("1e 0c 11 05 ccad45ac 01020304"))
    assert syn.token == m.token(KEY_B)
    synack = m.decode(H("1e 10 10 00 65ee096833f661d9 05060708"))
    expect = m.join_syn_ack_truncated_hmac(1, KEY_B, KEY_A, synack.nonce, syn.nonce)
    assert m.constant_time_equal(expect, synack.truncated_hmac)
    ack = m.decode(H("1e 18 10 00 24bdde08dfc55c9b4185e1b56b2f89db241ac0f2"))
    assert m.constant_time_equal(m.join_ack_hmac(1, KEY_A, KEY_B, NONCE_A, NONCE_B), ack.hmac)


ADD_ADDR_HMACS = [
    (1, "192.0.2.1", None, 0xDF24410FAC2C3EDB),
    (1, "192.0.2.1", 8080, 0x68E8377EB37C4AFA),
    (2, "2001:db8::1", None, 0x0F4AD3095F39843D),
]


@pytest.mark.parametrize("address_id, address, port, expect", ADD_ADDR_HMACS,
                         ids=["%s-%s" % (a[1], a[2]) for a in ADD_ADDR_HMACS])
def test_add_addr_hmac(address_id, address, port, expect):
    assert m.add_addr_hmac(KEY_A, KEY_B, address_id, address, port) == expect
    assert m.add_addr_hmac(KEY_A, KEY_B, address_id, ipaddress.ip_address(address), port=port,
                           variant="rfc8684") == expect
    wire = m.encode(AddAddr(address_id=address_id, address=address, port=port,
                            truncated_hmac=expect))
    assert m.decode(wire).truncated_hmac == expect


def test_add_addr_hmac_historical_variants():
    no_port = 0xDF24410FAC2C3EDB
    assert m.add_addr_hmac(KEY_A, KEY_B, 1, "192.0.2.1", None, "linux-port-always-zero") == no_port
    assert m.add_addr_hmac(KEY_A, KEY_B, 1, "192.0.2.1", 8080, "linux-port-always-zero") == no_port
    full = hmac.new(H("0102030405060708 1112131415161718"), H("01 c0000201 0000"),
                    hashlib.sha256).digest()
    assert m.add_addr_hmac(KEY_A, KEY_B, 1, "192.0.2.1", 8080, "linux-leftmost-port-zero") == (
        int.from_bytes(full[:8], "big"))
    assert int.from_bytes(full[-8:], "big") == no_port
    with pytest.raises(ValueError):
        m.add_addr_hmac(KEY_A, KEY_B, 1, "192.0.2.1", variant="rfc6824")


def test_constant_time_equal_and_argument_checks():
    assert m.constant_time_equal(b"\x01\x02\x03", bytearray(b"\x01\x02\x03"))
    assert not m.constant_time_equal(b"\x01\x02\x03", b"\x01\x02\x04")
    assert not m.constant_time_equal(b"\x01\x02\x03", b"\x01\x02")
    assert m.constant_time_equal(0x1234, 0x1234) and not m.constant_time_equal(0x1234, 0x1235)
    with pytest.raises(ValueError):
        m.token(KEY_A, version=2)
    with pytest.raises(TypeError):
        m.token(-1)
    for key, msg in ((b"", b""), (b"k" * 100, b"message")):
        assert m.hmac_digest(0, key, msg) == hmac.new(key, msg, hashlib.sha1).digest()


# ---------------------------------------------------------------------------
# Segment editor (checksums cross-checked against scapy below as well).


def make_segment(area, payload=b"", src="10.0.0.1", dst="198.51.100.10"):
    """A SYN with a correct checksum, built with the library only."""
    header = bytearray(H("9c40 01bb 00000001 00000000 0002 faf0 0000 0000"))
    header[12] = ((20 + len(area)) // 4) << 4
    seg = bytes(header) + area + payload
    c = m.tcp_checksum(src, dst, seg)
    return seg[:16] + c.to_bytes(2, "big") + seg[18:]


PAYLOAD = H("deadbeef 0102 03")


def test_editor_insert_remove_clamp():
    seg = make_segment(LINUX_SYN_AREA, PAYLOAD)
    assert m.tcp_checksum("10.0.0.1", "198.51.100.10", seg) == 0
    ed = m.SegmentEditor(seg)
    ed.insert(MpPreferProxy())
    assert ed.header_length == 48
    assert ed.area == LINUX_SYN_AREA + H("1e04e000")
    assert ed.segment[48:] == PAYLOAD
    assert m.tcp_checksum("10.0.0.1", "198.51.100.10", ed.segment) == 0
    assert ed.remove_mptcp_subtype(MpCapable.SUBTYPE) is True
    assert ed.remove_mptcp_subtype(MpCapable.SUBTYPE) is False
    assert ed.clamp_mss(1400) is True and ed.clamp_mss(1400) is False
    assert ed.area[:4] == H("02040578")
    assert m.tcp_checksum("10.0.0.1", "198.51.100.10", ed.segment) == 0
    edited = m.edit_segment(seg, remove_subtypes=[0], insert=[MpPreferProxy()], clamp_mss=1400)
    assert edited == ed.segment
    # Nothing to remove or clamp is not an error for edit_segment.
    assert m.edit_segment(seg, remove_subtypes=[7], clamp_mss=9000) == seg


def test_editor_insert_forms():
    seg = make_segment(H("020405b4"))
    for option, wire in ((Timestamps(1, 2), H("0101080a0000000100000002")),
                         (RawOption(34, b"\x01\x02"), H("2204 0102")),
                         (H("1e 04 e0 00"), H("1e04e000")),
                         (bytearray(H("1e 03 51")), H("01 1e0351"))):
        ed = m.SegmentEditor(seg)
        ed.insert(option)
        expect = H("020405b4") + wire
        assert ed.area == expect + bytes(-len(expect) % 4), option  # EOL-padded to a word
        assert m.tcp_checksum("10.0.0.1", "198.51.100.10", ed.segment) == 0


EDIT_ERRORS = [
    ("tiny segment", lambda: m.SegmentEditor(bytes(10)), "MALFORMED_HEADER"),
    ("data offset 4", lambda: m.SegmentEditor(
        make_segment(b"")[:12] + b"\x40" + make_segment(b"")[13:]), "MALFORMED_HEADER"),
    ("bad option area", lambda: m.SegmentEditor(make_segment(H("08 00 00 00"))),
     "MALFORMED_OPTIONS"),
    ("no option space", lambda: m.edit_segment(
        make_segment(H("0101080a 00000001 00000002 1e140101 0102030405060708 1112131415161718 "
                       "020405b4")), insert=[MpFastclose(receiver_key=1)]), "NO_OPTION_SPACE"),
    ("option without wire form", lambda: m.edit_segment(
        make_segment(b""), insert=[MpCapable(receiver_key=1)]), "INVALID_VALUE"),
    ("NOP as raw option", lambda: m.edit_segment(make_segment(b""), insert=[RawOption(1)]),
     "INVALID_VALUE"),
    ("bytes with wrong Length", lambda: m.edit_segment(make_segment(b""), insert=[H("1e05e000")]),
     "INVALID_VALUE"),
]


@pytest.mark.parametrize("name, call, status", EDIT_ERRORS, ids=[c[0] for c in EDIT_ERRORS])
def test_edit_errors(name, call, status):
    with pytest.raises(EditError) as e:
        call()
    assert e.value.status == status and isinstance(e.value, ValueError)


def test_edit_exactly_full_and_argument_checks():
    full = H("0101080a 00000001 00000002 1e140101 0102030405060708 1112131415161718 020405b4")
    seg = make_segment(full, PAYLOAD)
    out = m.edit_segment(seg, insert=[MpPreferProxy()])
    assert len(out) == 60 + len(PAYLOAD) and out[60:] == PAYLOAD
    assert m.tcp_checksum("10.0.0.1", "198.51.100.10", out) == 0
    with pytest.raises(ValueError):
        m.edit_segment(seg, remove_subtypes=[16])
    with pytest.raises(ValueError):
        m.SegmentEditor(seg).clamp_mss(70000)
    with pytest.raises(TypeError):
        m.SegmentEditor(seg).insert(42)


def test_checksum_helpers():
    assert m.ones_complement_sum(H("0001 f203 f4f5 f6f7")) == 0xDDF2  # RFC 1071 example
    assert m.ones_complement_sum(H("01")) == 0x0100
    old = m.ones_complement_sum(H("0000"))
    new = m.ones_complement_sum(H("1234"))
    assert m.update_checksum(0xFFFF, old, new) == (~0x1234) & 0xFFFF
    with pytest.raises(ValueError):
        m.tcp_checksum("10.0.0.1", "2001:db8::1", b"")


# ---------------------------------------------------------------------------
# Interoperability with scapy.


@pytest.fixture(scope="module")
def scapy():
    return pytest.importorskip("scapy.all")


def tcp_area(raw_tcp):
    return raw_tcp[20:(raw_tcp[12] >> 4) * 4]


def ip_payload(sc, pkt):
    """The TCP segment of a scapy IPv4 or IPv6 packet, as raw bytes."""
    b = sc.raw(pkt)
    return b[(b[0] & 0x0F) * 4:] if b[0] >> 4 == 4 else b[40:]


SCAPY_FORMS = [f for f in FORMS if f[1] == 1 and len(H(f[0])) <= 40]


@pytest.mark.parametrize("hex_, version, expected, name", SCAPY_FORMS,
                         ids=[FORM_IDS[FORMS.index(f)] for f in SCAPY_FORMS])
def test_scapy_carries_library_encoded_mptcp_options(scapy, hex_, version, expected, name):
    wire = m.encode(expected)
    pkt = scapy.IP(src="10.0.0.1", dst="198.51.100.10") / scapy.TCP(
        sport=40000, dport=443, flags="A", options=[("NOP", None), (30, wire[2:])])
    entries = list(m.iter_options(tcp_area(ip_payload(scapy, pkt))))
    assert [(e.kind, e.offset) for e in entries] == [(30, 1)]
    assert entries[0].raw == wire and entries[0].value == expected


def test_scapy_syn_with_standard_options_and_mp_capable(scapy):
    cap = MpCapable(flags=0x81)
    pkt = scapy.IP(src="10.0.0.1", dst="198.51.100.10") / scapy.TCP(
        sport=40000, dport=443, flags="S",
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (123456, 0)), ("NOP", None),
                 ("WScale", 7), (30, m.encode(cap)[2:]), (30, m.encode(MpPreferProxy())[2:])])
    area = tcp_area(ip_payload(scapy, pkt))
    entries = list(m.iter_options(area))
    assert [e.kind for e in entries] == [2, 4, 8, 3, 30, 30]
    assert [e.value for e in entries] == [Mss(1460), SackPermitted(), Timestamps(123456, 0),
                                          WindowScale(7), cap, MpPreferProxy()]
    assert m.walk_options(area)[0] == "OK"


def test_scapy_dissects_library_built_area(scapy):
    area = m.build_option_area([Mss(1400), SackPermitted(), Timestamps(7, 9), WindowScale(8),
                                MpCapable(sender_key=KEY_A)])
    seg = bytearray(make_segment(area))
    tcp = scapy.TCP(bytes(seg))
    opts = dict((k, v) for k, v in tcp.options if k != "NOP")
    assert opts["MSS"] == 1400 and opts["Timestamp"] == (7, 9) and opts["WScale"] == 8
    assert "SAckOK" in opts
    assert opts[30] == m.encode(MpCapable(sender_key=KEY_A))[2:]
    assert tcp.dataofs * 4 == 20 + len(area)


def scapy_recomputed_checksum(sc, segment, src, dst):
    """What scapy computes for `segment` once its checksum field is deleted."""
    ip = sc.IP(src=src, dst=dst) if ":" not in src else sc.IPv6(src=src, dst=dst)
    tcp = sc.TCP(segment)
    del tcp.chksum
    rebuilt = ip_payload(sc, ip / tcp)
    assert rebuilt[:16] == segment[:16] and rebuilt[18:] == segment[18:], (
        "scapy re-serialises the edited segment byte for byte")
    return int.from_bytes(rebuilt[16:18], "big")


@pytest.mark.parametrize("src, dst", [("10.0.0.1", "198.51.100.10"),
                                      ("2001:db8::1", "2001:db8::2")])
@pytest.mark.parametrize("edit", ["insert", "remove", "clamp", "all"])
def test_scapy_agrees_with_edited_checksum(scapy, src, dst, edit):
    ip = scapy.IP(src=src, dst=dst) if ":" not in src else scapy.IPv6(src=src, dst=dst)
    pkt = ip / scapy.TCP(
        sport=40000, dport=443, flags="S", seq=1000,
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None),
                 ("WScale", 7), (30, m.encode(MpCapable(flags=0x81))[2:])]) / b"hello, odd"
    seg = ip_payload(scapy, pkt)
    kwargs = {
        "insert": {"insert": [MpPreferProxy()]},
        "remove": {"remove_subtypes": [MpCapable.SUBTYPE]},
        "clamp": {"clamp_mss": 1200},
        "all": {"insert": [MpPreferProxy(), MpTcprst(reason=1)], "remove_subtypes": [0],
                "clamp_mss": 1200},
    }[edit]
    edited = m.edit_segment(seg, **kwargs)
    assert edited != seg
    assert edited.endswith(b"hello, odd")
    library = int.from_bytes(edited[16:18], "big")
    assert scapy_recomputed_checksum(scapy, edited, src, dst) == library
    assert m.tcp_checksum(src, dst, edited) == 0


# ---------------------------------------------------------------------------
# The .pyi stub matches the module.

STUB = os.path.join(HERE, "mptcp_opts.pyi")


def stub_tree():
    with open(STUB, encoding="utf-8") as f:
        return ast.parse(f.read())


def stub_names(body):
    names = {}
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.setdefault(node.target.id, []).append(node)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    names.setdefault(t.id, []).append(node)
    return {k: v for k, v in names.items() if not k.startswith("_")}


def public(names):
    return {n for n in names if not n.startswith("_")}


def test_stub_lists_exactly_the_module_names():
    in_stub = set(stub_names(stub_tree().body))
    in_module = public(dir(m))
    assert in_module - in_stub == set(), "missing from mptcp_opts.pyi"
    assert in_stub - in_module == set(), "in mptcp_opts.pyi but not in the module"


def test_stub_lists_exactly_the_class_attributes():
    classes = {n.name: n for n in stub_tree().body if isinstance(n, ast.ClassDef)}
    for name, node in classes.items():
        cls = getattr(m, name)
        if issubclass(cls, m.MptcpOptsError):
            # status / offset are instance attributes set by __init__; compare
            # with the stub class and its stub bases.
            try:
                inst = cls("message", "STATUS", 0)
            except TypeError:
                inst = cls("message", "STATUS")
            in_module = public(vars(inst))
            in_stub = set()
            for base in cls.__mro__:
                if base.__name__ in classes:
                    in_stub |= set(stub_names(classes[base.__name__].body))
        else:
            inherited = set()
            for base in cls.__mro__[1:]:
                inherited |= set(dir(base))
            in_module = public(set(dir(cls)) - inherited)
            in_stub = set(stub_names(node.body))
        assert in_module == in_stub, name


def split_params(text):
    """Top-level comma split of a pybind11 signature's parameter list."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def module_signatures(func, name):
    """[(param_name_or_'*', has_default), ...] per overload, from the docstring."""
    sigs = []
    for line in (func.__doc__ or "").splitlines():
        mt = re.match(r"^(?:\d+\. )?%s\((.*)\) -> " % re.escape(name), line.strip())
        if mt:
            params = []
            for p in split_params(mt.group(1)):
                pname = p.split(":")[0].split("=")[0].strip()
                if pname != "self":
                    params.append((pname, "=" in p))
            sigs.append(params)
    return sigs


def stub_signature(fn):
    a = fn.args
    params = []
    positional = a.posonlyargs + a.args
    first_default = len(positional) - len(a.defaults)
    for i, arg in enumerate(positional):
        if arg.arg != "self":
            params.append((arg.arg, i >= first_default))
    if a.kwonlyargs:
        params.append(("*", False))
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            params.append((arg.arg, default is not None))
    return params


def test_stub_signatures_match_the_module():
    checked = 0
    for name, nodes in stub_names(stub_tree().body).items():
        obj = getattr(m, name)
        if isinstance(nodes[0], ast.FunctionDef):
            pairs = [(name, obj, [n for n in nodes])]
        elif isinstance(nodes[0], ast.ClassDef) and isinstance(obj, type) and \
                obj.__module__ == "mptcp_opts" and not issubclass(obj, (Exception, tuple)):
            pairs = [(fn.name, getattr(obj, fn.name), [fn]) for fn in nodes[0].body
                     if isinstance(fn, ast.FunctionDef) and not fn.decorator_list
                     and fn.name in ("__init__",) + tuple(public([fn.name]))]
        else:
            continue
        for fname, fobj, fnodes in pairs:
            expected = sorted(stub_signature(fn) for fn in fnodes)
            got = sorted(module_signatures(fobj, fname))
            assert got == expected, "%s.%s" % (name, fname)
            checked += 1
    assert checked > 40


# ---------------------------------------------------------------------------

if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
