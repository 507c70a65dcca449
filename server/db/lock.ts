/**
 * A first-come, first-served async mutex. SQLite has one connection per process here: a transaction holds it
 * across its awaits, and statements outside a transaction wait for it (server/db/sqlite.ts).
 */
export class Lock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  get busy(): boolean {
    return this.held;
  }

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}
