#!/usr/bin/env python3
"""gen_raw: writes the raw queries of the DNS conformance test, which dig
cannot send (tests/tools/dnsdiff.py sends them over UDP and TCP):

  tests/dns/malformed/*.bin  broken messages, after the anti-patterns of
                             RFC 9267 and RFC 1035 4.1: a server answers
                             them with FORMERR or not at all (never a
                             crash, never a read past the message);
  tests/dns/raw/*.bin        well-formed messages dig does not send
                             (opcodes other than QUERY, zone transfers
                             over UDP, odd header bits): a server answers
                             them as the reference does, header for
                             header.

    python3 tests/dns/gen_raw.py     # rewrites both folders

The output is deterministic: the message id is 0x5000 plus the file's
index.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def name(text):
    """Wire form of a dotted name (no escapes)."""
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def hdr(qid, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(qname="example.com", qtype=6, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def opt(owner=b"\0", udp=1232, ercode=0, version=0, flags=0, rdata=b"", rdlen=None):
    return owner + struct.pack("!HHBBHH", 41, udp, ercode, version, flags,
                               len(rdata) if rdlen is None else rdlen) + rdata


def rr(owner, rtype, rclass, ttl, rdata, rdlen=None):
    return owner + struct.pack("!HHIH", rtype, rclass, ttl,
                               len(rdata) if rdlen is None else rdlen) + rdata


L63 = b"\x3f" + b"a" * 63
L62 = b"\x3e" + b"b" * 62

# (file name, builder taking the id): the broken ones.
MALFORMED = [
    # The header itself.
    ("empty", lambda i: b""),
    ("header-truncated", lambda i: hdr(i)[:5]),
    ("header-11-bytes", lambda i: hdr(i)[:11]),
    ("header-only", lambda i: hdr(i)),
    ("qdcount-0", lambda i: hdr(i, qd=0)),
    ("qdcount-0-with-question", lambda i: hdr(i, qd=0) + question()),
    ("qdcount-2", lambda i: hdr(i, qd=2) + question() + question("www.example.com", 1)),
    ("qdcount-2-one-given", lambda i: hdr(i, qd=2) + question()),
    ("qdcount-65535", lambda i: hdr(i, qd=0xFFFF) + question()),
    ("ancount-1-missing", lambda i: hdr(i, an=1) + question()),
    ("nscount-1-missing", lambda i: hdr(i, ns=1) + question()),
    ("arcount-1-missing", lambda i: hdr(i, ar=1) + question()),
    ("arcount-65535", lambda i: hdr(i, ar=0xFFFF) + question() + opt()),
    # The question.
    ("question-no-type", lambda i: hdr(i) + name("example.com")),
    ("question-half-type", lambda i: hdr(i) + name("example.com") + b"\0"),
    ("question-no-class", lambda i: hdr(i) + name("example.com") + b"\0\x06"),
    ("name-unterminated", lambda i: hdr(i) + b"\x07example\x03com"),
    ("label-past-end", lambda i: hdr(i) + b"\x07example\x20com\0\0\x06\0\x01"),
    ("label-64", lambda i: hdr(i) + b"\x40" + b"a" * 64 + name("example.com") + b"\0\x06\0\x01"),
    ("label-type-01-edns0", lambda i: hdr(i) + b"\x41\x08" + b"\xff" + name("example.com") + b"\0\x06\0\x01"),
    ("label-type-10", lambda i: hdr(i) + b"\x80\x0c" + b"\0\x06\0\x01"),
    # 4 labels of 63: 256 octets with the root.
    ("name-256", lambda i: hdr(i) + L63 * 4 + b"\0" + b"\0\x06\0\x01"),
    ("name-300", lambda i: hdr(i) + L63 * 4 + b"\x2a" + b"c" * 42 + b"\0" + b"\0\x06\0\x01"),
    # Compression (RFC 9267 2, 3, 4): a pointer to itself, a loop of two,
    # forward, past the end, into the header, a pointer chain that builds
    # a name over 255 octets, a pointer in the question to an offset
    # inside the same name.
    ("ptr-self", lambda i: hdr(i) + b"\xc0\x0c" + b"\0\x06\0\x01"),
    ("ptr-loop-2", lambda i: hdr(i) + b"\x01a\xc0\x0c" + b"\0\x06\0\x01"),
    ("ptr-loop-3", lambda i: hdr(i) + b"\x01a\xc0\x14\0\x06\0\x01" + b"\x01b\xc0\x0c"),
    ("ptr-forward", lambda i: hdr(i) + b"\xc0\x12" + b"\0\x06\0\x01" + name("example.com")),
    ("ptr-past-end", lambda i: hdr(i) + b"\xc0\xff" + b"\0\x06\0\x01"),
    ("ptr-max", lambda i: hdr(i) + b"\xff\xff" + b"\0\x06\0\x01"),
    ("ptr-into-header", lambda i: hdr(i) + b"\xc0\x02" + b"\0\x06\0\x01"),
    ("ptr-truncated", lambda i: hdr(i) + b"\x07example\xc0"),
    ("ptr-chain-over-255", lambda i: hdr(i, ar=1) + L63 + L63 + b"\0" + b"\0\x06\0\x01"
     + rr(L63 + L62 + b"\xc0\x0c", 1, 1, 0, b"\x7f\0\0\x01")),
    ("ptr-loop-in-additional", lambda i: hdr(i, ar=1) + question()
     + rr(b"\xc0\x1d", 1, 1, 0, b"\x7f\0\0\x01")),
    ("ptr-forward-in-additional", lambda i: hdr(i, ar=1) + question()
     + rr(b"\xc0\x2d", 1, 1, 0, b"\x7f\0\0\x01") + name("example.com")),
    # OPT (RFC 6891 6.1.1): twice, not at the root, in the answer or
    # authority section, data past its end, an option past the data.
    ("opt-twice", lambda i: hdr(i, ar=2) + question() + opt() + opt()),
    ("opt-twice-differing", lambda i: hdr(i, ar=2) + question() + opt(udp=512) + opt(udp=4096, flags=0x8000)),
    ("opt-not-root", lambda i: hdr(i, ar=1) + question() + opt(owner=name("example.com"))),
    ("opt-owner-ptr-to-qname", lambda i: hdr(i, ar=1) + question() + opt(owner=b"\xc0\x0c")),
    ("opt-in-answer", lambda i: hdr(i, an=1) + question() + opt()),
    ("opt-in-authority", lambda i: hdr(i, ns=1) + question() + opt()),
    ("opt-rdlen-past-end", lambda i: hdr(i, ar=1) + question() + opt(rdata=b"\0\x0a", rdlen=100)),
    ("opt-option-past-data", lambda i: hdr(i, ar=1) + question() + opt(rdata=b"\xfd\xe9\0\x10\xab\xcd")),
    ("opt-option-header-cut", lambda i: hdr(i, ar=1) + question() + opt(rdata=b"\xfd\xe9\0")),
    ("opt-truncated", lambda i: hdr(i, ar=1) + question() + b"\0\0\x29\x04"),
    ("rr-rdlen-past-end", lambda i: hdr(i, ar=1) + question() + rr(name("example.com"), 1, 1, 0, b"\x7f\0", rdlen=4)),
    # Data after the last record the counts announce.
    ("trailing-garbage", lambda i: hdr(i) + question() + b"\xde\xad\xbe\xef" * 4),
    ("trailing-after-opt", lambda i: hdr(i, ar=1) + question() + opt() + b"\xc0\xff\xee"),
]

# Well-formed messages dig does not send.
RAW = [
    ("query-soa", lambda i: hdr(i) + question()),
    ("query-soa-edns", lambda i: hdr(i, ar=1) + question() + opt()),
    ("opcode-iquery", lambda i: hdr(i, flags=0x0900) + question()),
    ("opcode-status", lambda i: hdr(i, flags=0x1100) + question()),
    ("opcode-3", lambda i: hdr(i, flags=0x1900) + question()),
    ("opcode-notify", lambda i: hdr(i, flags=0x2400) + question()),
    ("opcode-update", lambda i: hdr(i, flags=0x2800, qd=1) + question("example.com", 6)),
    ("opcode-15", lambda i: hdr(i, flags=0x7900) + question()),
    ("opcode-notify-edns", lambda i: hdr(i, flags=0x2400, ar=1) + question() + opt()),
    ("qtype-axfr", lambda i: hdr(i) + question("example.com", 252)),
    ("qtype-ixfr", lambda i: hdr(i, ns=1) + question("example.com", 251)
     + rr(b"\xc0\x0c", 6, 1, 0, name("ns1.example.com") + name("hostmaster.example.com")
          + struct.pack("!IIIII", 1, 0, 0, 0, 0))),
    ("qtype-maila", lambda i: hdr(i) + question("example.com", 254)),
    ("qclass-0", lambda i: hdr(i) + question("example.com", 6, 0)),
    ("qclass-none", lambda i: hdr(i) + question("example.com", 6, 254)),
    ("qclass-any-a", lambda i: hdr(i) + question("www.example.com", 1, 255)),
    ("flags-rcode-set", lambda i: hdr(i, flags=0x0105) + question()),
    ("flags-z-set", lambda i: hdr(i, flags=0x0140) + question()),
    ("flags-all-set-but-qr", lambda i: hdr(i, flags=0x07ff) + question()),
    ("flags-aa-tc-ra", lambda i: hdr(i, flags=0x0680) + question()),
    ("an-a-record", lambda i: hdr(i, an=1) + question() + rr(b"\xc0\x0c", 1, 1, 0, b"\x7f\0\0\x01")),
    ("ns-soa-record", lambda i: hdr(i, ns=1) + question() + rr(b"\xc0\x0c", 1, 1, 0, b"\x7f\0\0\x01")),
    ("ar-a-record", lambda i: hdr(i, ar=1) + question() + rr(b"\xc0\x0c", 1, 1, 0, b"\x7f\0\0\x01")),
    ("ar-a-and-opt", lambda i: hdr(i, ar=2) + question() + rr(b"\xc0\x0c", 1, 1, 0, b"\x7f\0\0\x01") + opt()),
    ("opt-ercode-set", lambda i: hdr(i, ar=1) + question() + opt(ercode=1)),
    ("opt-version-1", lambda i: hdr(i, ar=1) + question() + opt(version=1)),
    ("opt-udp-0", lambda i: hdr(i, ar=1) + question() + opt(udp=0)),
    ("opt-do-mbz", lambda i: hdr(i, ar=1) + question() + opt(flags=0xffff)),
    ("opt-class-cookie-bad-len", lambda i: hdr(i, ar=1) + question() + opt(rdata=b"\0\x0a\0\x05abcde")),
    ("name-255", lambda i: hdr(i) + L63 * 3 + b"\x3d" + b"d" * 61 + b"\0" + b"\0\x06\0\x01"),
    ("name-compressed-qname-ok", lambda i: hdr(i, ar=1) + question() + rr(b"\x03www\xc0\x0c", 1, 1, 0, b"\x7f\0\0\x01")),
    ("qr-set", lambda i: hdr(i, flags=0x8100) + question()),
    ("qr-set-notify", lambda i: hdr(i, flags=0xa400) + question()),
]


def write(folder, cases):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    for f in os.listdir(path):
        if f.endswith(".bin"):
            os.unlink(os.path.join(path, f))
    for n, (fname, build) in enumerate(cases):
        with open(os.path.join(path, fname + ".bin"), "wb") as f:
            f.write(build(0x5000 + n))


def main():
    names = [n for n, _ in MALFORMED + RAW]
    assert len(names) == len(set(names)), "a file name twice"
    write("malformed", MALFORMED)
    write("raw", [(n, b) for n, b in RAW])
    print("gen_raw: %d malformed, %d raw" % (len(MALFORMED), len(RAW)))


if __name__ == "__main__":
    main()
