# The spt tender's defences: it refuses bad images and bad bindings before
# anything runs, kills an image that makes any system call outside its
# allow-list, and stops stack smashing and writes to text.
. "$(dirname "$0")/../lib.sh"

build_app "$ROOT/apps/hello" spt "$T/hello.spt" || exit 1
build_app "$ROOT/tests/apps/badsys" spt "$T/badsys.spt" || exit 1
build_app "$ROOT/tests/apps/smash" spt "$T/smash.spt" || exit 1
build_app "$ROOT/tests/apps/wtext" spt "$T/wtext.spt" || exit 1
build_app "$ROOT/tests/apps/blk" spt "$T/blk.spt" || exit 1
build_app "$ROOT/tests/apps/netecho" spt "$T/netecho.spt" || exit 1

# ---- Forbidden system calls: SIGSYS, exit status 128 + 31. ----
for sys in open socket execve mmap-exec read-stdin clock-boottime ioctl ioctl-offload; do
    expect "seccomp kills an image calling $sys" 159 '' -- \
        "$PITH" run "$T/badsys.spt" -- $sys
    if grep -q 'the sandbox let it through' "$T/out"; then
        notok "seccomp stopped $sys before it ran" "$(cat "$T/out")"
    fi
done
# The same image is not killed when it makes no forbidden call.
expect "badsys without a forbidden call exits normally" 2 '^usage: badsys' -- \
    "$PITH" run "$T/badsys.spt"

# ---- Memory protection. ----
expect "stack smashing aborts through the stack protector (134)" 134 \
    '^pith: stack smashing detected$' -- "$PITH" run "$T/smash.spt"
expect "a write to the image's text faults (139)" 139 \
    '^pith-spt: image fault: SIGSEGV, write at 0x1[0-9a-f]{5} \(text\), rip 0x1[0-9a-f]{5}$' -- \
    "$PITH" run "$T/wtext.spt"
readelf -lW "$T/hello.spt" >"$T/phdrs"
if awk '$1 == "LOAD" && $7 ~ /W/ && $7 ~ /E/ { bad = 1 } END { exit !bad }' "$T/phdrs"; then
    notok "no segment is writable and executable" "$(grep LOAD "$T/phdrs")"
else
    ok "no segment is writable and executable"
fi

# ---- Devices: only those declared, each bound exactly once. ----
truncate -s 1M "$T/disk.img"
expect_line "an undeclared device is refused" 125 \
    "pith-spt: --net:service: the image declares no net device named 'service'" -- \
    "$SPT" "$T/hello.spt" --net:service=tap0
expect_line "a device of the wrong kind is refused" 125 \
    "pith-spt: --net:storage: the image declares no net device named 'storage'" -- \
    "$SPT" "$T/blk.spt" --net:storage=tap0
expect_line "a declared device must be bound" 125 \
    "pith-spt: the image needs block device 'storage': bind it with --block:storage=FILE" -- \
    "$SPT" "$T/blk.spt"
expect_line "a missing tap is refused" 125 \
    "pith-spt: --net:service=pithnosuch0: no network interface 'pithnosuch0' (create it with 'ip tuntap add pithnosuch0 mode tap', or use 'pith run' as root)" -- \
    "$SPT" "$T/netecho.spt" --net:service=pithnosuch0
expect_line "a missing block file is refused" 125 \
    "pith-spt: --block:storage=$T/nosuch.img: No such file or directory" -- \
    "$SPT" "$T/blk.spt" --block:storage="$T/nosuch.img"
truncate -s 1000 "$T/odd.img"
expect_line "a block file of partial sectors is refused" 125 \
    "pith-spt: --block:storage=$T/odd.img: size 1000 is not a multiple of 512 bytes" -- \
    "$SPT" "$T/blk.spt" --block:storage="$T/odd.img"
expect_line "a device bound twice is refused" 125 \
    "pith-spt: --block:storage=$T/disk.img: device 'storage' is bound twice" -- \
    "$SPT" "$T/blk.spt" --block:storage="$T/disk.img" --block:storage="$T/disk.img"
expect_line "no image" 125 "pith-spt: no image given (try --help)" -- "$SPT"
expect_line "an argument with white space is refused" 125 \
    "pith-spt: image argument 'a b': arguments may not be empty or contain white space" -- \
    "$SPT" "$T/hello.spt" -- "a b"
expect "hello runs in 1 MiB of guest memory" 0 'hello: ok' -- "$SPT" --mem=1 "$T/hello.spt"

# ---- Bad images: each refused with its reason, exit 125. ----
# patch FILE OFFSET HEX...: overwrites bytes at OFFSET.
patch() {
    local f=$1 off=$2 b
    shift 2
    for b in "$@"; do
        printf "\\x$b" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
        off=$((off + 1))
    done
}
# le64 N: the 8 little-endian bytes of N, as hex words for patch.
le64() { printf '%016x' "$1" | sed 's/../& /g' | awk '{ for (i = 8; i >= 1; i--) printf "%s ", $i }'; }
u64_at() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
u16_at() { od -An -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }

phoff=$(u64_at "$T/hello.spt" 32)
phnum=$(u16_at "$T/hello.spt" 56)
note_ph=-1
for ((i = 0; i < phnum; i++)); do
    [ "$(od -An -t u4 -j $((phoff + i * 56)) -N 4 "$T/hello.spt" | tr -d ' ')" = 4 ] && note_ph=$i
done
ph0=$phoff
ph1=$((phoff + 56))
notedesc=$(u64_at "$T/hello.spt" $((phoff + note_ph * 56 + 8)))

bad_image() { # NAME REASON PATCH-ARGS...
    local name=$1 reason=$2 f=$T/bad.spt
    shift 2
    cp "$T/hello.spt" "$f"
    "$@"
    expect_line "bad image: $name" 125 "pith-spt: $f: $reason" -- "$SPT" "$f"
}
echo "just text" >"$T/text.spt"
expect_line "bad image: not ELF" 125 "pith-spt: $T/text.spt: not an ELF file" -- "$SPT" "$T/text.spt"
bad_image "32-bit class" "not a 64-bit ELF file" patch "$T/bad.spt" 4 01
bad_image "big-endian" "not a little-endian ELF file" patch "$T/bad.spt" 5 02
bad_image "wrong machine" "not an x86_64 ELF file (machine 3)" patch "$T/bad.spt" 18 03 00
bad_image "dynamic type" "not a static executable (ELF type 3)" patch "$T/bad.spt" 16 03 00
bad_image "program headers beyond the file" "program headers out of bounds" \
    patch "$T/bad.spt" 32 $(le64 $((1 << 40)))
bad_image "segment beyond the file" "segment 0: extends past the end of the file" \
    patch "$T/bad.spt" $((ph0 + 8)) $(le64 $((1 << 30)))
bad_image "file size over memory size" "segment 0: file size exceeds memory size" \
    patch "$T/bad.spt" $((ph0 + 32)) $(le64 $((1 << 20)))
bad_image "writable and executable segment" "segment 0: writable and executable" \
    patch "$T/bad.spt" $((ph0 + 4)) 07
bad_image "segment outside guest memory" "segment 0: outside guest memory [0x100000, 0x4100000)" \
    patch "$T/bad.spt" $((ph0 + 16)) $(le64 $((0x1000)))
bad_image "unaligned segment" "segment 0: not page-aligned" \
    patch "$T/bad.spt" $((ph0 + 16)) $(le64 $((0x100010)))
bad_image "overlapping segments" "segments overlap" \
    patch "$T/bad.spt" $((ph1 + 16)) $(le64 $((0x100000)))
bad_image "entry outside text" "entry point 0x4000000 is not in an executable segment" \
    patch "$T/bad.spt" 24 $(le64 $((0x4000000)))
bad_image "no manifest note" "not a pith image (no manifest note)" \
    patch "$T/bad.spt" $((phoff + note_ph * 56)) 00 00 00 00
bad_image "manifest of another version" "unsupported manifest version" \
    patch "$T/bad.spt" $((notedesc + 20)) 63
bad_image "manifest with too many devices" "too many devices in manifest" \
    patch "$T/bad.spt" $((notedesc + 20 + 168)) ff
head -c 100 "$T/hello.spt" >"$T/short.spt"
expect_line "bad image: truncated" 125 "pith-spt: $T/short.spt: program headers out of bounds" -- \
    "$SPT" "$T/short.spt"
build_app "$ROOT/apps/hello" unix "$T/hello.unix" &&
    expect_line "bad image: a unix image" 125 \
        "pith-spt: $T/hello.unix: not a static executable (ELF type 3)" -- "$SPT" "$T/hello.unix"
