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
}

const c = (target: string, playbook: string, inventory: InventoryName, args: string[] = [], variant = ''): TargetCase => ({
  name: `${target}.${playbook.replace(/\.yml$/, '')}${variant ? `.${variant}` : ''}`,
  target,
  playbook,
  args,
  inventory,
});
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
  // role targets, as ansible-test runs them
  role('loops'),
  role('failed_when'),
  role('changed_when'),
  role('stat'),
];

/**
 * Cases where tsplay differs today, with why: not asserted (the README's known-differences table).
 */
const LOAD_TIME = 'rejected when the playbook loads, where Ansible fails the task when it runs (the load-time warning item of #19)';

export const KNOWN_DIFFERENCES: Record<string, string> = {
  'handlers.test_notify_included': 'on purpose: a notify naming a task of an include_tasks handler (not a notification target in Ansible either) fails before any host is contacted, saying to notify the include (exit 4; Ansible runs until that notify, then exits 1)',
  'handlers.test_handlers_inexistent_notify': 'on purpose: a notify naming no handler fails before any host is contacted (exit 4; Ansible exits 1)',
  'blocks.main': 'a failure in a nested block with run_once/any_errors_fatal: the enclosing always runs where Ansible stops (executor, host cursor)',
  'any_errors_fatal.always_block': 'any_errors_fatal with a failure in a block: its always section does not run (executor, host cursor)',
  'blocks.finalized_task': `include_role's name from a loop item is ${LOAD_TIME}`,
  'any_errors_fatal.50897.include_role': `a missing role under a false when is ${LOAD_TIME}`,
  'any_errors_fatal.50897.include_tasks': `a missing role under a false when is ${LOAD_TIME}`,
  'set_fact.set_fact_bool_conv': 'an unnamed task is shown by its canonical module name (set_fact), Ansible shows the action as written (ansible.builtin.set_fact)',
  'loops.role': "the template language lacks now() (Ansible's global function)",
  'stat.role': "setup_remote_tmp_dir's `include_tasks: \"{{ lookup('first_found', files) }}\"` (files from the task's vars) is rendered when the playbook loads; tsplay fails there",
  'debug.unsafe': 'values tagged !unsafe are rendered (Ansible keeps them literal)',
  'blocks.unsafe_failed_task': 'values tagged !unsafe are rendered (Ansible keeps them literal)',
};
