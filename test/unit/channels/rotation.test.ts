import { describe, expect, it } from 'vitest';
import { repsOnCode, type RotationRep } from '../../../server/modules/channels/rotation.js';

const rep = (userId: string, role: 'primary' | 'backup', cappedOn: string | null = null): RotationRep => ({
  userId,
  role,
  cappedOn,
});
const TODAY = '2024-06-15';

describe('repsOnCode', () => {
  it('rotates among primaries not capped today', () => {
    expect(repsOnCode([rep('a', 'primary'), rep('b', 'primary', TODAY), rep('c', 'backup')], TODAY)).toEqual(['a']);
  });

  it('a cap from an earlier day no longer counts', () => {
    expect(repsOnCode([rep('a', 'primary', '2024-06-14'), rep('b', 'primary')], TODAY)).toEqual(['a', 'b']);
  });

  it('backups take over when every primary is capped', () => {
    expect(
      repsOnCode(
        [rep('a', 'primary', TODAY), rep('b', 'primary', TODAY), rep('c', 'backup'), rep('d', 'backup')],
        TODAY,
      ),
    ).toEqual(['c', 'd']);
  });

  it('without backups the primaries stay on: a code cannot be empty', () => {
    expect(repsOnCode([rep('a', 'primary', TODAY)], TODAY)).toEqual(['a']);
  });
});
