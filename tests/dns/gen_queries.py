#!/usr/bin/env python3
"""gen_queries: writes the query corpus of the DNS conformance test,
tests/dns/queries.txt, from the zones in tests/dns/zones/ (as NSD reads
them: `nsd-checkzone -p`) and the hand-written cases below. Run it after
changing a zone:

    python3 tests/dns/gen_queries.py >tests/dns/queries.txt

The output is deterministic. Line format: tests/tools/dnsdiff.py.
"""
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = os.path.join(HERE, "zones")
COMMON = ["ANY", "A", "AAAA", "MX", "TXT", "NS", "SOA", "DS", "CNAME"]

# Names in no zone served: REFUSED.
OUTSIDE = ["example.org", "org", "com", "net", ".", "arpa", "in-addr.arpa",
           "0.192.in-addr.arpa", "3.0.192.in-addr.arpa", "example.comm",
           "wwwexample.com", "xexample.net", "example.com.example.org",
           "www.example.org", "xn--bcher-kva.example", "localhost"]

# Queries the zones alone do not suggest (RFC 4592, RFC 6672, RFC 2308
# corner cases), each with the reason.
HAND = """
# Wildcards (RFC 4592): synthesis below *.wild, not at or below names
# that exist, not across an empty non-terminal (y.blk), a wildcard
# CNAME, a wildcard CNAME into a loop, a wildcard delegation.
a.wild.example.com A
a.wild.example.com TXT
a.wild.example.com MX
a.wild.example.com AAAA
a.wild.example.com ANY
a.b.c.wild.example.com A
*.wild.example.com A
*.wild.example.com AAAA
x.explicit.wild.example.com A
explicit.wild.example.com TXT
z.y.blk.example.com A
y.blk.example.com A
q.blk.example.com A
foo.cw.example.com A
foo.cw.example.com CNAME
foo.cw.example.com TXT
a.b.cw.example.com AAAA
foo.cwx.example.com A
x.cwloop.example.com A
a.cwloop.example.com A
x.wdeleg.example.com A
x.wdeleg.example.com NS
# Empty non-terminals: NODATA, and NXDOMAIN below them.
c.example.com A
b.c.example.com TXT
x.b.c.example.com A
x.c.example.com A
_tcp.example.com SRV
_udp.example.com SRV
# Delegations: referrals below the cut, the DS at the cut from the
# parent, glue, a delegation to a zone served here too, out-of-zone
# servers.
sub.example.com NS
sub.example.com DS
sub.example.com DNSKEY
www.sub.example.com A
a.b.sub.example.com MX
ns1.sub.example.com A
ns2.sub.example.com AAAA
child.example.com DS
child.example.com NS
child.example.com SOA
child.example.com A
www.child.example.com A
nx.child.example.com A
extdeleg.example.com NS
extdeleg.example.com DS
www.extdeleg.example.com A
130.2.0.192.in-addr.arpa PTR
140.128/26.2.0.192.in-addr.arpa PTR
# DNAME (RFC 6672): substitution into another zone served here, within
# the zone, to a name that does not exist, a result over 255 octets
# (YXDOMAIN), the DNAME's own name.
x.dn.example.com A
x.dn.example.com TXT
www.dn.example.com AAAA
ns.dn.example.com A
a.b.dn.example.com A
nothing.dn.example.com A
dn.example.com DNAME
dn.example.com A
www.dn2.example.com A
nx.dn2.example.com A
x.dn2target.example.com A
a1234567890123456789012345678901234567890.b12345678901234567890123456789.dnlong.example.com A
a12345678901234567890.dnlong.example.com A
# CNAMEs: chains, loops, out of the zone, longer than NSD follows.
alias.example.com A
alias.example.com AAAA
alias.example.com CNAME
c1.example.com A
c3.example.com A
c4.example.com TXT
loop1.example.com A
self.example.com A
self.example.com CNAME
outside.example.com A
ext.example.com A
extnx.example.com A
dangling.example.com A
todeleg.example.com A
towild.example.com A
towild.example.com TXT
todname.example.com A
back.example.net A
# Negative answers carry the SOA with the TTL of RFC 2308 5.
nope.example.com A
nope.example.net A
nope.child.example.com A
nope.2.0.192.in-addr.arpa PTR
www.example.com SRV
example.net MX
# Unusual query types.
example.com TYPE0
example.com TYPE41
example.com TYPE249
example.com TYPE250
example.com TYPE253
example.com TYPE254
example.com TYPE65535
www.example.com TYPE65280
unknown.example.com TYPE65280
unknown.example.com ANY
generic.example.com A
generic.example.com TYPE1
www.example.com NULL
dnssec.example.com RRSIG
dnssec.example.com NSEC
dnssec.example.com DNSKEY
www.example.com RRSIG
# Classes: CH (NSD with hide-version and hide-identity refuses), others.
version.bind TXT CH
version.server TXT CH
id.server TXT CH
hostname.bind TXT CH
authors.bind TXT CH
example.com SOA CH
version.bind TXT IN
example.com SOA HS
example.com SOA NONE
example.com SOA ANY
www.example.com A ANY
example.com SOA CLASS42
version.bind TXT CH +edns=0
version.bind TXT CH +tcp
# Header flags in the query: echoed or ignored as NSD does.
www.example.com A +norec
www.example.com A +cdflag
www.example.com A +adflag
www.example.com A +adflag +cdflag
www.example.com A +zflag
www.example.com A +aaflag
www.example.com A +tcflag
www.example.com A +raflag
nope.example.com A +cdflag +norec
example.org A +norec
example.com A +opcode=1
example.com A +opcode=2
example.com SOA +opcode=4
example.com SOA +opcode=5
example.com SOA +opcode=15
# EDNS (RFC 6891): versions other than 0 (BADVERS), flags that must be
# ignored, options: unknown, NSID, COOKIE, client subnet, padding,
# EXPIRE, and payload sizes below 512.
example.com SOA +edns=1
nope.example.com A +edns=1
example.org A +edns=1
example.com SOA +edns=255 +dnssec
example.com SOA +edns=0 +ednsflags=0x4000
example.com SOA +edns=0 +ednsflags=0x7fff
example.com SOA +ednsopt=65001:abcd
example.com SOA +ednsopt=65001
example.com SOA +ednsopt=65001:abcd +ednsopt=65002:01
example.com SOA +nsid
example.com SOA +cookie=0102030405060708
example.com SOA +cookie=0102030405060708090a0b0c0d0e0f10
example.com SOA +subnet=192.0.2.0/24
example.com SOA +ednsopt=12:0000
example.com SOA +expire
example.com SOA +bufsize=0
example.com SOA +bufsize=100
example.com SOA +bufsize=511
version.bind TXT CH +nsid
example.org A +dnssec
example.com SOA +edns=0 +tcp +bufsize=512
"""

# RRsets of several sizes, each asked in every transport and payload
# size: truncation (RFC 2181 9, RFC 6891 7) is where servers differ.
SIZES = ["+noedns", "+bufsize=512", "+bufsize=513", "+bufsize=1231",
         "+bufsize=1232", "+bufsize=1233", "+bufsize=1400", "+bufsize=4096",
         "+bufsize=65535", "+dnssec", "+tcp", "+tcp +dnssec"]
SIZED = ["big.example.com TXT", "huge.example.com TXT", "giant.example.com TXT",
         "long.example.com TXT", "txt.example.com TXT", "example.com ANY",
         "example.com NS", "example.com TXT", "example.com MX",
         "mxmany.example.com MX", "mxmany.example.com A", "big.example.com A",
         "www.example.com A", "huge.example.com ANY", "nope.example.com A",
         "c1.example.com A", "www.sub.example.com A", "a.wild.example.com TXT"]


def split_labels(name):
    """Labels of a presentation-form name, escapes kept."""
    labels, cur, i = [], "", 0
    while i < len(name):
        ch = name[i]
        if ch == "\\":
            cur += name[i:i + 2] if not name[i + 1:i + 2].isdigit() else name[i:i + 4]
            i += 2 if not name[i + 1:i + 2].isdigit() else 4
            continue
        if ch == ".":
            labels.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    if cur:
        labels.append(cur)
    return labels


def read_zone(origin, path):
    """(owner, type) pairs of a zone in NSD's order, owners lowercased as
    NSD reads them, without the trailing dot."""
    out = subprocess.run(["nsd-checkzone", "-p", origin, path], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    rrs, cur_origin, owner, pending = [], origin + ".", None, ""
    for line in out.splitlines():
        if pending:
            pending += " " + line
            if ")" in line:
                line, pending = pending, ""
            else:
                continue
        if not line or line.startswith(";"):
            continue
        if line.startswith("$ORIGIN"):
            cur_origin = line.split()[1]
            continue
        if line.rstrip().endswith("("):
            pending = line
            continue
        f = line.split("\t")
        if f[0]:
            owner = f[0] if f[0].endswith(".") else f[0] + "." + cur_origin
        rrs.append((owner.rstrip("."), f[3]))
    return rrs


def mixcase(name, rnd):
    out, esc = [], 0
    for ch in name:
        if ch == "\\":
            esc = 4
        if esc:
            esc -= 1
            out.append(ch)
        else:
            out.append(ch.upper() if rnd.random() < 0.5 else ch.lower())
    s = "".join(out)
    return s if s != name else s.upper()


def main():
    rnd = random.Random(4592)
    zones = sorted(f[:-5] for f in os.listdir(ZONES) if f.endswith(".zone"))
    rrsets, names = [], []
    for z in zones:
        zl = len(split_labels(z))
        for owner, t in read_zone(z, os.path.join(ZONES, z + ".zone")):
            if (owner, t) not in rrsets:
                rrsets.append((owner, t))
            labels = split_labels(owner)
            # The owner and the empty non-terminals above it.
            for k in range(len(labels) - zl, -1, -1):
                n = ".".join(labels[k:])
                if n not in names:
                    names.append(n)
    seen = set()
    lines = []

    def emit(q):
        if q not in seen:
            seen.add(q)
            lines.append(q)

    def section(title):
        lines.append("")
        lines.append("# " + title)

    print("# The query corpus of tests/e2e/dns_conformance.sh, written by")
    print("# tests/dns/gen_queries.py from the zones in tests/dns/zones/ (do not")
    print("# edit: change the generator). NAME TYPE [CLASS] [+DIG-OPTION...];")
    print("# see tests/tools/dnsdiff.py.")
    section("Every RRset in the zones (%d zones)" % len(zones))
    for owner, t in rrsets:
        emit("%s %s" % (owner, t))
    section("Every name (owners and empty non-terminals) with the common types")
    for n in names:
        for t in COMMON:
            emit("%s %s" % (n, t))
    section("Names that do not exist, below every name")
    for n in names:
        emit("nx.%s A" % n)
        emit("deep.nx.%s TXT" % n)
    section("Outside every zone served: REFUSED")
    for n in OUTSIDE:
        emit("%s A" % n)
        emit("%s SOA" % n)
    section("Case: queries in mixed and upper case, answered in the case asked")
    for n in names:
        emit("%s A" % mixcase(n, rnd))
        emit("%s ANY" % n.upper())
    for q in ["x.WILD.example.com A", "X.Wild.Example.Com TXT", "WWW.SUB.EXAMPLE.COM A",
              "X.DN.EXAMPLE.COM A", "x.Dn.example.com TXT", "Foo.CW.example.com A",
              "NOPE.EXAMPLE.COM A", "Example.Org A", "TOMIXED.example.com A",
              "Child.Example.Com DS", "MixedCase.Example.Com A", "MIXEDCASE.EXAMPLE.COM TXT",
              "Www.Example.Net AAAA", "ALIAS.example.COM A", "B.C.EXAMPLE.COM A",
              "EXAMPLE.COM SOA", "Example.Com NS", "VERSION.BIND TXT CH"]:
        emit(q)
    section("Hand-written: wildcards, ENTs, cuts, DNAME, CNAME, classes, flags, EDNS")
    for q in HAND.strip().splitlines():
        if q.startswith("#"):
            lines.append(q)
        else:
            emit(q)
    section("Names of the longest lengths: 63-octet labels, 255-octet names")
    l63 = "l" * 63
    for suffix in ("example.com", "wild.example.com", "sub.example.com", "dn.example.com"):
        room = 255 - (len(suffix) + 2)  # the suffix in wire form, root included
        labels = []
        while room > 0:
            n = min(63, room - 1)
            labels.append(("x" * n) if len(labels) % 2 else ("y" * n))
            room -= n + 1
        emit("%s.%s A" % (".".join(labels), suffix))
        emit("%s.%s A" % (l63, suffix))
    emit("%s.%s.%s.example.com TXT +tcp" % (l63, l63, l63))
    section("No recursion desired, every name")
    for n in names:
        emit("%s A +norec" % n)
    section("EDNS 0, every RRset; DO set, every name and every name below one")
    for owner, t in rrsets:
        emit("%s %s +edns=0" % (owner, t))
    for n in names:
        emit("%s A +dnssec" % n)
        emit("nx.%s A +dnssec" % n)
    section("Payload sizes and transports for answers of every size")
    for q in SIZED:
        for s in SIZES:
            emit("%s %s" % (q, s))
    section("TCP, every RRset and every name with ANY")
    for owner, t in rrsets:
        emit("%s %s +tcp" % (owner, t))
    for n in names:
        emit("%s ANY +tcp" % n)
    for n in OUTSIDE[:4]:
        emit("%s A +tcp" % n)
    for l in lines:
        print(l)
    print("", file=sys.stderr)
    print("gen_queries: %d queries" % len(seen), file=sys.stderr)


if __name__ == "__main__":
    main()
