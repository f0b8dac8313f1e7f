#!/usr/bin/env bash
# Benchmark (not a test): run Lighthouse (mobile profile) on each page type of the built site and write the scores.
# Needs Node.js/npm and Debian's chromium. Usage: bash bench/lighthouse.sh  (after README command 1)
# Targets (issue 5): accessibility 100, best practices 100, SEO 100, performance >= 95.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.cache/lighthouse
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$tools"
  (cd "$tools" && CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=true \
    npm install --no-audit --no-fund --silent lighthouse@13 >/dev/null)
fi
port=8765
python3 bench/serve_gzip.py "$port" site >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
out=bench/lighthouse-results.md
{
  echo "# Lighthouse scores (mobile profile), $(date -u +%Y-%m-%d)"
  echo
  echo "Site built by README command 1, served on 127.0.0.1 by bench/serve_gzip.py (gzip for text, as GitHub Pages serves it)."
  echo "Lighthouse $("$tools/node_modules/.bin/lighthouse" --version), Chromium $(/usr/bin/chromium --version 2>/dev/null | grep -o "[0-9.]*" | head -1), mobile profile with simulated throttling."
  echo
  echo "| page | performance | accessibility | best practices | SEO |"
  echo "| --- | --- | --- | --- | --- |"
} > "$out"
for page in "" kcg-ethics/plans/113/ kcg-ethics/plans/113/budget/ kcg-ethics/reports/110-h2/ \
    kcg-ethics/indicators/ kcg-ethics/indicators/complaints-received/ corrections/ opendata/ about/ search/; do
  CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "http://127.0.0.1:$port/$page" --quiet \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync" \
    --output=json --output-path=.cache/lighthouse/report.json
  python3 - "$page" >> "$out" <<'PY'
import json, sys
r = json.load(open(".cache/lighthouse/report.json"))
c = r["categories"]
score = lambda k: round(c[k]["score"] * 100)
print(f"| /{sys.argv[1]} | {score('performance')} | {score('accessibility')} | {score('best-practices')} | {score('seo')} |")
PY
done
cat "$out"
