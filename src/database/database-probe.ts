import { DataSource } from 'typeorm';

/**
 * Can this pod reach Postgres right now? A fresh SELECT 1 raced against a timeout: used by the
 * stall watchdog, which must tell "the database is unreachable from here" from "slow".
 */
export async function databaseAnswers(dataSource: DataSource, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([dataSource.query('SELECT 1').then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
