"""Type stubs for the mptcp_opts extension module (bindings/python/mptcp_opts_py.cc).

test_mptcp_opts.py checks that every public name (and every public class
attribute) here exists in the module and vice versa, and that function
parameter names match the module's signatures.
"""

from ipaddress import IPv4Address, IPv6Address
from typing import Any, Iterable, Iterator, NamedTuple, Optional, Sequence, Union, overload

_Bytes = Union[bytes, bytearray, memoryview]
_Address = Union[IPv4Address, IPv6Address]
_AddressIn = Union[IPv4Address, IPv6Address, str]

KIND_MPTCP: int
MAX_OPTION_AREA_BYTES: int
DEFAULT_PREFER_PROXY_SUBTYPE: int
MP_CONVERT_MAGIC: bytes

# --------------------------------------------------------------------------
# Errors. `status` is the C++ status enumerator's name, e.g. "BAD_LENGTH".

class MptcpOptsError(ValueError):
    status: str
    def __init__(self, message: str, status: str) -> None: ...

class DecodeError(MptcpOptsError): ...
class EncodeError(MptcpOptsError): ...

class WalkError(MptcpOptsError):
    offset: int
    def __init__(self, message: str, status: str, offset: int) -> None: ...

class IeError(MptcpOptsError):
    offset: int
    def __init__(self, message: str, status: str, offset: int) -> None: ...

class EditError(MptcpOptsError): ...

# --------------------------------------------------------------------------
# MPTCP option values. Constructors take keywords only; every argument has
# the C++ default. Instances are mutable, compare by value, are unhashable.

class MpCapable:
    SUBTYPE: int
    FLAG_A: int
    FLAG_B: int
    FLAG_C: int
    FLAG_D: int
    FLAG_E: int
    FLAG_F: int
    FLAG_G: int
    FLAG_H: int
    version: int
    flags: int
    sender_key: Optional[int]
    receiver_key: Optional[int]
    data_level_length: Optional[int]
    checksum: Optional[int]
    def __init__(
        self,
        *,
        version: int = 1,
        flags: int = 0x01,
        sender_key: Optional[int] = None,
        receiver_key: Optional[int] = None,
        data_level_length: Optional[int] = None,
        checksum: Optional[int] = None,
    ) -> None: ...
    @property
    def checksum_required(self) -> bool: ...
    @property
    def extensibility(self) -> bool: ...
    @property
    def no_joins_to_this_address(self) -> bool: ...
    @property
    def hmac_sha256(self) -> bool: ...
    @property
    def hmac_sha1(self) -> bool: ...
    @property
    def usable_by_receiver(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpCapable: ...
    def __deepcopy__(self, memo: Any) -> MpCapable: ...

class MpJoinSyn:
    SUBTYPE: int
    backup: bool
    address_id: int
    token: int
    nonce: int
    def __init__(
        self, *, backup: bool = False, address_id: int = 0, token: int = 0, nonce: int = 0
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpJoinSyn: ...
    def __deepcopy__(self, memo: Any) -> MpJoinSyn: ...

class MpJoinSynAck:
    SUBTYPE: int
    backup: bool
    address_id: int
    truncated_hmac: int
    nonce: int
    def __init__(
        self,
        *,
        backup: bool = False,
        address_id: int = 0,
        truncated_hmac: int = 0,
        nonce: int = 0,
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpJoinSynAck: ...
    def __deepcopy__(self, memo: Any) -> MpJoinSynAck: ...

class MpJoinAck:
    SUBTYPE: int
    hmac: bytes  # exactly 20 bytes
    def __init__(self, *, hmac: Optional[_Bytes] = None) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpJoinAck: ...
    def __deepcopy__(self, memo: Any) -> MpJoinAck: ...

class DssMapping:
    dsn: int
    subflow_seq: int
    data_level_length: int
    checksum: Optional[int]
    def __init__(
        self,
        *,
        dsn: int = 0,
        subflow_seq: int = 0,
        data_level_length: int = 0,
        checksum: Optional[int] = None,
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> DssMapping: ...
    def __deepcopy__(self, memo: Any) -> DssMapping: ...

class Dss:
    SUBTYPE: int
    FLAG_DATA_FIN: int
    FLAG_DSN_8: int
    FLAG_MAPPING: int
    FLAG_ACK_8: int
    FLAG_ACK: int
    data_ack: Optional[int]
    mapping: Optional[DssMapping]
    data_fin: bool
    data_ack_8_bytes: bool
    dsn_8_bytes: bool
    def __init__(
        self,
        *,
        data_ack: Optional[int] = None,
        mapping: Optional[DssMapping] = None,
        data_fin: bool = False,
        data_ack_8_bytes: bool = False,
        dsn_8_bytes: bool = False,
    ) -> None: ...
    @property
    def flags(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Dss: ...
    def __deepcopy__(self, memo: Any) -> Dss: ...

class AddAddr:
    SUBTYPE: int
    version: int
    echo: bool
    address_id: int
    @property
    def address(self) -> _Address: ...
    @address.setter
    def address(self, value: _AddressIn) -> None: ...
    port: Optional[int]
    truncated_hmac: Optional[int]
    def __init__(
        self,
        *,
        version: int = 1,
        echo: bool = False,
        address_id: int = 0,
        address: _AddressIn = ...,
        port: Optional[int] = None,
        truncated_hmac: Optional[int] = None,
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> AddAddr: ...
    def __deepcopy__(self, memo: Any) -> AddAddr: ...

class RemoveAddr:
    SUBTYPE: int
    MAX_IDS: int
    ids: list[int]
    def __init__(self, *, ids: Sequence[int] = ...) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> RemoveAddr: ...
    def __deepcopy__(self, memo: Any) -> RemoveAddr: ...

class MpPrio:
    SUBTYPE: int
    version: int
    backup: bool
    address_id: Optional[int]
    def __init__(
        self, *, version: int = 1, backup: bool = False, address_id: Optional[int] = None
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpPrio: ...
    def __deepcopy__(self, memo: Any) -> MpPrio: ...

class MpFail:
    SUBTYPE: int
    dsn: int
    def __init__(self, *, dsn: int = 0) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpFail: ...
    def __deepcopy__(self, memo: Any) -> MpFail: ...

class MpFastclose:
    SUBTYPE: int
    receiver_key: int
    def __init__(self, *, receiver_key: int = 0) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpFastclose: ...
    def __deepcopy__(self, memo: Any) -> MpFastclose: ...

class MpTcprst:
    SUBTYPE: int
    FLAG_TRANSIENT: int
    flags: int
    reason: int
    def __init__(self, *, flags: int = 0, reason: int = 0) -> None: ...
    @property
    def transient(self) -> bool: ...
    @property
    def reason_name(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpTcprst: ...
    def __deepcopy__(self, memo: Any) -> MpTcprst: ...

class MpPreferProxy:
    DEFAULT_SUBTYPE: int
    subtype: int  # 0x9..0xE (decisions.md D5); another value raises ValueError
    def __init__(self, *, subtype: int = 0xE) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpPreferProxy: ...
    def __deepcopy__(self, memo: Any) -> MpPreferProxy: ...

class UnknownMptcp:
    raw: bytes
    @property
    def subtype(self) -> Optional[int]: ...
    def __init__(self, *, raw: _Bytes = b"") -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> UnknownMptcp: ...
    def __deepcopy__(self, memo: Any) -> UnknownMptcp: ...

_MptcpOption = Union[
    MpCapable,
    MpJoinSyn,
    MpJoinSynAck,
    MpJoinAck,
    Dss,
    AddAddr,
    RemoveAddr,
    MpPrio,
    MpFail,
    MpFastclose,
    MpTcprst,
    MpPreferProxy,
    UnknownMptcp,
]

# --------------------------------------------------------------------------
# MP_CONVERT Information Element (SYN payload).

class MpConvertIe:
    source: bool
    @property
    def address(self) -> _Address: ...
    @address.setter
    def address(self, value: _AddressIn) -> None: ...
    port: Optional[int]
    def __init__(
        self, *, source: bool = False, address: _AddressIn = ..., port: Optional[int] = None
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> MpConvertIe: ...
    def __deepcopy__(self, memo: Any) -> MpConvertIe: ...

# --------------------------------------------------------------------------
# Plain TCP options (build_option_area, SegmentEditor, TcpOption.value).

class Mss:
    value: int
    def __init__(self, value: int = 0) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Mss: ...
    def __deepcopy__(self, memo: Any) -> Mss: ...

class SackPermitted:
    def __init__(self) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> SackPermitted: ...
    def __deepcopy__(self, memo: Any) -> SackPermitted: ...

class Timestamps:
    value: int
    echo_reply: int
    def __init__(self, value: int = 0, echo_reply: int = 0) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Timestamps: ...
    def __deepcopy__(self, memo: Any) -> Timestamps: ...

class WindowScale:
    shift: int
    def __init__(self, shift: int = 0) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> WindowScale: ...
    def __deepcopy__(self, memo: Any) -> WindowScale: ...

class RawOption:
    kind: int
    value: bytes
    def __init__(self, kind: int, value: _Bytes = b"") -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> RawOption: ...
    def __deepcopy__(self, memo: Any) -> RawOption: ...

_TcpOptionValue = Union[_MptcpOption, Mss, SackPermitted, Timestamps, WindowScale, RawOption]

# --------------------------------------------------------------------------
# Decoding and encoding one MPTCP option.
#
# prefer_proxy_subtype (here and in subtype_name, walk_options, iter_options):
# MP_PREFER_PROXY's subtype, one IANA left unassigned, 0x9..0xE (9..14,
# decisions.md D5; the same range as config.proto and mptcp-decode's
# --prefer-proxy-subtype), default 0xE; None disables MP_PREFER_PROXY (its
# bytes decode as UnknownMptcp). Any other int raises ValueError
# ("prefer_proxy_subtype: 2 is outside 0x9..0xE, ...").

def decode(
    data: _Bytes, *, version: int = 1, prefer_proxy_subtype: Optional[int] = 0xE
) -> _MptcpOption: ...
def try_decode(
    data: _Bytes, *, version: int = 1, prefer_proxy_subtype: Optional[int] = 0xE
) -> tuple[str, Optional[_MptcpOption]]: ...
def encode(option: _MptcpOption) -> bytes: ...
def encoded_size(option: _MptcpOption) -> int: ...
def subtype_name(
    option: Union[_MptcpOption, int],
    *,
    version: int = 1,
    prefer_proxy_subtype: Optional[int] = 0xE,
) -> str: ...

# --------------------------------------------------------------------------
# TCP option areas.

class TcpOption(NamedTuple):
    kind: int
    offset: int
    raw: bytes
    value: Optional[Union[_MptcpOption, Mss, SackPermitted, Timestamps, WindowScale]]

class OptionIterator(Iterator[TcpOption]):
    def __iter__(self) -> OptionIterator: ...
    def __next__(self) -> TcpOption: ...

def walk_options(
    area: _Bytes, *, version: int = 1, prefer_proxy_subtype: Optional[int] = 0xE
) -> tuple[str, list[TcpOption]]: ...
def iter_options(
    area: _Bytes, *, version: int = 1, prefer_proxy_subtype: Optional[int] = 0xE
) -> OptionIterator: ...
def build_option_area(options: Iterable[_TcpOptionValue]) -> bytes: ...

# --------------------------------------------------------------------------
# Editing a TCP segment.

class SegmentEditor:
    def __init__(self, segment: _Bytes) -> None: ...
    def insert(self, option: Union[_TcpOptionValue, _Bytes]) -> None: ...
    def remove_mptcp_subtype(self, subtype: int) -> bool: ...
    def clamp_mss(self, max_mss: int) -> bool: ...
    @property
    def segment(self) -> bytes: ...
    @property
    def header_length(self) -> int: ...
    @property
    def area(self) -> bytes: ...

def edit_segment(
    segment: _Bytes,
    *,
    insert: Iterable[Union[_TcpOptionValue, _Bytes]] = (),
    remove_subtypes: Sequence[int] = (),
    clamp_mss: Optional[int] = None,
) -> bytes: ...

# --------------------------------------------------------------------------
# MP_CONVERT IEs.

def parse_mp_convert_ies(payload: _Bytes) -> tuple[list[MpConvertIe], int, int]: ...
def try_parse_mp_convert_ies(
    payload: _Bytes,
) -> tuple[str, list[MpConvertIe], int, int]: ...
def build_mp_convert_ies(ies: Sequence[MpConvertIe]) -> bytes: ...
def is_exact_echo(sent: _Bytes, syn_ack_payload: _Bytes) -> bool: ...
def is_allowed_ie_address(address: _AddressIn) -> bool: ...

# --------------------------------------------------------------------------
# MP_PREFER_PROXY / MP_TCPRST helpers.

# True for 0x9..0xE, exactly the ints prefer_proxy_subtype= accepts.
def is_valid_prefer_proxy_subtype(subtype: int) -> bool: ...
def is_prefer_proxy_applicable(syn: bool, ack: bool, has_mp_capable: bool) -> bool: ...
def mp_tcprst_reason_name(reason: int) -> str: ...

# --------------------------------------------------------------------------
# TCP checksum.

def tcp_checksum(src: _AddressIn, dst: _AddressIn, segment: _Bytes) -> int: ...
def ones_complement_sum(data: _Bytes, initial: int = 0) -> int: ...
def update_checksum(checksum: int, old_sum: int, new_sum: int) -> int: ...

# --------------------------------------------------------------------------
# Crypto (version 0: SHA-1 / HMAC-SHA1, version 1: SHA-256 / HMAC-SHA256).

def hash_key(key: int, version: int = 1) -> bytes: ...
def token(key: int, version: int = 1) -> int: ...
def idsn(key: int, version: int = 1) -> int: ...
def hmac_digest(version: int, key: _Bytes, message: _Bytes) -> bytes: ...
def join_hmac(
    version: int, own_key: int, peer_key: int, own_nonce: int, peer_nonce: int
) -> bytes: ...
def join_syn_ack_truncated_hmac(
    version: int,
    responder_key: int,
    initiator_key: int,
    responder_nonce: int,
    initiator_nonce: int,
) -> int: ...
def join_ack_hmac(
    version: int,
    initiator_key: int,
    responder_key: int,
    initiator_nonce: int,
    responder_nonce: int,
) -> bytes: ...
def add_addr_hmac(
    sender_key: int,
    receiver_key: int,
    address_id: int,
    address: _AddressIn,
    port: Optional[int] = None,
    variant: str = "rfc8684",
) -> int: ...
@overload
def constant_time_equal(a: _Bytes, b: _Bytes) -> bool: ...
@overload
def constant_time_equal(a: int, b: int) -> bool: ...
