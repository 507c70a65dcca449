import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Event-loop utilisation over the last window. The worker uses it to give way to callback ingestion:
 * when the loop is saturated, acknowledging WeCom (which retries after 5 s) matters more than
 * processing what is already safe in the inbox.
 */
export function createLoadGauge(windowMs = 100): { utilization(): number; stop(): void } {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let value = 0;
  const timer = setInterval(() => {
    const current = performance.eventLoopUtilization();
    value = performance.eventLoopUtilization(current, last).utilization;
    last = current;
  }, windowMs);
  timer.unref();
  return {
    utilization: () => value,
    stop: () => clearInterval(timer),
  };
}
