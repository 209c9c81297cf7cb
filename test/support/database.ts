import { Pool } from 'pg';
import { testDatabaseUrl } from './infra';

let pool: Pool | null = null;

export async function query<T extends object = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  pool ??= new Pool({ connectionString: testDatabaseUrl(), max: 2 });
  const result = await pool.query<T>(sql, params);
  return result.rows;
}

export async function alertsFor(requestIds: string[]): Promise<Array<Record<string, any>>> {
  return query(`SELECT * FROM alerts WHERE metadata->>'request_id' = ANY($1) ORDER BY created_at`, [
    requestIds,
  ]);
}

export async function closeDatabase(): Promise<void> {
  await pool?.end();
  pool = null;
}
