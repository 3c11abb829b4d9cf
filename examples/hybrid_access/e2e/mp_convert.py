# SPDX-License-Identifier: Apache-2.0
"""MP_CONVERT Information Elements for the e2e tools, written to the layout of
mptcp_opts/mp_convert_ie.h (draft-boucadair-mptcp-plain-mode-10 §5):

  Magic FA A8 FA A8 | Type | Length | Reserved | flags (D=0x02 source, M=0x01 last)
  | IPv4 address | [port] | zero padding to 4 bytes

Length counts from Type to the end of the address/port: 8 (IPv4) or 10
(IPv4 + port). Only IPv4 here: the testbed has no IPv6.
"""
import ipaddress
import struct

MAGIC = bytes([0xFA, 0xA8, 0xFA, 0xA8])
FLAG_SOURCE = 0x02
FLAG_LAST = 0x01


def address_ie(address, port=None, source=False, last=True):
    body = ipaddress.IPv4Address(address).packed
    if port is not None:
        body += struct.pack(">H", port)
    length = 4 + len(body)
    flags = (FLAG_SOURCE if source else 0) | (FLAG_LAST if last else 0)
    ie = MAGIC + bytes([0, length, 0, flags]) + body
    return ie + bytes(-len(ie) % 4)


def destination_ie(address, port):
    """The one IE a CPE sends when it does not send a source IE."""
    return address_ie(address, port)


def malformed_ie(address, port):
    """A destination IE whose Length (9) is none of 8, 10, 20, 22: the core's
    IeStatus BAD_LENGTH (D7)."""
    ie = bytearray(destination_ie(address, port))
    ie[5] = 9
    return bytes(ie)
