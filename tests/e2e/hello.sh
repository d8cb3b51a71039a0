# hello on both targets, under the sanitizers, valgrind and gdb, and the
# scaffold from `pith new` built and run as it is.
. "$(dirname "$0")/../lib.sh"

HELLO_OK='hello: ok'
for target in unix spt; do
    img=$T/hello.$target
    build_app "$ROOT/apps/hello" $target "$img" || continue
    expect "hello runs on $target" 0 "$HELLO_OK" -- "$PITH" run "$img"
    expect "hello on $target: slept 10 ms, entropy, wall clock" 0 \
        'slept 1[0-9]{4} us' -- "$PITH" run "$img"
    expect "hello on $target gets its arguments" 0 \
        'argument 2: --ipv4=10.0.0.2/24' -- "$PITH" run "$img" -- x --ipv4=10.0.0.2/24
    expect "pith run -t $target accepts the image" 0 "$HELLO_OK" -- \
        "$PITH" run -t $target "$img"
    other=$([ $target = unix ] && echo spt || echo unix)
    expect_line "pith run -t $other refuses a $target image" 2 \
        "pith: run: $img was built for $target, not $other" -- \
        "$PITH" run -t $other "$img"
    expect "pith inspect names target $target" 0 "target:  $target" -- \
        "$PITH" inspect "$img"
done

# The spt tender directly, and the image's size on record.
expect "pith-spt runs hello" 0 "$HELLO_OK" -- "$SPT" "$T/hello.spt"

# unix under ASan + UBSan.
if build_app "$ROOT/apps/hello" unix "$T/hello.asan" --sanitize; then
    expect "hello under ASan+UBSan" 0 "$HELLO_OK" -- "$T/hello.asan"
    if grep -q __asan_init <(nm "$T/hello.asan" 2>/dev/null); then
        ok "the --sanitize build links ASan"
    else
        notok "the --sanitize build links ASan" "no __asan_init symbol"
    fi
fi

# unix under valgrind and gdb.
expect "hello under valgrind: no errors, no leaks" 0 'ERROR SUMMARY: 0 errors' -- \
    valgrind --error-exitcode=99 --leak-check=full "$T/hello.unix"
expect "hello under gdb" 0 '\[Inferior 1 \(process [0-9]+\) exited normally\]' -- \
    gdb -q -batch -ex run "$T/hello.unix"

# pith new: the scaffold builds and runs as it is.
cd "$T" || exit 1
expect "pith new demo" 0 'created demo' -- "$PITH" new demo
expect "pith new refuses an existing folder" 1 'demo: File exists' -- "$PITH" new demo
expect "pith build -t spt demo" 0 '^demo/demo.spt: [0-9]+ bytes \(spt, stripped\)$' -- \
    "$PITH" build -t spt demo
expect "pith run demo/demo.spt prints hello" 0 '^hello from demo$' -- \
    "$PITH" run demo/demo.spt
expect "pith build -t unix demo" 0 '^demo/demo.unix: ' -- "$PITH" build -t unix demo
expect "pith run demo/demo.unix prints hello" 0 '^hello from demo$' -- \
    "$PITH" run demo/demo.unix
(cd demo && "$PITH" build >/dev/null 2>&1) && [ -f demo/demo.spt ] &&
    ok "pith build in the app folder defaults to . and spt" ||
    notok "pith build in the app folder defaults to . and spt" "no demo/demo.spt"

# Modules: linked when the manifest names them, and only then.
for target in unix spt; do
    build_app "$ROOT/tests/apps/allocapp" $target "$T/allocapp.$target" || continue
    expect "the alloc module works over the heap on $target" 0 '^allocapp: ok$' -- \
        "$PITH" run "$T/allocapp.$target"
done
expect "pith inspect lists the modules" 0 '^modules: alloc$' -- "$PITH" inspect "$T/allocapp.spt"
if grep -q 'pith: alloc:' "$T/allocapp.spt" && ! grep -q 'pith: alloc:' "$T/hello.spt"; then
    ok "an image contains the alloc module only when its manifest names it"
else
    notok "an image contains the alloc module only when its manifest names it" \
        "alloc's strings in allocapp: $(grep -c 'pith: alloc:' "$T/allocapp.spt"), in hello: $(grep -c 'pith: alloc:' "$T/hello.spt")"
fi
