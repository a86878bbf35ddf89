/**
 * What the lab's `sre` RPMs carry, per version. Small, but real where the procedures look:
 * the shipped kamailio.cfg is a valid Kamailio config (`kamailio -c -f` passes) whose lines differ
 * between 3.3.0 and 4.0.x and slightly between 4.0.1 and 4.0.2; the unit runs a real process.
 */

type Version = '3.3.0' | '4.0.1' | '4.0.2';

/** The Kamailio config SRE ships in /opt/sre/etc/kamailio/kamailio.cfg. */
export function kamailioCfg(version: Version): string {
  const v4 = version !== '3.3.0';
  const lines = [
    '#!KAMAILIO',
    '#',
    `# SRE ${version}: Kamailio front-end for the SRE call processors.`,
    '# Copy to /etc/kamailio/kamailio.cfg and adapt the listen= line to this host.',
    '#',
    '',
    '####### Defined values #########',
    v4 ? '#!define BROKER "sip:127.0.0.1:5090"' : '#!define BROKER "sip:127.0.0.1:5080"',
    ...(v4 ? ['# site-local defines (e.g. #!define WITH_REGISTER_CLIENT) go in kamailio-local.cfg', 'import_file "kamailio-local.cfg"'] : []),
    '',
    '####### Global parameters #########',
    'debug=2',
    'log_stderror=no',
    'log_facility=LOG_LOCAL0',
    version === '4.0.2' ? 'children=8' : 'children=4',
    'listen=udp:127.0.0.1:5060',
    'alias="sre.local"',
    `server_header="Server: SRE ${version}"`,
    `user_agent_header="User-Agent: SRE ${version}"`,
    v4 ? 'tcp_connection_lifetime=3605' : 'tcp_connection_lifetime=3600',
    '',
    '####### Modules #########',
    ...['kex', 'corex', 'tm', 'tmx', 'sl', 'rr', 'pv', 'maxfwd', 'textops', 'siputils', 'xlog', 'sanity'].map(
      (m) => `loadmodule "${m}.so"`,
    ),
    '',
    'modparam("rr", "enable_full_lr", 1)',
    v4 ? 'modparam("tm", "fr_timer", 2000)' : 'modparam("tm", "fr_timer", 3000)',
    version === '4.0.2' ? 'modparam("tm", "fr_inv_timer", 30000)' : 'modparam("tm", "fr_inv_timer", 40000)',
    '',
    '####### Routing logic #########',
    'request_route {',
    '\tif (!mf_process_maxfwd_header("10")) {',
    '\t\tsl_send_reply("483", "Too Many Hops");',
    '\t\texit;',
    '\t}',
    '\tif (!sanity_check()) {',
    '\t\texit;',
    '\t}',
    '\tif (is_method("OPTIONS") && uri == myself) {',
    '\t\tsl_send_reply("200", "Keepalive");',
    '\t\texit;',
    '\t}',
    ...(v4
      ? ['#!ifdef WITH_REGISTER_CLIENT', '\tif (is_method("NOTIFY")) {', '\t\txlog("L_INFO", "register client: NOTIFY from $si\\n");', '\t}', '#!endif']
      : []),
    '\trecord_route();',
    '\t$du = BROKER;',
    '\tif (!t_relay()) {',
    '\t\tsl_reply_error();',
    '\t}',
    '}',
  ];
  return lines.join('\n') + '\n';
}

/**
 * /opt/sre/bin/sre-server: what the `sre` unit runs. It says which version started (in
 * /var/log/lab/sre.out, the unit's output) and logs SIGHUP reloads, so tests can tell what is running.
 */
export function sreServerScript(): string {
  return [
    '#!/bin/sh',
    '# STAND-IN for the SRE daemons (tsplay lab): a long-running process the sre unit starts and stops.',
    'echo "sre $(cat /opt/sre/VERSION) started (pid $$)"',
    'trap \'echo "sre $(cat /opt/sre/VERSION) reloaded"\' HUP',
    "trap 'echo \"sre stopping\"; exit 0' TERM",
    'while :; do sleep 1; done',
    '',
  ].join('\n');
}

/**
 * /opt/sre/bin/sre-admin: a STAND-IN for the vendor's admin tool. Every call is logged to
 * /var/log/lab/actions.log. State it keeps:
 * - `db upgrade`: on a host with /etc/sre/sre.conf (the lab's EMs) it really migrates the PostgreSQL
 *   database named there (4.0.x adds `service_logic.tags`; the schema version goes to `sre_schema`), and
 *   refuses on a database standby (repmgr role in /var/lib/lab/shared/repmgr/HOST), as a read-only
 *   database would; without sre.conf it records the version in /var/lib/lab/sre/db-schema;
 * - `kamailio set-redirection` (asks for confirmation on stdin, or `-y`) / `reset-redirection` /
 *   `get-redirection`: the redirection flag in /var/lib/lab/sre/redirection;
 * - `node out-of-service|in-service|status`: the node's operational status (the GUI's System -> Node
 *   operational status) in /var/lib/lab/sre/node-status.
 */
export function sreAdminScript(version: Version): string {
  const v4 = version !== '3.3.0';
  const migrate = v4
    ? "CREATE TABLE IF NOT EXISTS sre_schema (version text NOT NULL); ALTER TABLE service_logic ADD COLUMN IF NOT EXISTS tags text[] NOT NULL DEFAULT '{}'; DELETE FROM sre_schema; INSERT INTO sre_schema VALUES ('" + version + "');"
    : "CREATE TABLE IF NOT EXISTS sre_schema (version text NOT NULL); DELETE FROM sre_schema; INSERT INTO sre_schema VALUES ('" + version + "');";
  return `#!/bin/sh
# STAND-IN for SRE's sre-admin (tsplay lab), version ${version}. Keeps state in /var/lib/lab/sre.
set -u
state=/var/lib/lab/sre
mkdir -p "$state" /var/log/lab
printf '%s sre-admin %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$*" >>/var/log/lab/actions.log
host=\${LAB_HOST:-$(hostname)}
db() {
  . /etc/sre/sre.conf
  psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$db_host" -p "$db_port" -U "$db_user" -d "$db_name" -c "$1"
}
case "\${1:-} \${2:-}" in
  'db upgrade')
    role=$(cat "/var/lib/lab/shared/repmgr/$host" 2>/dev/null || echo primary)
    if [ "$role" != primary ]; then
      echo "ERROR: cannot execute ALTER TABLE in a read-only transaction (the database on $host is a $role)" >&2
      exit 1
    fi
    if [ -f /etc/sre/sre.conf ]; then db "${migrate}" || exit 1; else echo ${version} >"$state/db-schema"; fi
    echo "database schema upgraded to ${version}" ;;
  'db version')
    if [ -f /etc/sre/sre.conf ]; then db "SELECT version FROM sre_schema" 2>/dev/null | grep . || echo none
    else cat "$state/db-schema" 2>/dev/null || echo none; fi ;;
  'kamailio set-redirection')
    if [ "\${3:-}" != -y ]; then
      printf 'Redirect the traffic of %s to another call processor? [y/N]: ' "$host"
      read -r answer || answer=
      case $answer in y | Y | yes) ;; *) echo "aborted"; exit 1 ;; esac
    fi
    echo on >"$state/redirection"; echo "traffic redirected" ;;
  'kamailio reset-redirection') echo off >"$state/redirection"; echo "traffic redirection removed" ;;
  'kamailio get-redirection') cat "$state/redirection" 2>/dev/null || echo off ;;
  'node out-of-service') echo out-of-service >"$state/node-status"; echo "$host is out of service" ;;
  'node in-service') echo in-service >"$state/node-status"; echo "$host is in service" ;;
  'node status') cat "$state/node-status" 2>/dev/null || echo in-service ;;
  'version '*) echo ${version} ;;
  *) echo "usage: sre-admin db upgrade|db version|kamailio set-redirection [-y]|reset-redirection|get-redirection|node out-of-service|in-service|status|version" >&2; exit 2 ;;
esac
`;
}

/** The unit the package installs for the systemctl stand-in. */
export function sreUnit(version: Version): string {
  return [
    '[Unit]',
    `Description=SRE ${version}`,
    '',
    '[Service]',
    'ExecStart=/bin/sh /opt/sre/bin/sre-server',
    'ExecReload=/bin/kill -HUP $MAINPID',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
