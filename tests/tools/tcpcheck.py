#!/usr/bin/env python3
"""tcpcheck: the Linux side of the TCP end-to-end tests (tests/e2e/tcp*.sh).

    tcpcheck.py echo HOST PORT BYTES [SEED]
        sends BYTES of seeded random data and reads the echo back at the
        same time; passes when what came back is what was sent (length and
        SHA-256), and prints the throughput as a "# " line.
    tcpcheck.py bulk HOST PORT BYTES
        reads to EOF; passes when it got BYTES bytes of the bulk pattern,
        byte i = (i + i / 65521) mod 256 (apps/echo, port 19).
    tcpcheck.py discard HOST PORT BYTES
        sends BYTES, shuts its side down; passes when all were taken and
        the server closed its side in turn (EOF, nothing received).
    tcpcheck.py many HOST PORT CONNS BYTES
        CONNS connections at once, each sending BYTES of its own random
        data and reading the echo back; passes when every one got its own
        bytes back.
    tcpcheck.py refused HOST PORT
        passes when connecting is refused (RST) within a second.
    tcpcheck.py hold HOST CONNS
        opens CONNS connections to apps/echo that stay busy, in five kinds:
        a fast reader of the bulk sender (19: data always in flight), a
        slow one (its window mostly closed), an echo writer that never
        reads (7: both windows close), a discard writer (9) and an idle
        echo connection; prints "ready N" once all are established, then
        goes on until killed (tests/e2e/tcp.sh cuts the link under it).
    tcpcheck.py synflood HOST PORT COUNT SECONDS SRC...
        sends COUNT SYNs from the addresses SRC (random ones of them, random
        source ports 1024..29999) to HOST:PORT, spread over about SECONDS,
        through a raw socket; once a quarter are out, an ordinary client
        exchanges 1 MiB with the echo service on PORT; passes when that
        completes, intact, before the flood ends.

Each check prints "ok NAME" or "not ok NAME: why" (tests/lib.sh) and
exits 0 when all passed, 1 otherwise; bad arguments exit 2. Every check
gives up after a deadline instead of hanging.
"""
import errno
import hashlib
import os
import random
import resource
import selectors
import socket
import struct
import sys
import threading
import time

MIB = 1 << 20
CHUNK = 256 * 1024
DEADLINE = 120.0  # seconds for any one check

failed = False


def ok(name):
    print("ok " + name, flush=True)


def notok(name, why):
    global failed
    failed = True
    print("not ok %s: %s" % (name, why), flush=True)


def comment(text):
    print("# " + text, flush=True)


def size(n):
    if n >= MIB and n % MIB == 0:
        return "%d MiB" % (n // MIB)
    if n >= 1024 and n % 1024 == 0:
        return "%d KiB" % (n // 1024)
    return "%d bytes" % n


def connect(host, port, timeout=10.0, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def echo(host, port, total, seed=1, name=None):
    """One connection: send (total) random bytes while reading them back."""
    name = name or "tcp echo: %s each way, sha256 equal" % size(total)
    sent = hashlib.sha256()
    err = []

    def sender(s):
        rng = random.Random(seed)
        left = total
        try:
            while left:
                buf = rng.randbytes(min(CHUNK, left))
                sent.update(buf)
                s.sendall(buf)
                left -= len(buf)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append("sending, %d bytes left: %s" % (left, e))

    start = time.monotonic()
    try:
        s = connect(host, port, timeout=DEADLINE)
    except OSError as e:
        notok(name, "connect: %s" % e)
        return
    t = threading.Thread(target=sender, args=(s,), daemon=True)
    t.start()
    got = hashlib.sha256()
    n = 0
    try:
        while True:
            buf = s.recv(MIB)
            if not buf:
                break
            got.update(buf)
            n += len(buf)
    except OSError as e:
        err.append("receiving, after %d bytes: %s" % (n, e))
    elapsed = time.monotonic() - start
    t.join(DEADLINE)
    s.close()
    if err:
        notok(name, "; ".join(err))
    elif n != total:
        notok(name, "got %d bytes back, sent %d" % (n, total))
    elif got.digest() != sent.digest():
        notok(name, "sha256 %s back, %s sent" % (got.hexdigest(), sent.hexdigest()))
    else:
        ok(name)
        comment("%s each way in %.2f s: %.1f MB/s each way" %
                (size(total), elapsed, total / elapsed / 1e6))
    return elapsed


# The bulk pattern: positions q*65521 .. q*65521+65520 hold consecutive
# byte values starting at (q * 65522) mod 256.
_CYCLE = bytes(range(256)) * 258


def pattern(off, n):
    out = []
    while n:
        q, r = divmod(off, 65521)
        k = min(n, 65521 - r)
        start = (q * 65522 + r) % 256
        out.append(_CYCLE[start:start + k])
        off += k
        n -= k
    return b"".join(out)


def bulk(host, port, total):
    name = "tcp bulk: %s of the pattern, then EOF" % size(total)
    start = time.monotonic()
    n = 0
    bad = None
    try:
        s = connect(host, port, timeout=DEADLINE)
        while True:
            buf = s.recv(MIB)
            if not buf:
                break
            if bad is None and n < total:
                want = pattern(n, min(len(buf), total - n))
                if buf[:len(want)] != want:
                    i = next(i for i in range(len(want)) if buf[i] != want[i])
                    bad = "byte %d is %d, wanted %d" % (n + i, buf[i], want[i])
            n += len(buf)
        s.close()
    except OSError as e:
        notok(name, "after %d bytes: %s" % (n, e))
        return
    elapsed = time.monotonic() - start
    if bad:
        notok(name, bad)
    elif n != total:
        notok(name, "got %d bytes, wanted %d" % (n, total))
    else:
        ok(name)
        comment("%s in %.2f s: %.1f MB/s" % (size(total), elapsed, total / elapsed / 1e6))


def discard(host, port, total):
    name = "tcp discard: %s taken, then the server closes" % size(total)
    start = time.monotonic()
    try:
        s = connect(host, port, timeout=DEADLINE)
        buf = random.Random(9).randbytes(CHUNK)
        left = total
        while left:
            k = min(left, len(buf))
            s.sendall(buf[:k])
            left -= k
        s.shutdown(socket.SHUT_WR)
        extra = s.recv(4096)
        s.close()
    except OSError as e:
        notok(name, str(e))
        return
    if extra:
        notok(name, "the discard service sent %d bytes" % len(extra))
    else:
        ok(name)
        comment("%s in %.2f s" % (size(total), time.monotonic() - start))


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= want:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Conn:
    __slots__ = ("sock", "data", "sent", "got", "state")


def many(host, port, conns, each):
    name = "tcp echo: %d connections at once, %s each, all intact" % (conns, size(each))
    raise_nofile(conns + 64)
    sel = selectors.DefaultSelector()
    rng = random.Random(4)
    start = time.monotonic()
    live = 0
    errors = []
    for i in range(conns):
        c = Conn()
        c.data = rng.randbytes(each)
        c.sent = 0
        c.got = []
        c.state = "connecting"
        try:
            c.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as e:
            notok(name, "socket %d: %s" % (i, e))
            return
        c.sock.setblocking(False)
        rc = c.sock.connect_ex((host, port))
        if rc not in (0, errno.EINPROGRESS):
            errors.append("connect %d: %s" % (i, os.strerror(rc)))
            c.sock.close()
            continue
        sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        live += 1
    done = 0
    deadline = start + DEADLINE
    while live and time.monotonic() < deadline:
        for key, ev in sel.select(1.0):
            c = key.data
            try:
                if ev & selectors.EVENT_WRITE and c.sent < each:
                    if c.state == "connecting":
                        rc = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if rc:
                            raise OSError(rc, "connect: " + os.strerror(rc))
                        c.state = "open"
                    c.sent += c.sock.send(c.data[c.sent:c.sent + 65536])
                    if c.sent == each:
                        c.sock.shutdown(socket.SHUT_WR)
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                if ev & selectors.EVENT_READ:
                    buf = c.sock.recv(65536)
                    if buf:
                        c.got.append(buf)
                    elif c.state == "open" or c.sent:
                        got = b"".join(c.got)
                        if got == c.data:
                            done += 1
                        else:
                            errors.append("a connection got %d bytes back, not its %d"
                                          % (len(got), each))
                        sel.unregister(c.sock)
                        c.sock.close()
                        c.data = c.got = None
                        live -= 1
            except BlockingIOError:
                pass
            except OSError as e:
                errors.append("after %d sent, %d received: %s"
                              % (c.sent, sum(map(len, c.got)), e))
                sel.unregister(c.sock)
                c.sock.close()
                live -= 1
    elapsed = time.monotonic() - start
    if live:
        errors.append("%d connections unfinished after %d s" % (live, DEADLINE))
    if errors or done != conns:
        notok(name, "%d of %d intact; %s" % (done, conns, "; ".join(errors[:5])))
    else:
        ok(name)
        comment("%d x %s each way in %.2f s" % (conns, size(each), elapsed))


def refused(host, port):
    name = "tcp connect to closed port %d: refused within a second" % port
    start = time.monotonic()
    try:
        s = connect(host, port, timeout=1.0)
        s.close()
        notok(name, "it connected")
        return
    except ConnectionRefusedError:
        elapsed = time.monotonic() - start
    except OSError as e:
        notok(name, "%s after %.2f s" % (e, time.monotonic() - start))
        return
    ok(name)
    comment("refused in %.1f ms" % (elapsed * 1000))


def hold(host, conns):
    """Busy connections of five kinds, until killed."""
    raise_nofile(conns + 64)
    socks = []
    kinds = [(19, "fast"), (19, "slow"), (7, "stuffed"), (9, "writer"), (7, "idle")]
    for i in range(conns):
        port, kind = kinds[i % len(kinds)]
        try:
            s = connect(host, port, timeout=10.0,
                        rcvbuf=None if kind == "fast" else 16384)
        except OSError as e:
            print("hold: connection %d (port %d): %s" % (i, port, e), flush=True)
            sys.exit(1)
        s.setblocking(False)
        socks.append((s, kind))
    junk = bytes(65536)
    start = time.monotonic()
    ready = False
    tick = 0
    while True:
        # Every 5 ms the fast readers drain what came; every 100 ms the
        # slow ones take 2 KiB (about 20 KB/s) and the writers write.
        slow = tick % 20 == 0
        for s, kind in socks:
            try:
                if kind == "fast":
                    # A bounded drain: a sender faster than this loop
                    # (virtio with its offloads) kept it here for good,
                    # and "ready" never came.
                    for _ in range(64):
                        if not s.recv(MIB):
                            print("hold: the bulk sender finished", flush=True)
                            sys.exit(1)
                elif not slow:
                    pass
                elif kind == "slow":
                    s.recv(2048)
                elif kind in ("stuffed", "writer"):
                    s.send(junk)
            except BlockingIOError:
                pass
            except OSError as e:
                print("hold: a %s connection: %s" % (kind, e), flush=True)
                sys.exit(1)
        if not ready and time.monotonic() >= start + 1.0:
            print("ready %d" % len(socks), flush=True)
            ready = True
        tick += 1
        time.sleep(0.005)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    # MSS 1460, so that the SYN looks like an ordinary one.
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x02,
                      64240, 0, 0) + struct.pack("!BBH", 2, 4, 1460)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    c = checksum(pseudo + hdr)
    return src, hdr[:16] + struct.pack("!H", c) + hdr[18:]


def synflood(host, port, count, seconds, srcs):
    name = "tcp echo of 1 MiB completes during a flood of %d SYNs" % count
    rng = random.Random(7)
    pkts = [syn(rng.choice(srcs), host, rng.randrange(1024, 30000), port,
                rng.getrandbits(32)) for _ in range(count)]
    socks = {}
    for a in srcs:
        r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        r.bind((a, 0))
        socks[a] = r
    result = {}

    def client():
        t0 = time.monotonic()
        try:
            s = connect(host, port, timeout=30.0)
            data = random.Random(8).randbytes(MIB)
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            got = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got.append(b)
            s.close()
            got = b"".join(got)
            result["err"] = None if got == data else \
                "got %d bytes back, not the 1 MiB sent" % len(got)
        except OSError as e:
            result["err"] = str(e)
        result["time"] = time.monotonic() - t0
        result["end"] = time.monotonic()

    th = threading.Thread(target=client, daemon=True)
    start = time.monotonic()
    sent = nobufs = 0
    batch = 100
    for i in range(0, count, batch):
        for src, p in pkts[i:i + batch]:
            try:
                socks[src].sendto(p, (host, 0))
                sent += 1
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                nobufs += 1
        if i >= count // 4 and not th.is_alive() and "end" not in result:
            th.start()
        # Pace: batch i + 1 is due at its share of (seconds).
        due = start + seconds * (i + batch) / count
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    flood_end = time.monotonic()
    th.join(60)
    comment("%d SYNs sent from %d addresses in %.2f s (%d refused by the queue: ENOBUFS)"
            % (sent, len(srcs), flood_end - start, nobufs))
    if "time" not in result:
        notok(name, "the client did not finish in 60 s")
    elif result["err"]:
        notok(name, result["err"])
    elif result["end"] > flood_end:
        notok(name, "it took %.2f s and ended after the flood" % result["time"])
    else:
        ok(name)
        comment("echo of 1 MiB during the flood took %.2f s" % result["time"])


def main(argv):
    try:
        cmd, args = argv[1], argv[2:]
        if cmd == "echo":
            echo(args[0], int(args[1]), int(args[2]), int(args[3]) if len(args) > 3 else 1)
        elif cmd == "bulk":
            bulk(args[0], int(args[1]), int(args[2]))
        elif cmd == "discard":
            discard(args[0], int(args[1]), int(args[2]))
        elif cmd == "many":
            many(args[0], int(args[1]), int(args[2]), int(args[3]))
        elif cmd == "refused":
            refused(args[0], int(args[1]))
        elif cmd == "hold":
            hold(args[0], int(args[1]))
        elif cmd == "synflood":
            if len(args) < 5:
                raise IndexError
            synflood(args[0], int(args[1]), int(args[2]), float(args[3]), args[4:])
        else:
            raise IndexError
    except (IndexError, ValueError):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
