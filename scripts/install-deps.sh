#!/usr/bin/env bash
# Installs what the tests and the lab need on a fresh Debian machine (run as root; a no-op when present).
# The real parts: OpenSSH for the test hosts, rpm/rpmbuild for packages, PostgreSQL, the kamailio binary,
# sudo for become. Idempotent: only missing packages are installed.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }
have /usr/sbin/sshd      || need+=(openssh-server)
have ssh-keygen          || need+=(openssh-client)
have rpmbuild            || need+=(rpm)
have /usr/sbin/kamailio  || need+=(kamailio)
have sudo                || need+=(sudo)
have curl                || need+=(curl)
have unshare             || need+=(util-linux)
have setpriv             || need+=(util-linux)
have mount               || need+=(mount)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} (run as root, or install them: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
