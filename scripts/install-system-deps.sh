#!/usr/bin/env bash
# Installs the Debian packages the fixtures run for real, only when they are missing.
set -euo pipefail
missing=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
{ command -v initdb >/dev/null || [ -n "$pg_bin" ]; } || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v openssl >/dev/null || missing+=(openssl)
# Validates compose.yaml in `make test` (no Docker engine needed for `config`).
command -v docker-compose >/dev/null || missing+=(docker-compose)
# Headless Chromium renders reports/chaos.html to a PNG (docs/CHAOS.md); opt in, it is large.
[ -z "${STORMPROOF_CHROMIUM:-}" ] || command -v chromium >/dev/null || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
