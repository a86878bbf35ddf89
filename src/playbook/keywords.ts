/** The keywords tsplay accepts, as Ansible names them. Anything else at these levels is an error. */

export const PLAY_KEYWORDS = new Set([
  'name', 'hosts', 'gather_facts', 'vars', 'vars_files', 'pre_tasks', 'roles', 'tasks', 'post_tasks', 'handlers',
  'serial', 'max_fail_percentage', 'any_errors_fatal', 'order', 'strategy', 'become', 'become_user', 'become_method',
  'become_password', 'environment', 'tags', 'force_handlers', 'ignore_errors', 'ignore_unreachable', 'check_mode',
  'diff', 'no_log', 'throttle', 'timeout', 'gather_subset', 'gather_timeout', 'remote_user', 'connection', 'guard',
  'collections', 'module_defaults', 'run_once', 'when', 'import_playbook', 'vars_prompt', 'debugger', 'port',
]);

/** Keywords of a task (besides its module). */
export const TASK_KEYWORDS = new Set([
  'name', 'args', 'when', 'register', 'loop', 'loop_control', 'with_items', 'with_list', 'with_dict', 'with_indexed_items',
  'notify', 'listen', 'changed_when', 'failed_when', 'ignore_errors', 'ignore_unreachable', 'until', 'retries', 'delay',
  'delegate_to', 'delegate_facts', 'run_once', 'become', 'become_user', 'become_method', 'become_password', 'tags',
  'check_mode', 'diff', 'timeout', 'no_log', 'environment', 'vars', 'throttle', 'any_errors_fatal', 'local_action',
  'action', 'collections', 'module_defaults', 'debugger', 'remote_user', 'connection', 'port',
]);

/** Keywords of a block (besides block/rescue/always). */
export const BLOCK_KEYWORDS = new Set([
  'name', 'block', 'rescue', 'always', 'when', 'become', 'become_user', 'become_method', 'become_password', 'tags',
  'vars', 'environment', 'ignore_errors', 'ignore_unreachable', 'check_mode', 'diff', 'no_log', 'delegate_to',
  'run_once', 'any_errors_fatal', 'throttle', 'timeout', 'notify', 'collections', 'module_defaults', 'debugger',
  'remote_user', 'connection', 'port',
]);

/** Task-level actions that are not modules: they bring in other tasks. */
export const INCLUDE_ACTIONS = new Set(['include_tasks', 'import_tasks', 'include_role', 'import_role']);

export const ROLE_KEYWORDS = new Set([
  'role', 'name', 'when', 'tags', 'vars', 'become', 'become_user', 'environment', 'ignore_errors', 'delegate_to',
  'check_mode', 'diff', 'no_log', 'any_errors_fatal', 'throttle', 'timeout', 'run_once',
]);
