# SPDX-License-Identifier: Apache-2.0
"""The three renderers of an option agree: mptcp-decode's text line, its JSON
record and Python's to_dict()/repr() show the same fields with the same
values, for every option form (the decode vectors of test_mptcp_opts.py), and
a few options print exactly what RFC 8684's layouts say they should.

Run by Bazel (py_test) from the runfiles root, where mptcp-decode is at
examples/mptcp_decode/mptcp-decode (MPTCP_DECODE overrides the path).
"""
import ipaddress
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pytest  # noqa: E402

import mptcp_opts as m  # noqa: E402
import test_mptcp_opts as vectors  # noqa: E402  (FORMS: hex, version, value, name)

DECODE = os.environ.get("MPTCP_DECODE", "examples/mptcp_decode/mptcp-decode")
H = vectors.H


def decode_cli(hex_, version, *flags):
    args = [DECODE, *flags, "--hex", hex_.replace(" ", "")]
    if version == 0:
        args.insert(1, "--v0")
    r = subprocess.run(args, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1, r.stdout
    return lines[0]


def text_tokens(key, value, subtype):
    """What the text line shows for one JSON field, as the README documents
    the text format (written from the format, not from the renderer)."""
    if key == "version":
        return ["v%d" % value]
    if key == "flags":
        return ["flags=0x%02x" % value]
    if key == "flag_names":
        return list(value)
    if key in ("sender_key", "receiver_key"):
        return ["%s=%s" % ("skey" if key == "sender_key" else "rkey", value)]
    if key == "data_level_length":
        return ["%s=%d" % ("dll" if subtype == "MP_CAPABLE" else "len", value)]
    if key == "checksum":
        return ["csum=0x%04x" % value]
    if key in ("form", "address", "reason"):
        return [value]
    if key == "backup":
        if subtype == "MP_PRIO":
            return ["backup" if value else "regular"]
        return ["backup"] if value else []
    if key in ("echo", "transient"):
        return [key] if value else []
    if key == "data_fin":
        return ["DATA_FIN"] if value else []
    if key == "address_id":
        return ["id=%d" % value]
    if key in ("token", "nonce"):
        return ["%s=%s" % (key, value)]
    if key in ("truncated_hmac", "hmac"):
        return ["hmac=" + value]
    if key == "data_ack":
        return ["ack=%d" % value]
    if key == "dsn":
        return ["dsn=%d" % value]
    if key == "subflow_seq":
        return ["ssn=%d" % value]
    if key == "port":
        return ["port=%d" % value]
    if key == "address_ids":
        return ["ids=" + ",".join(str(i) for i in value)]
    if key == "reason_code":
        return []  # the text names the reason only
    if key == "subtype_value":
        return ["subtype=0x%x" % value]
    if key == "raw":
        return ["raw=" + value]
    raise AssertionError("a JSON field the text format does not document: " + key)


def attribute_view(obj, key, value):
    """The Python attribute a JSON field comes from, in the JSON's form; None
    when the field is derived (form, flag_names)."""
    if isinstance(obj, m.Dss) and key in ("dsn", "subflow_seq", "data_level_length", "checksum"):
        obj = obj.mapping
    if key == "reason":
        return obj.reason_name
    if key == "reason_code":
        return obj.reason
    if key == "subtype_value":
        return obj.subtype
    if key == "address_ids":
        return obj.ids
    if key in ("form", "flag_names"):
        return None
    a = getattr(obj, key)
    if isinstance(a, bytes):
        return a.hex()
    if isinstance(a, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(a)
    if isinstance(value, str) and isinstance(a, int):  # keys, tokens, nonces: hex text
        return "%0*x" % (len(value), a)
    return a


@pytest.mark.parametrize("hex_, version, expected, name", vectors.FORMS, ids=vectors.FORM_IDS)
def test_text_json_and_python_show_the_same_fields(hex_, version, expected, name):
    obj = m.decode(H(hex_), version=version)
    record = json.loads(decode_cli(hex_, version, "--json"))
    text = decode_cli(hex_, version)

    # JSON and Python: the same keys and values.
    assert record.pop("frame") == 0
    assert record.pop("subtype") == name == m.subtype_name(obj)
    assert obj.to_dict() == record

    # Each JSON field is the Python attribute it names.
    for key, value in record.items():
        view = attribute_view(obj, key, value)
        if view is not None:
            assert view == value, key

    # Text: the subtype, then exactly the tokens of the JSON fields, in order.
    tokens = text.split(" ")
    assert tokens[0] == name
    expected_tokens = []
    for key, value in record.items():
        expected_tokens += text_tokens(key, value, name)
    if name == "MP_TCPRST" and "transient" in expected_tokens:  # named after the reason
        expected_tokens.remove("transient")
        expected_tokens.append("transient")
    assert tokens[1:] == expected_tokens

    # repr() rebuilds the value.
    assert eval(repr(obj), vectors.repr_namespace()) == obj  # noqa: S307 - our own repr


# Written by hand from RFC 8684's layouts (docs/spec/wire-formats.md).
SPEC_CASES = [
    # MP_CAPABLE SYN/ACK, v1, flags A (checksum required) and H (HMAC-SHA256),
    # one 64-bit key (§3.1).
    ("1e 0c 01 81 0102030405060708",
     "MP_CAPABLE v1 flags=0x81 csum hmac-sha256 skey=0102030405060708",
     {"version": 1, "flags": 129, "flag_names": ["csum", "hmac-sha256"],
      "sender_key": "0102030405060708"},
     "MpCapable(version=1, flags=0x81, sender_key=0x0102030405060708, receiver_key=None, "
     "data_level_length=None, checksum=None)"),
    # MP_CAPABLE SYN, v1, flags C (no more subflows to this address) and H (§3.1).
    ("1e 04 01 21", "MP_CAPABLE v1 flags=0x21 nojoin hmac-sha256",
     {"version": 1, "flags": 33, "flag_names": ["nojoin", "hmac-sha256"]},
     "MpCapable(version=1, flags=0x21, sender_key=None, receiver_key=None, "
     "data_level_length=None, checksum=None)"),
    # DSS with a 4-byte Data ACK (10) and a mapping: DSN 100, SSN 5, length
    # 1440, checksum 0xabcd; flags M|A = 0x05, Length 4+4+4+4+2+2 = 20 (§3.3).
    ("1e 14 20 05 0000000a 00000064 00000005 05a0 abcd",
     "DSS ack=10 dsn=100 ssn=5 len=1440 csum=0xabcd",
     {"data_ack": 10, "dsn": 100, "subflow_seq": 5, "data_level_length": 1440,
      "checksum": 0xABCD, "data_fin": False},
     "Dss(data_ack=10, mapping=DssMapping(dsn=100, subflow_seq=5, data_level_length=1440, "
     "checksum=0xabcd), data_fin=False, data_ack_8_bytes=False, dsn_8_bytes=False)"),
    # ADD_ADDR echo (E=1), ID 1, 192.0.2.1, port 8080: no HMAC (§3.4.1).
    ("1e 0a 31 01 c0000201 1f90", "ADD_ADDR echo id=1 192.0.2.1 port=8080",
     {"echo": True, "address_id": 1, "address": "192.0.2.1", "port": 8080},
     "AddAddr(version=1, echo=True, address_id=1, address=IPv4Address('192.0.2.1'), "
     "port=8080, truncated_hmac=None)"),
    # MP_TCPRST, T=1, reason 6 "Middlebox interference" (§3.6).
    ("1e 04 81 06", "MP_TCPRST MIDDLEBOX_INTERFERENCE transient",
     {"transient": True, "reason": "MIDDLEBOX_INTERFERENCE", "reason_code": 6},
     "MpTcprst(flags=0x1, reason=6)"),
    # REMOVE_ADDR of IDs 1, 2, 3 (§3.4.2).
    ("1e 06 40 01 02 03", "REMOVE_ADDR ids=1,2,3", {"address_ids": [1, 2, 3]},
     "RemoveAddr(ids=[1, 2, 3])"),
]


@pytest.mark.parametrize("hex_, text, fields, repr_", SPEC_CASES,
                         ids=[c[1].split(" ")[0] + "-" + c[0].replace(" ", "")[:12]
                              for c in SPEC_CASES])
def test_spec_options_print_exactly(hex_, text, fields, repr_):
    obj = m.decode(H(hex_))
    assert decode_cli(hex_, 1) == text
    record = json.loads(decode_cli(hex_, 1, "--json"))
    del record["frame"], record["subtype"]
    assert record == fields
    assert list(record) == list(fields), "JSON keys in the documented order"
    assert obj.to_dict() == fields
    assert repr(obj) == repr_


def test_mp_convert_ie_repr_and_dict():
    ie = m.MpConvertIe(source=True, address="2001:db8::20", port=51515)
    assert repr(ie) == "MpConvertIe(source=True, address=IPv6Address('2001:db8::20'), port=51515)"
    assert ie.to_dict() == {"direction": "source", "address": "2001:db8::20", "port": 51515}
    assert m.MpConvertIe(address="192.0.2.80").to_dict() == {
        "direction": "destination", "address": "192.0.2.80"}


def test_python_only_values_render_too():
    # More IDs than an option carries: repr and to_dict show them all.
    many = m.RemoveAddr(ids=list(range(40)))
    assert eval(repr(many), vectors.repr_namespace()) == many  # noqa: S307
    assert many.to_dict() == {"address_ids": list(range(40))}
    # An UnknownMptcp too short to have a subtype.
    assert m.UnknownMptcp(raw=b"\x1e\x02").to_dict() == {"subtype_value": None, "raw": "1e02"}


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
