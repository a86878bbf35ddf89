import test from 'ava';
import { findModule } from '../../src/modules/registry.js';
import { dnfModule, yumModule } from '../../src/modules/package.js';
import { packageModule } from '../../src/modules/package-any.js';
import { serviceModule } from '../../src/modules/service.js';

test('the registry finds package and service under their Ansible names', (t) => {
  for (const n of ['package', 'ansible.builtin.package']) t.is(findModule(n), packageModule, n);
  for (const n of ['yum', 'ansible.builtin.yum']) t.is(findModule(n), yumModule, n);
  for (const n of ['dnf', 'ansible.builtin.dnf']) t.is(findModule(n), dnfModule, n);
  for (const n of ['service', 'systemd', 'ansible.builtin.service', 'ansible.builtin.systemd', 'ansible.builtin.systemd_service']) {
    t.is(findModule(n), serviceModule, n);
  }
});
