/** The emulator's notion of "now": an injectable base clock plus an offset that /_clock can move forward. */
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  nowMs(): number {
    return this.base() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the emulator clock only moves forward');
    this.offsetMs += ms;
  }
}
