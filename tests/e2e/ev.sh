# The event core on both targets: 10,000 timers and a periodic one against
# the real clock, each firing once, in order, never early.
. "$(dirname "$0")/../lib.sh"

for target in unix spt; do
    build_app "$ROOT/tests/apps/evtimers" $target "$T/evtimers.$target" || continue
    expect "event core timers on $target: once each, in order, never early" \
        0 '^evtimers: ok$' -- "$PITH" run "$T/evtimers.$target"
done
