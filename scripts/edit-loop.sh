#!/usr/bin/env bash
# The edit → served loop of a sample, in seconds.
#
# Copies a sample (default: blog) to a temporary directory, builds and serves
# it with `djinn build`, then for each of two edits — one template, one view
# in a .djinn file — measures the time from saving the file to the rebuilt
# server answering the changed page. Prints the first build's time too,
# which is a cold build when the shared target directory is empty.
#
# usage: scripts/edit-loop.sh [SAMPLE]
# environment: DJINN (a djinn binary; default: built from this repository),
#              DJINN_TARGET_DIR (the shared target directory; default: djinn's).
set -euo pipefail

sample=${1:-blog}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=""

cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${DJINN:-} ]]; then
    cargo build --quiet --manifest-path "$repo/Cargo.toml" -p djinn
    DJINN="${CARGO_TARGET_DIR:-$repo/target}/debug/djinn"
fi

cp -r "$repo/samples/$sample" "$work/$sample"
rm -rf "$work/$sample/.djinn"
project="$work/$sample"
export DATABASE_URL="sqlite://$work/db.sqlite3"

seconds_since() {
    local now=$EPOCHREALTIME
    awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
}

build() {
    "$DJINN" build "$project" 2>"$work/build.log" || {
        cat "$work/build.log" >&2
        exit 1
    }
}

# Starts the server and waits until `path` answers 200.
serve() {
    local binary=$1 path=$2
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    : >"$work/serve.out"
    (cd "$project" && exec "$binary" serve --bind 127.0.0.1:0) >"$work/serve.out" 2>/dev/null &
    server_pid=$!
    local address=""
    until [[ -n $address ]]; do
        address=$(sed -n 's/^listening on //p' "$work/serve.out")
        sleep 0.02
    done
    until curl --silent --fail --output /dev/null "$address$path"; do
        sleep 0.02
    done
}

started=$EPOCHREALTIME
binary=$(build)
first_build=$(seconds_since "$started")
(cd "$project" && "$binary" migrate >/dev/null && "$binary" loaddata fixtures/demo.json >/dev/null)
serve "$binary" /
echo "first build of $sample: $first_build s"

# A template edit: a comment at the end of the first template.
template=$(find "$project/templates" -name '*.html' | sort | head -n 1)
started=$EPOCHREALTIME
printf '\n{# edited %s #}\n' "$started" >>"$template"
binary=$(build)
serve "$binary" /
echo "template edit ($(basename "$template")) → served: $(seconds_since "$started") s"

# A view edit: the first `paginate N` of the spec becomes `paginate N9`.
spec=$(grep -l 'paginate' "$project"/*.djinn | head -n 1)
started=$EPOCHREALTIME
sed -i -E '0,/paginate +[0-9]+/ s/paginate +([0-9]+)/paginate \19/' "$spec"
binary=$(build)
serve "$binary" /
echo "view edit ($(basename "$spec"), paginate) → served: $(seconds_since "$started") s"
