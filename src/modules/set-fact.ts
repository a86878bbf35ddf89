import { ParseError } from '../errors.js';
import { toBool } from '../util/bool.js';
import { unrendered } from './args.js';
import type { ModuleDef } from './types.js';
import { isTemplate } from '../template/render.js';
import { isTaintedMember, markTaintedMember } from '../template/unsafe.js';

/** Python's str.isidentifier for the ASCII names variables have. */
function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** set_fact: host variables at set_fact precedence; the executor stores `ansible_facts` of the result. */
export const setFactModule: ModuleDef<Record<string, unknown>> = {
  name: 'set_fact',
  controllerOnly: true,
  parse(raw, where, loadTime) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ParseError('set_fact: arguments must be a dictionary of variable names and values', where);
    }
    const facts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'cacheable') {
        // a template (`cacheable: "{{ x | bool }}"`) is checked once rendered, when the task runs
        if (!unrendered(v, loadTime) && toBool(v) === undefined) throw new ParseError("set_fact: argument 'cacheable' must be a boolean", where);
        continue;
      }
      // a templated name is rendered and checked when the task runs (plan), as Ansible's set_fact does
      if (!isTemplate(k) && !isIdentifier(k)) throw new ParseError(`set_fact: '${k}' is not a valid variable name`, where);
      facts[k] = v;
      // made by a template that read an unsafe value: stored as data, never rendered again (Ansible's wrap_var)
      if (isTaintedMember(raw, k)) markTaintedMember(facts, k);
    }
    if (Object.keys(facts).length === 0) throw new ParseError('set_fact: no variables given', where);
    return facts;
  },
  async plan(facts, ctx) {
    // As Ansible's set_fact action (Jinja2 native off): a string value (k=v words are strings, and so
    // is what a template renders to) reading true/false/yes/no becomes a boolean; numbers stay strings.
    const converted: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(facts)) {
      const name = isTemplate(k) ? String(ctx.render(k)) : k;
      if (!isIdentifier(name)) {
        const msg = `The variable name '${name}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`;
        return { steps: [], failed: true, msg };
      }
      converted[name] = typeof v === 'string' && /^(true|false|yes|no)$/i.test(v) ? toBool(v) : v;
      if (isTaintedMember(facts, k)) markTaintedMember(converted, name);
    }
    return { steps: [], result: { ansible_facts: converted } };
  },
};
