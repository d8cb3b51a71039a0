#!/usr/bin/env python3
"""TLS client checks against a TLS echo server (tests/apps/tlsecho),
with Python's ssl module (OpenSSL) verifying the chain. Prints "ok NAME"
or "not ok NAME: why" lines, as the test suite expects.

  tlscheck.py echo HOST PORT CAFILE NAME BYTES
      BYTES of random data through the echo, 64 KiB at a time; the
      sha256 of what came back must be that of what went.
  tlscheck.py many HOST PORT CAFILE NAME N BYTES
      N connections at once, BYTES each, all intact.
  tlscheck.py garbage HOST PORT http|random
      an HTTP request, or 3000 random bytes (the first not a TLS record
      type), instead of a ClientHello: the server must close the
      connection (FIN or RST) within 5 s.
  tlscheck.py idle HOST PORT
      a connection that sends nothing: the server must close it within
      15 s (its handshake timeout).
"""
import hashlib
import os
import socket
import ssl
import sys
import threading
import time


def ok(name):
    print("ok " + name, flush=True)


def notok(name, why):
    print("not ok %s: %s" % (name, why), flush=True)


def context(cafile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def echo_once(host, port, cafile, name, nbytes):
    """Returns (sent digest, received digest, bytes back, version)."""
    data = os.urandom(nbytes)
    raw = socket.create_connection((host, port), timeout=60)
    s = context(cafile).wrap_socket(raw, server_hostname=name)
    got = hashlib.sha256()
    back = sent = 0
    # 64 KiB out, then read until all of it is back: never more than
    # that in flight, so neither side's buffers fill both ways at once.
    while back < nbytes:
        if sent < nbytes:
            n = min(65536, nbytes - sent)
            s.sendall(data[sent:sent + n])
            sent += n
        while back < sent:
            d = s.recv(65536)
            if not d:
                break
            got.update(d)
            back += len(d)
        if back < sent:
            break
    version = s.version()
    try:
        s.unwrap()  # close_notify, and the server's in return
    except (ssl.SSLError, OSError):
        pass
    s.close()
    return hashlib.sha256(data).hexdigest(), got.hexdigest(), back, version


def cmd_echo(host, port, cafile, name, nbytes):
    label = "tls echo: %d bytes through %s (%s)" % (nbytes, name, host)
    try:
        want, got, back, version = echo_once(host, port, cafile, name, nbytes)
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        notok(label, repr(e))
        return
    if back != nbytes or want != got:
        notok(label, "%d bytes back, sha256 %s, sent %s" % (back, got, want))
    elif version != "TLSv1.2":
        notok(label, "version %s" % version)
    else:
        ok(label + ", sha256 equal, " + version)


def cmd_many(host, port, cafile, name, n, nbytes):
    label = "tls echo: %d connections at once, %d bytes each" % (n, nbytes)
    errors = []

    def one():
        try:
            want, got, back, _ = echo_once(host, port, cafile, name, nbytes)
            if want != got:
                errors.append("%d bytes back, digest differs" % back)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    ts = [threading.Thread(target=one) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        notok(label, "%d failed: %s" % (len(errors), errors[0]))
    else:
        ok(label + ", all intact")


def closed_within(s, secs):
    """Reads until the server closes; returns the seconds it took, or
    None when it did not within (secs)."""
    start = time.time()
    s.settimeout(secs)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return time.time() - start
    except ConnectionResetError:
        return time.time() - start
    except socket.timeout:
        return None


def cmd_garbage(host, port, kind):
    label = "%s instead of a ClientHello: the server closes" % (
        "an HTTP request" if kind == "http" else "random bytes")
    if kind == "http":
        data = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    else:
        data = b"\xff" + os.urandom(2999)
    s = socket.create_connection((host, port), timeout=5)
    try:
        s.sendall(data)
    except OSError:
        pass  # already reset: fine
    t = closed_within(s, 5)
    s.close()
    if t is None:
        notok(label, "still open after 5 s")
    else:
        ok(label)


def cmd_idle(host, port):
    label = "a client that sends nothing is closed at its handshake timeout"
    s = socket.create_connection((host, port), timeout=5)
    t = closed_within(s, 15)
    s.close()
    if t is None:
        notok(label, "still open after 15 s")
    else:
        ok(label + " (%.1f s)" % t)


def main():
    a = sys.argv[1:]
    if a[:1] == ["echo"] and len(a) == 6:
        cmd_echo(a[1], int(a[2]), a[3], a[4], int(a[5]))
    elif a[:1] == ["many"] and len(a) == 7:
        cmd_many(a[1], int(a[2]), a[3], a[4], int(a[5]), int(a[6]))
    elif a[:1] == ["garbage"] and len(a) == 4 and a[3] in ("http", "random"):
        cmd_garbage(a[1], int(a[2]), a[3])
    elif a[:1] == ["idle"] and len(a) == 3:
        cmd_idle(a[1], int(a[2]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
