#!/usr/bin/env bash
# Installs what the tests and the lab need on a fresh Debian machine (as root; a no-op when present).
# The list is src/fleet/requirements.txt ("TOOL PACKAGE" per line), shared with `tsplay lab up`.
# Not root and something missing: one line naming the packages and the command, exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
have() {
  case "$1" in
    /*) compgen -G "$1" >/dev/null ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}
while read -r tool pkg; do
  case "$tool" in ''|'#'*) continue ;; esac
  have "$tool" || [[ " ${need[*]-} " == *" $pkg "* ]] || need+=("$pkg")
done < src/fleet/requirements.txt
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${need[*]} (as root: apt-get install ${need[*]}, or run npm test / npm run demo as root)" >&2
  exit 1
fi
echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
