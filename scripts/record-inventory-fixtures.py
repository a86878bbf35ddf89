#!/usr/bin/env python3
"""Record the inventory fixtures from the real Ansible (ansible-core, Debian package).

For each case of test/inventory/corpus/cases.json this writes to test/inventory/fixtures/:
  <case>.list.json        ansible-inventory --list, byte for byte
  <case>.graph.txt        ansible-inventory --graph
  <case>.host.<h>.json    ansible-inventory --host H
  <case>.patterns.json    [{pattern, hosts, warned}] from `ansible PATTERN --list-hosts`
  <case>.limits.json      [{limit, hosts, list}] from `ansible all --limit L --list-hosts`;
                          `list` is --list narrowed to those hosts the way ansible-core >= 2.15
                          does it (2.14 rejects --limit): group hosts filtered, children kept,
                          groups left empty dropped, _meta only for the selected hosts.
Run from anywhere: python3 scripts/record-inventory-fixtures.py
The tests compare tsplay against these files; they never run Ansible.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, 'test', 'inventory', 'corpus')
FIXTURES = os.path.join(ROOT, 'test', 'inventory', 'fixtures')
# Ansible's shipped defaults: no ANSIBLE_* from the caller (the corpus holds no ansible.cfg), no colour.
ENV = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
ENV.update(ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
           ANSIBLE_INVENTORY_ENABLED='host_list,script,auto,yaml,ini,toml')


def run(argv, tolerate=None):
    p = subprocess.run(argv, cwd=CORPUS, env=ENV, capture_output=True, text=True)
    if p.returncode != 0 and tolerate and tolerate in p.stderr:
        return '  hosts (0):\n', p.stderr
    if p.returncode != 0:
        sys.exit('failed: %s\n%s%s' % (' '.join(argv), p.stdout, p.stderr))
    return p.stdout, p.stderr


def inv_args(case):
    args = []
    for s in case['sources']:
        args += ['-i', s]
    if case.get('playbookDir'):
        args += ['--playbook-dir', case['playbookDir']]
    return args


def list_hosts(case, pattern, limit=None):
    argv = ['ansible', pattern] + inv_args(case) + ['--list-hosts']
    if limit is not None:
        argv += ['--limit', limit]
    # ansible refuses to run when --limit leaves no host: that is an empty selection
    out, err = run(argv, tolerate='leaves us with no hosts')
    hosts = [l.strip() for l in out.splitlines()[1:] if l.strip()]
    if not re.match(r'^\s*hosts \(\d+\):', out.splitlines()[0] if out else ''):
        sys.exit('unexpected --list-hosts output for %r: %r' % (pattern, out))
    return hosts, 'Could not match supplied host pattern' in err


def narrow(full, hosts):
    keep = set(hosts)
    result = {}
    for name, group in full.items():
        if name == '_meta':
            continue
        g = {}
        if 'hosts' in group:
            h = [x for x in group['hosts'] if x in keep]
            if h:
                g['hosts'] = h
        if group.get('children'):
            g['children'] = group['children']
        if g:
            result[name] = g
    result['_meta'] = {'hostvars': {h: v for h, v in full['_meta']['hostvars'].items() if h in keep}}
    return result


def dump(obj):
    return json.dumps(obj, sort_keys=True, indent=4, ensure_ascii=False)


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(CORPUS, 'cases.json')) as f:
        cases = json.load(f)['cases']
    for case in cases:
        name = case['name']
        out, _ = run(['ansible-inventory'] + inv_args(case) + ['--list'])
        with open(os.path.join(FIXTURES, name + '.list.json'), 'w') as f:
            f.write(out)
        full = json.loads(out)
        out, _ = run(['ansible-inventory'] + inv_args(case) + ['--graph'])
        with open(os.path.join(FIXTURES, name + '.graph.txt'), 'w') as f:
            f.write(out)
        for h in case.get('hosts', []):
            out, _ = run(['ansible-inventory'] + inv_args(case) + ['--host', h])
            with open(os.path.join(FIXTURES, '%s.host.%s.json' % (name, h)), 'w') as f:
                f.write(out)
        patterns = []
        for p in case.get('patterns', []):
            joined = ','.join(p) if isinstance(p, list) else p
            hosts, warned = list_hosts(case, joined)
            patterns.append({'pattern': p, 'hosts': hosts, 'warned': warned})
        with open(os.path.join(FIXTURES, name + '.patterns.json'), 'w') as f:
            f.write(json.dumps(patterns, indent=2) + '\n')
        limits = []
        for l in case.get('limits', []):
            hosts, warned = list_hosts(case, 'all', l)
            limits.append({'limit': l, 'hosts': hosts, 'warned': warned, 'list': dump(narrow(full, hosts))})
        if limits:
            with open(os.path.join(FIXTURES, name + '.limits.json'), 'w') as f:
                f.write(json.dumps(limits, indent=2) + '\n')
        print('recorded', name)


if __name__ == '__main__':
    main()
