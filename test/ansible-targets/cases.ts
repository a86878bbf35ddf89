/**
 * Ansible's own integration targets (ansible-core stable-2.14, test/integration/targets/) as cases:
 * each step of a target's runme.sh that runs a playbook, as data (playbook, CLI flags, inventory), and
 * for role-style targets (tasks/main.yml) the playbook ansible-test would write
 * (`hosts: testhost`, facts gathered, the role). The target files themselves are not copied here:
 * source.ts extracts them from a checkout of ansible/ansible at the commit the fixtures were recorded from.
 *
 * Hosts are SSH test hosts (src/fleet) named as the targets' inventories name them; `localhost` stays
 * Ansible's implicit local host. Recorded by scripts/record-ansible-targets.ts, compared by
 * targets.test.ts.
 */

/** The branch of ansible/ansible the cases come from. */
export const ANSIBLE_BRANCH = 'stable-2.14';

/** Inventories of the runme.sh steps, without connection details (the runner adds them per fleet host). */
export const INVENTORIES = {
  /** ansible-test's ../../inventory */
  integration: '[testgroup]\ntesthost\n',
  /** handlers/inventory.handlers */
  handlers: '[testgroup]\nA\nB\nC\nD\nE\n',
  /** any_errors_fatal/inventory, include_import/inventory */
  local: '[local]\ntesthost host_var_role_name=role3\ntesthost2 host_var_role_name=role2\n',
  /** set_fact/inventory */
  set_fact: '[testgroup]\ntesthost\nlocalhost ansible_connection=local\n',
  /** `-i host1,host2` */
  host1_host2: 'host1\nhost2\n',
  /** no -i: only the implicit localhost */
  none: '',
} as const;

export type InventoryName = keyof typeof INVENTORIES;

/** Every fleet host a case may reach (the inventories' host names but localhost). */
export const FLEET_NAMES = ['testhost', 'testhost2', 'A', 'B', 'C', 'D', 'E', 'host1', 'host2'];

export interface TargetCase {
  /** fixture name: test/ansible-targets/fixtures/<name>.json */
  name: string;
  target: string;
  /** playbook under the target's directory; undefined: the target is a role run by ansible-test's playbook */
  playbook?: string;
  args: string[];
  inventory: InventoryName;
  /** environment of the runme.sh step (ANSIBLE_* settings; tsplay reads ANSIBLE_ROLES_PATH and ANSIBLE_ERROR_ON_MISSING_HANDLER of them) */
  env?: Record<string, string>;
  /**
   * Record it with Ansible over SSH on the test host, not with the local connection: the target
   * creates users and groups, which must land in the host's own /etc and /home (TARGETS_FLEET).
   */
  recordOverSsh?: boolean;
  /** roles path relative to the target's directory (runme.sh's ANSIBLE_ROLES_PATH); default: the targets directory */
  rolesPath?: string;
  /**
   * Run it from a temporary copy of the targets directory, made for each run: the target writes into
   * its own directory (copy's `delegate_to: localhost` tasks make symlinks in its `files/`), and the
   * committed copy must stay as committed.
   */
  copyTargets?: boolean;
  /**
   * The target copies root's `~/.ssh/authorized_keys` on the host to the user it creates, then logs in
   * as that user (copy): the host's private /root gets the fleet's client key there first.
   */
  rootAuthorizedKeys?: boolean;
  /**
   * The target runs `ansible-playbook` on the controller (copy's no_log.yml): tsplay's run gets tsplay
   * under that name first on PATH, as a user who runs tsplay for Ansible would.
   */
  runsAnsiblePlaybook?: boolean;
  /**
   * Paths the target makes on the controller (in /tmp) and never removes: removed before and after each
   * run, so every run starts as the recorded one did.
   */
  controllerLeftovers?: string[];
}

const c = (target: string, playbook: string, inventory: InventoryName, args: string[] = [], variant = ''): TargetCase => ({
  name: `${target}.${playbook.replace(/\.ya?ml$/, '').replaceAll('/', '.')}${variant ? `.${variant}` : ''}`,
  target,
  playbook,
  args,
  inventory,
});
/** include_import/runme.sh: ANSIBLE_ROLES_PATH=./roles, and the step's own ANSIBLE_* settings */
const ii = (playbook: string, inventory: InventoryName, args: string[] = [], env: Record<string, string> = {}): TargetCase => ({
  ...c('include_import', playbook, inventory, args),
  rolesPath: 'roles',
  ...(Object.keys(env).length ? { env } : {}),
});
const FREE = { ANSIBLE_STRATEGY: 'free' };
const role = (target: string): TargetCase => ({ name: `${target}.role`, target, args: [], inventory: 'integration' });

export const CASES: TargetCase[] = [
  // handlers/runme.sh
  c('handlers', 'test_handlers.yml', 'handlers', ['--tags', 'scenario1'], 'scenario1'),
  c('handlers', 'from_handlers.yml', 'handlers', ['--tags', 'scenario1']),
  c('handlers', 'test_listening_handlers.yml', 'handlers'),
  c('handlers', 'test_handlers.yml', 'handlers', ['--tags', 'scenario2', '-l', 'A'], 'scenario2'),
  c('handlers', 'test_force_handlers.yml', 'handlers', ['--tags', 'normal'], 'normal'),
  c('handlers', 'test_force_handlers.yml', 'handlers', ['--tags', 'normal', '--force-handlers'], 'normal_force'),
  c('handlers', 'test_force_handlers.yml', 'handlers', ['--tags', 'normal', '--force-handlers', '-e', 'fail_all=yes'], 'normal_force_fail_all'),
  c('handlers', 'test_force_handlers.yml', 'handlers', ['--tags', 'force_true_in_play'], 'force_true_in_play'),
  c('handlers', 'test_force_handlers.yml', 'handlers', ['--tags', 'force_false_in_play', '--force-handlers'], 'force_false_in_play'),
  c('handlers', 'test_handlers_include.yml', 'integration', ['--tags', 'playbook_include_handlers'], 'playbook'),
  c('handlers', 'test_handlers_include.yml', 'integration', ['--tags', 'role_include_handlers'], 'role'),
  c('handlers', 'test_handlers_include_role.yml', 'integration'),
  c('handlers', 'test_handlers_listen.yml', 'handlers'),
  c('handlers', 'test_handlers_inexistent_notify.yml', 'handlers'),
  { ...c('handlers', 'test_handlers_inexistent_notify.yml', 'handlers', [], 'no_error'), env: { ANSIBLE_ERROR_ON_MISSING_HANDLER: 'false' } },
  c('handlers', 'test_handlers_including_task.yml', 'integration'),
  c('handlers', 'test_role_handlers_including_tasks.yml', 'integration'),
  c('handlers', 'test_handlers_template_run_once.yml', 'handlers'),
  c('handlers', '58841.yml', 'none', ['--tags', 'lazy_evaluation'], 'lazy'),
  c('handlers', '58841.yml', 'none', ['--tags', 'evaluation_time', '-e', 'test_var=myvar'], 'evaluation_time_var'),
  c('handlers', '58841.yml', 'none', ['--tags', 'evaluation_time'], 'evaluation_time'),
  c('handlers', 'test_role_as_handler.yml', 'none'),
  c('handlers', 'test_notify_included.yml', 'none'),
  c('handlers', 'test_handlers_meta.yml', 'handlers'),
  c('handlers', '46447.yml', 'handlers'),
  c('handlers', '52561.yml', 'handlers'),
  c('handlers', '54991.yml', 'handlers'),
  c('handlers', 'order.yml', 'handlers'),
  c('handlers', 'order.yml', 'handlers', ['--force-handlers', '-e', 'test_force_handlers=true'], 'force'),
  c('handlers', 'include_handlers_fail_force.yml', 'handlers', ['--force-handlers']),
  c('handlers', 'test_flush_handlers_as_handler.yml', 'handlers'),
  c('handlers', 'test_skip_flush.yml', 'handlers'),
  c('handlers', 'test_flush_in_rescue_always.yml', 'handlers'),
  c('handlers', 'test_handlers_infinite_loop.yml', 'handlers'),
  c('handlers', 'test_flush_handlers_rescue_always.yml', 'handlers'),
  c('handlers', 'test_fqcn_meta_flush_handlers.yml', 'handlers'),
  c('handlers', '79776.yml', 'handlers'),
  c('handlers', 'test_block_as_handler.yml', 'none'),
  c('handlers', 'test_block_as_handler-include.yml', 'none'),
  c('handlers', 'test_block_as_handler-import.yml', 'none'),
  // blocks/runme.sh
  c('blocks', 'main.yml', 'integration'),
  c('blocks', 'block_fail.yml', 'integration'),
  c('blocks', 'block_rescue_vars.yml', 'none'),
  c('blocks', 'always_failure_with_rescue_rc.yml', 'none'),
  c('blocks', 'always_no_rescue_rc.yml', 'none'),
  c('blocks', 'always_failure_no_rescue_rc.yml', 'none'),
  c('blocks', 'issue29047.yml', 'integration'),
  c('blocks', 'block_in_rescue.yml', 'integration'),
  c('blocks', 'issue71306.yml', 'host1_host2'),
  c('blocks', '69848.yml', 'host1_host2', ['--tags', 'foo']),
  c('blocks', 'inherit_notify.yml', 'none'),
  c('blocks', 'unsafe_failed_task.yml', 'none'),
  c('blocks', 'finalized_task.yml', 'none'),
  c('blocks', '72725.yml', 'host1_host2'),
  c('blocks', '72781.yml', 'host1_host2'),
  c('blocks', '78612.yml', 'host1_host2'),
  c('blocks', '43191.yml', 'none'),
  c('blocks', '43191-2.yml', 'none'),
  // tags/runme.sh (the --list-tasks steps print no task results: test/language/ansible-semantics.test.ts covers them)
  c('tags', 'ansible_run_tags.yml', 'integration', ['-e', 'expect=all'], 'all'),
  c('tags', 'ansible_run_tags.yml', 'integration', ['-e', 'expect=all', '--tags', 'all'], 'tags_all'),
  c('tags', 'ansible_run_tags.yml', 'integration', ['-e', 'expect=list', '--tags', 'tag1,tag3'], 'list'),
  c('tags', 'ansible_run_tags.yml', 'integration', ['-e', 'expect=untagged', '--tags', 'untagged'], 'untagged'),
  c('tags', 'ansible_run_tags.yml', 'integration', ['-e', 'expect=tagged', '--tags', 'tagged'], 'tagged'),
  // loop_control/runme.sh
  c('loop_control', 'label.yml', 'none'),
  c('loop_control', 'extended.yml', 'none'),
  // set_fact/runme.sh
  c('set_fact', 'incremental.yml', 'set_fact'),
  c('set_fact', 'nowarn_clean_facts.yml', 'set_fact'),
  c('set_fact', 'set_fact_bool_conv.yml', 'none'),
  c('set_fact', 'set_fact_empty_str_key.yml', 'set_fact'),
  c('set_fact', 'set_fact_auto_unsafe.yml', 'set_fact'),
  // any_errors_fatal/runme.sh
  c('any_errors_fatal', 'play_level.yml', 'local'),
  c('any_errors_fatal', 'on_includes.yml', 'local'),
  c('any_errors_fatal', 'always_block.yml', 'local'),
  c('any_errors_fatal', '50897.yml', 'local', ['-e', 'test_name=test_include_role'], 'include_role'),
  c('any_errors_fatal', '50897.yml', 'local', ['-e', 'test_name=test_include_tasks'], 'include_tasks'),
  // check_mode/runme.sh
  c('check_mode', 'check_mode.yml', 'integration', ['--check']),
  c('check_mode', 'check_mode-on-cli.yml', 'integration', ['--check']),
  c('check_mode', 'check_mode-not-on-cli.yml', 'integration'),
  // debug/runme.sh
  c('debug', 'main.yml', 'integration'),
  c('debug', 'main_fqcn.yml', 'integration'),
  c('debug', 'nosetfacts.yml', 'none'),
  c('debug', 'unsafe.yml', 'none'),
  // assert/runme.sh (-i 'localhost,' -c local: the implicit localhost)
  c('assert', 'quiet.yml', 'none'),
  c('assert', 'nested_tmpl.yml', 'none'),
  // include_import/runme.sh: its steps with the default (linear) strategy; the two that run only with
  // ANSIBLE_STRATEGY=free are recorded so (tsplay has no strategy plugins and runs them linearly)
  ii('playbook/test_import_playbook.yml', 'local'),
  ii('playbook/test_import_playbook_tags.yml', 'local', ['--tags', 'canary1,canary22,validate', '--skip-tags', 'skipme']),
  ii('tasks/test_import_tasks.yml', 'local'),
  ii('tasks/test_import_tasks_tags.yml', 'local', ['--tags', 'tasks1,canary1,validate'], FREE),
  ii('role/test_import_role.yml', 'local'),
  ii('tasks/test_include_tasks.yml', 'local'),
  ii('tasks/test_include_tasks_tags.yml', 'local', ['--tags', 'tasks1,canary1,validate'], FREE),
  ii('role/test_include_role.yml', 'local'),
  ii('role/test_include_role_vars_from.yml', 'none'),
  ii('test_role_recursion.yml', 'local'),
  ii('test_role_recursion_fqcn.yml', 'local'),
  ii('test_nested_tasks.yml', 'local'),
  ii('test_nested_tasks_fqcn.yml', 'local'),
  ii('test_grandparent_inheritance.yml', 'local'),
  ii('test_grandparent_inheritance_fqcn.yml', 'local'),
  ii('undefined_var/playbook.yml', 'local'),
  ii('apply/include_apply.yml', 'local', ['--tags', 'foo']),
  ii('apply/import_apply.yml', 'local', ['--tags', 'foo']),
  ii('apply/include_apply_65710.yml', 'local', [], { ANSIBLE_PLAYBOOK_VARS_ROOT: 'all' }),
  ii('tasks/test_include_dupe_loop.yml', 'local'),
  ii('public_exposure/playbook.yml', 'local'),
  ii('public_exposure/no_bleeding.yml', 'local'),
  ii('public_exposure/no_overwrite_roles.yml', 'local'),
  ii('run_once/playbook.yml', 'none'),
  ii('handler_addressing/playbook.yml', 'none'),
  ii('parent_templating/playbook.yml', 'none'),
  ii('test_loop_var_bleed.yaml', 'none'),
  ii('valid_include_keywords/playbook.yml', 'none'),
  ii('tasks/test_allow_single_role_dup.yml', 'none'),
  ii('tasks/test_templating_IncludeRole_FA.yml', 'none'),
  ii('empty_group_warning/playbook.yml', 'none', [], { ANSIBLE_HOST_PATTERN_MISMATCH: 'error' }),
  ii('test_include_loop.yml', 'none'),
  ii('test_include_loop_fqcn.yml', 'none'),
  ii('include_role_omit/playbook.yml', 'none'),
  ii('playbook/test_templated_filenames.yml', 'none', ['-e', 'pb=validate_templated_playbook.yml tasks=validate_templated_tasks.yml tasks_from=templated.yml']),
  ii('issue73657.yml', 'none'),
  // role targets, as ansible-test runs them
  role('loops'),
  role('failed_when'),
  role('changed_when'),
  role('stat'),
  role('lineinfile'),
  role('command_shell'),
  { ...role('file'), recordOverSsh: true },
  // creates a user (logged into over SSH as remote_user), its sudoers file, symlinks in its own files/
  { ...role('copy'), recordOverSsh: true, copyTargets: true, rootAuthorizedKeys: true, runsAnsiblePlaybook: true, controllerLeftovers: ['/tmp/ansible-test-abs-link', '/tmp/ansible-test-abs-link-dir'] },
];

/**
 * Cases where tsplay differs today, with why: not asserted (the README's known-differences table).
 */

export const KNOWN_DIFFERENCES: Record<string, string> = {
  'handlers.test_notify_included': 'on purpose: a notify naming a task of an include_tasks handler (not a notification target in Ansible either) fails before any host is contacted, saying to notify the include (exit 4; Ansible runs until that notify, then exits 1)',
  'handlers.test_handlers_inexistent_notify': 'on purpose: a notify naming no handler fails before any host is contacted (exit 4; Ansible exits 1)',
  'include_import.playbook.test_import_playbook': "the last import (ansible#59548) runs `helloworld`, a Python module from the imported playbook's `library/`: tsplay runs no Python modules and rejects the playbook when it loads (exit 4); every play before it, with the imports' `when`, matches",
  'include_import.handler_addressing.playbook': "on purpose: `notify: do_import` names no handler (an import_tasks handler's tasks are handlers by their own names, as in Ansible): rejected before any host is contacted (exit 4); Ansible runs the first play, then exits 1 with 'The requested handler 'do_import' was not found'. The role handler's `include_tasks: tasks/handlers.yml` is found in the role, as Ansible finds it",
};
