import type { MariadbServer } from '../fleet/mariadb.js';

/**
 * The OpenSIPS 2.3 database on the lab's MariaDB, as `opensipsdbctl create` made it for 2.3: MyISAM tables
 * (2.3's default engine; 2.4's is InnoDB), the `version` table, and rows in every table. `clusterer` still
 * has `ls_seq_no` / `top_seq_no`, which 2.4 removed.
 */
export const OPENSIPS_23_TABLES = ['acc', 'address', 'clusterer', 'dialog', 'dispatcher', 'location', 'subscriber', 'version'] as const;

export async function createOpensips23(db: MariadbServer, name = 'opensips_2_3'): Promise<void> {
  await db.sql(`CREATE DATABASE \`${name}\` CHARACTER SET utf8 COLLATE utf8_general_ci`);
  const engine = 'ENGINE=MyISAM';
  await db.sql(
    [
      `CREATE TABLE version (table_name CHAR(32) NOT NULL, table_version INT UNSIGNED DEFAULT 0 NOT NULL, CONSTRAINT t_name_idx UNIQUE (table_name)) ${engine}`,
      `CREATE TABLE clusterer (id INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL, cluster_id INT(10) NOT NULL, node_id INT(10) NOT NULL, url CHAR(64) NOT NULL, state INT(1) DEFAULT 1 NOT NULL, ls_seq_no INT(10) DEFAULT 0 NOT NULL, top_seq_no INT(10) DEFAULT 0 NOT NULL, no_ping_retries INT(10) DEFAULT 3 NOT NULL, priority INT(10) DEFAULT 50 NOT NULL, sip_addr CHAR(64), flags CHAR(64), description CHAR(64), CONSTRAINT clusterer_idx UNIQUE (cluster_id, node_id)) ${engine}`,
      `CREATE TABLE dialog (dlg_id BIGINT(10) UNSIGNED PRIMARY KEY NOT NULL, callid CHAR(255) NOT NULL, from_uri CHAR(128) NOT NULL, from_tag CHAR(64) NOT NULL, to_uri CHAR(128) NOT NULL, to_tag CHAR(64) NOT NULL, state INT(10) UNSIGNED NOT NULL, start_time INT(10) UNSIGNED NOT NULL, timeout INT(10) UNSIGNED DEFAULT 0 NOT NULL, vars BLOB DEFAULT NULL) ${engine}`,
      `CREATE TABLE subscriber (id INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL, username CHAR(64) DEFAULT '' NOT NULL, domain CHAR(64) DEFAULT '' NOT NULL, password CHAR(25) DEFAULT '' NOT NULL, email_address CHAR(64) DEFAULT '' NOT NULL, ha1 CHAR(64) DEFAULT '' NOT NULL, ha1b CHAR(64) DEFAULT '' NOT NULL, rpid CHAR(64) DEFAULT NULL, CONSTRAINT account_idx UNIQUE (username, domain)) ${engine}`,
      `CREATE TABLE location (contact_id BIGINT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL, username CHAR(64) DEFAULT '' NOT NULL, domain CHAR(64) DEFAULT NULL, contact CHAR(255) DEFAULT '' NOT NULL, received CHAR(128) DEFAULT NULL, expires INT(10) UNSIGNED NOT NULL, q FLOAT(10,2) DEFAULT 1.0 NOT NULL, callid CHAR(255) DEFAULT 'Default-Call-ID' NOT NULL, cseq INT(11) DEFAULT 13 NOT NULL, last_modified DATETIME DEFAULT '1900-01-01 00:00:01' NOT NULL, user_agent CHAR(255) DEFAULT '' NOT NULL) ${engine}`,
      `CREATE TABLE dispatcher (id INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL, setid INT DEFAULT 0 NOT NULL, destination CHAR(192) DEFAULT '' NOT NULL, socket CHAR(128) DEFAULT NULL, state INT DEFAULT 0 NOT NULL, weight CHAR(64) DEFAULT 1 NOT NULL, priority INT DEFAULT 0 NOT NULL, attrs CHAR(128) DEFAULT '' NOT NULL, description CHAR(64) DEFAULT '' NOT NULL) ${engine}`,
      `CREATE TABLE address (id INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL, grp SMALLINT(5) UNSIGNED DEFAULT 0 NOT NULL, ip CHAR(50) NOT NULL, mask TINYINT DEFAULT 32 NOT NULL, port SMALLINT(5) UNSIGNED DEFAULT 0 NOT NULL, proto CHAR(4) DEFAULT 'any' NOT NULL, pattern CHAR(64) DEFAULT NULL, context_info CHAR(32) DEFAULT NULL) ${engine}`,
      `CREATE TABLE acc (id INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL, method CHAR(16) DEFAULT '' NOT NULL, from_tag CHAR(64) DEFAULT '' NOT NULL, to_tag CHAR(64) DEFAULT '' NOT NULL, callid CHAR(64) DEFAULT '' NOT NULL, sip_code CHAR(3) DEFAULT '' NOT NULL, sip_reason CHAR(32) DEFAULT '' NOT NULL, time DATETIME NOT NULL, duration INT(11) UNSIGNED DEFAULT 0 NOT NULL, ms_duration INT(11) UNSIGNED DEFAULT 0 NOT NULL, setuptime INT(11) UNSIGNED DEFAULT 0 NOT NULL, created DATETIME DEFAULT NULL) ${engine}`,
      `INSERT INTO version VALUES ('acc', 7), ('address', 5), ('clusterer', 3), ('dialog', 10), ('dispatcher', 8), ('location', 1013), ('subscriber', 7)`,
      `INSERT INTO clusterer (cluster_id, node_id, url, ls_seq_no, top_seq_no, description) VALUES (1, 1, 'bin:10.0.0.1:5566', 12, 7, 'node A'), (1, 2, 'bin:10.0.0.2:5566', 9, 7, 'node B')`,
      `INSERT INTO dialog VALUES (1, 'a84b4c76e66710', 'sip:bob@example.com', '1928301774', 'sip:alice@example.com', '314159', 4, 1528364400, 1528368000, X'00ff7e')`,
      `INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('alice', 'example.com', 'a-pass', MD5('alice:example.com:a-pass'), MD5('alice@example.com:example.com:a-pass')), ('bob', 'example.com', 'b''pass', MD5('bob:example.com:b''pass'), '')`,
      `INSERT INTO location (username, domain, contact, received, expires, q, last_modified, user_agent) VALUES ('alice', 'example.com', 'sip:alice@192.0.2.10:5060', NULL, 1528368000, 0.5, '2018-06-07 11:42:00', 'Zoiper ü')`,
      `INSERT INTO dispatcher (setid, destination, weight, description) VALUES (1, 'sip:10.0.0.11:5060', 50, 'gw1'), (1, 'sip:10.0.0.12:5060', 50, 'gw2')`,
      `INSERT INTO address (grp, ip, mask, port, proto, context_info) VALUES (1, '10.0.0.0', 24, 0, 'any', 'core'), (2, '192.0.2.1', 32, 5060, 'udp', NULL)`,
      `INSERT INTO acc (method, callid, sip_code, sip_reason, time, duration) VALUES ('INVITE', 'c1@example.com', '200', 'OK', '2018-06-07 11:00:00', 61), ('BYE', 'c1@example.com', '200', 'OK', '2018-06-07 11:01:01', 0)`,
    ].join(';\n'),
    name,
  );
}

/** `~/.my.cnf` for the OpenSIPS host: how the site's tools (and Ansible's config_file) reach MySQL. */
export function opensipsMyCnf(db: MariadbServer): string {
  return ['# MySQL client defaults (tsplay lab)', '[client]', 'user=admin', 'password="admin-pw"', 'host=127.0.0.1', `port=${db.port}`, ''].join('\n');
}
