# SPDX-License-Identifier: Apache-2.0
"""Tests of the real-kernel test's helpers on the shipped kernel capture:
kernel_forms.py (which forms a kernel can send, the named skips),
pcap_watch.py (forms, sides and connections read from a growing pcap) and
check_kernel_capture.py (the decoder's view checked against both).

Run by Bazel (py_test) from the runfiles root.
"""
import os
import subprocess
import sys

import pytest

HERE = "mptcp_opts/real_peer"
sys.path.insert(0, HERE)
import kernel_forms  # noqa: E402
import pcap_watch  # noqa: E402

KERNEL = "examples/captures/linux_kernel_mptcp_v1.pcap"
DECODE = "examples/mptcp_decode/mptcp-decode"


def test_a_current_kernel_skips_nothing():
    assert kernel_forms.skips("6.18.44", checksums=True) == []


def test_kernel_5_10_skips_exactly_the_later_forms():
    lines = kernel_forms.skips("5.10.0-28-amd64", checksums=False)
    names = [l.split(": ")[1] for l in lines]
    assert names == ["MP_CAPABLE/ACK+data+csum", "DSS/csum", "ADD_ADDR/hmac+port",
                     "ADD_ADDR/echo+port", "MP_PRIO/backup", "MP_PRIO/nobackup",
                     "MP_FASTCLOSE", "MP_TCPRST"]
    assert lines[-1] == "SKIP real_peer: MP_TCPRST: kernel 5.10.0-28-amd64 cannot send it"


def test_kernel_6_0_cannot_fast_close_on_unread_data():
    names = [l.split(": ")[1] for l in kernel_forms.skips("6.0.12", checksums=True)]
    assert names == ["MP_FASTCLOSE", "MP_TCPRST"]


def test_a_missing_checksum_sysctl_is_named():
    lines = kernel_forms.skips("6.1.0", checksums=False)
    assert lines == ["SKIP real_peer: MP_CAPABLE/ACK+data+csum: kernel 6.1.0 no net.mptcp.checksum_enabled",
                     "SKIP real_peer: DSS/csum: kernel 6.1.0 no net.mptcp.checksum_enabled"]
    # Without checksums the IPv6 phase's first data form is the 22-byte one.
    assert "MP_CAPABLE/ACK+data" in kernel_forms.required(6, "6.1.0", checksums=False)


def test_floor(monkeypatch):
    monkeypatch.setenv("REAL_PEER_KERNEL_VERSION", "5.9.16")
    assert kernel_forms.main(["kernel_forms.py", "floor"]) == 77
    monkeypatch.setenv("REAL_PEER_KERNEL_VERSION", "5.10.0")
    assert kernel_forms.main(["kernel_forms.py", "floor"]) == 0


def test_every_required_form_has_a_wait_vocabulary_name():
    # The names the capture waits for are the names the table requires.
    for family in (4, 6):
        for form in kernel_forms.required(family, "6.18", checksums=True):
            assert form in [f[0] for f in kernel_forms.FORMS] + ["MP_CAPABLE/ACK+data"]


def read_whole(path):
    cap = pcap_watch.Capture(path)
    cap.poll()
    return cap


def forms_by_family(cap):
    out = {4: {}, 6: {}}
    for p in cap.packets:
        if p.family in out:
            for f in p.forms:
                out[p.family][f] = out[p.family].get(f, 0) + 1
    return out


def test_shipped_capture_holds_every_form_over_both_families():
    cap = read_whole(KERNEL)
    assert len(cap.packets) == 1450
    assert len(cap.conns) == 4 and len(cap.subflows) == 16
    counts = forms_by_family(cap)
    for family in (4, 6):
        for form in kernel_forms.required(family, "6.18", checksums=True):
            assert counts[family].get(form), (family, form)


def test_sides_and_connections_follow_the_tokens():
    cap = read_whole(KERNEL)
    joins = [p for p in cap.packets if "MP_JOIN/SYN" in p.forms]
    assert len(joins) == 12 and all(p.conn is not None and p.side == "client" for p in joins)
    for form, side in (("ADD_ADDR/hmac+port", "server"), ("ADD_ADDR/echo+port", "client"),
                       ("MP_FASTCLOSE", "client"), ("MP_CAPABLE/SYN_ACK", "server")):
        packets = [p for p in cap.packets if form in p.forms]
        assert packets and all(p.side == side for p in packets), form
    # Every connection has three joined subflows besides its initial one.
    for conn in cap.conns:
        assert sum(1 for (c, _, _) in cap.subflows.values() if c is conn) == 4


def test_a_growing_file_is_read_record_by_record(tmp_path):
    data = open(KERNEL, "rb").read()
    whole = read_whole(KERNEL)
    path = tmp_path / "growing.pcap"
    cap = pcap_watch.Capture(str(path))
    cap.poll()  # no file yet
    assert cap.packets == []
    with open(path, "wb") as f:
        # Pieces that cut the global header and records in the middle.
        for start in range(0, len(data), 1000):
            f.write(data[start:start + 1000])
            f.flush()
            cap.poll()
    assert len(cap.packets) == len(whole.packets)
    assert forms_by_family(cap) == forms_by_family(whole)


def test_wait_names_what_is_missing(tmp_path, capsys):
    # The first 200 records: the IPv4 handshakes, no abort yet.
    data = open(KERNEL, "rb").read()
    cap = read_whole(KERNEL)
    first = cap.conns[0].client[1]
    pos, n = 24, 0
    while n < 200:
        pos += 16 + int.from_bytes(data[pos + 8:pos + 12], "little")
        n += 1
    path = tmp_path / "head.pcap"
    path.write_bytes(data[:pos])
    args = ["pcap_watch.py", "wait", str(path), "--family", "4", "--conn", str(first),
            "--timeout", "0.2", "--what", "the abort", "MP_CAPABLE/SYN@client", "MP_FASTCLOSE@client"]
    sys.argv = args
    assert pcap_watch.main() == 1
    err = capsys.readouterr().err
    assert "timed out after 0.2s waiting for the abort (IPv4)" in err
    assert "MP_FASTCLOSE from the client" in err and "MP_CAPABLE/SYN" not in err
    sys.argv = args[:-1]
    assert pcap_watch.main() == 0


def run_checker(pcap, tmp_path):
    env = dict(os.environ, REAL_PEER_KERNEL_VERSION="6.18.0", REAL_PEER_CHECKSUM="1")
    with open(tmp_path / "d.jsonl", "wb") as j, open(tmp_path / "d.txt", "wb") as t:
        subprocess.run([DECODE, "--json", "--verify", pcap], stdout=j, check=True)
        subprocess.run([DECODE, "-t", "--verify", pcap], stdout=t, check=True)
    return subprocess.run([sys.executable, HERE + "/check_kernel_capture.py", str(tmp_path / "d.jsonl"),
                           str(tmp_path / "d.txt"), pcap], env=env, capture_output=True, text=True)


def test_checker_accepts_the_shipped_capture(tmp_path):
    r = run_checker(KERNEL, tmp_path)
    assert r.returncode == 0, r.stdout
    assert "connections: 4, subflows: 16, HMACs verified: 32" in r.stdout


def test_checker_rejects_a_capture_cut_before_the_ipv6_close(tmp_path):
    # The old failure: the capture ended before the IPv6 phase's closes.
    data = open(KERNEL, "rb").read()
    cap = read_whole(KERNEL)
    last_data_fin_v6 = max(p.index for p in cap.packets if p.family == 6 and "DSS/DATA_FIN" in p.forms)
    first_close_v6 = min(p.index for p in cap.packets if p.family == 6
                         and ("MP_FASTCLOSE" in p.forms or "DSS/DATA_FIN" in p.forms))
    assert first_close_v6 <= last_data_fin_v6
    pos, n = 24, 0
    while n < first_close_v6:
        pos += 16 + int.from_bytes(data[pos + 8:pos + 12], "little")
        n += 1
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:pos])
    r = run_checker(str(cut), tmp_path)
    assert r.returncode == 1
    assert "no MP_FASTCLOSE over IPv6" in r.stdout and "no DSS/DATA_FIN over IPv6" in r.stdout


if __name__ == "__main__":
    args = [__file__, "-q", "-p", "no:cacheprovider"]
    if os.environ.get("XML_OUTPUT_FILE"):
        args.append("--junitxml=" + os.environ["XML_OUTPUT_FILE"])
    sys.exit(pytest.main(args))
