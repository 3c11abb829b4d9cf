#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The option forms the real-kernel test requires, and which of them the
running kernel can send.

Every form has a name (the same in pcap_watch.py, which finds it in the raw
capture, and in check_kernel_capture.py, which finds it in mptcp-decode's
output), the address families whose phase must carry it, and the first
mainline kernel that sends it the way make_kernel_capture.sh provokes it. A
form the running kernel cannot send is not required: the test reports it as
a named skip ("SKIP real_peer: MP_TCPRST: kernel 5.10.0 cannot send it"),
which is never counted as a pass nor as a failure.

Usage:
  kernel_forms.py skips             one "SKIP real_peer: ..." line per form this kernel cannot send
  kernel_forms.py required FAMILY   the forms required over IPv4 (4) or IPv6 (6), one a line
  kernel_forms.py can FORM          exit 0 if this kernel can send FORM, 1 if not
  kernel_forms.py floor             exit 0 if the kernel is new enough for the test at all,
                                    77 with the reason on stdout if not

The kernel version is `uname -r`, or REAL_PEER_KERNEL_VERSION when set (to
see what an older kernel would skip). DSS checksums are decided by the
presence of /proc/sys/net/mptcp/checksum_enabled, or by REAL_PEER_CHECKSUM
(1: present, 0: absent) when set.
"""
import os
import re
import sys

# Below this the in-kernel path manager sends neither ADD_ADDR echoes nor
# REMOVE_ADDR (both arrived in 5.10), so the test does not run at all.
FLOOR = (5, 10)

# (form, families, first kernel that sends it here, how it is provoked)
# Sources for the versions: the mainline merge of each feature (MP_PRIO and
# the set_flags netlink command: 5.12; ADD_ADDR with a port and the kernel's
# own listener for it: 5.12; DSS checksums and net.mptcp.checksum_enabled:
# 5.14; the MP_TCPRST option: 5.13; MP_FASTCLOSE on close() with unread
# data, "mptcp: use fastclose on more edge scenarios": 6.1). MP_TCPRST rides
# on the fast-close resets in this test, so it needs 6.1 here.
FORMS = [
    ("MP_CAPABLE/SYN", (4, 6), (5, 6), "connect()"),
    ("MP_CAPABLE/SYN_ACK", (4, 6), (5, 6), "connect()"),
    ("MP_CAPABLE/ACK", (4, 6), (5, 6), "connect()"),
    ("MP_CAPABLE/ACK+data", (4,), (5, 6), "the client's first data segment"),
    ("MP_CAPABLE/ACK+data+csum", (6,), (5, 14), "first data segment, checksums on"),
    ("DSS", (4, 6), (5, 6), "data"),
    ("DSS/csum", (6,), (5, 14), "data, checksums on"),
    ("DSS/DATA_FIN", (4, 6), (5, 10), "shutdown(SHUT_WR) both ways"),
    ("MP_JOIN/SYN", (4, 6), (5, 7), "subflow endpoint, ADD_ADDR"),
    ("MP_JOIN/SYN_ACK", (4, 6), (5, 7), "subflow endpoint, ADD_ADDR"),
    ("MP_JOIN/ACK", (4, 6), (5, 7), "subflow endpoint, ADD_ADDR"),
    ("ADD_ADDR/hmac", (4, 6), (5, 10), "signal endpoint"),
    ("ADD_ADDR/echo", (4, 6), (5, 10), "signal endpoint"),
    ("ADD_ADDR/hmac+port", (4, 6), (5, 12), "signal endpoint with a port"),
    ("ADD_ADDR/echo+port", (4, 6), (5, 12), "signal endpoint with a port"),
    ("MP_PRIO/backup", (4, 6), (5, 12), "endpoint change backup"),
    ("MP_PRIO/nobackup", (4, 6), (5, 12), "endpoint change nobackup"),
    ("REMOVE_ADDR", (4, 6), (5, 10), "endpoint delete"),
    ("MP_FASTCLOSE", (4, 6), (6, 1), "close() with unread data, linger {1,0}"),
    ("MP_TCPRST", (4, 6), (6, 1), "the fast-close resets"),
]
CHECKSUM_FORMS = ("MP_CAPABLE/ACK+data+csum", "DSS/csum")
CHECKSUM_SYSCTL = "/proc/sys/net/mptcp/checksum_enabled"


def kernel_release():
    return os.environ.get("REAL_PEER_KERNEL_VERSION") or os.uname().release


def parse_version(release):
    m = re.match(r"(\d+)\.(\d+)", release)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def has_checksums():
    forced = os.environ.get("REAL_PEER_CHECKSUM")
    if forced in ("0", "1"):
        return forced == "1"
    return os.path.exists(CHECKSUM_SYSCTL)


def can_send(form, release=None, checksums=None):
    release = release or kernel_release()
    checksums = has_checksums() if checksums is None else checksums
    for name, _, first, _ in FORMS:
        if name == form:
            if name in CHECKSUM_FORMS and not checksums:
                return False
            return parse_version(release) >= first
    raise KeyError(form)


def required(family, release=None, checksums=None):
    """Forms the phase of this family must carry on this kernel."""
    out = []
    for name, families, _, _ in FORMS:
        if family in families and can_send(name, release, checksums):
            out.append(name)
    # Without checksums the IPv6 phase's first data segment is the 22-byte form.
    checksums = has_checksums() if checksums is None else checksums
    if family == 6 and not can_send("MP_CAPABLE/ACK+data+csum", release, checksums):
        out.insert(out.index("DSS"), "MP_CAPABLE/ACK+data")
    return out


def skips(release=None, checksums=None):
    release = release or kernel_release()
    checksums = has_checksums() if checksums is None else checksums
    out = []
    for name, _, first, _ in FORMS:
        if can_send(name, release, checksums):
            continue
        if name in CHECKSUM_FORMS and not checksums and parse_version(release) >= first:
            why = "no net.mptcp.checksum_enabled"
        else:
            why = "cannot send it"
        out.append("SKIP real_peer: %s: kernel %s %s" % (name, release, why))
    return out


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd = argv[1]
    if cmd == "skips":
        for line in skips():
            print(line)
        return 0
    if cmd == "required" and len(argv) == 3:
        for form in required(int(argv[2])):
            print(form)
        return 0
    if cmd == "can" and len(argv) == 3:
        return 0 if can_send(argv[2]) else 1
    if cmd == "floor":
        release = kernel_release()
        if parse_version(release) < FLOOR:
            print("kernel %s is older than %d.%d, whose path manager the test needs"
                  % ((release,) + FLOOR))
            return 77
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
