#!/usr/bin/env bash
# Make sure `prometheus` and `promtool` are on PATH: the observability tests scrape the
# operator with a real Prometheus and check the alert rules with promtool. Both come from
# Debian's `prometheus` package; when they are already there this does nothing, so `make
# test` can call it every time. Installing needs root (or sudo) and apt-get.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "prometheus/promtool missing and no apt-get here: install Prometheus 2.x by hand" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "installing prometheus needs root or sudo" >&2; exit 1; }
  sudo=(sudo)
fi

echo "installing Debian's prometheus package (server and promtool)" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt-get's chatter is shown only when it fails. The package's own service is never used:
# the tests run their own server on loopback.
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends prometheus; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "apt-get install prometheus failed" >&2
  exit 1
fi
command -v prometheus >/dev/null && command -v promtool >/dev/null
