# Files baked into the image (the manifest's `files` line, lib/files): the
# image lists every file under the folder with the size and FNV-1a checksum
# the host computes, on unix and spt; the data is read-only; the build
# refuses missing folders, symbolic links, other kinds of file and more
# than 64M; a rebuild picks up a changed, added or removed file and leaves
# the table alone when nothing changed.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

# A copy of tests/apps/filesapp with, beside its small checked-in files, a
# 1 MiB random one, awkward names, and hidden files and folders (skipped).
app=filesapp
cp -r "$ROOT/tests/apps/filesapp" $app
rm -rf $app/_build $app/*.unix $app/*.spt
head -c 1048576 /dev/urandom >$app/data/big.bin
printf 'a space\n' >"$app/data/sub/with space.txt"
printf 'quote and backslash\n' >"$app/data/sub/q\"b\\.txt"
printf 'utf-8\n' >"$app/data/$(printf 'caf\303\251').txt"
mkdir -p $app/data/.cache $app/data/sub/deeper/deepest
echo 'not baked in' >$app/data/.cache/skipped
echo 'not baked in' >$app/data/sub/.hidden
echo 'deep' >$app/data/sub/deeper/deepest/leaf
find $app -path $app/_build -prune -o -print | sort >"$T/tree.before"

# What the image should print: "file PATH SIZE FNV1A64" for every file
# not hidden, in strcmp() (byte) order.
listing() {
    python3 - "$1" <<'EOF'
import os, sys
os.chdir(sys.argv[1])
out = []
for top, dirs, files in os.walk(b"data"):
    dirs[:] = [d for d in dirs if not d.startswith(b".")]
    for f in files:
        if f.startswith(b"."):
            continue
        p = os.path.join(top, f)
        h = 0xcbf29ce484222325
        with open(p, "rb") as fh:
            for b in fh.read():
                h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
        out.append(b"file %s %d %016x\n" % (p, os.path.getsize(p), h))
sys.stdout.buffer.write(b"".join(sorted(out)))
EOF
}

# check_listing NAME IMAGE: the image's listing is the host's.
check_listing() {
    local name=$1 img=$2
    listing $app >"$T/want"
    "$PITH" run "$img" >"$T/run.out" 2>&1
    grep '^file ' "$T/run.out" >"$T/got"
    if ! grep -q "^filesapp: $(wc -l <"$T/want") files, ok$" "$T/run.out"; then
        notok "$name" "$(tail -n 3 "$T/run.out" | tr '\n' '|')"
    elif ! cmp -s "$T/want" "$T/got"; then
        notok "$name" "$(diff "$T/want" "$T/got" | head -n 6 | tr '\n' '|')"
    else
        ok "$name"
    fi
}

for target in unix spt; do
    build_app $app $target || continue
    check_listing "filesapp on $target: every file, its size and checksum" \
        $app/filesapp.$target
    n=$(wc -l <"$T/want")
    bytes=$(awk '{ s += $(NF - 1) } END { print s }' "$T/want")
    expect "pith inspect counts the files of the $target image" 0 \
        "^files:   $n \\($bytes bytes\\)$" -- "$PITH" inspect $app/filesapp.$target
    expect "the files line links the files module ($target)" 0 '^modules: files$' -- \
        "$PITH" inspect $app/filesapp.$target
done

# The data is read-only: on spt it lies in the read-only segment, and a
# write to it faults there.
if [ -f $app/filesapp.spt ]; then
    expect "a write to a file's data faults on spt (139)" 139 \
        '^pith-spt: image fault: SIGSEGV, write at 0x[0-9a-f]+ \(image data\)' -- \
        "$PITH" run $app/filesapp.spt -- write
    addr=$((16#$(sed -n 's/.*write at 0x\([0-9a-f]*\).*/\1/p' "$T/out")))
    hit=
    while read -r type _ vaddr _ _ memsz f1 f2 _; do
        # A read-only segment's flags are one word, "R", then the alignment.
        [ "$type" = LOAD ] && [ "$f1" = R ] && [ "${f2#0x}" != "$f2" ] &&
            [ $addr -ge $((vaddr)) ] && [ $addr -lt $((vaddr + memsz)) ] && hit=1
    done < <(readelf -lW $app/filesapp.spt)
    if [ -n "$hit" ]; then
        ok "the faulting address is in the read-only segment"
    else
        notok "the faulting address is in the read-only segment" \
            "$(printf '%#x' $addr): $(readelf -lW $app/filesapp.spt | grep LOAD | tr '\n' '|')"
    fi
fi
[ -f $app/filesapp.unix ] &&
    expect "a write to a file's data faults on unix (139)" 139 '' -- \
        "$PITH" run $app/filesapp.unix -- write

# The build writes nothing into the app folder but _build and the image.
find $app -path $app/_build -prune -o -print | grep -v "^$app/filesapp\.\(unix\|spt\)$" |
    sort >"$T/tree.after"
if cmp -s "$T/tree.before" "$T/tree.after"; then
    ok "the build leaves the app folder as it was, but for _build and the image"
else
    notok "the build leaves the app folder as it was, but for _build and the image" \
        "$(diff "$T/tree.before" "$T/tree.after" | head -n 4 | tr '\n' '|')"
fi

# ---- Rebuilds ----
# Nothing changed: the table is not regenerated, nor reassembled.
obj=$app/_build/spt/files.o
before=$(stat -c %Y.%y $obj $app/_build/spt/files.s 2>/dev/null)
build_app $app spt
if [ -n "$before" ] && [ "$before" = "$(stat -c %Y.%y $obj $app/_build/spt/files.s)" ]; then
    ok "an unchanged build leaves the files' table alone"
else
    notok "an unchanged build leaves the files' table alone" "files.s or files.o was rewritten"
fi
# A file changed in place, same size; one added; one removed.
printf 'HELLO, FILES\n' >$app/data/hello.txt
printf 'new\n' >$app/data/sub/new.txt
rm $app/data/empty
if build_app $app spt; then
    check_listing "a rebuild picks up a changed, an added and a removed file" \
        $app/filesapp.spt
fi

# ---- 64M in all, and no more ----
mkdir -p big/data
printf 'name big\nfiles data\n' >big/manifest
cp "$ROOT/tests/apps/filesapp/main.c" big/
truncate -s 64M big/data/a
if build_app big spt; then
    ok "build: exactly 64M of files"
    expect "inspect: 64M of files" 0 '^files:   1 \(67108864 bytes\)$' -- "$PITH" inspect big/big.spt
    expect "the image with 64M of files runs with --mem=160" 0 \
        '^file data/a 67108864 ' -- "$PITH" run --mem=160 big/big.spt
    expect "the default --mem (64) is too small for it, and the tender says so" 125 \
        'outside guest memory' -- "$PITH" run big/big.spt
fi
echo x >big/data/b
expect_line "build: more than 64M of files" 1 \
    "big/manifest:2: files: 'data/b': more than 64M of files in all" -- "$PITH" build big

# ---- Refusals: one line naming the manifest line ----
mkdir -p bad/data bad/other
printf 'int app_main(int argc, char **argv) { (void)argc; (void)argv; return 0; }\n' >bad/main.c
echo hi >bad/data/ok.txt
printf 'name bad\n\nfiles data site\n' >bad/manifest
expect_line "build: a missing folder" 1 "bad/manifest:3: files: 'site': no such directory" -- \
    "$PITH" build bad
printf 'name bad\nfiles data/nosuch/x\n' >bad/manifest
expect_line "build: a missing folder on the way" 1 \
    "bad/manifest:2: files: 'data/nosuch': no such directory" -- "$PITH" build bad
printf 'name bad\nfiles main.c\n' >bad/manifest
expect_line "build: a file named as a folder" 1 "bad/manifest:2: files: 'main.c': not a directory" -- \
    "$PITH" build bad
printf 'name bad\nfiles ../x\n' >bad/manifest
expect_line "build: a folder outside the app" 1 \
    "bad/manifest:2: files: bad folder '../x': expected a path inside the app folder, such as site or zones/primary" -- \
    "$PITH" build bad
printf 'name bad\nfiles data\nfiles data/sub\n' >bad/manifest
expect_line "build: overlapping folders" 1 "bad/manifest:3: files: 'data/sub' overlaps 'data' (line 2)" -- \
    "$PITH" build bad
ln -s ../other bad/data/link
printf 'name bad\nfiles data\n' >bad/manifest
expect_line "build: a symbolic link inside a folder" 1 \
    "bad/manifest:2: files: 'data/link': a symbolic link (not followed)" -- "$PITH" build bad
rm bad/data/link
ln -s data bad/alias
printf 'name bad\nfiles other alias\n' >bad/manifest
expect_line "build: a folder that is a symbolic link" 1 \
    "bad/manifest:2: files: 'alias': a symbolic link (not followed)" -- "$PITH" build bad
printf 'name bad\nfiles alias/x\n' >bad/manifest
expect_line "build: a symbolic link on the way to a folder" 1 \
    "bad/manifest:2: files: 'alias': a symbolic link (not followed)" -- "$PITH" build bad
rm bad/alias
mkfifo bad/data/fifo
printf 'name bad\nfiles data\n' >bad/manifest
expect_line "build: a named pipe" 1 "bad/manifest:2: files: 'data/fifo': not a regular file" -- \
    "$PITH" build bad
rm bad/data/fifo
expect "build: the folder fixed, the app builds" 0 '^bad/bad.spt: ' -- "$PITH" build bad
