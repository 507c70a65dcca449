/** Which reps a channel code rotates among right now (pure). */

export interface RotationRep {
  userId: string;
  role: 'primary' | 'backup';
  /** Local day on which the rep reached the daily cap, if any. */
  cappedOn: string | null;
}

/**
 * Primary reps who have not reached today's cap; when every primary has, the backup reps. A code cannot have
 * nobody on it, so without backups the primaries stay on (the cap then only shows, it cannot bite).
 */
export function repsOnCode(reps: RotationRep[], today: string): string[] {
  const primaries = reps.filter((r) => r.role === 'primary');
  const open = primaries.filter((r) => r.cappedOn !== today);
  if (open.length > 0) return open.map((r) => r.userId);
  const backups = reps.filter((r) => r.role === 'backup');
  return (backups.length > 0 ? backups : primaries).map((r) => r.userId);
}

export const sameReps = (a: string[], b: string[]) => a.length === b.length && a.every((u, i) => u === b[i]);
