import { quote } from '../util/quote.js';

/** A systemd unit's state, as `systemctl is-active` / `is-enabled` / `show` report it. */
export interface UnitFacts {
  /** `systemctl is-active`: active, inactive, failed, activating… */
  active: string;
  /** `systemctl is-enabled`: enabled, disabled, static, masked… (empty for a unit that does not exist) */
  enabled: string;
  /** `systemctl show` properties (LoadState, ActiveState, SubState, UnitFileState, MainPID…). */
  status: Record<string, string>;
  /** LoadState=not-found: systemctl's message for it (from `systemctl status`). */
  missing?: string;
}

/** The properties the service module returns as `status`. */
export const UNIT_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'MainPID'] as const;

/** `systemctl show -p …` for one unit: `Key=value` lines. */
export function unitShowCommand(name: string): string {
  return `systemctl show ${UNIT_PROPERTIES.map((p) => `-p ${p}`).join(' ')} -- ${quote(name)}`;
}

/** One round trip: is-active, is-enabled, the show properties, and systemctl's message when the unit is missing. */
export function unitProbeCommand(name: string): string {
  const q = quote(name);
  return [
    `echo "@is-active=$(systemctl is-active -- ${q} 2>/dev/null)"`,
    `echo "@is-enabled=$(systemctl is-enabled -- ${q} 2>/dev/null)"`,
    `${unitShowCommand(name)} 2>&1`,
    `if systemctl show -p LoadState -- ${q} 2>/dev/null | grep -qx 'LoadState=not-found'; then echo "@missing=$(systemctl status -- ${q} 2>&1 >/dev/null | head -n 1)"; fi`,
    'true',
  ].join('\n');
}

/** Parse `Key=value` lines (show output) into a record. */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function parseUnitProbe(stdout: string): UnitFacts {
  const facts: UnitFacts = { active: '', enabled: '', status: {} };
  const showLines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@is-active=')) facts.active = line.slice('@is-active='.length).trim();
    else if (line.startsWith('@is-enabled=')) facts.enabled = line.slice('@is-enabled='.length).trim();
    else if (line.startsWith('@missing=')) facts.missing = line.slice('@missing='.length).trim() || 'unit not found';
    else showLines.push(line);
  }
  facts.status = parseShow(showLines.join('\n'));
  return facts;
}

/** Active for the purpose of start/stop: running or on its way (as Ansible's systemd module counts it). */
export function isRunning(active: string): boolean {
  return ['active', 'activating', 'reloading', 'deactivating'].includes(active);
}

/** Enabled in the sense `enabled: true` asks for (static/indirect/generated units cannot be enabled further). */
export function isEnabled(enabled: string): boolean {
  return ['enabled', 'enabled-runtime', 'static', 'indirect', 'generated', 'alias', 'linked'].includes(enabled);
}
