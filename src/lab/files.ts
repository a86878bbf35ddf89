/**
 * What the lab writes on its hosts besides the packages: units, Genesys configuration and installation
 * packages, the SRE node configuration, an OpenSIPS 2.3 script. Pure text, one function per file.
 */

/** The unit the systemctl stand-in runs for Kamailio: the real binary on the live config. */
export function kamailioUnit(kamailioBin: string): string {
  return [
    '[Unit]',
    'Description=Kamailio SIP proxy (tsplay lab: the real kamailio on /etc/kamailio/kamailio.cfg)',
    '',
    '[Service]',
    `ExecStart=${kamailioBin} -DD -E -m 16 -M 4 -f /etc/kamailio/kamailio.cfg -P /run/lab/kamailio.pid`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** A Genesys server unit: /opt/genesys/APP/APP is what genesys-install put there (it runs genesys-server APP). */
export function genesysUnit(app: string, title: string): string {
  return ['[Unit]', `Description=Genesys ${title} (tsplay lab stand-in)`, '', '[Service]', `ExecStart=/opt/genesys/${app}/${app}`, '', '[Install]', 'WantedBy=multi-user.target', ''].join('\n');
}

/** An installation package's install.sh: the stand-in installer does the work. */
export function installScript(app: string, version: string): string {
  return `#!/bin/sh\n# Genesys ${app} ${version} installation package (tsplay lab): silent install into /opt/genesys/${app}.\nexec genesys-install ${app} ${version} "$@"\n`;
}

/** The installed server before any upgrade: what genesys-install would have written. */
export function installedServer(app: string, version: string, standins: string): string {
  return `#!/bin/sh\n# ${app} ${version} (tsplay lab)\nexec ${standins}/genesys-server ${app}\n`;
}

/** HA pair settings read by genesys-server. */
export function haConf(peer: string, initSeconds: number): string {
  return `# tsplay lab: this server's HA peer and its initialization time\npeer=${peer}\ninit_seconds=${initSeconds}\n`;
}

/** The options of a Solution Control Server application, [general] section first. */
export function scsOptions(): string {
  return ['[general]', 'alive_timeout=30', '', '[log]', 'verbose=standard', 'all=/var/log/genesys/scs.log', ''].join('\n');
}

/** How the SRE tools on an EM reach the database. */
export function sreConf(port: number): string {
  return ['# SRE database connection (tsplay lab)', 'db_host=127.0.0.1', `db_port=${port}`, 'db_name=sre', 'db_user=postgres', ''].join('\n');
}

/** SRE 3.3's maintenance crontab, which 4.0's built-in scheduler replaces (seed section 4.2.1). */
export function sreCrontab(): string {
  return ['# SRE 3.3 maintenance jobs', '15 2 * * * root /opt/sre/bin/sre-admin db backup >/dev/null 2>&1', '0 3 * * * root find /var/log/sre -mtime +30 -delete', ''].join('\n');
}

/** An OpenSIPS 2.3 script using every construct 2.4 removed or changed (seed 002). */
export function opensips23Cfg(address: string): string {
  return `#
# OpenSIPS 2.3 residential script (tsplay lab)
#
log_level=3
poll_method=epoll_lt
listen=udp:${address}:5070

mpath="/usr/lib/x86_64-linux-gnu/opensips/modules/"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "dialog.so"
loadmodule "clusterer.so"
loadmodule "cgrates.so"

modparam("dialog", "accept_replicated_dialogs", 1)
modparam("dialog", "replicate_dialogs_to", 1)
modparam("dialog", "accept_replicated_profiles", 1)
modparam("dialog", "replicate_profiles_to", 1)
modparam("clusterer", "db_url", "mysql://opensips@127.0.0.1/opensips_2_3")

route {
\tif (!(uri == myself)) {
\t\txlog("L_INFO", "foreign domain from $si\\n");
\t}
\tif (method == "OPTIONS" && src_ip == 10.0.0.1) {
\t\tsl_send_reply("200", "OK");
\t\texit;
\t}
\tif (af == INET6 || proto == TCP) {
\t\txlog("L_INFO", "v6 or tcp\\n");
\t}
\tif (msg:len > max_len) {
\t\tsl_send_reply("513", "Message too big");
\t\texit;
\t}
\tif (from_uri =~ "sip:bob@" || to_uri =~ "sip:alice@") {
\t\txlog("L_INFO", "bob or alice, dst $Ri:$Rp from port $sp\\n");
\t}
\tif (dst_ip == 127.0.0.1 && dst_port == 5070) {
\t\txlog("L_INFO", "local\\n");
\t}
\tif (cgrates_auth("$fU", "$rU")) {
\t\txlog("L_INFO", "cgrates: $cgrret\\n");
\t}
\tt_on_reply("on_reply");
\tt_relay();
}

onreply_route[on_reply] {
\tif (status =~ "^18[03]") {
\t\txlog("L_INFO", "ringing\\n");
\t}
\tif (src_port == 5060) {
\t\tsetflag(1);
\t}
}
`;
}
