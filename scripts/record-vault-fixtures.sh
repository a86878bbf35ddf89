#!/usr/bin/env bash
# Record Ansible Vault fixtures with the real ansible-vault (ansible-core 2.14, from apt:
#   apt-get install -y -o DPkg::Lock::Timeout=300 ansible-core), into test/vault/fixtures/.
# The tests read these files and do not need Ansible. With tsplay built (dist/), it also checks the
# other direction: files written by `tsplay vault` are read back by ansible-vault.
#   bash scripts/record-vault-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
F=test/vault/fixtures
command -v ansible-vault >/dev/null || { echo "ansible-vault is missing: apt-get install -y ansible-core" >&2; exit 1; }
rm -rf "$F/inventory" "$F/vars" && mkdir -p "$F/inventory/group_vars/all" "$F/inventory/host_vars" "$F/vars"

# The passwords: a plain file, a second id's file, and an executable script (Ansible runs it).
printf 'tsplay-vault-pw-1\n' > "$F/vault-pass.txt"
printf 'dev-id-secret-2\n' > "$F/dev-pass.txt"
printf '#!/bin/sh\necho tsplay-vault-pw-1\n' > "$F/vault-pass-script.sh"
chmod 0755 "$F/vault-pass-script.sh"
chmod 0644 "$F/vault-pass.txt" "$F/dev-pass.txt"
export ANSIBLE_NOCOLOR=1

# A whole encrypted group_vars file (format 1.1, the default id).
cat > "$F/inventory/group_vars/all/vault.yml" <<'YAML'
db_password: Db-Pass-1101-Whole
db_user: sre_admin
YAML
ansible-vault encrypt --vault-password-file "$F/vault-pass.txt" "$F/inventory/group_vars/all/vault.yml"

# A plain group_vars file with an inline !vault value (encrypt_string).
{
  echo 'plain_setting: visible-value'
  ansible-vault encrypt_string --vault-password-file "$F/vault-pass.txt" --name api_token 'Api-Token-Inline-77'
} > "$F/inventory/group_vars/all/inline.yml"

# host_vars encrypted for the vault id "dev" (format 1.2;AES256;dev).
printf 'host_secret: Host-Secret-Dev-12\n' > "$F/inventory/host_vars/target.yml"
ansible-vault encrypt --vault-id "dev@$F/dev-pass.txt" "$F/inventory/host_vars/target.yml"

# A vars_files file, whole encrypted, and a plain file for decrypt/view.
printf 'license_key: Lic-Key-VarsFile-55\n' > "$F/vars/secrets.yml"
ansible-vault encrypt --vault-password-file "$F/vault-pass.txt" "$F/vars/secrets.yml"
printf 'just some text\nsecond line\n' > "$F/plain.vault"
ansible-vault encrypt --vault-password-file "$F/vault-pass.txt" "$F/plain.vault"

printf 'target ansible_connection=local\n' > "$F/inventory/hosts"
ansible-vault --version | head -1 | sed 's/\[core /ansible-core /; s/\]//' > "$F/RECORDED_WITH"

# The other direction: tsplay's files read back by ansible-vault.
if [ -f dist/src/cli.js ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  printf 'from tsplay\n' > "$tmp/t.txt"
  node dist/src/cli.js vault encrypt --vault-password-file "$F/vault-pass.txt" "$tmp/t.txt"
  [ "$(ansible-vault view --vault-password-file "$F/vault-pass.txt" "$tmp/t.txt")" = "from tsplay" ]
  printf 'x\n' > "$tmp/d.txt"
  node dist/src/cli.js vault encrypt --vault-id "dev@$F/dev-pass.txt" "$tmp/d.txt"
  [ "$(ansible-vault view --vault-id "dev@$F/dev-pass.txt" "$tmp/d.txt")" = "x" ]
  node dist/src/cli.js vault encrypt_string --vault-password-file "$F/vault-pass.txt" --name s 'str-value' > "$tmp/s.yml"
  [ "$(ansible localhost -m debug -a var=s -e @"$tmp/s.yml" --vault-password-file "$F/vault-pass.txt" 2>/dev/null | grep -c str-value)" = 1 ]
  echo "ansible-vault reads tsplay's files back: ok"
fi
echo "recorded $F"
