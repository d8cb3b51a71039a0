#!/usr/bin/env python3
"""httpcheck.py: HTTP/1.1 checks of a static file server that curl cannot
make (one connection for many requests, pipelining, hostile requests),
for tests/e2e/https.sh. Each check prints "ok TAG: NAME" or
"not ok TAG: NAME: why".

    httpcheck.py --host ADDR --port N [--tls --ca CA.pem --sni NAME]
                 --site DIR --tag TAG CHECK...

CHECK is one of: keepalive pipeline conditional range gzip errors
smuggle limits slowloris garbage. --site is the folder the server
serves, to compare bytes against; --header-timeout the server's (s).
"""
import argparse
import os
import socket
import ssl
import sys
import time

args = None


def out(ok, name, why=""):
    if ok:
        print(f"ok {args.tag}: {name}", flush=True)
    else:
        print(f"not ok {args.tag}: {name}: {why}", flush=True)


def connect(tls=None):
    tls = args.tls if tls is None else tls
    s = socket.create_connection((args.host, args.port), timeout=10)
    if tls:
        ctx = ssl.create_default_context(cafile=args.ca)
        s = ctx.wrap_socket(s, server_hostname=args.sni)
    return s


class Reader:
    """Reads whole responses (status, fields, body) off a connection."""

    def __init__(self, s):
        self.s = s
        self.buf = b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln.decode("latin-1")

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def response(self, head=False):
        st = self.line().split(" ", 2)
        status = int(st[1])
        fields = {}
        while True:
            ln = self.line()
            if not ln:
                break
            k, v = ln.split(":", 1)
            fields[k.strip().lower()] = v.strip()
        body = b""
        if not head and status not in (204, 304) and "content-length" in fields:
            body = self.take(int(fields["content-length"]))
        return status, fields, body

    def closed(self, wait=5.0):
        """Whether the server closes the connection (within wait)."""
        self.s.settimeout(wait)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
                self.buf += d
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        except OSError:
            return True


def req(path, method="GET", extra="", host=None):
    host = host or args.sni or args.host
    return (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n").encode()


def site(path):
    with open(os.path.join(args.site, path), "rb") as f:
        return f.read()


def one(path, method="GET", extra=""):
    s = connect()
    try:
        s.sendall(req(path, method, extra + "Connection: close\r\n"))
        return Reader(s).response(head=(method == "HEAD"))
    finally:
        s.close()


def check_keepalive():
    s = connect()
    r = Reader(s)
    want = site("index.html")
    bad = ""
    for i in range(20):
        s.sendall(req("/"))
        st, f, b = r.response()
        if st != 200 or b != want or f.get("connection") == "close":
            bad = f"request {i}: {st} {len(b)} bytes {f}"
            break
    s.close()
    out(not bad, "20 requests on one keep-alive connection", bad)


def check_pipeline():
    s = connect()
    r = Reader(s)
    s.sendall(req("/index.html") + req("/style.css", "HEAD") +
              req("/about/") + req("/nope") + req("/style.css"))
    got = [r.response(), r.response(head=True), r.response(), r.response(),
           r.response()]
    s.close()
    want = [(200, site("index.html")), (200, b""),
            (200, site("about/index.html")), (404, None),
            (200, site("style.css"))]
    bad = [i for i, ((st, f, b), (ws, wb)) in enumerate(zip(got, want))
           if st != ws or (wb is not None and b != wb)]
    head_len = got[1][1].get("content-length")
    ok = not bad and head_len == str(len(site("style.css")))
    out(ok, "five pipelined requests (GET, HEAD, a folder, 404, GET) "
        "answered in order", f"wrong: {bad}, HEAD length {head_len}")


def check_conditional():
    st, f, b = one("/index.html")
    etag = f.get("etag", "")
    st2, f2, b2 = one("/index.html", extra=f"If-None-Match: {etag}\r\n")
    st3, _, _ = one("/index.html", extra=f"If-None-Match: W/{etag}, \"x\"\r\n")
    st4, _, b4 = one("/index.html", extra="If-None-Match: \"other\"\r\n")
    ok = (st == 200 and etag.startswith('"') and st2 == 304 and b2 == b"" and
          f2.get("etag") == etag and st3 == 304 and st4 == 200 and b4 == b)
    out(ok, "ETag, then If-None-Match: 304 (strong and weak), 200 for another tag",
        f"{st} {etag!r}; {st2} {f2}; {st3}; {st4}")
    lm = f.get("last-modified")
    if lm:
        st5, _, _ = one("/index.html", extra=f"If-Modified-Since: {lm}\r\n")
        st6, _, _ = one("/index.html", extra="If-Modified-Since: "
                        "Sat, 01 Jan 2000 00:00:00 GMT\r\n")
        out(st5 == 304 and st6 == 200,
            "Last-Modified, then If-Modified-Since: 304, older date 200",
            f"{st5} {st6}")


def check_range():
    whole = site("index.html")
    n = len(whole)
    st, f, b = one("/index.html", extra="Range: bytes=0-99\r\n")
    ok1 = (st == 206 and b == whole[:100] and
           f.get("content-range") == f"bytes 0-99/{n}")
    st2, f2, b2 = one("/index.html", extra="Range: bytes=-10\r\n")
    ok2 = st2 == 206 and b2 == whole[-10:]
    st3, f3, _ = one("/index.html", extra=f"Range: bytes={n + 5}-\r\n")
    ok3 = st3 == 416 and f3.get("content-range") == f"bytes */{n}"
    st4, _, b4 = one("/index.html",
                     extra="Range: bytes=0-9\r\nIf-Range: \"stale\"\r\n")
    ok4 = st4 == 200 and b4 == whole
    out(ok1 and ok2 and ok3 and ok4,
        "Range: 206 first 100 and last 10 bytes, 416 past the end, "
        "200 whole for a stale If-Range",
        f"{st} {f.get('content-range')}; {st2}; {st3} {f3.get('content-range')}; {st4}")


def check_gzip():
    st, f, b = one("/style.css", extra="Accept-Encoding: br, gzip\r\n")
    st2, f2, b2 = one("/style.css")
    st3, f3, b3 = one("/style.css", extra="Accept-Encoding: gzip;q=0\r\n")
    ok = (st == 200 and f.get("content-encoding") == "gzip" and
          b == site("style.css.gz") and f.get("vary") == "Accept-Encoding" and
          f.get("content-type", "").startswith("text/css") and
          st2 == 200 and "content-encoding" not in f2 and
          b2 == site("style.css") and f2.get("vary") == "Accept-Encoding" and
          st3 == 200 and b3 == site("style.css"))
    out(ok, "style.css.gz for clients that accept gzip, style.css for others",
        f"{st} {f}; {st2} {f2}; {st3}")


def check_errors():
    checks = [
        ("/nope.html", "GET", "", 404),
        ("/about", "GET", "", 301),
        ("/../certs/localhost.key", "GET", "", 400),
        ("/%2e%2e/manifest", "GET", "", 400),
        ("/certs/localhost.key", "GET", "", 404),
        ("/index.html", "DELETE", "", 405),
    ]
    bad = []
    for path, m, extra, want in checks:
        st, f, _ = one(path, m, extra)
        if st != want:
            bad.append(f"{m} {path}: {st}")
        if want == 301 and f.get("location") != "/about/":
            bad.append(f"location {f.get('location')}")
        if want == 405 and f.get("allow") != "GET, HEAD":
            bad.append(f"allow {f.get('allow')}")
    out(not bad, "404, a folder redirected, no climbing out of the site "
        "(400), keys not served, 405 with Allow", "; ".join(bad))
    # A request with a body the server does not want: answered, and the
    # connection goes on at the next request.
    s = connect()
    r = Reader(s)
    s.sendall(req("/", "POST", "Content-Length: 5\r\n") + b"x=1&y" + req("/"))
    st, f, _ = r.response()
    st2, _, b2 = r.response()
    s.close()
    out(st == 405 and st2 == 200 and b2 == site("index.html"),
        "POST with a body: 405, and the next request on the connection 200",
        f"{st} {st2}")


def bad_request(name, raw, want):
    s = connect()
    r = Reader(s)
    try:
        s.sendall(raw)
        st, f, _ = r.response()
        closed = r.closed()
    except (EOFError, OSError) as e:
        out(False, name, f"no answer: {e}")
        return
    finally:
        s.close()
    out(st in want and closed and f.get("connection") == "close", name,
        f"status {st}, closed {closed}, {f}")


def check_smuggle():
    h = args.sni or args.host
    bad_request("smuggling: Content-Length and Transfer-Encoding: 400, closed",
                (f"POST / HTTP/1.1\r\nHost: {h}\r\nContent-Length: 4\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").encode(), (400,))
    bad_request("smuggling: two different Content-Lengths: 400, closed",
                (f"POST / HTTP/1.1\r\nHost: {h}\r\nContent-Length: 4\r\n"
                 "Content-Length: 5\r\n\r\nabcde").encode(), (400,))
    bad_request("smuggling: Transfer-Encoding other than chunked: 501 or 400, closed",
                (f"POST / HTTP/1.1\r\nHost: {h}\r\n"
                 "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n").encode(),
                (400, 501))
    bad_request("smuggling: space before the colon: 400, closed",
                (f"GET / HTTP/1.1\r\nHost: {h}\r\n"
                 "Transfer-Encoding : chunked\r\n\r\n").encode(), (400,))
    bad_request("smuggling: bare LF line ends: 400, closed",
                f"GET / HTTP/1.1\nHost: {h}\n\n".encode(), (400,))
    bad_request("two Host fields: 400, closed",
                f"GET / HTTP/1.1\r\nHost: {h}\r\nHost: b\r\n\r\n".encode(), (400,))


def check_limits():
    h = args.sni or args.host
    bad_request("a 9 KiB header field: 431, closed",
                (f"GET / HTTP/1.1\r\nHost: {h}\r\nX-Big: " + "a" * 9000 +
                 "\r\n\r\n").encode(), (431,))
    bad_request("100 header fields: 431, closed",
                (f"GET / HTTP/1.1\r\nHost: {h}\r\n" +
                 "".join(f"X-F{i}: v\r\n" for i in range(100)) +
                 "\r\n").encode(), (431,))
    bad_request("a 5 KiB request line: 414, closed",
                (f"GET /{'a' * 5000} HTTP/1.1\r\nHost: {h}\r\n\r\n").encode(),
                (414,))
    bad_request("HTTP/2.0 in a request line: 505, closed",
                f"GET / HTTP/2.0\r\nHost: {h}\r\n\r\n".encode(), (505,))


def check_slowloris():
    """A head trickled a byte at a time: 408 and the end after the
    header timeout, while another client is served."""
    slow = connect()
    r = Reader(slow)
    start = time.monotonic()
    slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    served = False
    status = None
    try:
        for i in range(int(args.header_timeout * 4) + 20):
            slow.sendall(b"X-a: b\r\n")
            if i == 2:
                st, _, b = one("/")
                served = st == 200 and b == site("index.html")
            time.sleep(0.25)
    except OSError:
        pass
    try:
        status, _, _ = r.response()
    except (EOFError, OSError, ValueError, IndexError):
        pass
    took = time.monotonic() - start
    closed = r.closed(2)
    slow.close()
    ok = (served and status == 408 and closed and
          args.header_timeout - 0.5 <= took <= args.header_timeout + 3)
    out(ok, f"slowloris: a head trickled in gets 408 and the end after "
        f"the {args.header_timeout:g} s header timeout; others are served",
        f"served {served}, status {status}, closed {closed}, after {took:.1f} s")


def check_garbage():
    """Not TLS on the TLS port: the connection ends, the server serves on."""
    cases = [("random bytes", os.urandom(2000)),
             ("a plain HTTP request", req("/")),
             ("a record header claiming 16 MiB",
              b"\x16\x03\x03\xff\xff" + os.urandom(100))]
    for name, raw in cases:
        s = connect(tls=False)
        r = Reader(s)
        try:
            s.sendall(raw)
        except OSError:
            pass
        closed = r.closed(15)
        s.close()
        st, _, b = one("/")
        out(closed and st == 200 and b == site("index.html"),
            f"garbage TLS ({name}): closed, and the next client served",
            f"closed {closed}, then {st}")


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--ca")
    p.add_argument("--sni")
    p.add_argument("--site", required=True)
    p.add_argument("--tag", default="http")
    p.add_argument("--header-timeout", type=float, default=10)
    p.add_argument("checks", nargs="+")
    args = p.parse_args()
    for c in args.checks:
        try:
            globals()["check_" + c]()
        except Exception as e:  # a check that cannot finish fails, loudly
            out(False, c, f"{type(e).__name__}: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
