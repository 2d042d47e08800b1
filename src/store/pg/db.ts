/**
 * The connection pool of the PostgreSQL store and the one way its stores talk
 * to it: parameters only (log text is data, never SQL), rows shaped like the
 * SQLite stores' rows so both share the row mappers.
 */
import pg from 'pg';

/** A pool, or one of its clients inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

const INT8 = 20;
const NUMERIC = 1700;
const JSONB = 3802;

/**
 * Type parsers of this pool only (not pg's global ones, which other code may
 * rely on): bigint (epoch ms, ids, counts) and numeric (sums of bigints) as
 * numbers, as SQLite gives them; jsonb as its text, which the SQLite stores'
 * row mappers parse defensively.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((v: string) => unknown) => {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === JSONB) return (v: string) => v;
    return pg.types.getTypeParser(oid, format) as (v: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

/** How long a new connection may take: an unreachable server is an error, not a hang. */
const CONNECT_TIMEOUT_MS = 10_000;

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: TYPES,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // An idle client whose server went away must not crash the process: the
  // pool drops it, and the next query opens a new connection.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * PostgreSQL text cannot hold U+0000, which attacker text (a user name, a line
 * relayed by a sensor) may: it becomes U+FFFD rather than failing a whole batch.
 */
function clean(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v;
  if (Array.isArray(v)) return v.map(clean);
  return v;
}

export async function query<R extends object>(
  db: Queryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return db.query<R>(sql, params.map(clean));
}

export async function rows<R extends object>(
  db: Queryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  return (await query<R>(db, sql, params)).rows;
}

export async function row<R extends object>(
  db: Queryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R | undefined> {
  return (await query<R>(db, sql, params)).rows[0];
}

/** Rows changed by a statement. */
export async function changes(
  db: Queryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<number> {
  return (await query(db, sql, params)).rowCount ?? 0;
}

/** Runs `fn` in one transaction on one client: committed when it returns, rolled back when it throws. */
export async function transaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is closed, not handed out again.
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** JSON text for a jsonb column (jsonb refuses the \u0000 escape: see `clean`). */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => clean(v));
}

/** Epoch ms as the tables keep it (whole ms); a RangeError naming the argument when not a finite time. */
export function ms(name: string, t: number): number {
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a finite time in ms, not ${t}`);
  return Math.floor(t);
}
