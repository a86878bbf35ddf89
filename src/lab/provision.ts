import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rename, symlink, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Fleet } from '../fleet/fleet.js';
import type { SreVersion } from '../fleet/rpms.js';
import { kamailioCfg } from '../fleet/rpm-specs/sre.js';
import type { Site } from './site.js';
import { sshRun } from './ssh.js';
import * as f from './files.js';

/** Versions installed before any procedure runs. */
export const LAB_VERSIONS = { sre: '3.3.0', lca: '8.5.100.07', scs: '8.5.100.21', confserv: '8.1.3' } as const;

export interface ProvisionInput {
  fleet: Fleet;
  site: Site;
  rpms: Record<SreVersion, string>;
  dbPort: number;
  /** The OpenSIPS hosts' ~/.my.cnf (the lab's MariaDB). */
  myCnf: string;
  standins: string;
  /** Controller dir visible on every host as /var/lib/lab/shared. */
  shared: string;
  /** Seconds a Genesys server initializes (default 0.5) and an install takes (default 0.3). */
  initSeconds?: number;
  installSeconds?: number;
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : fallback);

/** Put everything on the hosts, start the daemons in the order the platform needs, then clear the action logs. */
export async function provision(p: ProvisionInput): Promise<void> {
  const { fleet, site } = p;
  const inGroup = (h: string, g: string) => site.group(g).includes(h);
  const put = async (h: string, path: string, content: string, mode = 0o644) => {
    const target = fleet.path(h, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    await chmod(target, mode);
  };
  const kamailioBin = execFileSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' }).trim() || '/usr/sbin/kamailio';
  await mkdir(`${p.shared}/repmgr`, { recursive: true });
  await mkdir(`${p.shared}/genesys`, { recursive: true });
  const master = site.group('em_master')[0];
  for (const h of site.group('em')) await writeFile(`${p.shared}/repmgr/${h}`, h === master ? 'primary\n' : 'standby\n');

  await Promise.all(
    site.hosts.map(async (h) => {
      const vars = site.vars(h);
      await mkdir(fleet.path(h, '/var/lib/lab'), { recursive: true });
      await symlink(p.shared, fleet.path(h, '/var/lib/lab/shared'));
      const sre = inGroup(h, 'em') || inGroup(h, 'cp');
      const script: string[] = ['set -e'];
      if (sre) {
        for (const v of Object.keys(p.rpms) as SreVersion[]) {
          await mkdir(fleet.path(h, '/srv/repo'), { recursive: true });
          await copyFile(p.rpms[v], fleet.path(h, `/srv/repo/sre-${v}.x86_64.rpm`));
        }
        script.push(`rpm -i /srv/repo/sre-${LAB_VERSIONS.sre}.x86_64.rpm`, 'systemctl enable sre', 'systemctl start sre');
      }
      if (inGroup(h, 'em')) {
        await put(h, '/etc/sre/sre.conf', f.sreConf(p.dbPort));
        await put(h, '/etc/cron.d/sre', f.sreCrontab());
      }
      if (inGroup(h, 'cp')) {
        const live = kamailioCfg(LAB_VERSIONS.sre).replace(/^listen=.*$/m, `listen=udp:${fleet.host(h).address}:5060`);
        await put(h, '/etc/kamailio/kamailio.cfg', live);
        await put(h, '/etc/systemd/system/kamailio.service', f.kamailioUnit(kamailioBin));
        script.push('systemctl enable kamailio', 'systemctl start kamailio');
      }
      if (inGroup(h, 'opensips')) {
        await put(h, str(vars.opensips_cfg, '/opt/opensips/etc/opensips/opensips.cfg'), f.opensips23Cfg(fleet.host(h).address));
        await put(h, '/root/.my.cnf', p.myCnf, 0o600);
      }
      if (inGroup(h, 'lca')) {
        await put(h, '/etc/genesys/lab.conf', `# tsplay lab: seconds an installation takes\ninstall_seconds=${p.installSeconds ?? 0.3}\n`);
        const apps: [string, string, string][] = [['lca', 'Local Control Agent', LAB_VERSIONS.lca]];
        if (inGroup(h, 'scs')) apps.push(['scs', 'Solution Control Server', LAB_VERSIONS.scs]);
        if (inGroup(h, 'confserv')) apps.push(['confserv', 'Configuration Server', LAB_VERSIONS.confserv]);
        for (const [app, title, version] of apps) {
          await put(h, `/opt/genesys/${app}/VERSION`, `${version}\n`);
          await put(h, `/opt/genesys/${app}/${app}`, f.installedServer(app, version, p.standins), 0o755);
          await put(h, `/etc/systemd/system/${app}.service`, f.genesysUnit(app, title));
        }
        await put(h, `/srv/genesys/ip/lca/${str(vars.lca_version, '8.5.100.21')}/install.sh`, f.installScript('lca', str(vars.lca_version, '8.5.100.21')), 0o755);
        for (const pair of ['scs', 'confserv']) {
          if (!inGroup(h, pair)) continue;
          const peer = site.group(pair).find((o) => o !== h);
          if (peer) await put(h, `/etc/genesys/${pair}.conf`, f.haConf(peer, p.initSeconds ?? 0.5));
        }
        if (inGroup(h, 'scs')) await put(h, str(vars.scs_options_file, '/etc/genesys/scs.options'), f.scsOptions());
        if (inGroup(h, 'confserv')) {
          const v = str(vars.ha_version, '8.5.101');
          await put(h, `/srv/genesys/ip/confserv/${v}/install.sh`, f.installScript('confserv', v), 0o755);
        }
        await put(h, '/etc/genesys/lca.conf', `# tsplay lab: LCA initialization time\ninit_seconds=0.2\n`);
        script.push('systemctl enable lca', 'systemctl start lca');
      }
      if (script.length > 1) await sshRun(fleet, h, script.join('\n'));
    }),
  );

  // The HA pairs: the primaries' host first, the other once they run, so the roles come out as configured.
  const pairs = ['scs', 'confserv'].filter((pair) => site.group(pair).length > 0);
  const primaryOf = (pair: string) => site.group(`${pair}_primary`)[0] ?? site.group(pair)[0]!;
  const order = [...new Set(pairs.flatMap((pair) => [primaryOf(pair), ...site.group(pair)]))];
  for (const h of order) {
    const apps = pairs.filter((pair) => site.group(pair).includes(h));
    const waits = apps.map(
      (app) => `for i in $(seq 1 100); do mlcmd -getappstatus ${app} | grep -Eq ' (primary|backup) ' && break; sleep 0.1; done
        mlcmd -getappstatus ${app} | grep -Eq ' (primary|backup) ' || { echo "${app} did not initialize" >&2; exit 1; }`,
    );
    await sshRun(fleet, h, [`set -e`, `systemctl enable ${apps.join(' ')}`, `systemctl start ${apps.join(' ')}`, ...waits].join('\n'));
  }

  // What the procedures do starts with a clean action log; the setup's stays beside it.
  await Promise.all(
    site.hosts.map(async (h) => {
      const log = fleet.path(h, '/var/log/lab/actions.log');
      if (existsSync(log)) await rename(log, fleet.path(h, '/var/log/lab/setup.log'));
    }),
  );
}
