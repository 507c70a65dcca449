/**
 * The WeCom emulator: WeCom's API at its real paths and shapes, a seeded demo corp, real encrypted callbacks.
 * Mounted at /emulator in demo mode (`npm start` without credentials) and in tests, never in production.
 */
export { createEmulator, type Emulator, type EmulatorOptions } from './emulator.js';
export { emulatorPlugin } from './plugin.js';
export { DEMO_CORP } from './demo-corp.js';
export { SALES_REPS } from './seed-data.js';
export type { EmulatorCorp } from './types.js';
export type { CallRecord } from './call-log.js';
export type { Fault, FaultInput } from './faults.js';
export type { ApiRequest, ApiResponse } from './cgi.js';
export type { DeliveryAttempt } from './delivery.js';
export type { CallbackRecord, SimulateInput, SimulateResult, SimulatedChangeType } from './simulate.js';
export type { EmulatorSnapshot } from './snapshot.js';
export { EmulatorInputError } from './errcodes.js';
export type { ArchiveCredentials, ArchiveOptions, ChatResult, NotifyRecord, SdkFaultInput } from './archive.js';
