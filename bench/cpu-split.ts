import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_SIZE = 4096;

export type CpuPart = 'service' | 'postgres' | 'kafka' | 'bench' | 'machine';
export const CPU_PARTS: CpuPart[] = ['service', 'postgres', 'kafka', 'bench', 'machine'];

/** CPU seconds per part over a run, and the wall time they were spent in. */
export interface CpuSplit {
  seconds: number;
  cpuSeconds: Record<CpuPart, number>;
  serviceRssPeakMb: number;
  /** From mark() to the end, when the run marked its steady state. */
  steady: { seconds: number; cpuSeconds: Record<CpuPart, number> } | null;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process has exited
  }
}

/** utime + stime of a process, or null once it is gone. */
function processTicks(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy ticks of the whole machine: everything but idle and iowait, over all CPUs. */
function machineTicks(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return user + nice + system + irq + softirq + steal;
}

function findKafkaBroker(): number | null {
  for (const pid of numericDirs()) {
    if (read(`/proc/${pid}/comm`)?.trim() !== 'java') continue;
    if (read(`/proc/${pid}/cmdline`)?.includes('kafka.Kafka')) return pid;
  }
  return null;
}

function numericDirs(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/**
 * Where the machine's CPU went during one run, from /proc (Linux only): the service, every
 * Postgres process, the Kafka broker, this bench process, and the machine as a whole. Also the
 * service's peak RSS. Samples every 100 ms.
 *
 * Postgres is a process per connection: the set of postgres pids is re-read at each sample, a
 * pid first seen after the start counts from zero, and one that exits counts up to its last
 * sample. So a backend's last < 100 ms are lost when it exits: a small undercount, as the
 * service keeps its pool open for the whole run. Every postgres process counts, including
 * backends serving other clients of the same server; the machine total includes everything.
 */
export class CpuSplitSampler {
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly kafkaPid = findKafkaBroker();
  private readonly start: Record<CpuPart, number>;
  private readonly last: Record<CpuPart, number>;
  /** Last ticks of every postgres pid seen; ticks before the start are in `start.postgres`. */
  private readonly postgresTicks = new Map<number, number>();
  private postgresSum = 0;
  private knownPids = new Set<number>();
  private serviceRss = 0;
  private marked: { at: number; ticks: Record<CpuPart, number> } | null = null;
  private result: CpuSplit | null = null;

  constructor(private readonly servicePid: number) {
    this.samplePostgres();
    this.start = this.read();
    this.last = { ...this.start };
    this.timer = setInterval(() => this.sample(), 100);
  }

  /** Starts the steady-state split: the run's boot is behind it. */
  mark(): void {
    this.sample();
    this.marked = { at: performance.now(), ticks: { ...this.last } };
  }

  stop(): CpuSplit {
    if (this.result) return this.result;
    clearInterval(this.timer);
    this.sample();
    const now = performance.now();
    const since = (from: Record<CpuPart, number>) => {
      const cpuSeconds = {} as Record<CpuPart, number>;
      for (const part of CPU_PARTS) {
        cpuSeconds[part] = (this.last[part] - from[part]) / TICKS_PER_SECOND;
      }
      return cpuSeconds;
    };
    this.result = {
      seconds: (now - this.startedAt) / 1000,
      cpuSeconds: since(this.start),
      serviceRssPeakMb: this.serviceRss / 1024 / 1024,
      steady: this.marked && {
        seconds: (now - this.marked.at) / 1000,
        cpuSeconds: since(this.marked.ticks),
      },
    };
    return this.result;
  }

  private sample(): void {
    const statm = read(`/proc/${this.servicePid}/statm`);
    if (statm !== null) {
      this.serviceRss = Math.max(this.serviceRss, Number(statm.split(' ')[1]) * PAGE_SIZE);
    }
    this.samplePostgres();
    const now = this.read();
    // A part that is gone (the service after SIGTERM) keeps its last reading.
    for (const part of CPU_PARTS) if (!Number.isNaN(now[part])) this.last[part] = now[part];
  }

  private read(): Record<CpuPart, number> {
    const ticks = (pid: number | null) => (pid === null ? NaN : (processTicks(pid) ?? NaN));
    return {
      service: ticks(this.servicePid),
      postgres: this.postgresSum,
      kafka: ticks(this.kafkaPid),
      bench: ticks(process.pid),
      machine: machineTicks(),
    };
  }

  private samplePostgres(): void {
    const pids = numericDirs();
    const first = this.knownPids.size === 0;
    for (const pid of pids) {
      // comm is read once per pid: a pid reused within 100 ms is not worth the reads.
      if (!this.knownPids.has(pid) && read(`/proc/${pid}/comm`)?.trim() === 'postgres') {
        this.postgresTicks.set(pid, first ? (processTicks(pid) ?? 0) : 0);
      }
    }
    this.knownPids = new Set(pids);
    for (const [pid, before] of this.postgresTicks) {
      const now = processTicks(pid);
      if (now === null) {
        this.postgresTicks.delete(pid);
        continue;
      }
      this.postgresSum += now - before;
      this.postgresTicks.set(pid, now);
    }
  }
}
