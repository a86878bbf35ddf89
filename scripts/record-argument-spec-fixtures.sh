#!/usr/bin/env bash
# Record what ansible-playbook (ansible-core 2.14, from apt: apt-get install -y ansible-core) prints
# for the role argument spec fixtures (test/modules-control/fixtures/argument-spec/*.yml), run on the
# controller (-c local), into expected/NAME.out and NAME.rc. The fixtures' directory is written as
# FIXTURES. test/modules-control/argument-spec.test.ts compares tsplay's output with them; it does not
# need Ansible.
#   bash scripts/record-argument-spec-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../test/modules-control/fixtures/argument-spec"
command -v ansible-playbook >/dev/null || { echo "ansible-playbook is missing: apt-get install -y ansible-core" >&2; exit 1; }
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False
mkdir -p expected
record() {
  local name=$1; shift
  local rc=0
  ansible-playbook -i localhost, -c local "$@" > "expected/$name.out" 2>&1 || rc=$?
  echo "$rc" > "expected/$name.rc"
  sed -i "s#$PWD#FIXTURES#g" "expected/$name.out"
  echo "$name: exit $rc"
}
record pass pass.yml
record fail fail.yml
record tasks-from tasks-from.yml
record tags tags.yml --tags sometag
record meta-spec meta-spec.yml
record direct direct.yml
record checks checks.yml
