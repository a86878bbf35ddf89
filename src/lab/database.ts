import type { PostgresServer } from '../fleet/postgres.js';

/**
 * The lab's databases on the real PostgreSQL server: `sre` at the SRE 3.3 schema (service_logic without
 * the `tags` column 4.0 adds; `sre-admin db upgrade` adds it, the downgrade procedure drops it), and an
 * OpenSIPS 2.3 database for the 2.3 → 2.4 migration.
 */
export async function createLabDatabases(pg: PostgresServer): Promise<void> {
  await pg.psql('CREATE DATABASE sre');
  await pg.psql('CREATE DATABASE opensips_2_3');
  await pg.psql(
    [
      'CREATE TABLE service_logic (id serial PRIMARY KEY, name text NOT NULL UNIQUE, description text, created timestamptz NOT NULL DEFAULT now())',
      "INSERT INTO service_logic (name, description) VALUES ('Entry point', 'SIP entry'), ('Mobile-originated calls', 'MO routing'), ('ENUM lookup', 'ENUM interface')",
      'CREATE TABLE sre_schema (version text NOT NULL)',
      "INSERT INTO sre_schema VALUES ('3.3.0')",
    ].join(';\n'),
    'sre',
  );
  await pg.psql(
    [
      'CREATE TABLE version (table_name varchar(32) PRIMARY KEY, table_version integer NOT NULL DEFAULT 0)',
      'CREATE TABLE clusterer (id serial PRIMARY KEY, cluster_id integer NOT NULL, node_id integer NOT NULL, url varchar(64) NOT NULL, state integer NOT NULL DEFAULT 1, ls_seq_no integer NOT NULL DEFAULT 0, top_seq_no integer NOT NULL DEFAULT 0, no_ping_retries integer NOT NULL DEFAULT 3, priority integer NOT NULL DEFAULT 50, sip_addr varchar(64), flags varchar(64), description varchar(64))',
      'CREATE TABLE dialog (dlg_id bigint PRIMARY KEY, callid varchar(255) NOT NULL, from_uri varchar(128) NOT NULL, to_uri varchar(128) NOT NULL, state integer NOT NULL)',
      "INSERT INTO version VALUES ('clusterer', 3), ('dialog', 10)",
      "INSERT INTO clusterer (cluster_id, node_id, url, description) VALUES (1, 1, 'bin:10.0.0.1:5566', 'node A'), (1, 2, 'bin:10.0.0.2:5566', 'node B')",
      "INSERT INTO dialog VALUES (1, 'a84b4c76e66710', 'sip:bob@example.com', 'sip:alice@example.com', 4)",
    ].join(';\n'),
    'opensips_2_3',
  );
}
