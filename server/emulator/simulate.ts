import { buildExternalContactEventXml } from '../wecom/events.js';
import type { EmulatorCore } from './core.js';
import { sendEncryptedCallback, type DeliveryAttempt } from './delivery.js';
import { EmulatorInputError } from './errcodes.js';
import { cryptoRandom, newExternalUserId } from './ids.js';
import { pick } from './prng.js';
import { PROFILE_POOLS } from './seed-data.js';
import type { Customer, Follow } from './types.js';

export const SIMULATED_CHANGE_TYPES = [
  'add_external_contact',
  'edit_external_contact',
  'del_follow_user',
  'del_external_contact',
] as const;
export type SimulatedChangeType = (typeof SIMULATED_CHANGE_TYPES)[number];

export interface SimulateInput {
  changeType: SimulatedChangeType;
  /** The rep (成员 userid). */
  userId: string;
  /** Required except for adds; an add without it creates a new customer. */
  externalUserId?: string;
  /** 「联系我」 state carried by an add event. */
  state?: string;
  /** Name of the customer an add creates. */
  name?: string;
  /** How many times the same event is delivered (1..10, default 1): exercises dedupe. */
  deliveries?: number;
  /** Adds only: whether the event carries a WelcomeCode (default true). */
  welcomeCode?: boolean;
}

export interface SimulateResult {
  externalUserId: string;
  welcomeCode: string | null;
  /** CreateTime of the event (Unix seconds, emulator clock). */
  createTime: number;
  /** Every HTTP attempt, in order. */
  deliveries: DeliveryAttempt[];
}

/** A callback the emulator sent, kept for /_state and the pages. */
export interface CallbackRecord {
  at: number;
  changeType: string;
  userId: string;
  externalUserId: string;
  state: string | null;
  welcomeCode: string | null;
  attempts: DeliveryAttempt[];
}

const MAX_CALLBACK_RECORDS = 200;

/** Internal knobs: a scan of a QR page is a customer-initiated add through a channel code. */
interface ApplyOptions {
  viaContactWay?: boolean;
}

/** Validates an untrusted /_simulate body. Throws EmulatorInputError with a message naming the problem. */
export function parseSimulateInput(raw: unknown): SimulateInput {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new EmulatorInputError('body must be a JSON object');
  const o = raw as Record<string, unknown>;
  const str = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new EmulatorInputError(`${key} must be a string`);
    return v;
  };
  const changeType = str('changeType');
  if (!changeType || !(SIMULATED_CHANGE_TYPES as readonly string[]).includes(changeType)) {
    throw new EmulatorInputError(
      `changeType must be one of ${SIMULATED_CHANGE_TYPES.join(', ')} (got ${JSON.stringify(o.changeType)})`,
    );
  }
  const userId = str('userId');
  if (!userId) throw new EmulatorInputError('userId is required');
  const deliveries = o.deliveries;
  if (
    deliveries !== undefined &&
    (typeof deliveries !== 'number' || !Number.isInteger(deliveries) || deliveries < 1 || deliveries > 10)
  ) {
    throw new EmulatorInputError('deliveries must be an integer from 1 to 10');
  }
  if (o.welcomeCode !== undefined && typeof o.welcomeCode !== 'boolean')
    throw new EmulatorInputError('welcomeCode must be a boolean');
  const state = str('state');
  if (state !== undefined && [...state].length > 30)
    throw new EmulatorInputError('state must be at most 30 characters (WeCom limit)');
  const name = str('name');
  if (name !== undefined && (name.trim() === '' || [...name].length > 64))
    throw new EmulatorInputError('name must be 1 to 64 characters');
  return {
    changeType: changeType as SimulatedChangeType,
    userId,
    externalUserId: str('externalUserId') || undefined,
    state,
    name: name?.trim(),
    deliveries: deliveries as number | undefined,
    welcomeCode: o.welcomeCode as boolean | undefined,
  };
}

/** A realistic new customer: mostly WeChat users, some WeCom users with a company. */
export function newCustomerProfile(name?: string): Customer {
  const r = cryptoRandom;
  const male = r() < 0.5;
  const isWecom = r() < 0.25;
  const company = pick(r, PROFILE_POOLS.COMPANIES);
  return {
    external_userid: newExternalUserId(),
    name:
      name ?? pick(r, PROFILE_POOLS.SURNAMES) + pick(r, male ? PROFILE_POOLS.MALE_GIVEN : PROFILE_POOLS.FEMALE_GIVEN),
    type: isWecom ? 2 : 1,
    gender: name ? 0 : male ? 1 : 2,
    position: isWecom ? pick(r, PROFILE_POOLS.POSITIONS) : '',
    corp_name: isWecom ? company[0] : '',
    corp_full_name: isWecom ? company[1] : '',
    unionid: '',
    follows: [],
  };
}

function editedDescription(previous: string, nowMs: number): string {
  const base = previous.replace(/（\d{2}-\d{2} \d{2}:\d{2} 更新）$/, '');
  const t = new Date(nowMs + 8 * 3600 * 1000).toISOString(); // Beijing time
  const stamp = `（${t.slice(5, 10)} ${t.slice(11, 16)} 更新）`;
  return [...base].slice(0, 150 - [...stamp].length).join('') + stamp;
}

/** Applies the change to the emulator's data (synchronously) and returns what the event must carry. */
function applyChange(core: EmulatorCore, input: SimulateInput, opts: ApplyOptions) {
  const rep = core.findRep(input.userId);
  if (!rep) throw new EmulatorInputError(`unknown rep userId "${input.userId}"`);
  const now = core.clock.nowMs();
  const nowSec = Math.floor(now / 1000);

  if (input.changeType === 'add_external_contact') {
    let customer: Customer;
    if (input.externalUserId) {
      const found = core.findCustomer(input.externalUserId);
      if (!found)
        throw new EmulatorInputError(
          `unknown externalUserId "${input.externalUserId}" (omit it to create a new customer)`,
        );
      if (core.findFollow(found, rep.userid)) {
        throw new EmulatorInputError(`customer ${found.external_userid} is already a customer of ${rep.userid}`);
      }
      customer = found;
    } else {
      customer = newCustomerProfile(input.name);
      core.data.customers.push(customer);
    }
    // A scan of a channel code (or any add with a state) is customer-initiated: add_way 1 扫描二维码.
    const scanned = opts.viaContactWay === true || !!input.state;
    const follow: Follow = {
      userid: rep.userid,
      remark: '',
      description: '',
      createtime: nowSec,
      tag_ids: [],
      remark_corp_name: '',
      remark_mobiles: [],
      oper_userid: scanned ? customer.external_userid : rep.userid,
      add_way: scanned ? 1 : 2,
      state: input.state ?? '',
    };
    customer.follows.push(follow);
    core.data.activity.push({ at: now, kind: 'add', userid: rep.userid, external_userid: customer.external_userid });
    core.changed();
    const welcomeCode =
      input.welcomeCode === false ? null : core.credentials.issueWelcomeCode(rep.userid, customer.external_userid);
    return { externalUserId: customer.external_userid, welcomeCode, state: input.state || undefined };
  }

  if (!input.externalUserId) throw new EmulatorInputError(`externalUserId is required for ${input.changeType}`);
  const customer = core.findCustomer(input.externalUserId);
  if (!customer) throw new EmulatorInputError(`unknown externalUserId "${input.externalUserId}"`);
  const follow = core.findFollow(customer, rep.userid);
  if (!follow) throw new EmulatorInputError(`customer ${customer.external_userid} is not a customer of ${rep.userid}`);

  if (input.changeType === 'edit_external_contact') {
    follow.description = editedDescription(follow.description, now);
    core.data.activity.push({ at: now, kind: 'edit', userid: rep.userid, external_userid: customer.external_userid });
  } else {
    customer.follows = customer.follows.filter((f) => f !== follow);
    core.data.activity.push({
      at: now,
      kind: input.changeType,
      userid: rep.userid,
      external_userid: customer.external_userid,
    });
  }
  core.changed();
  return { externalUserId: customer.external_userid, welcomeCode: null, state: undefined };
}

/**
 * Makes "WeCom" report a change: updates the emulator's data, builds the change_external_contact event, seals it
 * with the corp's token/EncodingAESKey/corpid and POSTs it to the callback URL `deliveries` times, one after the
 * other (same event, same CreateTime; each delivery freshly encrypted and signed). Each delivery is retried like
 * WeCom retries.
 */
export async function simulate(
  core: EmulatorCore,
  input: SimulateInput,
  opts: ApplyOptions = {},
): Promise<SimulateResult> {
  const applied = applyChange(core, input, opts);
  const createTime = core.clock.nowSeconds();
  const eventXml = buildExternalContactEventXml({
    corpId: core.corp.corpId,
    changeType: input.changeType,
    userId: input.userId,
    externalUserId: applied.externalUserId,
    createTime,
    state: applied.state,
    welcomeCode: applied.welcomeCode ?? undefined,
  });
  const attempts: DeliveryAttempt[] = [];
  const count = input.deliveries ?? 1;
  for (let delivery = 1; delivery <= count && !core.shutdown.signal.aborted; delivery++) {
    attempts.push(...(await sendEncryptedCallback(core, eventXml, delivery)));
  }

  core.callbacks.push({
    at: core.clock.nowMs(),
    changeType: input.changeType,
    userId: input.userId,
    externalUserId: applied.externalUserId,
    state: applied.state ?? null,
    welcomeCode: applied.welcomeCode,
    attempts,
  });
  if (core.callbacks.length > MAX_CALLBACK_RECORDS)
    core.callbacks.splice(0, core.callbacks.length - MAX_CALLBACK_RECORDS);
  return { externalUserId: applied.externalUserId, welcomeCode: applied.welcomeCode, createTime, deliveries: attempts };
}
