/**
 * Typed database errors. The drivers' own errors (SQLITE_CONSTRAINT_UNIQUE, PostgreSQL's 23505 …) are translated
 * here and nowhere else, so services catch one type whatever the backend.
 */

/** A row broke a unique index or primary key; `constraint` is the index's name in the schema. */
export class UniqueViolation extends Error {
  constructor(
    readonly constraint: string,
    options?: { cause?: unknown },
  ) {
    super(`unique constraint ${constraint} violated`, options);
    this.name = 'UniqueViolation';
  }
}

/** A transaction lost a serialisation conflict (PostgreSQL) and should be run again. */
export class SerializationFailure extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the transaction conflicted with another one', options);
    this.name = 'SerializationFailure';
  }
}

/** Misuse of the unit of work: a nested `tx`, or the plain handle used inside a transaction. */
export class TransactionMisuse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionMisuse';
  }
}

/** The first typed database error in an error's cause chain (drizzle wraps driver errors in DrizzleQueryError). */
export function typedDbError(err: unknown): UniqueViolation | SerializationFailure | TransactionMisuse | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof UniqueViolation || e instanceof SerializationFailure || e instanceof TransactionMisuse) return e;
    const fromPostgres = postgresError(e);
    if (fromPostgres) return fromPostgres;
  }
  return null;
}

/** node-postgres errors carry PostgreSQL's SQLSTATE (`code`) and the constraint's name. */
function postgresError(e: Error): UniqueViolation | SerializationFailure | null {
  const { code, constraint, table } = e as Error & { code?: unknown; constraint?: string; table?: string };
  if (code === '23505') {
    // Primary keys are named `<table>_pkey` on both backends (drizzle-kit names composite ones `…_pk`).
    const name = constraint && /_pk(ey)?$/.test(constraint) && table ? `${table}_pkey` : (constraint ?? 'unknown');
    return new UniqueViolation(name, { cause: e });
  }
  if (code === '40001' || code === '40P01') return new SerializationFailure({ cause: e });
  return null;
}

/** True when `err` (or what it wraps) is a unique violation, optionally of the named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const typed = typedDbError(err);
  return typed instanceof UniqueViolation && (constraint === undefined || typed.constraint === constraint);
}
