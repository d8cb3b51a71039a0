#!/usr/bin/env python3
"""xfrdiff: asks two DNS servers for the same zone transfers and compares
the answers message by message (tests/e2e/dns_conformance.sh). The
reference is NSD with "provide-xfr: ADDR NOKEY"; the subject is the server
under test (apps/dns-primary with --axfr=ADDR).

    xfrdiff.py --ref ADDR --sub ADDR [--ref-src ADDR] [--sub-src ADDR]
               [--label NAME] [--port N] [--timeout S] ZONE...

For each ZONE (an origin both serve), from the source addresses given
(the kernel's choice otherwise), over TCP and UDP, with and without EDNS:
  - AXFR (RFC 5936), also with RD, DO, class ANY and class CH, of the
    origin, of a name below it and of a name outside every zone;
  - IXFR (RFC 1995) with the requester's SOA in the authority section, its
    serial older than the zone's, the same, newer, and 2^31 away (RFC 1982
    leaves that undefined); without an SOA there, and with an NS instead.
Over TCP every message of the transfer is read, until the closing SOA (a
second SOA in the answer sections), an answer with an error rcode, or one
holding the SOA alone; over UDP the one answer. The two servers must send
the same number of messages, each with the same bytes (the id is the
query's): header, question, records and their compression, OPT. Each
difference is printed as "# " lines ("-" the reference, "+" the subject:
each message's header); then "ok xfr LABEL: N transfers, 0 differences"
or "not ok ...", and "N differences". Exits 0 when there were none, 1
otherwise, 2 on bad arguments. Only the Python standard library is used.
"""
import argparse
import socket
import struct
import sys

AXFR, IXFR, SOA, NS, OPT = 252, 251, 6, 2, 41


def wire_name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def soa_rr(zone, serial):
    """An SOA record for the authority section of an IXFR query."""
    rdata = (wire_name("ns." + zone) + wire_name("admin." + zone)
             + struct.pack("!IIIII", serial, 3600, 900, 604800, 600))
    return wire_name(zone) + struct.pack("!HHIH", SOA, 1, 0, len(rdata)) + rdata


def ns_rr(zone):
    rdata = wire_name("ns." + zone)
    return wire_name(zone) + struct.pack("!HHIH", NS, 1, 0, len(rdata)) + rdata


def query(qid, name, qtype, qclass=1, flags=0, edns=False, do=False,
          authority=b"", nscount=0):
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, nscount, 1 if edns else 0)
    msg += wire_name(name) + struct.pack("!HH", qtype, qclass) + authority
    if edns:
        msg += b"\0" + struct.pack("!HHIH", OPT, 1232, 0x8000 if do else 0, 0)
    return msg


def skip_name(m, off):
    while True:
        n = m[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def answer_types(m):
    """The types of the records in the answer section of (m)."""
    _, _, qd, an, _, _ = struct.unpack("!HHHHHH", m[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(m, off) + 4
    types = []
    for _ in range(an):
        off = skip_name(m, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        types.append(rtype)
        off += 10 + rdlen
    return types


def header(m):
    if isinstance(m, str):
        return m
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    return "%d bytes, flags %04x, counts %d/%d/%d/%d" % (len(m), flags, qd, an, ns, ar)


def ask_tcp(server, port, src, msg, timeout):
    """The messages of the answer to (msg) over TCP, as described above;
    "timeout" or "closed" last when the server stopped early."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        if src:
            s.bind((src, 0))
        s.connect((server, port))
        s.sendall(struct.pack("!H", len(msg)) + msg)
        out, buf, soas = [], b"", 0
        while True:
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                m, buf = buf[2:2 + n], buf[2 + n:]
                out.append(m)
                if len(m) < 12 or m[3] & 0xF:
                    return out
                try:
                    types = answer_types(m)
                except (IndexError, struct.error):
                    return out + ["unparseable"]
                soas += types.count(SOA)
                if soas >= 2 or (len(out) == 1 and types == [SOA]) or not types:
                    return out
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out + ["timeout"]
            if not chunk:
                return out + ["closed"]
            buf += chunk
    except OSError as e:
        return ["error: %s" % e]
    finally:
        s.close()


def ask_udp(server, port, src, msg, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        if src:
            s.bind((src, 0))
        s.sendto(msg, (server, port))
        return [s.recv(65535)]
    except socket.timeout:
        return ["timeout"]
    except OSError as e:
        return ["error: %s" % e]
    finally:
        s.close()


def cases(zone):
    """(description, query, over TCP) for (zone)."""
    out = []
    qid = 0x5000
    for tcp in (True, False):
        t = "TCP" if tcp else "UDP"
        for edns in (False, True):
            e = " EDNS" if edns else ""
            out.append(("AXFR %s %s%s" % (zone, t, e), query(qid, zone, AXFR, edns=edns), tcp))
            for d, serial in (("older", 1), ("same", None), ("newer", "+1"), ("2^31 away", "+2^31")):
                out.append(("IXFR %s serial %s %s%s" % (zone, d, t, e),
                            ("ixfr", serial, edns), tcp))
            out.append(("IXFR %s no SOA %s%s" % (zone, t, e), query(qid, zone, IXFR, edns=edns), tcp))
        out.append(("IXFR %s NS for SOA %s" % (zone, t),
                    query(qid, zone, IXFR, authority=ns_rr(zone), nscount=1), tcp))
    out += [
        ("AXFR %s RD" % zone, query(qid, zone, AXFR, flags=0x0100), True),
        ("AXFR %s DO" % zone, query(qid, zone, AXFR, edns=True, do=True), True),
        ("AXFR %s class ANY" % zone, query(qid, zone, AXFR, qclass=255), True),
        ("AXFR %s class CH" % zone, query(qid, zone, AXFR, qclass=3, edns=True), True),
        ("AXFR below %s" % zone, query(qid, "below." + zone, AXFR, edns=True), True),
        ("IXFR below %s" % zone, query(qid, "below." + zone, IXFR, authority=soa_rr(zone, 1),
                                       nscount=1), False),
    ]
    return out


def serial_of(server, port, src, zone, timeout):
    """The zone's serial, from its SOA over TCP (an IXFR as new as can be
    answered with the SOA alone would need it first)."""
    m = ask_tcp(server, port, src, query(1, zone, SOA), timeout)
    if not m or isinstance(m[0], str):
        return None
    a = m[0]
    off = skip_name(a, 12) + 4
    off = skip_name(a, off)
    rtype, _, _, _ = struct.unpack("!HHIH", a[off:off + 10])
    if rtype != SOA:
        return None
    off = skip_name(a, skip_name(a, off + 10))
    return struct.unpack("!I", a[off:off + 4])[0]


def main():
    p = argparse.ArgumentParser(description="compare zone transfers")
    p.add_argument("--ref", required=True)
    p.add_argument("--sub", required=True)
    p.add_argument("--ref-src")
    p.add_argument("--sub-src")
    p.add_argument("--label", default="transfers")
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("zones", nargs="+")
    args = p.parse_args()

    total = diffs = 0
    for zone in args.zones:
        serial = serial_of(args.ref, args.port, args.ref_src, zone, args.timeout)
        if serial is None:
            print("xfrdiff: no SOA for %s from %s" % (zone, args.ref), file=sys.stderr)
            return 2
        for desc, q, tcp in cases(zone):
            if isinstance(q, tuple):
                _, d, edns = q
                s = {None: serial, 1: 1, "+1": serial + 1, "+2^31": serial + 2 ** 31}[d]
                q = query(0x5000, zone, IXFR, edns=edns,
                          authority=soa_rr(zone, s % 2 ** 32), nscount=1)
            ask = ask_tcp if tcp else ask_udp
            ref = ask(args.ref, args.port, args.ref_src, q, args.timeout)
            sub = ask(args.sub, args.port, args.sub_src, q, args.timeout)
            total += 1
            if ref != sub:
                diffs += 1
                print("# %s: %d message(s) from the reference, %d from the subject"
                      % (desc, len(ref), len(sub)))
                for i in range(max(len(ref), len(sub))):
                    r = ref[i] if i < len(ref) else "none"
                    s_ = sub[i] if i < len(sub) else "none"
                    if r != s_:
                        print("#   message %d: -%s" % (i + 1, header(r)))
                        print("#   message %d: +%s%s" % (i + 1, header(s_),
                              "" if header(r) != header(s_) else " (other bytes)"))
            elif any(isinstance(m, str) for m in ref):
                # Both stopped the same way: a harness or server fault.
                diffs += 1
                print("# %s: both: %s" % (desc, ", ".join(header(m) for m in ref)))
    if diffs:
        print("not ok xfr %s: %d of %d transfers answered differently" % (args.label, diffs, total))
    else:
        print("ok xfr %s: %d transfers, 0 differences" % (args.label, total))
    print("%d differences" % diffs)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
