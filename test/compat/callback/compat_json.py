# A stdout callback writing the document of the `ansible.posix.json` callback (which Debian's
# ansible-core does not ship): plays[].play, plays[].tasks[].task, plays[].tasks[].hosts[HOST] =
# the task's final result (+ failed/skipped flags and `action`), and stats[HOST] from the recap.
# Same events as ansible.posix.json: a play entry per serial batch, handlers appear as tasks,
# loop item events are not recorded (the task's aggregate result carries `results`).
from __future__ import annotations

import json

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: compat_json
    type: stdout
    short_description: ansible.posix.json's document, for tsplay's compatibility fixtures
    description: [Writes the same JSON document as ansible.posix.json when the run ends.]
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'compat_json'

    def __init__(self, display=None):
        super().__init__(display)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({'play': {'name': play.get_name(), 'id': str(play._uuid)}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]['tasks'].append({'task': {'name': task.get_name(), 'id': str(task._uuid)}, 'hosts': {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, flags):
        entry = dict(result._result)
        entry.update(flags)
        entry['action'] = result._task.action
        self.plays[-1]['tasks'][-1]['hosts'][result._host.name] = entry

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result, {})

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._record(result, {'failed': True})

    def v2_runner_on_skipped(self, result, **kwargs):
        self._record(result, {'skipped': True})

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._record(result, {})

    def v2_playbook_on_stats(self, stats):
        summary = {h: stats.summarize(h) for h in sorted(stats.processed.keys())}
        doc = {'plays': self.plays, 'stats': summary, 'custom_stats': {}, 'global_custom_stats': {}}
        self._display.display(json.dumps(doc, cls=AnsibleJSONEncoder, indent=4, sort_keys=True))
