# Helpers for end-to-end tests, sourced by tests/e2e/*.sh. Each check
# prints "ok NAME" or "not ok NAME: why". Resources a test creates
# (namespaces, taps, processes, files) are registered and removed on
# exit, even when the test fails.
set -u
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PITH=$ROOT/build/bin/pith
SPT=$ROOT/build/bin/pith-spt
T=$(mktemp -d /tmp/pith-test.XXXXXX)
# The test's namespaces: pith-t, tests/run's own number and "r" when run
# by it (it counts those left behind by its tests, not other runs'), and
# this shell's PID.
NS_PREFIX=pith-t${PITH_RUN_ID:+${PITH_RUN_ID}r}$$
_cleanup_cmds=()

cleanup_add() { _cleanup_cmds+=("$*"); }
_cleanup() {
    local i ns
    for ((i = ${#_cleanup_cmds[@]} - 1; i >= 0; i--)); do
        eval "${_cleanup_cmds[$i]}" >/dev/null 2>&1 || true
    done
    # Every namespace this test made is named $NS_PREFIX-*, also those
    # made in a subshell, whose cleanup_add was lost: end what runs in
    # them, then remove them.
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX-"); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }

# expect NAME STATUS PATTERN -- COMMAND...
# Runs COMMAND; passes when it exits with STATUS and its combined output
# matches the extended regular expression PATTERN ('' matches anything).
expect() {
    local name=$1 want=$2 pat=$3 rc
    shift 4
    "$@" >"$T/out" 2>&1
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        notok "$name" "exit status $rc, wanted $want; output: $(head -c 400 "$T/out" | tr '\n' '|')"
    elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$T/out"; then
        notok "$name" "output does not match /$pat/: $(head -c 400 "$T/out" | tr '\n' '|')"
    else
        ok "$name"
    fi
}

# _expect_exact NAME STATUS LINE WHAT FILE -- COMMAND...: COMMAND exits
# with STATUS and FILE (its WHAT) holds exactly LINE.
_expect_exact() {
    local name=$1 want=$2 line=$3 what=$4 file=$5 rc
    shift 6
    "$@" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    cat "$T/stdout" "$T/stderr" >"$T/out"
    if [ "$rc" -ne "$want" ]; then
        notok "$name" "exit status $rc, wanted $want; $what: $(head -c 300 "$file" | tr '\n' '|')"
    elif [ "$(cat "$file")" != "$line" ]; then
        notok "$name" "$what is '$(head -c 300 "$file" | tr '\n' '|')', wanted '$line'"
    else
        ok "$name"
    fi
}

# expect_line NAME STATUS LINE -- COMMAND...: stderr is exactly LINE.
expect_line() { _expect_exact "$1" "$2" "$3" stderr "$T/stderr" "${@:4}"; }

# expect_output NAME STATUS LINE -- COMMAND...: stdout and stderr together
# are exactly LINE, nothing else.
expect_output() { _expect_exact "$1" "$2" "$3" output "$T/out" "${@:4}"; }

# quiet_vm COMMAND...: runs COMMAND with the lines a virtio image's boot
# adds left out of its output (the QEMU command `pith run` prints, the
# devices the platform bound), so that exact-output checks hold on every
# target. Keeps COMMAND's exit status.
quiet_vm() {
    local rc
    "$@" >"$T/quiet_vm" 2>&1
    rc=$?
    grep -Ev '^(virtio: |pith: qemu-system)' "$T/quiet_vm"
    return $rc
}

# build_app DIR TARGET [OUT] [EXTRA...]: builds quietly; fails the test run
# loudly when the build breaks.
build_app() {
    local dir=$1 target=$2 out=${3:-}
    shift 3 2>/dev/null || shift $#
    if [ -n "$out" ]; then
        "$PITH" build -t "$target" -o "$out" "$@" "$dir" >"$T/build.log" 2>&1
    else
        "$PITH" build -t "$target" "$@" "$dir" >"$T/build.log" 2>&1
    fi || { notok "build $dir ($target)" "$(tail -n 5 "$T/build.log" | tr '\n' '|')"; return 1; }
}

# A network namespace for this test; it and whatever runs in it are
# removed at exit (by name, so this also works inside $(...)).
netns_new() {
    local ns=$NS_PREFIX-$1
    ip netns add "$ns" && cleanup_add "ip netns del $ns"
    echo "$ns"
}

# tap_ns NAME ADDR/PREFIX: a namespace of the test's own (netns_new) with
# tap pitht0 up at ADDR; sets NS. Says "not ok" and fails otherwise.
tap_ns() {
    NS=$(netns_new "$1") || { notok "$1: namespace" "ip netns add failed"; return 1; }
    ip -n "$NS" tuntap add pitht0 mode tap && ip -n "$NS" link set pitht0 up &&
        ip -n "$NS" addr add "$2" dev pitht0 ||
        { notok "$1: tap" "cannot create pitht0 in $NS"; return 1; }
}

# echo_start NAME TAP IMAGE [ECHO-OPTION...]: apps/echo (IMAGE) in $NS on
# TAP with MAC $MAC at $GUEST/24 and those options, waited for until it
# listens; sets PID (killed at exit) and LOG. `ip netns exec` and `pith
# run` both exec, so PID is the image's own process (unix) or its
# tender's, which holds the guest (spt). RUN_OPTS, when set, holds
# options for `pith run` itself (words), such as --qemu=WRAPPER.
echo_start() {
    local name=$1 tap=$2 img=$3
    shift 3
    LOG=$T/$name.log
    : >"$LOG" # before the grep below looks
    # shellcheck disable=SC2086 # (RUN_OPTS) is words on purpose
    ip netns exec "$NS" "$PITH" run ${RUN_OPTS:-} "$img" --net:service=$tap \
        --net-mac:service=$MAC -- --ipv4=$GUEST/24 "$@" >"$LOG" 2>&1 &
    PID=$!
    disown $PID # killed at exit, and no job notice for that
    cleanup_add "kill -9 $PID"
    for _ in $(seq 100); do
        grep -q "^echo: listening on $GUEST\$" "$LOG" && return 0
        kill -0 $PID 2>/dev/null || break
        sleep 0.1
    done
    notok "$name: echo starts" "$(tr '\n' '|' <"$LOG")"
    return 1
}
