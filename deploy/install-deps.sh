#!/usr/bin/env bash
# Installs what Castor needs to build and test on Debian 12: the Swift toolchain is expected
# at /opt/swift (or on PATH); this adds the C libraries and the test-only peers.
set -euo pipefail
pkgs=(libcurl4-openssl-dev libssl-dev libwslay-dev libsqlite3-dev openssl ca-certificates pkg-config)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Test-only: an independent WebSocket implementation to prove our client against, and the
# reference Prometheus text parser to prove the metrics endpoint against.
if command -v python3 >/dev/null && ! python3 -c 'import websockets, prometheus_client' 2>/dev/null; then
  python3 -m pip install --quiet 'websockets>=12' prometheus_client 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'websockets>=12' prometheus_client
fi
