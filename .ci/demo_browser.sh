#!/usr/bin/env bash
# The demo app in a real browser, as a user meets it after the README's main job:
#   pip install -e ".[demo]" && clip-nbdev train && clip-nbdev demo
# Run from the repository root, in the virtual environment of that main job, after `clip-nbdev train` wrote
# runs/clip/best.pt. It installs Debian's Chromium and Playwright's Python package (Playwright drives the system's
# Chromium: no browser is downloaded), starts `clip-nbdev demo` with no model arguments in the background, waits until
# it answers, runs .ci/browser_test.py against it (screenshots and timings in runs/demo/), and stops the server.
set -euo pipefail
OUT=runs/demo
mkdir -p "$OUT"
T0=$SECONDS
part() { printf '  [%3d s] %s\n' $((SECONDS - T0)) "$*"; }

[ -s runs/clip/best.pt ] || { echo "FAIL: no runs/clip/best.pt: run 'clip-nbdev train' first"; exit 1; }

t=$SECONDS
if [ ! -x /usr/lib/chromium/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
pip install -q -e ".[demo]" "playwright>=1.50,<2"
part "installed the demo extra, Playwright and Chromium ($(/usr/lib/chromium/chromium --version)) in $((SECONDS - t)) s"

PORT=$(python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
URL="http://127.0.0.1:$PORT/"
t=$SECONDS
clip-nbdev demo --port "$PORT" --quiet >"$OUT/demo.log" 2>&1 &
SERVER=$!
stop_server() { kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; true; }  # SIGTERM: the app stops as on Ctrl+C
trap stop_server EXIT

# Bounded wait: the first start builds the index of the 1,000 synthetic images; the captions are embedded in the background.
python - "$URL" "$SERVER" <<'EOF'
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
for _ in range(300):
    try: os.kill(pid, 0)
    except OSError: sys.exit(f"FAIL: clip-nbdev demo exited before it answered:\n{open('runs/demo/demo.log').read()}")
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200: sys.exit(0)
    except OSError: time.sleep(0.5)
sys.exit(f"FAIL: clip-nbdev demo did not answer at {url} within the wait:\n{open('runs/demo/demo.log').read()}")
EOF
STARTED=$((SECONDS - t))
part "clip-nbdev demo answered at $URL after $STARTED s (model loaded, index made or loaded; captions in the background)"

t=$SECONDS
UPLOAD=$(python -c "from clip_nbdev.synthetic import synthetic_data; print(synthetic_data()/'Images'/'00003.jpg')")
python .ci/browser_test.py "$URL" --upload "$UPLOAD" --out "$OUT"
part "browser test in $((SECONDS - t)) s (Chromium start included)"
python - "$STARTED" <<'EOF'
import json, sys
t = json.load(open('runs/demo/browser.json'))
first = float(sys.argv[1]) + t['page_load_s'] + t['first_query_s']
print(f"  time to first answer: {first:.1f} s (server start {sys.argv[1]} s, page {t['page_load_s']:.2f} s, first query "
      f"{t['first_query_s']:.2f} s); per query {t['query_median_s'] * 1000:.0f} ms (median of {len(t['query_s'])}), "
      f"classification {t['classify_upload_s'] * 1000:.0f} ms (upload), {t['classify_click_s'] * 1000:.0f} ms (a match clicked), "
      f"similar images {t['similar_s'] * 1000:.0f} ms")
print("  captions table: " + (f"loading when the test classified, filled in {t['captions_fill_s']:.1f} s later"
                             if t['captions_loading'] else "filled when the test classified"))
EOF
stop_server
trap - EXIT
part "demo stopped; screenshots: $OUT/search.png, $OUT/classify.png, $OUT/similar.png"
