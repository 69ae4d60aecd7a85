#!/usr/bin/env bash
# Debian packages the test suite and benchmarks need: Chromium for the browser tests,
# zbar and poppler to read back QR codes and PDFs, fonts for the certificates,
# the libraries WeasyPrint loads, wrk for the load benchmark. Installs only what is missing.
set -euo pipefail

packages=(chromium zbar-tools poppler-utils fonts-dejavu-core fonts-liberation2
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 wrk nodejs npm)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node may come from elsewhere than Debian (a newer build is fine): do not replace it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
