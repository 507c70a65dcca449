import { describe, expect, it } from 'vitest';
import { createRateMeter } from '../../server/worker/rate-meter.js';

describe('rate meter', () => {
  it('measures events per second over the last second or so, and forgets old bursts', () => {
    let now = 10_000;
    const meter = createRateMeter(() => now);
    expect(meter.perSecond()).toBe(0);
    for (let i = 0; i < 300; i++) {
      meter.mark();
      now += 2; // 500 per second
    }
    expect(meter.perSecond()).toBeGreaterThan(350);
    expect(meter.perSecond()).toBeLessThan(650);
    now += 400;
    // Still remembered 0.4 s later (the window spans the last second or so)…
    expect(meter.perSecond()).toBeGreaterThan(50);
    // … and forgotten two seconds later.
    now += 2_000;
    expect(meter.perSecond()).toBe(0);
  });

  it('tells a storm from a steady trickle', () => {
    let now = 0;
    const meter = createRateMeter(() => now);
    for (let i = 0; i < 100; i++) {
      meter.mark();
      now += 5; // 200 per second
    }
    expect(meter.perSecond()).toBeLessThan(2_000);
    for (let i = 0; i < 3_000; i++) {
      meter.mark();
      now += 0.1; // 10,000 per second
    }
    expect(meter.perSecond()).toBeGreaterThan(2_000);
  });
});
