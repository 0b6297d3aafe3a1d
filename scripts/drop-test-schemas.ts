// Drop every schema the PostgreSQL test pass created (t_…) on TUSOU_TEST_PG_URL.
import pg from 'pg';

const url = process.env.TUSOU_TEST_PG_URL;
if (url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ nspname: string }>(String.raw`SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9a-f]{12,16}(_boss)?$'`);
  for (const r of rows) await c.query(`DROP SCHEMA IF EXISTS ${r.nspname} CASCADE`);
  await c.end();
  if (rows.length) console.log(`dropped ${rows.length} test schemas`);
}
