# Every fuzz target replays its seed corpus, then fuzzes briefly from it
# (FUZZ_SECONDS each, default 10). Long runs: make fuzz.
. "$(dirname "$0")/../lib.sh"
list=$ROOT/build/fuzz/list
secs=${FUZZ_SECONDS:-10}
[ -s "$list" ] || { notok "fuzz targets" "no $list: run make unit"; exit 0; }
while read -r name corpus; do
    bin=$ROOT/build/fuzz/$name
    n=$(find "$corpus" -type f | wc -l)
    if [ "$n" -eq 0 ]; then
        notok "fuzz $name: seed corpus" "no files in $corpus"
        continue
    fi
    expect "fuzz $name replays its $n seeds" 0 'Executed .* in [0-9]+ ms|Done' -- \
        "$bin" -runs=1 $(find "$corpus" -type f)
    mkdir -p "$T/$name"
    expect "fuzz $name for $secs s finds nothing" 0 'Done [0-9]+ runs' -- \
        "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=0 "$T/$name" "$corpus"
done <"$list"
