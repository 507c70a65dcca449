import { BadRequestError } from '../errors.js';

/** A keyset position: the sort time and id of the last row of a page. */
export interface KeysetCursor {
  time: number;
  id: number;
}

/** Opaque to clients: base64url of `time.id`. */
export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(`${cursor.time}.${cursor.id}`, 'utf8').toString('base64url');
}

/** The position a cursor stands for; a cursor this server did not make is a 400 on `cursor`. */
export function decodeCursor(raw: string): KeysetCursor {
  const match = /^(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  const time = Number(match?.[1]);
  const id = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(time) || !Number.isSafeInteger(id))
    throw new BadRequestError('cursor 无效', 'cursor');
  return { time, id };
}
