/**
 * CPU time spent on a piece of work, by this process (Node) and by the
 * PostgreSQL backends connected to the bench database (read from /proc: the
 * server must be on this machine; elsewhere only Node's share is known).
 * Unlike throughput, CPU per unit of work hardly changes when other
 * processes compete for the cores, so it is the figure to compare on a busy
 * machine.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Database } from '@tellflow/db';

let tick: number | undefined;
function clockTick(): number {
  if (tick === undefined) {
    try {
      tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tick = 100;
    }
  }
  return tick;
}

/** utime + stime of a process in ms, or undefined when it is not readable. */
function processMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTick();
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  nodeMs: number;
  /** null when the backends' CPU cannot be read (PGlite runs inside Node; a remote server). */
  postgresMs: number | null;
}

export class CpuMeter {
  private node = process.cpuUsage();
  private pg = new Map<number, number>();
  private readable = false;

  /** `pids` gives the backends serving the bench database (other databases on the server are not counted). */
  constructor(private readonly pids: () => Promise<number[]>) {}

  static forDatabase(db: Database | null): CpuMeter {
    if (db?.kind !== 'postgres' || process.platform !== 'linux') return new CpuMeter(async () => []);
    return new CpuMeter(async () => {
      const { rows } = await db.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
      return rows.map((r) => r.pid);
    });
  }

  async start(): Promise<void> {
    this.pg.clear();
    const pids = await this.pids();
    for (const pid of pids) {
      const ms = processMs(pid);
      if (ms !== undefined) this.pg.set(pid, ms);
    }
    this.readable = this.pg.size > 0;
    this.node = process.cpuUsage();
  }

  async stop(): Promise<CpuUse> {
    const node = process.cpuUsage(this.node);
    let postgresMs = 0;
    for (const pid of await this.pids()) {
      const now = processMs(pid);
      if (now !== undefined) postgresMs += now - (this.pg.get(pid) ?? 0);
    }
    return { nodeMs: (node.user + node.system) / 1000, postgresMs: this.readable ? postgresMs : null };
  }
}
