import type { EntityManager } from 'typeorm';
import { AppError } from './errors';

/** Tables whose rows count against their creator's hourly quota (each has created_by and created_at). */
type QuotaTable = 'rooms' | 'organizations';

/**
 * Inside the creating transaction: QUOTA_EXCEEDED when `userId` already created `perHour` rows of
 * `table` in the last hour. A transaction-scoped advisory lock per user and table makes concurrent
 * creations queue, so a burst cannot slip past the count.
 */
export async function withinHourlyQuota(m: EntityManager, table: QuotaTable, userId: string, perHour: number): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`quota:${table}:${userId}`]);
  const [row] = (await m.query(`SELECT count(*)::int AS n FROM ${table} WHERE created_by = $1 AND created_at > now() - interval '1 hour'`, [userId])) as { n: number }[];
  if ((row?.n ?? 0) >= perHour) {
    throw new AppError('QUOTA_EXCEEDED', `At most ${perHour} ${table} per hour. Try again later.`, { limit: perHour, per: 'hour' });
  }
}
