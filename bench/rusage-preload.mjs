// Loaded with --import into a child the corpus benchmark measures: at exit, the process's own
// peak resident memory and CPU time go to the file named by $SFL_BENCH_RUSAGE, with two sampled
// peaks (every 25 ms) that tell what the resident memory holds: of the array buffers (typed
// arrays' memory outside V8's heap: decoded blocks, live or garbage awaiting collection), and of
// the resident memory besides them (heap, code, native libraries).
import { writeFileSync } from 'node:fs';

const file = process.env.SFL_BENCH_RUSAGE;
if (file) {
  let arrayBuffers = 0, rssBesides = 0;
  const sample = () => {
    const m = process.memoryUsage();
    arrayBuffers = Math.max(arrayBuffers, m.arrayBuffers);
    rssBesides = Math.max(rssBesides, m.rss - m.arrayBuffers);
  };
  setInterval(sample, 25).unref();
  process.on('exit', () => {
    sample();
    const r = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: r.maxRSS, cpuUs: r.userCPUTime + r.systemCPUTime, arrayBuffersKb: arrayBuffers / 1024, rssBesidesKb: rssBesides / 1024 }));
  });
}
