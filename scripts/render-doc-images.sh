#!/usr/bin/env bash
# Regenerates the pictures of `djinn docs` used by the README and the docs:
#   docs/images/er-shop.png        the ER diagram of samples/shop
#   docs/images/docs-overview.png  the overview page of samples/blog's site
# with headless Chromium (installed from Debian's packages when missing).
# Not part of the test suite: run it after changing the docs' look, look at
# the pictures, and commit them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-dejavu-core
fi

site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
cargo run --quiet -p djinn -- docs samples/shop --out "$site/shop"
cargo run --quiet -p djinn -- docs samples/blog --out "$site/blog"

# Headless Chromium without network, sync or first-run work; the profile
# lives in the temporary directory.
shoot() { # URL PNG WIDTH,HEIGHT SCALE
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$site/chromium" --force-device-scale-factor="$4" \
        --screenshot="$2" --window-size="$3" "$1" 2>/dev/null
}

# The SVG's own size, so the picture has no margin to crop.
svg="$site/shop/er.svg"
width=$(sed -n 's/^<svg[^>]* width="\([0-9]*\)".*/\1/p' "$svg")
height=$(sed -n 's/^<svg[^>]* height="\([0-9]*\)".*/\1/p' "$svg")
mkdir -p docs/images
shoot "file://$svg" docs/images/er-shop.png "$width,$height" 1.5
shoot "file://$site/blog/index.html" docs/images/docs-overview.png 1400,1080 1
echo "wrote docs/images/er-shop.png (${width}x${height} at 1.5x) and docs/images/docs-overview.png"
