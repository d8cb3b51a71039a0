#!/usr/bin/python3
"""malformed: malformed frames of every layer, made with scapy, against
apps/echo behind a tap (tests/e2e/malformed.sh).

    malformed.py IFACE GUEST-MAC GUEST PORT LOG EVIL

IFACE is the tap's Linux side, in the namespace this runs in, with an
address of GUEST's /24 (the Linux peer). The unikernel at GUEST
(GUEST-MAC) runs apps/echo with --stats --stats-every-ms=N, its console
going to LOG, and serves echo over UDP and TCP on PORT. EVIL is a free
address of the /24 that this program speaks for with a made-up MAC
(it answers ARP for it), so that the guest's answers to frames from EVIL
reach this program's packet socket and never Linux's own stack.

Per case: a malformed frame, or a short sequence of them, written on a
packet socket; then Linux's ping must be answered (the stack is still
up), and the drop counters the guest prints ("echo: drops ...") must
have gone up where the case says so. Where the guest must not answer
(an echo request with a bad checksum, a UDP datagram with a bad
checksum, a SYN with bad options), a good twin sent right behind it must
be answered, and the bad one must not have been before it; and but for
the cases that expect an answer, the guest must have sent nothing to
EVIL by the time it answered the ping (it reads its input in order).
Each case
prints "ok malformed: CASE" or "not ok malformed: CASE: why"; facts as
"# " lines. Exits 0 when all passed, 1 otherwise, 2 on bad arguments.
"""
import logging
import os
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time

# scapy warns on import that the namespace's loopback has no address.
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, raw  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6  # noqa: E402

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
EVIL_MAC = "02:00:00:00:00:66"

failed = False


def ok(name):
    print("ok malformed: " + name, flush=True)


def notok(name, why):
    global failed
    failed = True
    print("not ok malformed: %s: %s" % (name, why), flush=True)


def comment(text):
    print("# " + text, flush=True)


class Guest:
    """The unikernel under test, seen from the tap: frames to it, frames
    from it, its counters, and Linux's ping."""

    def __init__(self, iface, gmac, guest, port, log, evil):
        self.iface, self.gmac, self.guest, self.port = iface, gmac, guest, port
        self.log, self.evil = log, evil
        with open("/sys/class/net/%s/address" % iface) as f:
            self.mac = f.read().strip()
        self.tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.tx.bind((iface, 0))
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                socket.htons(ETH_P_ALL))
        self.rx.bind((iface, ETH_P_ALL))
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.stats = None
        self.dirty = False  # frames sent since self.stats was read
        self.arp_thread = threading.Thread(target=self.answer_arp, daemon=True)
        self.arp_thread.start()

    def answer_arp(self):
        """Speaks for EVIL: answers the guest's ARP requests for it."""
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(0x0806))
        s.bind((self.iface, 0x0806))
        while True:
            f, addr = s.recvfrom(2048)
            if addr[2] == PACKET_OUTGOING:
                continue
            p = Ether(f)
            if ARP in p and p[ARP].op == 1 and p[ARP].pdst == self.evil \
                    and p[ARP].psrc == self.guest:
                s.send(raw(Ether(dst=p.src, src=EVIL_MAC) /
                           ARP(op=2, hwsrc=EVIL_MAC, psrc=self.evil,
                               hwdst=p[ARP].hwsrc, pdst=self.guest)))

    def send(self, frame):
        """Writes (frame) (bytes or a scapy packet) on the tap; the error
        number when Linux refuses it, else 0."""
        self.dirty = True
        try:
            self.tx.send(frame if isinstance(frame, bytes) else raw(frame))
        except OSError as e:
            return e.errno
        return 0

    def eth(self, src=None, dst=None):
        """An Ethernet header, by default from EVIL's MAC to the guest."""
        return Ether(dst=dst or self.gmac, src=src or EVIL_MAC)

    def ip(self, **kw):
        """An IPv4 header, by default from EVIL to the guest."""
        kw.setdefault("src", self.evil)
        kw.setdefault("dst", self.guest)
        return IP(**kw)

    def drain(self):
        """Frames from the guest to EVIL that wait on the socket (IPv4,
        and ARP replies; not its ARP requests for EVIL, which come when
        they will): the list of them, parsed, and the socket emptied."""
        got = []
        while select.select([self.rx], [], [], 0)[0]:
            f, addr = self.rx.recvfrom(65536)
            if addr[2] != PACKET_OUTGOING and \
                    f[6:12] == mac_bytes(self.gmac):
                p = Ether(f)
                if (IP in p and p[IP].dst == self.evil) or \
                        (ARP in p and p[ARP].op == 2 and
                         p[ARP].pdst == self.evil):
                    got.append(p)
        return got

    def recv_until(self, match, timeout, seen=None):
        """Frames from the guest until (match)(packet) holds, for up to
        (timeout) seconds: returns that packet, or None. Every frame
        before it goes to (seen)(packet) when given."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.rx], [], [], left)[0]:
                return None
            f, addr = self.rx.recvfrom(65536)
            if addr[2] == PACKET_OUTGOING or f[6:12] != mac_bytes(self.gmac):
                continue
            p = Ether(f)
            if match(p):
                return p
            if seen:
                seen(p)

    def ping(self):
        """Linux's ping: None when the guest answered, else why not."""
        r = subprocess.run(["ping", "-c", "1", "-W", "1", self.guest],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode == 0:
            return None
        r = subprocess.run(["ping", "-c", "2", "-W", "1", self.guest],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode == 0:
            return None
        return "ping not answered: " + " ".join(r.stdout.split("\n")[-3:-1])

    def drops(self):
        """The guest's last complete "echo: drops" line, as a dict, and
        how many such lines LOG holds."""
        with open(self.log, "rb") as f:
            text = f.read().decode(errors="replace")
        lines = [line for line in text.split("\n")[:-1]
                 if line.startswith("echo: drops ")]
        if not lines:
            return None, 0
        d = {}
        for kv in lines[-1].split()[2:]:
            k, v = kv.split("=")
            d[k] = int(v)
        return d, len(lines)

    def fresh_drops(self, timeout=3):
        """Counters printed after this call began: the guest had read
        every frame written before it."""
        _, n = self.drops()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            d, k = self.drops()
            if k > n:
                return d
            time.sleep(0.02)
        return None


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def case(g, name, frames, up=(), same=(), check=None, quiet=True):
    """Sends (frames), runs (check)() (None, or why it failed), pings,
    and passes when the counters named in (up) went up and those in
    (same) did not, and, when (quiet), the guest sent nothing to EVIL
    but what (check) took."""
    if g.dirty:  # what was sent between the cases is not this case's
        g.stats = g.fresh_drops() or g.stats
    before = g.stats
    g.drain()
    for f in frames:
        e = g.send(f)
        if e:
            notok(name, "Linux refused a frame: %s" % os.strerror(e))
            return
    why = check() if check else None
    down = g.ping()
    # The guest reads its input in order: an answer to the frames came
    # before the ping's.
    said = g.drain()
    if quiet and said and not why:
        why = "the guest answered: %s" % said[0].summary()
    after = g.fresh_drops()
    if after is None:
        notok(name, "no \"echo: drops\" line from the guest")
        return
    g.stats = after
    g.dirty = False
    if down:
        notok(name, down)
        return
    if why:
        notok(name, why)
        return
    moved = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    comment("%s: %s" % (name, " ".join("%s+%d" % kv for kv in moved.items())))
    for k in up:
        if after[k] <= before[k]:
            notok(name, "counter %s did not go up (%d)" % (k, after[k]))
            return
    for k in same:
        if after[k] != before[k]:
            notok(name, "counter %s moved from %d to %d" %
                  (k, before[k], after[k]))
            return
    ok(name)


# ---- answered or not ----

def is_echo_reply(ident):
    return lambda p: ICMP in p and p[ICMP].type == 0 and p[ICMP].id == ident


def not_before_twin(g, bad, good, what):
    """A check: the guest answers the good twin (matched by (good)) and
    did not answer the bad frame (matched by (bad)) before it."""
    def check():
        hits = []
        r = g.recv_until(good, 2, lambda p: hits.append(p) if bad(p) else None)
        if r is None:
            return "the good twin got no answer: the check cannot tell"
        if hits:
            return "the guest answered %s: %s" % (what, hits[0].summary())
        if bad(r):
            return "the guest answered %s" % what
        return None
    return check


def answered(g, match, what):
    def check():
        if g.recv_until(match, 2) is None:
            return "no answer to %s" % what
        return None
    return check


# ---- the cases ----

def ethernet_arp(g):
    e = g.send(raw(g.eth())[:13])
    if e:
        comment("ethernet runt: Linux refuses a 13-byte frame on a tap (%s); "
                "the shortest that passes is a bare 14-byte header" %
                os.strerror(e))
        case(g, "ethernet runt: a bare 14-byte header, type IPv4",
             [raw(g.eth())[:12] + b"\x08\x00"], up=["ip_bad_length"])
    else:
        case(g, "ethernet runt: 13 bytes", [], up=["eth_short"])
    case(g, "ethernet: unknown ethertype 0x88b5",
         [Ether(dst=g.gmac, src=EVIL_MAC, type=0x88b5) / Raw(b"\0" * 46)],
         up=["eth_ethertype"])
    arp = g.eth() / ARP(op=1, hwsrc=EVIL_MAC, psrc=g.evil, pdst=g.guest)
    case(g, "arp: truncated after the sender's MAC",
         [raw(arp)[:14 + 14]], up=["arp_bad"])
    case(g, "arp: header only (8 bytes)", [raw(arp)[:14 + 8]], up=["arp_bad"])
    case(g, "arp: hardware length 8",
         [g.eth() / ARP(op=1, hwlen=8, hwsrc=EVIL_MAC, psrc=g.evil,
                        pdst=g.guest)], up=["arp_bad"])
    case(g, "arp: protocol length 6",
         [g.eth() / ARP(op=1, plen=6, hwsrc=EVIL_MAC, psrc=g.evil,
                        pdst=g.guest)], up=["arp_bad"])
    case(g, "arp: opcode 9",
         [g.eth() / ARP(op=9, hwsrc=EVIL_MAC, psrc=g.evil, pdst=g.guest)],
         up=["arp_bad"])


def echo_req(g, ident, **ipkw):
    return g.eth() / g.ip(**ipkw) / ICMP(id=ident, seq=1) / Raw(b"malformed")


def ipv4(g):
    good = raw(echo_req(g, 0x4400))
    case(g, "ipv4: header truncated at 12 bytes", [good[:14 + 12]],
         up=["ip_bad_length"])
    case(g, "ipv4: IHL 4 (below 5)",
         [g.eth() / g.ip(ihl=4) / ICMP(id=0x4401)], up=["ip_bad_header"])
    case(g, "ipv4: IHL 0", [g.eth() / g.ip(ihl=0) / ICMP(id=0x4402)],
         up=["ip_bad_header"])
    case(g, "ipv4: IHL 15 past the packet (total length 37)",
         [g.eth() / g.ip(ihl=15) / ICMP(id=0x4403) / Raw(b"malformed")],
         up=["ip_bad_length"])
    case(g, "ipv4: IHL 15 past the frame (24 bytes)",
         [raw(g.eth() / g.ip(ihl=15, len=60))[:14 + 24]],
         up=["ip_bad_length"])
    case(g, "ipv4: total length 1000 past the frame",
         [g.eth() / g.ip(len=1000) / ICMP(id=0x4404)], up=["ip_bad_length"])
    case(g, "ipv4: total length 12 below the header",
         [g.eth() / g.ip(len=12) / ICMP(id=0x4405)], up=["ip_bad_length"])
    case(g, "ipv4: total length 0",
         [g.eth() / g.ip(len=0) / ICMP(id=0x4406)], up=["ip_bad_length"])
    case(g, "ipv4: bad header checksum (echo request not answered)",
         [echo_req(g, 0x4407, chksum=0xbad), echo_req(g, 0x4408)],
         up=["ip_bad_checksum"],
         check=not_before_twin(g, is_echo_reply(0x4407),
                               is_echo_reply(0x4408), "the bad one"))
    v6 = bytearray(good)
    v6[14] = 0x65  # version 6, IHL 5; the checksum fixed for it
    v6[24:26] = b"\0\0"
    v6[24:26] = struct.pack("!H", inet_csum(bytes(v6[14:34])))
    case(g, "ipv4: version 6 in an IPv4 header", [bytes(v6)],
         up=["ip_bad_header"])
    case(g, "ipv4: an IPv6 packet under the IPv4 ethertype",
         [Ether(dst=g.gmac, src=EVIL_MAC, type=0x0800) /
          IPv6(src="fe80::66", dst="fe80::2") / ICMPv6EchoRequest()],
         up=["ip_bad_header"])
    case(g, "ipv4: TTL 0 (echo request not answered)",
         [echo_req(g, 0x4409, ttl=0), echo_req(g, 0x440a)],
         up=["ip_bad_header"],
         check=not_before_twin(g, is_echo_reply(0x4409),
                               is_echo_reply(0x440a), "TTL 0"))
    for what, opt, ident in (
            ("option length 0", b"\x07\x00\x00\x00", 0x4410),
            ("option length 1", b"\x07\x01\x00\x00", 0x4411),
            ("option length past the header", b"\x07\x28\x04\x00", 0x4412),
            ("NOP then option length past the header",
             b"\x01\x01\x83\x09\x04\x00\x00\x00", 0x4413),
            ("option with no room for its length byte",
             b"\x01\x01\x01\x44", 0x4414)):
        case(g, "ipv4: %s (echo request not answered)" % what,
             [ip_options(echo_req(g, ident), opt),
              echo_req(g, ident + 0x100)],
             up=["ip_bad_header"],
             check=not_before_twin(g, is_echo_reply(ident),
                                   is_echo_reply(ident + 0x100), what))
    case(g, "ipv4: good options (NOP, EOL) are still answered",
         [ip_options(echo_req(g, 0x4420), b"\x01\x00\x00\x00")],
         check=answered(g, is_echo_reply(0x4420), "a ping with NOP, EOL"))
    case(g, "ipv4: broadcast source address",
         [echo_req(g, 0x4421, src="255.255.255.255")], up=["ip_bad_src"])
    case(g, "ipv4: our own address as the source",
         [echo_req(g, 0x4422, src=g.guest)], up=["ip_bad_src"])
    case(g, "ipv4: unknown protocol 253: protocol unreachable",
         [g.eth() / g.ip(proto=253) / Raw(b"x" * 8)], up=["ip_proto"],
         check=answered(g, lambda p: ICMP in p and p[ICMP].type == 3 and
                        p[ICMP].code == 2, "it"))


def ip_options(frame, opts):
    """(frame), an Ethernet frame of IPv4 without options, with (opts)
    (a multiple of 4 bytes, written as they are) put into its header:
    the header length, total length and checksum made to agree."""
    f = bytearray(raw(frame))
    h = f[14:34]
    h[0] = 0x40 | (20 + len(opts)) // 4
    h[2:4] = struct.pack("!H", len(f) - 14 + len(opts))
    h[10:12] = b"\0\0"
    h += opts
    h[10:12] = struct.pack("!H", inet_csum(bytes(h)))
    return bytes(f[:14] + h + f[34:])


def inet_csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def fragments(g):
    body = raw(ICMP(id=0x4600, seq=1) / Raw(b"F" * 40))
    case(g, "fragments: overlapping, disagreeing",
         [g.eth() / g.ip(id=0x4600, flags="MF", frag=0, proto=1) /
          Raw(body[:24]),
          g.eth() / g.ip(id=0x4600, flags="MF", frag=1, proto=1) /
          Raw(b"X" * 16)], up=["reasm_overlaps"])
    case(g, "fragments: one past 65535 (offset 65512, 100 bytes)",
         [g.eth() / g.ip(id=0x4601, frag=8189, proto=1) / Raw(b"x" * 100)],
         up=["reasm_bad"])
    case(g, "fragments: last one ending at 65520",
         [g.eth() / g.ip(id=0x4602, frag=8189, proto=17) / Raw(b"x" * 8)],
         up=["reasm_bad"])
    case(g, "fragments: zero length, more fragments",
         [g.eth() / g.ip(id=0x4603, flags="MF", frag=10, proto=1)],
         up=["reasm_bad"])
    case(g, "fragments: zero length, last",
         [g.eth() / g.ip(id=0x4604, frag=10, proto=1)], up=["reasm_bad"])
    case(g, "fragments: odd length with more fragments",
         [g.eth() / g.ip(id=0x4605, flags="MF", frag=0, proto=1) /
          Raw(b"x" * 13)], up=["reasm_bad"])
    # A whole echo request whose first fragment holds the ICMP header
    # only: legal (RFC 791), reassembled and answered.
    body = raw(ICMP(id=0x4606, seq=1) / Raw(b"tiny first fragment!"))
    case(g, "fragments: tiny first fragment (8 bytes), answered",
         [g.eth() / g.ip(id=0x4606, flags="MF", frag=0, proto=1) /
          Raw(body[:8]),
          g.eth() / g.ip(id=0x4606, frag=1, proto=1) / Raw(body[8:])],
         up=["reasm_ok"],
         check=answered(g, is_echo_reply(0x4606), "the reassembled echo"))
    # RFC 1858 3.2: a TCP SYN whose second fragment rewrites its flags.
    seg = raw(TCP(sport=4606, dport=g.port, flags="A", seq=1) /
              Raw(b"x" * 8))
    seg_syn = bytearray(seg)
    seg_syn[13] = 0x02
    case(g, "fragments: RFC 1858 overlap rewriting TCP flags",
         [g.eth() / g.ip(id=0x4607, flags="MF", frag=0, proto=6) /
          Raw(seg[:16]),
          g.eth() / g.ip(id=0x4607, flags="MF", frag=1, proto=6) /
          Raw(bytes(seg_syn[8:16])),
          g.eth() / g.ip(id=0x4607, frag=2, proto=6) / Raw(seg[16:])],
         up=["reasm_overlaps"])


def icmp(g):
    case(g, "icmp: truncated (4 bytes)",
         [g.eth() / g.ip(proto=1) / Raw(b"\x08\x00\xf7\xff")],
         up=["icmp_bad"])
    case(g, "icmp: destination unreachable with a bad checksum",
         [g.eth() / g.ip() / ICMP(type=3, code=3, chksum=0xbad) /
          Raw(b"\0" * 28)], up=["icmp_bad"])
    case(g, "icmp: echo request with a bad checksum, not answered",
         [icmp_bad_sum(g), echo_req(g, 0x4701)],
         up=["icmp_bad"],
         check=not_before_twin(g, is_echo_reply(0x4700),
                               is_echo_reply(0x4701), "the bad checksum"))


def icmp_bad_sum(g):
    """An echo request with a wrong checksum (the good one's plus 1)."""
    p = echo_req(g, 0x4700)
    p[ICMP].chksum = (raw(p[ICMP])[2] << 8 | raw(p[ICMP])[3]) ^ 0x0101
    return p


def udp(g):
    def is_udp_echo(data):
        return lambda p: UDP in p and p[UDP].sport == g.port and \
            bytes(p[UDP].payload) == data

    def dgram(data, **kw):
        return g.eth() / g.ip() / UDP(sport=4800, dport=g.port, **kw) / \
            Raw(data)

    case(g, "udp: length 100 past the payload, not echoed",
         [dgram(b"udp-long", len=100), dgram(b"udp-long-twin")],
         up=["udp_bad"],
         check=not_before_twin(g, is_udp_echo(b"udp-long"),
                               is_udp_echo(b"udp-long-twin"), "it"))
    case(g, "udp: length 4 (below 8), not echoed",
         [dgram(b"udp-short", len=4), dgram(b"udp-short-twin")],
         up=["udp_bad"],
         check=not_before_twin(g, is_udp_echo(b"udp-short"),
                               is_udp_echo(b"udp-short-twin"), "it"))
    case(g, "udp: truncated header (4 bytes)",
         [g.eth() / g.ip(proto=17) / Raw(b"\x12\xc0\x00\x07")],
         up=["udp_bad"])
    case(g, "udp: destination port 0",
         [g.eth() / g.ip() / UDP(sport=4800, dport=0) / Raw(b"port 0")],
         up=["udp_bad"])
    bad = dgram(b"udp-sum")
    bad[UDP].chksum = (raw(bad[UDP])[6] << 8 | raw(bad[UDP])[7]) ^ 0x0101
    case(g, "udp: bad checksum, not echoed",
         [bad, dgram(b"udp-sum-twin")], up=["udp_checksum"],
         check=not_before_twin(g, is_udp_echo(b"udp-sum"),
                               is_udp_echo(b"udp-sum-twin"), "it"))


def tcp(g):
    def from_guest(sport):
        return lambda p: TCP in p and p[TCP].dport == sport and \
            p[TCP].sport == g.port

    def syn(sport, opts=b"", **kw):
        t = TCP(sport=sport, dport=g.port, seq=1000,
                flags=kw.pop("flags", "S"),
                dataofs=kw.pop("dataofs", 5 + len(opts) // 4), **kw)
        return g.eth() / g.ip() / t / Raw(opts)

    def reset(sport):
        return g.eth() / g.ip() / TCP(sport=sport, dport=g.port, seq=1001,
                                      flags="R")

    def bad_syn(name, sport, frame, up=("tcp_bad",)):
        """(frame) from (sport) must get nothing back, while a good SYN
        right behind it gets a SYN-ACK (reset afterwards)."""
        twin = sport + 1
        case(g, name, [frame, syn(twin, b"\x02\x04\x05\xb4")], up=up,
             check=not_before_twin(g, from_guest(sport), from_guest(twin),
                                   "it"))
        g.send(reset(twin))

    bad_syn("tcp: data offset 4 (below 5)", 4900, syn(4900, dataofs=4))
    bad_syn("tcp: data offset 15 past the segment", 4902,
            syn(4902, b"\x02\x04\x05\xb4", dataofs=15))
    bad_syn("tcp: truncated header (12 bytes)", 4904,
            g.eth() / g.ip(proto=6) / Raw(raw(syn(4904)[TCP])[:12]))
    bad_syn("tcp: option length 0", 4906, syn(4906, b"\x02\x00\x05\xb4"))
    bad_syn("tcp: option length 1", 4908, syn(4908, b"\x08\x01\x00\x00"))
    bad_syn("tcp: option length past the header", 4910,
            syn(4910, b"\x01\x01\x08\x0a\x00\x00\x00\x00"))
    bad_syn("tcp: option with no room for its length byte", 4912,
            syn(4912, b"\x01\x01\x01\x1e"))
    bad_syn("tcp: MSS option of length 3", 4914,
            syn(4914, b"\x02\x03\x05\x01"))
    bad_syn("tcp: MSS option of length 6", 4916,
            syn(4916, b"\x02\x06\x05\xb4\x00\x00\x01\x01"))
    bad_syn("tcp: SACK-permitted of length 3", 4918,
            syn(4918, b"\x04\x03\x00\x01"))
    bad_syn("tcp: window scale of length 4", 4920,
            syn(4920, b"\x03\x04\x07\x00"))
    bad_syn("tcp: timestamps of length 8", 4922,
            syn(4922, b"\x08\x08" + b"\0" * 6 + b"\x01\x01\x01\x01"))
    bad_syn("tcp: SYN+FIN", 4924, syn(4924, flags="SF"))
    bad_syn("tcp: SYN+RST", 4926, syn(4926, flags="SR"))
    bad_syn("tcp: SYN+FIN+PSH+URG (christmas tree)", 4928,
            syn(4928, flags="SFPU"))
    bad_syn("tcp: destination port 0", 4932,
            g.eth() / g.ip() / TCP(sport=4932, dport=0, flags="S"))
    bcast = g.guest.rsplit(".", 1)[0] + ".255"
    bad_syn("tcp: SYN to the subnet's broadcast address", 4934,
            g.eth(dst="ff:ff:ff:ff:ff:ff") /
            IP(src=g.evil, dst=bcast) /
            TCP(sport=4934, dport=g.port, flags="S"))
    bad = syn(4930)
    bad[TCP].chksum = (raw(bad[TCP])[16] << 8 | raw(bad[TCP])[17]) ^ 0x0101
    bad_syn("tcp: bad checksum", 4930, bad, up=("tcp_checksum",))

    # Window scale 15: RFC 7323 2.3 says use 14; the SYN is taken.
    def synack_ws():
        r = g.recv_until(from_guest(4940), 2)
        if r is None:
            return "no answer to a SYN with window scale 15"
        if "S" not in r[TCP].flags or "A" not in r[TCP].flags:
            return "answered %s" % r.summary()
        return None
    case(g, "tcp: window scale 15 (taken as 14), answered",
         [syn(4940, b"\x03\x03\x0f\x00")], check=synack_ws, quiet=False)
    g.send(reset(4940))


class Conn:
    """A TCP connection of our own from EVIL, through raw frames."""

    def __init__(self, g, sport):
        self.g, self.sport = g, sport
        self.seq = random.getrandbits(32)

    def match(self, p):
        return TCP in p and p[TCP].dport == self.sport and \
            p[TCP].sport == self.g.port

    def seg(self, flags, data=b"", **kw):
        return self.g.eth() / self.g.ip() / TCP(
            sport=self.sport, dport=self.g.port, seq=self.seq, ack=self.ack,
            flags=flags, window=65535, **kw) / Raw(data)

    def open(self):
        self.ack = 0
        self.g.send(self.g.eth() / self.g.ip() / TCP(
            sport=self.sport, dport=self.g.port, seq=self.seq, flags="S",
            window=65535, options=[("MSS", 1460)]))
        r = self.g.recv_until(self.match, 2)
        if r is None or r[TCP].flags != "SA":
            return False
        self.seq += 1
        self.ack = r[TCP].seq + 1
        self.g.send(self.seg("A"))
        return True

    def echoed(self, data, timeout=2):
        got = b""
        end = time.monotonic() + timeout
        while len(got) < len(data):
            r = self.g.recv_until(self.match, max(0, end - time.monotonic()))
            if r is None:
                break
            d = bytes(r[TCP].payload)
            if d and r[TCP].seq == self.ack:
                got += d
                self.ack += len(d)
                self.g.send(self.seg("A"))
        return got


def tcp_urgent(g):
    c = Conn(g, 5000)
    name = "tcp: urgent pointer 1000 past 5 bytes of data, echoed"
    if not c.open():
        notok(name, "no handshake from %s" % g.evil)
        return

    def check():
        got = c.echoed(b"hello")
        if got != b"hello":
            return "echoed %r" % got
        return None

    urgent = c.seg("PAU", b"hello", urgptr=1000)
    c.seq += 5
    case(g, name, [urgent], same=["tcp_bad", "tcp_unacceptable"],
         check=check, quiet=False)
    g.send(c.seg("RA"))


def tcp_rst_window(g):
    """RSTs on a connection of Linux's own (an ordinary socket): out of
    the window (dropped), and in it but not at RCV.NXT (a challenge ACK,
    RFC 5961 3.2). The connection must carry on echoing."""
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
    sniff.bind((g.iface, ETH_P_ALL))
    s = socket.create_connection((g.guest, g.port), timeout=2)
    sport = s.getsockname()[1]
    name = "tcp: RST out of the window on an established connection"
    isn = None
    end = time.monotonic() + 2
    while isn is None and time.monotonic() < end:
        if not select.select([sniff], [], [], 0.5)[0]:
            continue
        f, addr = sniff.recvfrom(65536)
        p = Ether(f)
        if addr[2] == PACKET_OUTGOING and TCP in p and \
                p[TCP].sport == sport and p[TCP].flags == "S":
            isn = p[TCP].seq
    sniff.close()
    if isn is None:
        notok(name, "did not see Linux's SYN")
        return

    def echo(data):
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            try:
                b = s.recv(65536)
            except OSError as e:
                return got + ("<%s>" % e).encode()
            if not b:
                return got + b"<EOF>"
            got += b
        return got

    if echo(b"before") != b"before":
        notok(name, "no echo before the RST")
        return
    nxt = isn + 1 + len(b"before")  # the guest's RCV.NXT
    g.dirty = True  # the connection's own segments
    ip = IP(src=s.getsockname()[0], dst=g.guest)

    def rst(seq):
        return g.eth(src=g.mac) / ip / TCP(sport=sport, dport=g.port,
                                           seq=seq & 0xFFFFFFFF, flags="R")

    def still_echoes():
        got = echo(b"after")
        return None if got == b"after" else "the connection echoed %r" % got

    case(g, name, [rst(nxt + (1 << 30)), rst(nxt - (1 << 30))],
         up=["tcp_unacceptable"], same=["tcp_rx_rst"], check=still_echoes)
    case(g, "tcp: RST in the window but not at RCV.NXT: challenge ACK",
         [rst(nxt + 100)], up=["tcp_challenge_acks"], same=["tcp_rx_rst"],
         check=still_echoes)
    s.close()


def main(argv):
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    iface, gmac, guest, port, log, evil = argv[1:]
    g = Guest(iface, gmac, guest, int(port), log, evil)
    # EVIL introduces itself: the guest remembers the sender of a
    # request for it, and answers it.
    g.send(Ether(dst="ff:ff:ff:ff:ff:ff", src=EVIL_MAC) /
           ARP(op=1, hwsrc=EVIL_MAC, psrc=evil, pdst=guest))
    if g.recv_until(lambda p: ARP in p and p[ARP].op == 2, 2) is None:
        notok("set-up", "no ARP reply to %s" % evil)
        return 1
    if g.ping():
        notok("set-up", "the guest does not answer ping")
        return 1
    g.stats = g.fresh_drops()
    if g.stats is None:
        notok("set-up", "no \"echo: drops\" line in %s" % log)
        return 1
    start = time.monotonic()
    for group in (ethernet_arp, ipv4, fragments, icmp, udp, tcp, tcp_urgent,
                  tcp_rst_window):
        group(g)
    comment("all cases in %.1f s" % (time.monotonic() - start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
