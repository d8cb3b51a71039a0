#!/usr/bin/env python3
"""Boot to first answer: starts a dns-primary image with `pith run` ROUNDS
times and sends an A query for example.com every 0.2 ms from the moment
of exec until the first answer; prints the median, min and max time.

Run it in a namespace with tap pitht0 at 10.86.0.1/24 and a permanent
neighbour entry for 10.86.0.2 at 02:00:00:00:00:2a (so that no ARP
exchange is timed), e.g.:

    ip netns add N; ip -n N link set lo up
    ip -n N tuntap add pitht0 mode tap; ip -n N link set pitht0 up
    ip -n N addr add 10.86.0.1/24 dev pitht0
    ip -n N neigh add 10.86.0.2 lladdr 02:00:00:00:00:2a dev pitht0
    ip netns exec N python3 bench/dnsfirst.py apps/dns-primary/dns-primary.spt
"""
import socket
import statistics
import subprocess
import sys
import time

PITH = __file__.rsplit("/bench/", 1)[0] + "/build/bin/pith"
QUERY = bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001")


def first_answer(img):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    t0 = time.perf_counter()
    p = subprocess.Popen([PITH, "run", img, "--net:service=pitht0",
                          "--net-mac:service=02:00:00:00:00:2a", "--",
                          "--ipv4=10.86.0.2/24"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    got = None
    while got is None and time.perf_counter() - t0 < 2:
        try:
            s.sendto(QUERY, ("10.86.0.2", 53))
        except OSError:
            pass
        time.sleep(0.0002)
        try:
            if s.recv(512)[:2] == b"\xab\xcd":
                got = time.perf_counter() - t0
        except BlockingIOError:
            pass
    p.kill()
    p.wait()
    s.close()
    return got


def main():
    img = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    res = []
    for _ in range(rounds):
        res.append(first_answer(img))
        time.sleep(0.05)
    ok = [r for r in res if r is not None]
    if not ok:
        print("no answer at all")
        return 1
    print("first answer after exec: median %.2f ms, min %.2f ms, max %.2f ms"
          " (%d of %d answered)" % (statistics.median(ok) * 1e3,
                                     min(ok) * 1e3, max(ok) * 1e3,
                                     len(ok), len(res)))
    return 0 if len(ok) == len(res) else 1


if __name__ == "__main__":
    sys.exit(main())
