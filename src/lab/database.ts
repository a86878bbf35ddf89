import type { PostgresServer } from '../fleet/postgres.js';

/**
 * The lab's databases on the real PostgreSQL server: `sre` at the SRE 3.3 schema (service_logic without
 * the `tags` column 4.0 adds; `sre-admin db upgrade` adds it, the downgrade procedure drops it). The OpenSIPS
 * database lives on the lab's MariaDB (opensips-db.ts).
 */
export async function createLabDatabases(pg: PostgresServer): Promise<void> {
  await pg.psql('CREATE DATABASE sre');
  await pg.psql(
    [
      'CREATE TABLE service_logic (id serial PRIMARY KEY, name text NOT NULL UNIQUE, description text, created timestamptz NOT NULL DEFAULT now())',
      "INSERT INTO service_logic (name, description) VALUES ('Entry point', 'SIP entry'), ('Mobile-originated calls', 'MO routing'), ('ENUM lookup', 'ENUM interface')",
      'CREATE TABLE sre_schema (version text NOT NULL)',
      "INSERT INTO sre_schema VALUES ('3.3.0')",
    ].join(';\n'),
    'sre',
  );
}
