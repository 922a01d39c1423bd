// Loaded with --import into a child the corpus benchmark measures: at exit, the process's own
// peak resident memory and CPU time go to the file named by $SFL_BENCH_RUSAGE.
import { writeFileSync } from 'node:fs';

const file = process.env.SFL_BENCH_RUSAGE;
if (file) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: r.maxRSS, cpuUs: r.userCPUTime + r.systemCPUTime }));
  });
}
