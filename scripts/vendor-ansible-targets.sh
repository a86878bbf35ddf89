#!/usr/bin/env bash
# Copy the ansible/ansible integration targets the compatibility cases use (test/ansible-targets/cases.ts)
# into test/ansible-targets/targets/, from a checkout at the recorded commit, so the tests need no
# network and no ansible checkout. Usage: scripts/vendor-ansible-targets.sh GIT_DIR COMMIT
set -euo pipefail
cd "$(dirname "$0")/.."
git_dir=${1:?git dir of an ansible/ansible clone}
commit=${2:?the commit the fixtures were recorded at}
# The targets of cases.ts, and the roles their meta/main.yml depends on.
targets="handlers blocks tags loop_control set_fact any_errors_fatal check_mode debug assert include_import loops failed_when changed_when stat file lineinfile command_shell copy prepare_tests setup_remote_tmp_dir setup_nobody"
dest=test/ansible-targets/targets
rm -rf "$dest"
mkdir -p "$dest"
paths=""
for t in $targets; do paths="$paths test/integration/targets/$t"; done
# shellcheck disable=SC2086
git --git-dir "$git_dir" archive "$commit" $paths | tar -x -C "$dest" --strip-components=3
echo "$commit" > "$dest/.commit"
cat > "$dest/README.md" <<NOTE
Files from ansible/ansible (https://github.com/ansible/ansible), commit $commit,
test/integration/targets/{$(echo $targets | tr ' ' ',')}, unmodified.
They are ansible-core's own integration tests, licensed GPL-3.0-or-later like ansible-core
(https://www.gnu.org/licenses/gpl-3.0.txt); tsplay uses them only as test input
(test/ansible-targets/targets.test.ts). Refresh with scripts/vendor-ansible-targets.sh.
NOTE
