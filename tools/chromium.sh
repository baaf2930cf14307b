#!/usr/bin/env bash
# Make sure headless Chromium is there for the browser tests (tests/integration/test_ui_browser.py):
# Debian's `chromium` package, installed with apt-get when missing. Idempotent and quiet; as a
# non-root user without sudo it only says what to run (the browser tests then skip, or fail
# under CI).
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null; then
        exit 0
    fi
done

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "chromium not found: install it with 'apt-get install -y chromium' for the browser tests" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "chromium not found and no apt-get here: install Chromium for the browser tests" >&2
    exit 0
fi

echo "installing chromium (Debian package) for the browser tests"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
