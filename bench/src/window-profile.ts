/**
 * A CPU profile of a window the benchmark chooses, not of the whole process: the first SIGUSR2
 * starts V8's profiler, the next one writes `<dir>/window-<pid>-<n>.cpuprofile` and stops it.
 * `--cpu-prof` profiles from start to exit, so a fan-out profile was mostly the 5,000 subscribe
 * operations and the teardown, not the events being measured. Beside it, `….gc.json` gives the
 * window's garbage collections by kind (count and milliseconds), which a profile lumps together.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import path from 'node:path';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor (scavenge)',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major (mark-compact)',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/**
 * `heap`: also sample allocations (`….heapprofile`); it slows the process, so CPU figures inflate.
 * `name`: the files' prefix (`window` when omitted), e.g. to tell client processes from the server.
 */
export function profileBetweenSignals(dir: string, options: { heap?: boolean; name?: string } = {}): void {
  const session = new Session();
  session.connect();
  let running = false;
  let written = 0;
  let gc: Record<string, { count: number; ms: number }> = {};
  const observer = new PerformanceObserver((list) => {
    if (!running) return;
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = GC_KINDS[entry.detail?.kind ?? -1] ?? 'other';
      const sum = (gc[kind] ??= { count: 0, ms: 0 });
      sum.count++;
      sum.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!running) {
        running = true;
        gc = {};
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
        if (!options.heap) return;
        await session.post('HeapProfiler.enable');
        // Every 4 KiB allocated, with what is collected kept in: what the scavenges are made of.
        await session.post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
        return;
      }
      running = false;
      const { profile } = await session.post('Profiler.stop');
      const file = path.join(dir, `${options.name ?? 'window'}-${process.pid}-${++written}`);
      writeFileSync(`${file}.cpuprofile`, JSON.stringify(profile));
      if (options.heap) {
        const { profile: heap } = await session.post('HeapProfiler.stopSampling');
        writeFileSync(`${file}.heapprofile`, JSON.stringify(heap));
      }
      writeFileSync(`${file}.gc.json`, JSON.stringify(gc, null, 2));
    })();
  });
}
