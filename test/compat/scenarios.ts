/**
 * The compatibility scenarios: each playbook of test/compat/playbooks/ run with the same CLI flags
 * under ansible-playbook (recorded by scripts/record-compat-fixtures.ts) and under tsplay
 * (compat.test.ts), on one fleet of six hosts where `four` = h1..h4 and `six` = h1..h6 (so no host
 * is ungrouped and `all` is h1..h6 in both tools). Changing the fleet means re-recording every fixture.
 */
export const COMPAT_FLEET = { size: 6, groups: { four: ['h1', 'h2', 'h3', 'h4'], six: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] } };

export interface Scenario {
  /** fixture name: test/compat/fixtures/<name>.json */
  name: string;
  /** file under test/compat/playbooks/ */
  playbook: string;
  /** extra CLI flags, passed unchanged to both tools */
  args: string[];
  /**
   * Set while tsplay differs from Ansible here: the DIVERGENCES.md entry. The test is then
   * test.failing, so the suite stays green until the executor is fixed (then delete this field).
   */
  divergent?: string;
}

const s = (name: string, args: string[] = [], playbook = `${name}.yml`): Scenario => ({ name, playbook, args });

export const SCENARIOS: Scenario[] = [
  s('serial_int'),
  s('serial_percent'),
  s('serial_list'),
  s('serial_one'),
  s('max_fail_boundary'),
  s('max_fail_over'),
  s('max_fail_serial'),
  s('batch_all_failed'),
  s('any_errors_fatal'),
  s('blocks'),
  s('handlers'),
  s('handlers_force'),
  s('handlers_cli_force', ['--force-handlers'], 'handlers.yml'),
  s('handlers_listen'),
  s('loops'),
  s('until'),
  s('register'),
  s('run_once'),
  s('delegate'),
  s('ignore_errors'),
  s('tags_none', [], 'tags.yml'),
  s('tags_only', ['--tags', 'deploy'], 'tags.yml'),
  s('tags_skip', ['--skip-tags', 'deploy'], 'tags.yml'),
  s('tags_never', ['--tags', 'debug,config'], 'tags.yml'),
  s('tags_skip_always', ['--tags', 'config', '--skip-tags', 'always'], 'tags.yml'),
  s('check_mode', ['--check']),
  s('order'),
  s('multi_play'),
  s('meta_end_host'),
  s('meta_end_play'),
  s('meta_end_play_when'),
  s('control'),
  // handlers, notify and meta as Ansible 2.14 (issue 19)
  s('notify_inherit'),
  s('handlers_chain'),
  s('flush_when'),
  s('clear_host_errors'),
  s('end_batch'),
  s('handlers_tags', ['--tags', 'deploy']),
  s('handlers_skip_tags', ['--skip-tags', 'deploy'], 'handlers_tags.yml'),
  s('handlers_include'),
  // any_errors_fatal with rescue and always as Ansible 2.14 (issue 19)
  s('fatal_always'),
  s('fatal_always_fails'),
];
