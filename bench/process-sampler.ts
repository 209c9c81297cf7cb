import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_SIZE = 4096;

/** Samples a process's RSS and CPU time from /proc every `intervalMs` (Linux only). */
export class ProcessSampler {
  peakRssBytes = 0;
  private readonly startedAt = performance.now();
  private readonly startTicks: number;
  private lastTicks: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.startTicks = this.lastTicks = this.cpuTicks();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Average CPU use (1.0 = one core busy) since the sampler started. */
  stop(): { peakRssMb: number; avgCpuCores: number } {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    return {
      peakRssMb: this.peakRssBytes / 1024 / 1024,
      avgCpuCores: (this.lastTicks - this.startTicks) / TICKS_PER_SECOND / seconds,
    };
  }

  private sample(): void {
    try {
      const rssPages = Number(readFileSync(`/proc/${this.pid}/statm`, 'utf8').split(' ')[1]);
      this.peakRssBytes = Math.max(this.peakRssBytes, rssPages * PAGE_SIZE);
      this.lastTicks = this.cpuTicks();
    } catch {
      // the process has exited
    }
  }

  private cpuTicks(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  }
}
