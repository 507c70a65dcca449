import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ArchiveApiError,
  ArchiveConfigError,
  ArchiveError,
  ArchiveSourceClosedError,
  ArchiveWorkerCrashedError,
  ArchiveWorkerTimeoutError,
  FinanceSdkError,
} from './errors.js';
import type { FromWorker, SerializedError, ToWorker, WorkerCall, WorkerResults, WorkerStart } from './ipc.js';

/**
 * Runs the Finance SDK in a child process (sdk-worker.ts) and supervises it:
 * - one call at a time: calls queue here, and the child handles one message at a time;
 * - a child that dies (a crash in the native library, a kill, a call past its deadline) fails the call in flight
 *   with a retryable error and is restarted after a backoff (100 ms doubling up to 10 s, reset by a good call);
 * - close() waits for the call in flight, then asks the child to DestroySdk and exit.
 * The child is unreferenced while idle, so an idle SDK process never keeps the server's event loop alive.
 */

export interface SupervisorOptions {
  start: WorkerStart;
  /** Environment of the SDK process (the stand-in reads WECOM_FINANCE_STANDIN_URL from it). Default: ours. */
  env?: NodeJS.ProcessEnv;
  restartDelayMs?: { initial: number; max: number };
  /** Lifecycle events, for logs. */
  onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: 'spawned'; pid: number }
  | { type: 'ready'; pid: number }
  | { type: 'start_failed'; pid: number; error: Error }
  | { type: 'exited'; pid: number; code: number | null; signal: string | null; crashed: boolean }
  | { type: 'restart_scheduled'; inMs: number };

/** Another error of the SDK process (a bug, not a WeCom failure). */
export class ArchiveWorkerError extends ArchiveError {
  readonly retryable = false;

  constructor(message: string) {
    super(`the Finance SDK process failed: ${message}`);
    this.name = 'ArchiveWorkerError';
  }
}

export function deserializeError(e: SerializedError): ArchiveError {
  switch (e.kind) {
    case 'sdk':
      return new FinanceSdkError(e.code, e.operation, e.detail);
    case 'api':
      return new ArchiveApiError(e.errcode, e.errmsg);
    case 'config':
      return new ArchiveConfigError(e.message);
    case 'internal':
      return new ArchiveWorkerError(e.message);
  }
}

/** Init talks to WeCom (10 s in the stand-in); loading and key checks take far less. */
const START_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 5_000;

const WORKER_ENTRY = (() => {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  return {
    path: fileURLToPath(new URL(ts ? './sdk-worker.ts' : './sdk-worker.js', import.meta.url)),
    // Run from source (tsx, as the server itself): the child needs the same loader.
    execArgv: ts ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [],
  };
})();

interface Job {
  call: WorkerCall;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Worker {
  child: ChildProcess;
  pid: number;
  ready: Promise<void>;
  settleReady: { resolve: () => void; reject: (err: Error) => void } | null;
  inflight: { id: number; job: Job; timer: NodeJS.Timeout } | null;
  /** Set when the child is meant to stop (close, or a start that failed): its exit is not a crash. */
  expectedExit: boolean;
  exited: Promise<void>;
}

export class SdkSupervisor {
  private readonly queue: Job[] = [];
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private current: Worker | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartWait: { promise: Promise<void>; resolve: () => void } | null = null;
  private restartAttempt = 0;
  private nextId = 1;
  private closing = false;
  private closed: Promise<void> | null = null;
  private crashCount = 0;

  constructor(private readonly options: SupervisorOptions) {}

  /** The SDK process's pid, when one is running. */
  pid(): number | null {
    return this.current?.pid ?? null;
  }

  /** How many times the SDK process stopped unexpectedly. */
  crashes(): number {
    return this.crashCount;
  }

  call<K extends WorkerCall['op']>(call: Extract<WorkerCall, { op: K }>, timeoutMs: number): Promise<WorkerResults[K]> {
    if (this.closing) return Promise.reject(new ArchiveSourceClosedError());
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.queue.push({ call, timeoutMs, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const job = this.queue.shift();
    if (!job) {
      for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    this.busy = true;
    void this.run(job).finally(() => {
      this.busy = false;
      this.pump();
    });
  }

  private async run(job: Job): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.worker();
    } catch (err) {
      job.reject(err as Error);
      return;
    }
    await new Promise<void>((done) => {
      const id = this.nextId++;
      const finish = (settle: () => void) => {
        if (worker.inflight?.id !== id) return;
        clearTimeout(worker.inflight.timer);
        worker.inflight = null;
        this.setReferenced(worker, false);
        settle();
        done();
      };
      const timer = setTimeout(() => {
        finish(() => job.reject(new ArchiveWorkerTimeoutError(job.timeoutMs)));
        // Hung: the next call must not reach it while it dies.
        if (this.current === worker) this.current = null;
        worker.child.kill('SIGKILL');
      }, job.timeoutMs);
      worker.inflight = {
        id,
        timer,
        job: {
          ...job,
          resolve: (value) => finish(() => job.resolve(value)),
          reject: (err) => finish(() => job.reject(err)),
        },
      };
      this.setReferenced(worker, true);
      this.send(worker, { type: 'call', id, call: job.call });
    });
  }

  /** The running child, started (or restarted) when needed. */
  private async worker(): Promise<Worker> {
    if (this.restartWait) await this.restartWait.promise;
    if (this.closing) throw new ArchiveSourceClosedError();
    const worker = this.current ?? this.spawn();
    this.setReferenced(worker, true);
    try {
      await worker.ready;
    } finally {
      if (!worker.inflight) this.setReferenced(worker, false);
    }
    return worker;
  }

  private spawn(): Worker {
    const child = fork(WORKER_ENTRY.path, [], {
      execArgv: WORKER_ENTRY.execArgv,
      env: this.options.env ?? process.env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let exitedResolve = () => {};
    const worker: Worker = {
      child,
      pid: child.pid ?? -1,
      ready: Promise.resolve(),
      settleReady: null,
      inflight: null,
      expectedExit: false,
      exited: new Promise<void>((resolve) => (exitedResolve = resolve)),
    };
    worker.ready = new Promise<void>((resolve, reject) => (worker.settleReady = { resolve, reject }));
    // A restart nobody waits for yet must not report an unhandled rejection; callers still see the error.
    worker.ready.catch(() => {});
    const startTimer = setTimeout(() => {
      this.rejectReady(worker, new ArchiveWorkerTimeoutError(START_TIMEOUT_MS));
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    startTimer.unref();
    void worker.ready.then(
      () => clearTimeout(startTimer),
      () => clearTimeout(startTimer),
    );

    child.on('message', (message) => this.onMessage(worker, message as FromWorker));
    child.once('exit', (code, signal) => {
      exitedResolve();
      this.onExit(worker, code, signal);
    });
    child.on('error', (err) => {
      // A child that could not be spawned emits no exit: fail its start.
      if (worker.pid === -1) {
        this.rejectReady(worker, new ArchiveWorkerError(err.message));
        if (this.current === worker) this.current = null;
        exitedResolve();
      }
    });
    this.current = worker;
    if (worker.pid !== -1) this.emit({ type: 'spawned', pid: worker.pid });
    this.send(worker, { type: 'start', start: this.options.start });
    return worker;
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        worker.settleReady?.resolve();
        worker.settleReady = null;
        this.emit({ type: 'ready', pid: worker.pid });
        return;
      case 'start_failed': {
        // The child exits by itself; the next call starts a new one.
        worker.expectedExit = true;
        if (this.current === worker) this.current = null;
        const error = deserializeError(message.error);
        this.emit({ type: 'start_failed', pid: worker.pid, error });
        this.rejectReady(worker, error);
        return;
      }
      case 'result': {
        const inflight = worker.inflight;
        if (!inflight || inflight.id !== message.id) return;
        this.restartAttempt = 0;
        if (message.ok) inflight.job.resolve(message.value);
        else inflight.job.reject(deserializeError(message.error));
        return;
      }
    }
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.current === worker) this.current = null;
    const crashed = !worker.expectedExit && !this.closing;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    this.emit({ type: 'exited', pid: worker.pid, code, signal, crashed });
    this.rejectReady(worker, new ArchiveWorkerCrashedError(`${how} while starting`));
    worker.inflight?.job.reject(new ArchiveWorkerCrashedError(how));
    if (crashed) {
      this.crashCount += 1;
      // Restarted eagerly, unless a call already started its successor.
      if (!this.current) this.scheduleRestart();
    }
  }

  private rejectReady(worker: Worker, err: Error): void {
    worker.settleReady?.reject(err);
    worker.settleReady = null;
  }

  private scheduleRestart(): void {
    if (this.restartTimer) return;
    const { initial, max } = this.options.restartDelayMs ?? { initial: 100, max: 10_000 };
    const inMs = Math.min(max, initial * 2 ** this.restartAttempt);
    this.restartAttempt += 1;
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.restartWait = { promise, resolve };
    this.emit({ type: 'restart_scheduled', inMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restartWait = null;
      if (!this.closing && !this.current) this.spawn();
      resolve();
    }, inMs);
    this.restartTimer.unref();
  }

  private setReferenced(worker: Worker, on: boolean): void {
    const channel = worker.child.channel as { ref(): void; unref(): void } | null | undefined;
    if (on) {
      worker.child.ref();
      channel?.ref();
    } else {
      worker.child.unref();
      channel?.unref();
    }
  }

  private send(worker: Worker, message: ToWorker): void {
    if (!worker.child.connected) {
      // Gone between its last message and this one: its exit already ran, so fail the call here.
      worker.inflight?.job.reject(new ArchiveWorkerCrashedError('the process had already stopped'));
      return;
    }
    worker.child.send(message, (err) => {
      // The child is gone: its exit fails whatever was waiting on it.
      if (err) worker.child.kill('SIGKILL');
    });
  }

  private emit(event: SupervisorEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A logger's failure must not break the supervisor.
    }
  }

  /** Rejects queued calls, waits for the one in flight, then stops the SDK process (DestroySdk, exit). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      for (const job of this.queue.splice(0)) job.reject(new ArchiveSourceClosedError());
      if (this.restartTimer) clearTimeout(this.restartTimer);
      this.restartTimer = null;
      this.restartWait?.resolve();
      this.restartWait = null;
      if (this.busy) await new Promise<void>((wake) => this.idleWaiters.push(wake));
      const worker = this.current;
      this.current = null;
      if (!worker) return;
      worker.expectedExit = true;
      this.setReferenced(worker, true);
      if (worker.child.connected) this.send(worker, { type: 'close' });
      else worker.child.kill('SIGKILL');
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      await worker.exited;
      clearTimeout(timer);
    })();
    return this.closed;
  }
}
