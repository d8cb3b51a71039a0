# The virtio target under QEMU (TCG here): hello on microvm, pc and q35
# through both boot entries (multiboot, which QEMU prefers, and PVH, which
# Firecracker and Cloud Hypervisor use); exit statuses; the crash report
# for a null read, executing data (W^X), writing text and a stack
# overflow into the guard page; the clocks; an idle guest using no CPU,
# with each timer (pith.timer=pit, lapic) and without a local APIC;
# `pith run`'s printed command and its Firecracker configuration; two
# disks over MMIO, modern and legacy PCI; NICs bound by MAC; ping answered
# at once while the PIT times the waits. (More ping, UDP,
# TCP and DNS on virtio: net.sh, tcp.sh, dns.sh, twonic.sh, devices.sh.)
. "$(dirname "$0")/../lib.sh"
command -v qemu-system-x86_64 >/dev/null ||
    { notok "virtio" "qemu-system-x86_64 is not installed (scripts/deps)"; exit 1; }
export PITH_QEMU_ACCEL=${PITH_QEMU_ACCEL:-tcg}
RUN=("$PITH" run --accel="$PITH_QEMU_ACCEL")

build_app "$ROOT/apps/hello" virtio "$T/hello.virtio" || exit 1
build_app "$ROOT/tests/apps/vmcheck" virtio "$T/vmcheck.virtio" || exit 1
build_app "$ROOT/tests/apps/wtext" virtio "$T/wtext.virtio" || exit 1
build_app "$ROOT/tests/apps/smash" virtio "$T/smash.virtio" || exit 1

# A copy that only a PVH loader can boot: QEMU takes the multiboot
# header when there is one, so clear its magic number.
python3 - "$T/hello.virtio" "$T/hello.pvh" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.find(bytes.fromhex('02b0ad1b'), 0, 8192)
assert i >= 0 and i % 4 == 0, 'no multiboot header in the first 8 KiB'
d[i:i + 4] = b'\0\0\0\0'
open(sys.argv[2], 'wb').write(d)
PY

size=$(stat -c %s "$T/hello.virtio")
[ "$size" -lt 65536 ] && ok "hello.virtio is $size bytes (under 64 KiB)" ||
    notok "hello.virtio size" "$size bytes, goal under 64 KiB"
expect "pith inspect names target virtio" 0 "target:  virtio" -- \
    "$PITH" inspect "$T/hello.virtio"

for m in microvm pc q35; do
    expect "hello on $m" 0 'hello: ok' -- "${RUN[@]}" --machine=$m "$T/hello.virtio"
    # hello declares no device: the boot touches none, and its first
    # plat_entropy (after its sleep) finds and starts the virtio-rng
    # device; the timer is set up at its first wait (the sleep).
    awk '/^virtio: timer / && !t { t = NR } /^slept / && !s { s = NR }
         /^virtio: entropy \((mmio|pci) / && !e { e = NR }
         /^hello from pith/ && !h { h = NR }
         END { exit !(h && t > h && s > t && e > s) }' "$T/out" &&
        ok "hello on $m: timer at the first wait, virtio-rng at the first plat_entropy" ||
        notok "hello on $m: timer at the first wait, virtio-rng at the first plat_entropy" \
            "$(head -c 400 "$T/out" | tr '\n' '|')"
    expect "hello on $m: slept 10 ms, entropy, wall clock" 0 'slept 1[0-9]{4} us' -- \
        "${RUN[@]}" --machine=$m "$T/hello.virtio"
    expect "hello on $m gets its arguments" 0 'argument 2: --ipv4=10.0.0.2/24' -- \
        "${RUN[@]}" --machine=$m "$T/hello.virtio" -- x --ipv4=10.0.0.2/24
    expect "hello on $m boots through multiboot" 0 'boot took [0-9]+ us .*multiboot' -- \
        "${RUN[@]}" --machine=$m "$T/hello.virtio" -- pith.boot-time
    expect "hello on $m boots through PVH" 0 'boot took [0-9]+ us .*PVH\)' -- \
        "${RUN[@]}" --machine=$m "$T/hello.pvh" -- pith.boot-time
    grep -q 'hello: ok' "$T/out" && ok "hello on $m through PVH runs" ||
        notok "hello on $m through PVH runs" "$(head -c 300 "$T/out" | tr '\n' '|')"
done
# stdout is the image's console and nothing else (no firmware banner):
# here only the platform's lines naming the devices it bound.
"${RUN[@]}" --machine=pc "$T/vmcheck.virtio" -- exit 0 >"$T/pc.out" 2>/dev/null
! grep -qv '^virtio: ' "$T/pc.out" && ok "pc: nothing on the console but the image's own" ||
    notok "pc: console" "$(head -c 200 "$T/pc.out" | tr '\n' '|')"
# An image that neither waits nor asks for entropy sets up no timer and
# starts no device.
! grep -q '^virtio: \(timer\|entropy\)' "$T/pc.out" &&
    ok "pc: an image that never waits sets up no timer and starts no device" ||
    notok "pc: an image that never waits sets up no timer and starts no device" \
        "$(head -c 200 "$T/pc.out" | tr '\n' '|')"

expect "pith run prints the QEMU command it runs" 0 \
    '^pith: qemu-system-x86_64 -M microvm.* -kernel [^ ]*hello.virtio -append hello$' -- \
    "${RUN[@]}" "$T/hello.virtio" -- hello
for s in 0 1 3 42 126; do
    expect "exit status $s comes out of QEMU" $s '' -- \
        "${RUN[@]}" "$T/vmcheck.virtio" -- exit $s
done

# Faults: a report on the console and the status of a host process's
# signal, modulo 128 (isa-debug-exit carries 7 bits): SIGSEGV 11.
fault() { # NAME PATTERN ARG...
    local name=$1 pat=$2
    shift 2
    expect "$name: crash report and status 11" 11 "$pat" -- \
        "${RUN[@]}" "$T/vmcheck.virtio" -- "$@"
    grep -q 'pith:   rax [0-9a-f]\{16\} rbx' "$T/out" &&
        grep -q 'pith:   backtrace: 0x' "$T/out" &&
        ok "$name: registers and a backtrace" ||
        notok "$name: registers and a backtrace" "$(head -c 300 "$T/out" | tr '\n' '|')"
}
fault "null read" '^pith:   read at 0 \(null page\)' null
fault "W^X: executing data" '^pith:   execute at 0x[0-9a-f]+ \(image data\)' exec
fault "stack overflow" 'write at 0x[0-9a-f]+ \(stack guard page: stack overflow\)' overflow
expect "W^X: writing text is stopped" 11 '^pith:   write at 0x[0-9a-f]+ \(text\)' -- \
    "${RUN[@]}" "$T/wtext.virtio"
grep -q 'wrote to text' "$T/out" && notok "W^X: text unchanged" "the write went through" ||
    ok "W^X: text unchanged"
expect "stack smashing: abort, status 6 (134 modulo 128)" 6 'stack smashing detected' -- \
    "${RUN[@]}" "$T/smash.virtio"

# Clocks and waiting: 700 ms asleep costs QEMU little CPU; the monotonic
# clock agrees with the host's; the wall clock is the host's.
# sleep_check NAME COMMAND...: COMMAND boots vmcheck with "sleep 700": the
# guest's clock says 700 to 760 ms went by, the host's at least that; QEMU
# used under 350 ms of CPU (a guest that spins uses about 700). The
# output stays in $T/out.
sleep_check() {
    local name=$1 start end slept host cpu
    shift
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$T/cpu" timeout 60 "$@" >"$T/out" 2>&1
    end=$(date +%s%N)
    slept=$(sed -n 's/^slept \([0-9]*\) ms.*/\1/p' "$T/out" | tr -d '\r')
    host=$(((end - start) / 1000000))
    cpu=$(awk '/^[0-9.]+ [0-9.]+$/ {printf "%d", ($1 + $2) * 1000}' "$T/cpu")
    [ -n "$slept" ] && [ "$slept" -ge 700 ] && [ "$slept" -lt 760 ] &&
        [ "$host" -ge "$slept" ] &&
        ok "${name}sleep 700 ms: $slept ms on the guest's clock, $host ms on the host's" ||
        notok "${name}sleep 700 ms" "guest ${slept:-no} ms, host $host ms: $(head -c 300 "$T/out" | tr '\n' '|')"
    [ "${cpu:-1000}" -lt 350 ] && ok "${name}an idle guest halts: $cpu ms of CPU in $host ms" ||
        notok "${name}an idle guest halts" "${cpu:-?} ms of CPU in $host ms"
}
sleep_check "" "${RUN[@]}" "$T/vmcheck.virtio" -- sleep 700
expect "the wall clock" 0 '^wall [0-9]+' -- "${RUN[@]}" "$T/vmcheck.virtio" -- clock
w=$(sed -n 's/^wall \([0-9]*\).*/\1/p' "$T/out" | tr -d '\r')
d=$(($(date +%s) - ${w:-0}))
[ "${d#-}" -le 5 ] && ok "the wall clock is the host's (off by $d s)" ||
    notok "the wall clock is the host's" "guest $w, host $(date +%s)"
expect "the heap is most of --mem=32" 0 '^heap 0x[0-9a-f]+ [0-9]+' -- \
    "${RUN[@]}" --mem=32 "$T/vmcheck.virtio" -- heap
h=$(sed -n 's/^heap 0x[0-9a-f]* \([0-9]*\).*/\1/p' "$T/out" | tr -d '\r')
[ "${h:-0}" -gt $((30 << 20)) ] && [ "${h:-0}" -lt $((32 << 20)) ] &&
    ok "heap of $h bytes from a 32 MiB VM" || notok "heap size" "${h:-none} bytes"

# Timers: pith.timer= picks the local APIC's one-shot mode or the PIT's
# channel 0 (IRQ 0 through the I/O APIC), on MMIO and on PCI machines:
# the boot line names it, and it wakes the halted CPU on time.
for m in microvm pc; do
    for t in pit lapic; do
        sleep_check "$m, pith.timer=$t: " "${RUN[@]}" --machine=$m "$T/vmcheck.virtio" -- \
            pith.timer=$t sleep 700
        grep -q "^virtio: timer $t (one-shot" "$T/out" && ok "$m: the boot line names timer $t" ||
            notok "$m: the boot line names timer $t" "$(head -c 300 "$T/out" | tr '\n' '|')"
    done
done
if [ "$PITH_QEMU_ACCEL" = tcg ]; then # TCG's CPUs have no TSC-deadline mode
    expect "pith.timer=tsc-deadline on a CPU without it: said, and the APIC's one-shot" 0 \
        '^virtio: pith.timer=tsc-deadline: not on this machine' -- \
        "${RUN[@]}" "$T/hello.virtio" -- pith.timer=tsc-deadline
    grep -q '^virtio: timer lapic (one-shot' "$T/out" && grep -q 'hello: ok' "$T/out" &&
        ok "tsc-deadline refused: timer lapic, hello runs" ||
        notok "tsc-deadline refused: timer lapic, hello runs" "$(head -c 300 "$T/out" | tr '\n' '|')"
fi
expect "pith.timer=NAME with an unknown name: said, and the usual timer" 0 \
    '^virtio: pith.timer=hpet: unknown \(want tsc-deadline, lapic or pit\)' -- \
    "${RUN[@]}" "$T/hello.virtio" -- pith.timer=hpet
grep -q '^virtio: timer ' "$T/out" && grep -q 'hello: ok' "$T/out" &&
    ! grep -q 'pith.timer' <(grep -Ev '^(virtio: |pith: qemu)' "$T/out") &&
    ok "pith.timer= is not among the app's arguments" ||
    notok "pith.timer= is not among the app's arguments" "$(head -c 300 "$T/out" | tr '\n' '|')"

# qemu_cmd OLD NEW [OLD NEW...] -- PITH-RUN-ARGUMENTS...: sets CMD to the
# QEMU command `pith run --dry-run` prints, each argument OLD replaced by
# NEW.
qemu_cmd() {
    local subst=()
    while [ "$1" != -- ]; do
        subst+=("$1")
        shift
    done
    shift
    mapfile -t CMD < <("${RUN[@]}" --dry-run "$@" 2>&1 | python3 -c '
import shlex, sys
a = shlex.split(sys.stdin.read().split("pith: ", 1)[1])
s = dict(zip(sys.argv[1::2], sys.argv[2::2]))
assert all(o in a for o in s), (s, a)
print("\n".join(s.get(x, x) for x in a))' "${subst[@]}")
}

# A CPU without a local APIC (-cpu max,-apic), where the I/O APIC has
# nothing to deliver to: the 8259s route (PCI INTx on pc, MMIO on microvm
# with its 8259s on) and the PIT is the timer. With neither (microvm's
# default pic=off), nothing interrupts: waiting spins, still on time.
qemu_cmd max max,-apic -- --machine=pc "$T/vmcheck.virtio" -- sleep 700
sleep_check "pc without a local APIC: " "${CMD[@]}"
grep -q '^virtio: timer pit (one-shot, IRQ 0 through the 8259)' "$T/out" &&
    ok "pc without a local APIC: timer pit through the 8259" ||
    notok "pc without a local APIC: timer pit through the 8259" "$(head -c 300 "$T/out" | tr '\n' '|')"
qemu_cmd max max,-apic microvm,acpi=off,pic=off,rtc=on microvm,acpi=off,pic=on,rtc=on -- \
    "$T/vmcheck.virtio" -- sleep 700
sleep_check "microvm without a local APIC, 8259s on: " "${CMD[@]}"
grep -q '^virtio: timer pit (one-shot, IRQ 0 through the 8259)' "$T/out" &&
    ! grep -q 'cannot attach interrupt' "$T/out" &&
    ok "microvm without a local APIC: timer pit and the MMIO device's IRQ through the 8259" ||
    notok "microvm without a local APIC: timer pit and the MMIO device's IRQ through the 8259" \
        "$(head -c 300 "$T/out" | tr '\n' '|')"
qemu_cmd max max,-apic -- "$T/vmcheck.virtio" -- sleep 300
expect "microvm without any interrupt controller: waiting spins" 3 \
    '^virtio: timer none \(no interrupt controller\): waiting spins' -- timeout 60 "${CMD[@]}"
slept=$(sed -n 's/^slept \([0-9]*\) ms.*/\1/p' "$T/out" | tr -d '\r')
[ "${slept:-0}" -ge 300 ] && [ "${slept:-0}" -lt 360 ] &&
    ok "microvm without any interrupt controller: sleep 300 ms took $slept ms" ||
    notok "microvm without any interrupt controller: sleep 300 ms" "$(head -c 300 "$T/out" | tr '\n' '|')"

# Device interrupts still wake a CPU that waits on the PIT: apps/echo,
# idle (its next deadline far off, so each arming is the PIT's longest,
# 55 ms), answers Linux's ping at once; a reply that had to wait for the
# PIT would take 27 ms on average. Also with the 8259s routing (PCI INTx
# and MMIO, level-triggered).
MAC=02:00:00:00:00:2a
build_app "$ROOT/apps/echo" virtio "$T/echo.virtio" &&
for how in microvm pc pc-noapic microvm-noapic; do
    tap_ns pit$how 10.85.0.1/24 || continue
    m=${how%-noapic}
    args=(--machine=$m "$T/echo.virtio" --net:service=pitht0 --net-mac:service=$MAC --
        --ipv4=10.85.0.2/24 pith.timer=pit)
    if [ $how = $m ]; then
        CMD=("${RUN[@]}" "${args[@]}")
    elif [ $m = pc ]; then
        qemu_cmd max max,-apic -- "${args[@]}"
    else
        qemu_cmd max max,-apic microvm,acpi=off,pic=off,rtc=on microvm,acpi=off,pic=on,rtc=on -- \
            "${args[@]}"
    fi
    log=$T/pit$how.log
    : >"$log"
    ip netns exec "$NS" "${CMD[@]}" >"$log" 2>&1 &
    pid=$!
    disown $pid
    cleanup_add "kill -9 $pid"
    for _ in $(seq 100); do
        grep -q '^echo: listening' "$log" && break
        sleep 0.1
    done
    ip netns exec "$NS" ping -c 20 -i 0.05 -W 1 -q 10.85.0.2 >"$T/ping" 2>&1
    avg=$(sed -n 's|^rtt min/avg/max/mdev = [0-9.]*/\([0-9]*\)\..*|\1|p' "$T/ping")
    grep -q '^virtio: timer pit (one-shot' "$log" &&
        grep -q '^20 packets transmitted, 20 received, 0% packet loss' "$T/ping" &&
        [ -n "$avg" ] && [ "$avg" -lt 10 ] &&
        ok "$how, pith.timer=pit: echo answers ping at once (average $(sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' "$T/ping") ms)" ||
        notok "$how, pith.timer=pit: echo answers ping at once" \
            "$(tail -n 2 "$T/ping" | tr '\n' '|') $(head -c 400 "$log" | tr '\n' '|')"
    kill -9 $pid 2>/dev/null
done

# Refusals and the Firecracker configuration.
expect_line "an unknown machine is refused" 2 \
    "pith: run: unknown machine 'vax' (expected microvm, pc or q35)" -- \
    "${RUN[@]}" --machine=vax "$T/hello.virtio"
build_app "$ROOT/apps/hello" spt "$T/hello.spt" &&
    expect_line "--machine is refused for an spt image" 2 \
        "pith: run: --machine=pc is for virtio images; $T/hello.spt is a spt image" -- \
        "$PITH" run --machine=pc "$T/hello.spt"
expect "pith build -t virtio refuses --sanitize" 2 'needs -t unix' -- \
    "$PITH" build -t virtio --sanitize "$ROOT/apps/hello"

# A Firecracker configuration for an image with a NIC, written without
# Firecracker: the kernel, the arguments, the tap, a MAC, memory.
build_app "$ROOT/apps/echo" virtio "$T/echo.virtio" &&
    expect "pith run --emit-firecracker-config" 0 '' -- \
        "$PITH" run "$T/echo.virtio" --net:service=fctap0 \
        --net-mac:service=02:00:00:00:00:07 --mem=48 \
        --emit-firecracker-config="$T/fc.json" -- --ipv4=10.0.0.2/24 &&
    python3 - "$T/fc.json" "$T/echo.virtio" <<'PY' && ok "the Firecracker configuration holds the image and its NIC" ||
import json, os, sys
c = json.load(open(sys.argv[1]))
b = c['boot-source']
assert b['kernel_image_path'] == os.path.realpath(sys.argv[2]), b
assert b['boot_args'] == '--ipv4=10.0.0.2/24', b
n = c['network-interfaces']
assert n == [{'iface_id': 'service', 'host_dev_name': 'fctap0',
              'guest_mac': '02:00:00:00:00:07'}], n
assert c['machine-config'] == {'vcpu_count': 1, 'mem_size_mib': 48}, c
assert c['drives'] == [], c
PY
    notok "the Firecracker configuration holds the image and its NIC" "$(head -c 400 "$T/fc.json" | tr '\n' '|')"
ip link show fctap0 >/dev/null 2>&1 && notok "--emit-firecracker-config creates no tap" "fctap0 exists" ||
    ok "--emit-firecracker-config creates no tap"

# Several disks, bound in manifest order, over virtio-mmio (microvm) and
# virtio-pci (pc), and both PCI flavours: legacy only and modern only
# (QEMU run directly with the command pith run prints, plus -global).
build_app "$ROOT/tests/apps/twoblk" virtio "$T/twoblk.virtio" &&
for how in microvm pc pc-legacy pc-modern; do
    truncate -s 1M "$T/d1.img"
    truncate -s 3M "$T/d2.img"
    args=(--machine=${how%%-*} "$T/twoblk.virtio" --block:first="$T/d1.img" --block:second="$T/d2.img")
    if [ "$how" = "${how%%-*}" ]; then
        expect "two disks on $how" 0 'twoblk: second 3145728 bytes' -- "${RUN[@]}" "${args[@]}"
    else
        g=$([ $how = pc-legacy ] && echo disable-modern=on || echo disable-legacy=on)
        mapfile -t cmd < <("${RUN[@]}" --dry-run "${args[@]}" 2>&1 |
            python3 -c 'import shlex,sys; print("\n".join(shlex.split(sys.stdin.read().split("pith: ",1)[1])))')
        expect "two disks on $how (virtio-pci.$g)" 3 'twoblk: second 3145728 bytes' -- \
            "${cmd[@]}" -global virtio-pci.$g
    fi
    grep -q 'twoblk: first 1048576 bytes' "$T/out" &&
        [ "$(head -c 15 "$T/d1.img")" = "pith disk first" ] &&
        [ "$(head -c 16 "$T/d2.img")" = "pith disk second" ] &&
        ok "$how: each disk reached the file bound to it" ||
        notok "$how: each disk reached the file bound to it" \
            "$(head -c 16 "$T/d1.img" | tr -d '\0') / $(head -c 16 "$T/d2.img" | tr -d '\0'): $(head -c 300 "$T/out" | tr '\n' '|')"
done

# NICs bound by MAC instead of order: pith.net.NAME=MAC on the command
# line swaps the two of tests/apps/twonic (its taps need not carry
# traffic: the console says which NIC each name got).
build_app "$ROOT/tests/apps/twonic" virtio "$T/twonic.virtio" && {
    NS=$(netns_new macbind) && ip -n "$NS" tuntap add pitht0 mode tap &&
        ip -n "$NS" tuntap add pitht1 mode tap &&
        ip -n "$NS" link set pitht0 up && ip -n "$NS" link set pitht1 up
    timeout 5 ip netns exec "$NS" "${RUN[@]}" "$T/twonic.virtio" \
        --net:service=pitht0 --net-mac:service=02:00:00:00:00:a1 \
        --net:second=pitht1 --net-mac:second=02:00:00:00:00:b2 -- \
        pith.net.service=02:00:00:00:00:b2 pith.net.second=02:00:00:00:00:a1 \
        --ipv4=10.83.0.2/24 --ipv4-second=10.84.0.2/24 >"$T/mac.out" 2>&1
    grep -q '^virtio: net service 02:00:00:00:00:b2' "$T/mac.out" &&
        grep -q '^virtio: net second 02:00:00:00:00:a1' "$T/mac.out" &&
        grep -q '^twonic: listening' "$T/mac.out" &&
        ok "pith.net.NAME=MAC binds NICs by MAC" ||
        notok "pith.net.NAME=MAC binds NICs by MAC" "$(head -c 400 "$T/mac.out" | tr '\n' '|')"
}

# Extended state: AVX code runs (XSAVE and AVX turned on) when the CPU
# has it (TCG's "max" does). Entropy from RDRAND when there is no
# virtio-rng: QEMU run directly, without the device pith run adds.
expect "AVX state is on" 0 'vmcheck: (avx ok|no avx)' -- "${RUN[@]}" "$T/vmcheck.virtio" -- avx
mapfile -t cmd < <("${RUN[@]}" --dry-run "$T/hello.virtio" 2>&1 |
    python3 -c 'import shlex,sys; a=shlex.split(sys.stdin.read().split("pith: ",1)[1]); i=a.index("virtio-rng-device"); print("\n".join(a[:i-1]+a[i+1:]))')
expect "entropy from RDRAND without virtio-rng" 3 'hello: ok' -- "${cmd[@]}"
grep -q '^virtio: entropy' "$T/out" && notok "no virtio-rng device was bound" "$(head -c 200 "$T/out")" ||
    ok "no virtio-rng device was bound"
