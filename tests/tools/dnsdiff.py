#!/usr/bin/env python3
"""dnsdiff: asks two DNS servers the same questions and compares the answers
(tests/e2e/dns_conformance.sh). The reference is NSD; the subject is the
server under test (apps/dns-primary, or a second NSD while the harness
itself is tested).

    dnsdiff.py --ref ADDR --sub ADDR [--queries FILE] [--malformed DIR]
               [--raw DIR] [--port N] [--timeout S] [--category NAME]

Queries (--queries, tests/dns/queries.txt): one a line,

    NAME TYPE [CLASS] [+DIG-OPTION...]      # comments and blank lines skipped

sent with dig(1) to each server, as a plain RFC 1035 query over UDP
unless the options say otherwise (+edns=0, +bufsize=N, +dnssec, +tcp,
+norec ...: dig's own syntax, given after +notcp +noedns +nocookie
+noadflag +noednsneg +ignore, so that TC answers are kept and EDNS is
there only when a line asks for it). A line's category: "TCP" when it
has +tcp, else "EDNS" when it has an EDNS option, else "normal". For
each query the two answers are compared field by field:
  - answered at all; opcode and rcode (the extended rcode included);
  - header flags (qr aa tc rd ra z ad cd) and the section counts;
  - the question, and the answer, authority and additional sections as
    multisets of records (names exactly as received: case matters; TTL,
    class, type, data as dig prints it; order does not matter);
  - the OPT record: present or not, version, flags (DO, MBZ), the UDP
    payload size the server offers, and its options (EDE ...);
  - the transport (dig is checked to have used the one asked for) and
    dig's warnings about the message (a malformed answer).
When one server leaves GIVE_UP queries unanswered it is asked no more,
and each query left counts as a difference.

Raw queries, sent as they are over UDP and, with a length prefix, over
TCP, 16 at a time:
  --malformed DIR (tests/dns/malformed/*.bin, category "malformed"):
    broken messages. A server may answer them with FORMERR or not at
    all; when the reference answers FORMERR the subject must too; when
    the reference answers another rcode, the subject may answer that
    rcode instead. Only the rcode, QR and id of an answer are read.
  --raw DIR (tests/dns/raw/*.bin, category "raw"): well-formed messages
    dig cannot send. The headers of the answers (opcode, rcode, flags,
    counts) and their OPT records must be the same.

Each difference is printed as "# " lines (the query, then "-" for the
reference and "+" for the subject). Then one line per category, "ok
CATEGORY queries: N queries, 0 differences" or "not ok ...", and last
"N differences". Exits 0 when there were none, 1 otherwise, 2 on bad
arguments, when dig is missing or when its output cannot be read. Only
dig and the Python standard library are used.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

# Every query starts from these (dig's own options): a plain query over
# UDP (dig 9.18 sends ANY over TCP unless told +notcp), TC answers kept
# rather than retried over TCP.
BASE_OPTS = "+notcp +noedns +nocookie +noadflag +noednsneg +ignore +nosearch"
EDNS_OPTS = ("+edns", "+bufsize", "+dnssec", "+do", "+ednsopt", "+nsid",
             "+cookie", "+ednsflags", "+subnet", "+expire", "+keepalive",
             "+padding", "+ednsneg", "+zoneversion")
GIVE_UP = 20  # unanswered queries before a server is no longer asked
SECTIONS = ("QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL")
CATEGORIES = ("normal", "EDNS", "TCP", "malformed", "raw")
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}


def category(opts):
    if any(o == "+tcp" or o.startswith("+vc") for o in opts):
        return "TCP"
    if any(o.startswith(e) for o in opts for e in EDNS_OPTS):
        return "EDNS"
    return "normal"


class Query:
    def __init__(self, lineno, text):
        self.lineno = lineno
        self.text = text
        words = text.split()
        if len(words) < 2 or words[0].startswith("+") or words[1].startswith("+"):
            raise ValueError("wants NAME TYPE [CLASS] [+OPTION...]")
        self.name, self.qtype = words[0], words[1]
        rest = words[2:]
        self.qclass = "IN"
        if rest and not rest[0].startswith("+"):
            self.qclass = rest.pop(0)
        bad = [w for w in rest if not w.startswith("+")]
        if bad:
            raise ValueError("not a dig option: " + bad[0])
        self.opts = rest
        self.cat = category(rest)

    def dig_line(self, server):
        """The batch-file line: the question only. dig 9.18 reads at most
        13 words of a batch line and ignores +tcp there, so the options
        go on the command line, one dig per set of options (run_dig)."""
        name = self.name if self.name.endswith(".") else self.name + "."
        # dig reads a bare "ANY" in the third place as a second type.
        cls = "CLASS255" if self.qclass.upper() == "ANY" else self.qclass
        return "@%s %s %s %s" % (server, name, self.qtype, cls)


def parse_answer(lines):
    """dig's report of one lookup -> a dict of the fields compared, or
    None when no answer came."""
    a = None
    section = None
    for line in lines:
        if line.startswith(";; ->>HEADER<<-"):
            m = re.match(r";; ->>HEADER<<- opcode: (\S+), status: (\S+), id: \d+", line)
            a = {"opcode": m.group(1), "status": m.group(2), "flags": "",
                 "counts": "", "opt": None, "transport": None, "optlist": [], "warnings": [],
                 "QUESTION": [], "ANSWER": [], "AUTHORITY": [], "ADDITIONAL": []}
            section = None
            continue
        if a is None:
            continue
        if line.startswith(";; flags:"):
            m = re.match(r";; flags:([^;]*); (.*)$", line)
            a["flags"] = " ".join(sorted(m.group(1).split()))
            a["counts"] = m.group(2)
        elif line.startswith(";; OPT PSEUDOSECTION:"):
            section = "OPT"
        elif line.startswith(";; ") and line.rstrip().endswith(" SECTION:"):
            section = line[3:].split()[0]
            if section not in SECTIONS:
                a["warnings"].append(line.strip())
                section = None
        elif line.startswith("; EDNS:"):
            a["opt"] = line[len("; EDNS:"):].strip()
        elif section == "OPT" and line.startswith("; "):
            a["optlist"].append(line[2:].strip())
        elif line.startswith(";; SERVER:"):
            a["transport"] = line.rstrip().rsplit(" ", 1)[-1].strip("()")
        elif line.startswith((";; WARNING: recursion requested",
                              ";; communications error", ";; connection timed out",
                              ";; no servers could be reached")):
            pass  # the last three are about the next lookup: no answer
        elif line.startswith(";;") and re.search(r"warning|malformed|bad packet|error", line, re.I):
            a["warnings"].append(line[3:].strip())
        elif line.startswith(";; Query time:"):
            section = None  # the statistics: the message is over
        elif section == "QUESTION" and line.startswith(";") and not line.startswith(";;"):
            a["QUESTION"].append(" ".join(line[1:].split()))
        elif section in SECTIONS and line.strip() and not line.startswith(";"):
            f = line.split(None, 4)
            a[section].append(" ".join(f[:4]) + (" " + f[4].rstrip("\n") if len(f) > 4 else ""))
    return a


def run_dig(queries, opts, server, port, timeout, budget):
    """Runs one dig in batch mode over (queries), all with the options
    (opts): their answers, in order. Stops dig once (budget) queries went
    unanswered, and then returns the answers of the queries done."""
    with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
        for q in queries:
            f.write(q.dig_line(server) + "\n")
        batch = f.name
    cmd = (["dig", "+cmd", "-p", str(port), "+time=%d" % timeout, "+tries=1"]
           + BASE_OPTS.split() + list(opts) + ["-f", batch])
    # Each lookup's report begins with "; <<>> DiG ... <<>> ARGS" and is
    # whole when the next one begins or dig ends; an error about a lookup
    # ("communications error") comes before its report.
    blocks, silent, tail, stopped = [], 0, [], False
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, errors="replace")
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            tail = (tail + [line])[-20:]
            if line.startswith("; <<>> DiG "):
                blocks.append([line])
            elif blocks:
                blocks[-1].append(line)
            if line.startswith(";; no servers could be reached"):
                silent += 1
                if silent >= budget:
                    stopped = True  # this lookup is whole: the next ones go
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.unlink(batch)
    done = len(blocks)
    if done != len(queries) and not stopped:
        raise RuntimeError("dig %s reported %d lookups for %d queries to %s:\n%s"
                           % (" ".join(opts), done, len(queries), server, "\n".join(tail)))
    tcp = any(o == "+tcp" or o.startswith("+vc") for o in opts)
    answers = []
    for q, b in zip(queries, blocks[:done]):
        if not b[0].rstrip().endswith("<<>> " + q.dig_line(server)):
            raise RuntimeError("dig's lookup %r is not the query %r" % (b[0], q.text))
        a = parse_answer(b[1:])
        # dig ignores some options silently: check what it did.
        if a is not None and a["transport"] != ("TCP" if tcp else "UDP"):
            raise RuntimeError("dig %s: %r went over %s" % (" ".join(opts), q.text, a["transport"]))
        answers.append(a)
    return answers


def ask_all(queries, server, port, timeout, give_up=GIVE_UP):
    """The answers of (server) to (queries), by line number: one dig per
    set of options, one after the other (dig binds its UDP sockets with
    SO_REUSEPORT: two digs asking one server at once may be given the
    same port and receive each other's answers). Stops asking once
    (give_up) queries went unanswered: a server that stopped would
    otherwise cost (timeout) seconds for each query left."""
    groups = collections.OrderedDict()
    for q in queries:
        groups.setdefault(tuple(q.opts), []).append(q)
    answers = {}
    silent = 0
    for opts, qs in groups.items():
        got = run_dig(qs, opts, server, port, timeout, give_up - silent)
        for q, a in zip(qs, got):
            answers[q.lineno] = a
            silent += a is None
        if len(got) < len(qs) or silent >= give_up:
            break
    return answers


def multiset_diff(label, ref, sub):
    out = []
    r, s = collections.Counter(ref), collections.Counter(sub)
    for rec in sorted((r - s).elements()):
        out.append("-%s %s" % (label, rec))
    for rec in sorted((s - r).elements()):
        out.append("+%s %s" % (label, rec))
    return out


def compare(ref, sub):
    """The differences between two parsed answers, as lines."""
    if ref is None and sub is None:
        return []
    if ref is None or sub is None:
        return ["-reply %s" % ("none" if ref is None else ref["status"]),
                "+reply %s" % ("none" if sub is None else sub["status"])]
    out = []
    for field in ("opcode", "status", "flags", "counts", "opt", "transport"):
        if ref[field] != sub[field]:
            out += ["-%s %s" % (field, ref[field]), "+%s %s" % (field, sub[field])]
    out += multiset_diff("opt-option", ref["optlist"], sub["optlist"])
    out += multiset_diff("warning", ref["warnings"], sub["warnings"])
    for s in SECTIONS:
        out += multiset_diff(s.lower(), ref[s], sub[s])
    return out


# ---- Malformed queries, raw --------------------------------------------

def raw_udp(data, server, port, timeout):
    """The answer to (data) over UDP, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.connect((server, port))
        s.send(data)
        try:
            return s.recv(65535)
        except (socket.timeout, ConnectionRefusedError):
            return None
    finally:
        s.close()


def raw_tcp(data, server, port, timeout):
    """The first answer to (data) over TCP, or None when the server closes
    or says nothing within (timeout)."""
    s = socket.create_connection((server, port), timeout=timeout)
    try:
        s.sendall(struct.pack("!H", len(data)) + data)
        buf = b""
        while True:
            if len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                return buf[2:2 + struct.unpack("!H", buf[:2])[0]]
            try:
                chunk = s.recv(65535)
            except (socket.timeout, ConnectionResetError):
                return None
            if not chunk:
                return None
            buf += chunk
    finally:
        s.close()


def raw_verdict(query, answer):
    """A short description of the answer's header: "none", "FORMERR",
    or "bad: ..." when it cannot be an answer to (query)."""
    if answer is None:
        return "none"
    if len(answer) < 12:
        return "bad: %d-byte answer" % len(answer)
    aid, flags = struct.unpack("!HH", answer[:4])
    if not flags & 0x8000:
        return "bad: QR clear"
    if len(query) >= 2 and aid != struct.unpack("!H", query[:2])[0]:
        return "bad: id %d, query had %d" % (aid, struct.unpack("!H", query[:2])[0])
    rcode = flags & 0xF
    return RCODES.get(rcode, "RCODE%d" % rcode)


def skip_name(m, off):
    """The offset after the name at (off) of (m); pointers not followed."""
    while True:
        n = m[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


FLAG_BITS = ((0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"),
             (0x0040, "z"), (0x0020, "ad"), (0x0010, "cd"))


def raw_header(query, answer):
    """The header of the answer and its OPT record, as one line; "none"; or
    "bad: ..." (not an answer to (query), or not parseable)."""
    v = raw_verdict(query, answer)
    if v == "none" or v.startswith("bad"):
        return v
    _, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", answer[:12])
    desc = "opcode %d rcode %s flags %s counts %d/%d/%d/%d" % (
        (flags >> 11) & 0xF, v, " ".join(n for b, n in FLAG_BITS if flags & b) or "-",
        qd, an, ns, ar)
    try:
        off = 12
        for _ in range(qd):
            off = skip_name(answer, off) + 4
        for k in range(an + ns + ar):
            owner = off
            off = skip_name(answer, off)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", answer[off:off + 10])
            if rtype == 41 and k >= an + ns:
                desc += " opt root %s udp %d ercode %d version %d flags %#06x rdlen %d" % (
                    answer[owner] == 0, rclass, ttl >> 24, (ttl >> 16) & 0xFF, ttl & 0xFFFF, rdlen)
            off += 10 + rdlen
        if off != len(answer):
            desc += " (%d bytes after the records)" % (len(answer) - off)
    except (IndexError, struct.error):
        desc += " (records cut short)"
    return desc


def compare_malformed(ref, sub):
    """A broken query: FORMERR or no answer, FORMERR when the reference
    says FORMERR, or the reference's own rcode."""
    if sub.startswith("bad") or sub not in ("none", "FORMERR", ref):
        return ["-rcode %s" % ref, "+rcode %s (wanted FORMERR or none%s)" % (
            sub, "" if ref in ("none", "FORMERR") else " or " + ref)]
    if ref == "FORMERR" and sub != "FORMERR":
        return ["-rcode %s" % ref, "+rcode %s" % sub]
    return []


def run_raw(folder, cat, args, count, diffs):
    """Sends each *.bin of (folder) to both servers over UDP and TCP and
    compares: rcodes by the rule of compare_malformed for "malformed",
    whole headers for "raw". Many get no answer, so they are sent 16 at
    a time, each from a socket of its own."""
    cases = []
    for fname in sorted(f for f in os.listdir(folder) if f.endswith(".bin")):
        with open(os.path.join(folder, fname), "rb") as f:
            data = f.read()
        for proto, send in (("UDP", raw_udp), ("TCP", raw_tcp)):
            for server in (args.ref, args.sub):
                cases.append((fname, data, proto, send, server))

    def one(case):
        fname, data, proto, send, server = case
        try:
            ans = send(data, server, args.port, args.timeout)
        except OSError as e:
            return "bad: %s" % e
        return raw_verdict(data, ans) if cat == "malformed" else raw_header(data, ans)

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        got = list(pool.map(one, cases))
    for k in range(0, len(cases), 2):
        fname, data, proto = cases[k][:3]
        ref, sub = got[k], got[k + 1]
        count[cat] += 1
        if cat == "malformed":
            d = compare_malformed(ref, sub)
        else:
            d = [] if ref == sub else ["-header " + ref, "+header " + sub]
        if d:
            diffs[cat] += 1
            print("# [%s] %s over %s (%d bytes)" % (cat, fname, proto, len(data)))
            for line in d:
                print("#   " + line)


# ---- Main --------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ref", required=True, help="the reference server (NSD)")
    p.add_argument("--sub", required=True, help="the server under test")
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--queries", help="the query corpus")
    p.add_argument("--malformed", help="a folder of broken queries, *.bin")
    p.add_argument("--raw", help="a folder of well-formed raw queries, *.bin")
    p.add_argument("--timeout", type=int, default=2, help="seconds per query")
    p.add_argument("--category", action="append", choices=CATEGORIES,
                   help="only these categories (repeatable)")
    args = p.parse_args()
    if not shutil.which("dig"):
        print("dnsdiff: dig is missing (Debian: bind9-dnsutils)", file=sys.stderr)
        return 2
    cats = args.category or list(CATEGORIES)

    queries = []
    if args.queries:
        with open(args.queries) as f:
            for n, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                try:
                    q = Query(n, line)
                except ValueError as e:
                    print("dnsdiff: %s:%d: %s" % (args.queries, n, e), file=sys.stderr)
                    return 2
                if q.cat in cats:
                    queries.append(q)

    count = collections.Counter()
    diffs = collections.Counter()
    unanswered = 0
    not_asked = collections.Counter()
    if queries:
        answers = {}
        errors = []

        def ask(which, server):
            try:
                answers[which] = ask_all(queries, server, args.port, args.timeout)
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=ask, args=(w, s))
                   for w, s in (("ref", args.ref), ("sub", args.sub))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            print("dnsdiff: %s" % errors[0], file=sys.stderr)
            return 2
        # A dig whose output no longer parses would make every answer
        # equally empty: the reference must have given records.
        with_records = sum(1 for a in answers["ref"].values() if a and a["ANSWER"])
        print("# the reference answered %d of %d queries, %d of them with records"
              % (sum(1 for a in answers["ref"].values() if a), len(queries), with_records))
        if with_records < len(queries) // 4:
            print("dnsdiff: too few answers with records: is dig's output read right?",
                  file=sys.stderr)
            return 2
        not_asked = collections.Counter()
        for q in queries:
            count[q.cat] += 1
            if q.lineno not in answers["ref"] or q.lineno not in answers["sub"]:
                not_asked[q.cat] += 1
                diffs[q.cat] += 1
                continue
            ref, sub = answers["ref"][q.lineno], answers["sub"][q.lineno]
            if ref is None:
                unanswered += 1
            d = compare(ref, sub)
            if d:
                diffs[q.cat] += 1
                print("# [%s] line %d: %s" % (q.cat, q.lineno, q.text))
                for line in d:
                    print("#   " + line)

    if args.malformed and "malformed" in cats:
        run_raw(args.malformed, "malformed", args, count, diffs)
    if args.raw and "raw" in cats:
        run_raw(args.raw, "raw", args, count, diffs)

    if queries and sum(not_asked.values()):
        print("# %d queries not asked (each counted as a difference): the %s "
              "left %d queries unanswered" % (
                  sum(not_asked.values()),
                  "reference" if len(answers["ref"]) < len(queries) else "subject", GIVE_UP))
    if unanswered:
        print("# the reference did not answer %d queries: a slow or broken "
              "harness, not a difference of the subject" % unanswered)
    total = 0
    for c in cats:
        if not count[c]:
            continue
        total += diffs[c]
        label = c + " queries"
        if diffs[c]:
            print("not ok %s: %d of %d queries answered differently" % (label, diffs[c], count[c]))
        else:
            print("ok %s: %d queries, 0 differences" % (label, count[c]))
    print("%d differences" % total)
    return 1 if total or unanswered else 0


if __name__ == "__main__":
    sys.exit(main())
