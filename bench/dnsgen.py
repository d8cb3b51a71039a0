#!/usr/bin/env python3
"""dnsgen: the zone and the queries of the DNS benchmark (bench/dns).

    dnsgen.py ZONEDIR QUERYFILE [RECORDS] [QUERIES]

writes ZONEDIR/bench.example.zone, the zone bench.example with an SOA,
two name servers with glue and RECORDS (default 10000) more records:

    60%  A      h00000 ..          (the first third of them also AAAA:
    20%  AAAA   h00000 ..           20% of all records)
    10%  TXT    t00000 ..          one string of 40 to 120 octets
     5%  MX     m00000 ..          -> an h name
     5%  CNAME  c00000 ..          -> an h name

and QUERYFILE, QUERIES (default 100000) lines "NAME TYPE" for dnsperf,
drawn with a fixed seed:

    60%  A of an h name            NOERROR, one record
    10%  AAAA of an h name with    NOERROR
     5%  AAAA of an h name without NOERROR, no data (SOA in authority)
     5%  TXT of a t name
     5%  MX of an m name           the h name's A and AAAA as additional
     5%  A of a c name             CNAME followed to the A
    10%  A of a name not there     NXDOMAIN (SOA in authority)

The output is the same on every run.
"""
import os
import random
import sys

ORIGIN = "bench.example"


def main():
    if len(sys.argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    zonedir, qfile = sys.argv[1], sys.argv[2]
    records = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    nqueries = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    rnd = random.Random(10000)
    n_a = records * 60 // 100
    n_aaaa = records * 20 // 100
    n_txt = records * 10 // 100
    n_mx = records * 5 // 100
    n_cname = records - n_a - n_aaaa - n_txt - n_mx
    assert n_aaaa <= n_a

    os.makedirs(zonedir, exist_ok=True)
    with open(os.path.join(zonedir, ORIGIN + ".zone"), "w") as z:
        z.write("; bench.example: written by bench/dnsgen.py for bench/dns\n")
        z.write("$TTL 3600\n")
        z.write("@\tIN SOA\tns1 hostmaster 1 7200 3600 1209600 300\n")
        z.write("\tNS\tns1\n\tNS\tns2\n")
        z.write("ns1\tA\t10.83.9.1\nns2\tA\t10.83.9.2\n")
        for i in range(n_a):
            z.write("h%05d\tA\t10.%d.%d.%d\n" % (i, 100 + i // 65536, i // 256 % 256, i % 256))
            if i < n_aaaa:
                z.write("h%05d\tAAAA\t2001:db8:%x::%x\n" % (i, i // 65536, i % 65536))
        for i in range(n_txt):
            z.write('t%05d\tTXT\t"%s"\n' % (i, ("txt%05d-" % i) * rnd.randint(5, 15)))
        for i in range(n_mx):
            z.write("m%05d\tMX\t10 h%05d\n" % (i, rnd.randrange(n_a)))
        for i in range(n_cname):
            z.write("c%05d\tCNAME\th%05d\n" % (i, rnd.randrange(n_a)))

    mix = [(60, lambda: ("h%05d" % rnd.randrange(n_a), "A")),
           (10, lambda: ("h%05d" % rnd.randrange(n_aaaa), "AAAA")),
           (5, lambda: ("h%05d" % rnd.randrange(n_aaaa, n_a), "AAAA")),
           (5, lambda: ("t%05d" % rnd.randrange(n_txt), "TXT")),
           (5, lambda: ("m%05d" % rnd.randrange(n_mx), "MX")),
           (5, lambda: ("c%05d" % rnd.randrange(n_cname), "A")),
           (10, lambda: ("nx%06d" % rnd.randrange(1000000), "A"))]
    weights = [w for w, _ in mix]
    with open(qfile, "w") as q:
        for _ in range(nqueries):
            _, pick = rnd.choices(mix, weights)[0]
            name, qtype = pick()
            q.write("%s.%s %s\n" % (name, ORIGIN, qtype))
    return 0


if __name__ == "__main__":
    sys.exit(main())
