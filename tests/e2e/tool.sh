# The pith tool's refusals: one clear line on stderr and a non-zero exit.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

for cmd in "" new build run inspect; do
    expect "pith $cmd --help" 0 '^usage: pith' -- "$PITH" $cmd --help
done
expect_line "pith with no command" 2 "$(printf 'usage: pith COMMAND [ARGS]\nBuilds network services as unikernels.\n\n  new DIR        create an app folder that builds as it is\n  build [APPDIR] build an app into an image (unix, spt, virtio)\n  run IMAGE      run an image on its target\n  inspect IMAGE  print the manifest recorded in an image\n\n'"'"'pith COMMAND --help'"'"' says more.')" -- "$PITH"
expect_line "unknown command" 2 "pith: unknown command 'frob' (try pith --help)" -- "$PITH" frob
expect_line "build: unknown flag" 2 "pith: build: unknown option '--frob' (try pith build --help)" -- "$PITH" build --frob
expect_line "build: unknown target" 2 "pith: unknown target 'xen' (expected unix, spt or virtio)" -- "$PITH" build -t xen
expect_line "build: missing folder" 1 "pith: build: nosuch: not a folder" -- "$PITH" build nosuch
mkdir empty
expect_line "build: folder without manifest" 1 \
    "pith: build: empty/manifest: no manifest (is empty a pith app? 'pith new' makes one)" -- "$PITH" build empty
expect_line "build: --sanitize needs unix" 2 "pith: build: --sanitize needs -t unix" -- "$PITH" build --sanitize -t spt empty

mkdir bad
printf 'name bad\nnet service\ndevice block storage\n' >bad/manifest
expect_line "build: manifest error names file and line" 1 \
    "bad/manifest:3: unknown keyword 'device': expected name, net, block, modules, tcp or files" -- "$PITH" build bad
printf 'name bad\nmodules alloc nosuchmodule\n' >bad/manifest
expect_line "build: unknown module" 1 "bad/manifest:2: unknown module 'nosuchmodule'" -- "$PITH" build bad
printf 'name bad\n\ntcp conns=10\ntcp sndbuf=12Q\n' >bad/manifest
expect_line "build: bad tcp value" 1 \
    "bad/manifest:4: tcp: bad value 'sndbuf=12Q': expected a size such as 64K" -- "$PITH" build bad
printf 'name bad\ntcp conns=10 foo=1\n' >bad/manifest
expect_line "build: unknown tcp key" 1 \
    "bad/manifest:2: tcp: unknown key 'foo': expected conns, sndbuf, rcvbuf, mem, backlog or time-wait" -- "$PITH" build bad
printf 'name bad\ntcp sndbuf=1K\n' >bad/manifest
expect_line "build: tcp limit out of range" 1 \
    "bad/manifest:2: tcp: sndbuf=1K out of range 4K..16M" -- "$PITH" build bad
printf 'name bad\n' >bad/manifest
printf 'int app_main(int argc, char **argv) { return undeclared; }\n' >bad/main.c
expect "build: a compile error fails the build" 1 "pith: build: failed" -- "$PITH" build -t spt bad

# TCP limits travel from the manifest into the image's note; inspect shows
# the ones set, the last value of a key repeated.
mkdir tcpok
printf 'name tcpok\nnet service\ntcp sndbuf=1M conns=1000\ntcp rcvbuf=256K sndbuf=64K\n' >tcpok/manifest
cp "$ROOT/apps/hello/main.c" tcpok/
if build_app tcpok spt; then
    ok "build: an app with a tcp line"
    expect_output "inspect: shows the tcp limits" 0 "$(printf 'image:   tcpok/tcpok.spt\napp:     tcpok\ntarget:  spt\nmodules: (none)\ndevices: 1\n  net    service\ntcp:     conns=1000 sndbuf=64K rcvbuf=256K')" -- \
        "$PITH" inspect tcpok/tcpok.spt
fi

# An app's ./prebuild runs first, in its folder, with PITH_TARGET; the
# files it makes are baked in; its failure stops the build.
mkdir -p pre/gen
printf 'name pre\nfiles gen\n' >pre/manifest
cp "$ROOT/apps/hello/main.c" pre/
printf '#!/bin/sh\necho "$PITH_TARGET" >gen/target\n' >pre/prebuild
chmod +x pre/prebuild
if build_app pre spt && [ "$(cat pre/gen/target)" = spt ] &&
    "$PITH" inspect pre/pre.spt | grep -q '^files:.*1'; then
    ok "build: ./prebuild runs first, in the app folder, with PITH_TARGET, and what it makes is baked in"
else
    notok "build: prebuild" "$(cat pre/gen/target 2>&1) $("$PITH" inspect pre/pre.spt 2>&1 | tr '\n' '|')"
fi
printf '#!/bin/sh\nexit 3\n' >pre/prebuild
expect_line "build: a failing prebuild stops the build" 1 \
    "pith: build: pre/prebuild failed (status 3)" -- "$PITH" build -t spt pre
chmod -x pre/prebuild
expect_line "build: a prebuild that is not executable" 1 \
    "pith: build: pre/prebuild: not executable (chmod +x it)" -- "$PITH" build -t spt pre

expect_line "new: bad name" 2 "pith: new: 'a.b' is not a valid app name: use 1 to 31 of [A-Za-z0-9_-]" -- "$PITH" new a.b
expect_line "new: no name" 2 "pith: new: expected one folder name (try pith new --help)" -- "$PITH" new

expect_line "inspect: missing file" 1 "pith: nosuch.spt: No such file or directory" -- "$PITH" inspect nosuch.spt
echo "just text" >text.spt
expect_line "inspect: not an image" 1 "pith: text.spt: not an ELF file" -- "$PITH" inspect text.spt
expect_line "inspect: an ELF file that is no pith image" 1 \
    "pith: /bin/true: not a pith image (no manifest note)" -- "$PITH" inspect /bin/true
v1=$ROOT/tender/common/corpus/image-mft-v1
expect_line "inspect: an image of manifest version 1" 1 \
    "pith: $v1: unsupported manifest version" -- "$PITH" inspect "$v1"
expect_line "run: missing image" 1 "pith: nosuch.spt: No such file or directory" -- "$PITH" run nosuch.spt
expect_line "run: unknown option" 2 "pith: unknown option '--frob' (try --help)" -- "$PITH" run --frob x.spt
expect_line "run: bad binding" 2 "pith: --net:service: expected --net:NAME=TAP" -- "$PITH" run x.spt --net:service
expect_line "run: bad --mem" 2 "pith: --mem=0: expected a size in MiB from 1 to 65536" -- "$PITH" run x.spt --mem=0
expect_line "run: stray argument" 2 "pith: unexpected argument 'y' (image arguments go after --)" -- "$PITH" run x.spt y
