#!/usr/bin/env python3
"""attack: hostile traffic against a unikernel behind a tap, written as raw
Ethernet frames on the tap's Linux side (tests/e2e/attacks.sh).

A frame written on an AF_PACKET socket bound to the tap goes to the
program that holds the tap open, the unikernel; Linux's own stack never
sees it. Only the Python standard library is used.

    attack.py arpflood IFACE GUEST COUNT SECONDS KEEP...
        COUNT ARP frames spread over about SECONDS, from random unicast
        MACs and random sender addresses of GUEST's /24 (never GUEST nor
        the addresses KEEP): requests for GUEST (each one asks the stack
        to remember its sender), gratuitous requests and gratuitous
        replies, broadcast or unicast.
    attack.py fragflood IFACE GUEST-MAC GUEST COUNT SECONDS
        COUNT IPv4 fragments (FragmentSmack) to GUEST spread over about
        SECONDS: tiny (8 to 64 bytes), overlapping, agreeing or not, in
        bursts of 1 to 16 under random identifiers and random sources of
        GUEST's /24; no datagram can ever complete (each has either its
        first fragment or its last one, not both).
    attack.py segsmack IFACE GUEST-MAC SRC GUEST PORT COUNT SECONDS
        a TCP handshake of its own from SRC (an address Linux owns on
        IFACE, whose RSTs the caller drops) to GUEST:PORT, then COUNT
        1-byte segments (SegmentSmack) at random offsets of the receive
        window, spread over about SECONDS, none at its left edge; then
        fills the window in order and passes when the echo service sends
        back exactly the bytes of the window, those held out of order
        included; then resets the connection.
    attack.py echo HOST PORT BYTES SECONDS NAME
        an ordinary Linux connection sends BYTES of random data to the
        echo service and reads them back; passes (as NAME) when they come
        back intact within SECONDS.

Each check prints "ok NAME" or "not ok NAME: why" (tests/lib.sh), facts
as "# " lines, and the program exits 0 when all passed, 1 otherwise; bad
arguments exit 2.
"""
import errno
import ipaddress
import random
import select
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SOL_PACKET, PACKET_IGNORE_OUTGOING = 263, 23
SO_RCVBUFFORCE = 33
BROADCAST = b"\xff" * 6
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10

failed = False


def ok(name):
    print("ok " + name, flush=True)


def notok(name, why):
    global failed
    failed = True
    print("not ok %s: %s" % (name, why), flush=True)


def comment(text):
    print("# " + text, flush=True)


def mac_bytes(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC address " + s)
    return b


def ip_bytes(s):
    return socket.inet_aton(s)


def iface_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return mac_bytes(f.read().strip())


def random_mac(rng):
    """A unicast, locally administered MAC address."""
    b = bytearray(rng.randbytes(6))
    b[0] = (b[0] & 0xFC) | 0x02
    return bytes(b)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ident=0, frag=0, ttl=64):
    """An IPv4 header (no options) before (payload); (frag) holds the MF
    flag and the offset in 8-byte blocks, as on the wire."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag,
                    ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def raw_socket(iface, proto=0):
    """An AF_PACKET socket on (iface); it receives (proto) frames, none
    when 0."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    s.bind((iface, proto))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    return s


class Pacer:
    """Sends (count) frames over about (seconds), in small bursts."""

    def __init__(self, count, seconds):
        self.count, self.seconds = count, seconds
        self.start = time.monotonic()
        self.errors = 0

    def run(self, sock, make, between=None):
        sent = 0
        while sent < self.count:
            for _ in range(min(32, self.count - sent)):
                try:
                    sock.send(make(sent))
                except OSError as e:
                    if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                        raise
                    self.errors += 1
                sent += 1
            if between:
                between()
            wait = self.start + self.seconds * sent / self.count - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.elapsed = time.monotonic() - self.start
        return sent

    def report(self, what):
        comment("%s: %d frames in %.2f s (%.0f/s), %d refused by the tap" %
                (what, self.count, self.elapsed, self.count / self.elapsed,
                 self.errors))


def subnet_hosts(guest, keep):
    """The host addresses of GUEST's /24 but GUEST and (keep)."""
    net = ipaddress.ip_network(guest + "/24", strict=False)
    skip = {guest, *keep}
    return [ip_bytes(str(a)) for a in net.hosts() if str(a) not in skip]


def arpflood(iface, guest, count, seconds, keep):
    rng = random.Random(826)
    hosts = subnet_hosts(guest, keep)
    g = ip_bytes(guest)
    s = raw_socket(iface)

    def make(i):
        sha, spa = random_mac(rng), rng.choice(hosts)
        kind = i % 4
        if kind < 2:  # a request for the guest: "remember me"
            dst, op, tha, tpa = BROADCAST, 1, b"\0" * 6, g
        elif kind == 2:  # a gratuitous request
            dst, op, tha, tpa = BROADCAST, 1, b"\0" * 6, spa
        else:  # a gratuitous reply, now and then unicast to a random MAC
            dst = BROADCAST if rng.random() < 0.5 else random_mac(rng)
            op, tha, tpa = 2, sha, spa
        arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, op, sha, spa,
                          tha, tpa)
        return eth(dst, sha, ETH_P_ARP, arp)

    p = Pacer(count, seconds)
    p.run(s, make)
    p.report("arp flood")
    name = "arp flood: %d requests and gratuitous ARPs from random senders" % count
    if p.errors > count // 100:
        notok(name, "the tap refused %d of them" % p.errors)
    else:
        ok(name)


def fragflood(iface, guest_mac, guest, count, seconds):
    rng = random.Random(1)
    hosts = subnet_hosts(guest, [])
    dst, gmac = ip_bytes(guest), mac_bytes(guest_mac)
    s = raw_socket(iface)
    burst = []

    def new_burst():
        src, ident = rng.choice(hosts), rng.getrandbits(16)
        proto = rng.choice((1, 17, 6))
        # Near the start, or anywhere up to the 64 KiB limit.
        base = rng.choice((0, rng.randrange(0, 8000)))
        has_first = rng.random() < 0.5
        agree = rng.random() < 0.5
        for _ in range(rng.randint(1, 16)):
            off = base + rng.randrange(0, 16)
            if off == 0 and not has_first:
                off = 1
            n = 8 * rng.randint(1, 8)
            if off + n // 8 > 8189:
                off = 8189 - n // 8
            mf = 0x2000
            if not has_first and rng.random() < 0.2:
                mf, n = 0, n - rng.randrange(0, 8)  # a last fragment
            if agree:  # overlaps carry the same bytes
                data = bytes((8 * off + k) & 0xFF for k in range(n))
            else:
                data = rng.randbytes(n)
            burst.append(ip4(src, dst, proto, data, ident, mf | off))

    smac = random_mac(rng)

    def make(i):
        if not burst:
            new_burst()
        return eth(gmac, smac, ETH_P_IP, burst.pop(0))

    p = Pacer(count, seconds)
    p.run(s, make)
    p.report("fragment flood")
    name = "fragment flood: %d tiny overlapping fragments, never complete" % count
    if p.errors > count // 100:
        notok(name, "the tap refused %d of them" % p.errors)
    else:
        ok(name)


class Tcp:
    """A TCP connection of our own over raw frames: just enough to open
    it, put segments anywhere, and read an echo back."""

    def __init__(self, iface, guest_mac, src, guest, port):
        self.s = raw_socket(iface, ETH_P_IP)
        # Room for the guest's answers to a whole flood; our own frames
        # are not looped back (Linux 4.20).
        self.s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        self.s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        self.mac, self.gmac = iface_mac(iface), mac_bytes(guest_mac)
        self.src, self.dst = ip_bytes(src), ip_bytes(guest)
        self.sport, self.dport = random.randrange(20000, 60000), port
        self.iss = random.getrandbits(32)
        self.acks = self.sacks = 0
        self.frags, self.fragmented = {}, 0

    def send(self, seq, ack, flags, data=b"", opts=b"", win=65535):
        hl = (20 + len(opts)) // 4
        h = struct.pack("!HHIIBBHHH", self.sport, self.dport, seq & 0xFFFFFFFF,
                        ack & 0xFFFFFFFF, hl << 4, flags, win, 0, 0) + opts
        pseudo = self.src + self.dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
        c = checksum(pseudo + h + data)
        seg = h[:16] + struct.pack("!H", c) + h[18:] + data
        frame = eth(self.gmac, self.mac, ETH_P_IP, ip4(self.src, self.dst, 6, seg))
        try:
            self.s.send(frame)
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
            return False
        return True

    def recv(self, timeout):
        """The next segment of the connection from the guest, parsed, or
        None after (timeout) seconds."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return None
            f, addr = self.s.recvfrom(65536)
            seg = self.parse(f, addr)
            if seg:
                return seg

    def drain(self):
        while True:
            try:
                f, addr = self.s.recvfrom(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            self.parse(f, addr)

    def parse(self, f, addr):
        if addr[2] == PACKET_OUTGOING or len(f) < 34 or f[14] >> 4 != 4:
            return None
        ihl = (f[14] & 15) * 4
        ip = f[14:14 + struct.unpack("!H", f[16:18])[0]]
        if ip[9] != 6 or ip[12:16] != self.dst or ip[16:20] != self.src:
            return None
        t = ip[ihl:]
        frag = struct.unpack("!H", ip[6:8])[0]
        if frag & 0x3FFF:  # a fragment: whole segments only
            ident = struct.unpack("!H", ip[4:6])[0]
            parts = self.frags.setdefault(ident, {})
            parts[(frag & 0x1FFF) * 8] = (t, frag & 0x2000)
            t, end = b"", 0
            while end in parts:
                t += parts[end][0]
                if not parts[end][1]:
                    del self.frags[ident]
                    self.fragmented += 1
                    break
                end += len(parts[end][0])
            else:
                return None
        sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", t[:16])
        if sport != self.dport or dport != self.sport:
            return None
        opts, data = t[20:(off >> 4) * 4], t[(off >> 4) * 4:]
        o = {}
        i = 0
        while i < len(opts):
            k = opts[i]
            if k == 0:
                break
            if k == 1:
                i += 1
                continue
            if i + 1 >= len(opts) or opts[i + 1] < 2:
                break
            o[k] = opts[i + 2:i + opts[i + 1]]
            i += opts[i + 1]
        if flags & TCP_ACK and not data:
            self.acks += 1
            if 5 in o:
                self.sacks += 1
        return {"seq": seq, "ack": ack, "flags": flags, "win": win, "opts": o,
                "data": data}

    def open(self):
        """The handshake: MSS 1460, SACK permitted, window scale 7."""
        opts = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x01\x04\x02\x01\x03\x03\x07"
        for _ in range(3):
            self.send(self.iss, 0, TCP_SYN, opts=opts)
            end = time.monotonic() + 1
            while time.monotonic() < end:
                r = self.recv(end - time.monotonic())
                if r and r["flags"] & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK \
                        and r["ack"] == (self.iss + 1) & 0xFFFFFFFF:
                    self.irs = r["seq"]
                    self.wscale = r["opts"][3][0] if 3 in r["opts"] else 0
                    self.mss = struct.unpack("!H", r["opts"][2])[0] \
                        if 2 in r["opts"] else 536
                    self.send(self.iss + 1, self.irs + 1, TCP_ACK, win=65535 >> 7)
                    return True
                if r and r["flags"] & TCP_RST:
                    return False
        return False

    def put(self, off, data, flags=TCP_ACK | TCP_PSH, ack=0):
        """Sends (data) at byte (off) of our stream."""
        return self.send(self.iss + 1 + off, self.irs + 1 + ack, flags, data,
                         win=65535 >> 7)


def segsmack(iface, guest_mac, src, guest, port, count, seconds):
    rng = random.Random(5961)
    c = Tcp(iface, guest_mac, src, guest, port)
    name = "segsmack: handshake of our own from %s" % src
    if not c.open():
        notok(name, "no SYN-ACK from %s:%d" % (guest, port))
        return
    ok(name)
    comment("segsmack: guest MSS %d, window scale %d" % (c.mss, c.wscale))

    # Our stream: byte i is data[i]. The window: what the guest says when
    # a byte comes out of order.
    data = rng.randbytes(1 << 20)
    c.put(1, data[1:2])
    r = c.recv(1)
    if not r:
        notok("segsmack: the guest acknowledges a byte out of order", "no ACK in 1 s")
        return
    win = min(r["win"] << c.wscale, len(data))
    data = data[:win]
    comment("segsmack: receive window %d bytes" % win)

    def make(i):
        off = rng.randrange(1, win)
        seg = struct.pack("!HHIIBBHHH", c.sport, c.dport,
                          (c.iss + 1 + off) & 0xFFFFFFFF, (c.irs + 1) & 0xFFFFFFFF,
                          5 << 4, TCP_ACK | TCP_PSH, 65535 >> 7, 0, 0)
        body = data[off:off + 1]
        pseudo = c.src + c.dst + struct.pack("!BBH", 0, 6, 21)
        s = checksum(pseudo + seg + body)
        seg = seg[:16] + struct.pack("!H", s) + seg[18:] + body
        return eth(c.gmac, c.mac, ETH_P_IP, ip4(c.src, c.dst, 6, seg, i & 0xFFFF))

    p = Pacer(count, seconds)
    p.run(c.s, make, c.drain)
    c.drain()
    p.report("segsmack")
    comment("segsmack: the guest answered with %d ACKs, %d with SACK blocks" %
            (c.acks, c.sacks))
    name = "segsmack: %d 1-byte segments at random offsets of the window" % count
    if p.errors > count // 100:
        notok(name, "the tap refused %d of them" % p.errors)
    else:
        ok(name)

    # Fill the window in order: the echo must be exactly (data).
    name = "segsmack: the window filled in order comes back intact (%d bytes)" % win
    start = time.monotonic()
    una = nxt = 0
    wnd = win
    got = bytearray()
    mss = min(c.mss, 1460)
    last = time.monotonic()
    while time.monotonic() - start < 10 and (len(got) < win or una < win):
        while nxt < min(win, una + wnd):
            n = min(mss, win - nxt, una + wnd - nxt)
            if not c.put(nxt, data[nxt:nxt + n], ack=len(got)):
                break
            nxt += n
        r = c.recv(0.05)
        if r is None:
            if time.monotonic() - last > 0.3:  # go back to the first unacked
                nxt, last = una, time.monotonic()
            continue
        if r["flags"] & TCP_RST:
            notok(name, "reset by the guest after %d bytes back" % len(got))
            return
        a = (r["ack"] - c.iss - 1) & 0xFFFFFFFF
        if a <= win and a > una:
            una, last = a, time.monotonic()
        if r["flags"] & TCP_ACK:
            wnd = r["win"] << c.wscale
        d = r["data"]
        if d:
            off = (r["seq"] - c.irs - 1) & 0xFFFFFFFF
            if off <= len(got) < off + len(d):
                got += d[len(got) - off:]
                last = time.monotonic()
            c.put(nxt, b"", TCP_ACK, ack=len(got))
    elapsed = time.monotonic() - start
    c.put(nxt, b"", TCP_RST | TCP_ACK, ack=len(got))
    if len(got) != win or got != data:
        first = next((i for i in range(min(len(got), win)) if got[i] != data[i]),
                     None)
        notok(name, "after %.1f s: %d of %d bytes acknowledged, %d back, "
              "first wrong byte at %s" % (elapsed, una, win, len(got), first))
    else:
        ok(name)
        comment("segsmack: the window echoed in %.2f s" % elapsed)
    if c.fragmented:
        comment("segsmack: %d segments from the guest came in IP fragments: "
                "header and data beyond the MTU" % c.fragmented)


def echo(host, port, total, seconds, name):
    data = random.Random(862).randbytes(total)
    start = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=seconds)
        s.settimeout(seconds)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = bytearray()
        while len(got) < total and time.monotonic() - start < seconds:
            b = s.recv(65536)
            if not b:
                break
            got += b
        s.close()
    except OSError as e:
        notok(name, "after %.2f s: %s" % (time.monotonic() - start, e))
        return
    elapsed = time.monotonic() - start
    if got != data:
        notok(name, "%d of %d bytes came back, %s" %
              (len(got), total, "intact" if data.startswith(got) else "wrong"))
    elif elapsed > seconds:
        notok(name, "took %.2f s" % elapsed)
    else:
        ok(name)
        comment("%s: %.3f s" % (name, elapsed))


def main(argv):
    usage = __doc__.split("\n\n")[2]
    try:
        cmd, args = argv[1], argv[2:]
        if cmd == "arpflood" and len(args) >= 4:
            arpflood(args[0], args[1], int(args[2]), float(args[3]), args[4:])
        elif cmd == "fragflood" and len(args) == 5:
            fragflood(args[0], args[1], args[2], int(args[3]), float(args[4]))
        elif cmd == "segsmack" and len(args) == 7:
            segsmack(args[0], args[1], args[2], args[3], int(args[4]),
                     int(args[5]), float(args[6]))
        elif cmd == "echo" and len(args) == 5:
            echo(args[0], int(args[1]), int(args[2]), float(args[3]), args[4])
        else:
            raise ValueError
    except (IndexError, ValueError):
        sys.stderr.write("usage:\n" + usage + "\n")
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
