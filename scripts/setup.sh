#!/usr/bin/env bash
# One-time setup on a Debian/Ubuntu machine, as root: `sudo bash scripts/setup.sh && sudo npm start`.
# Installs the system packages from scripts/apt-packages.txt (shared with .ci/run) and the npm
# dependencies (which also builds berthd's native shims). Safe to run again.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (berthd needs namespaces, mounts and cgroups): sudo bash scripts/setup.sh" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: this script supports Debian and Ubuntu (apt-get); install the packages in scripts/apt-packages.txt by hand" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
mapfile -t APT_PACKAGES < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$ROOT/scripts/apt-packages.txt" | grep -v '^$')
echo "setup: installing ${#APT_PACKAGES[@]} system packages"
apt-get update -q
apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get install -y -q --no-install-recommends nodejs npm
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "setup: Node.js >= 20 is required, found $(node --version). Install Node 20+ (e.g. from your distribution's backports or nodejs.org) and run this again." >&2
  exit 1
fi

# The socket group: members can drive berthd (which equals root on this machine, as with the docker
# group). berthd gives its socket root:berth 0660, and keeps it root-only 0600 when the group is missing.
if ! getent group berth >/dev/null; then
  groupadd --system berth
  echo "setup: created the 'berth' group (add a user with: sudo usermod -aG berth <user>, then log in again)"
fi

echo "setup: installing npm dependencies"
# Electron fetches its own binary at install time. Where that download is impossible, install
# without it: `npm start` then serves the app in web mode (a browser URL) instead of a window.
if ! npm ci --no-audit --no-fund; then
  echo "setup: npm ci failed with the Electron download; retrying without Electron (web mode only)" >&2
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
echo "setup: done. Start Berth with: sudo npm start"
