import { runDemo } from '../demo.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

export const demo: Command = {
  name: 'demo',
  summary: 'run a small outbound task with callbacks against the simulator',
  usage: `Usage: tellflow demo [--subscribers N] [--speed X] [--minutes M]

Seeds an outbound task with 20 subscribers and three operators in a
throw-away in-memory database, and runs the bundled scenarios (operator
calling, outbound routing, Form 1 dialog, callback monitor every 5 s)
against the telephony simulator on an accelerated clock. Prints each
subscriber's status transitions as they happen: new → 11 serving →
10 call back (due time) → 11 → 12 done. Your product data is not touched.

Options:
  --subscribers N   how many subscribers (default 20)
  --speed X         simulated seconds per real second (default: as fast as possible)
  --minutes M       stop after M simulated minutes (default 120)
`,
  async run(args, io) {
    const parsed = parseCommandArgs(this, args, { subscribers: { type: 'string' }, speed: { type: 'string' }, minutes: { type: 'string' } }, io, {
      positionals: false,
    });
    if (!parsed) return EXIT.usage;
    const num = (v: string | undefined, fallback: number, name: string, min: number, max: number) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`--${name} must be a number from ${min} to ${max}`);
      return n;
    };
    let subscribers: number, speed: number, minutes: number;
    try {
      subscribers = Math.floor(num(parsed.values.subscribers, 20, 'subscribers', 1, 1000));
      speed = num(parsed.values.speed, 0, 'speed', 0, 1_000_000);
      minutes = num(parsed.values.minutes, 120, 'minutes', 1, 7 * 24 * 60);
    } catch (e) {
      return usageError(this, (e as Error).message, io);
    }
    const started = Date.now();
    const r = await runDemo({ subscribers, speed, limitMinutes: minutes, print: (line) => io.stdout(line) });
    const summary = Object.entries(r.statuses)
      .map(([s, k]) => `${k} × ${s}`)
      .join(', ');
    io.stdout(
      `\nSimulated ${(r.simulatedMs / 60_000).toFixed(1)} minutes in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `${r.calls} calls, ${r.transitions} status changes; final: ${summary}.\n`,
    );
    return r.statuses['12 done'] === subscribers ? EXIT.ok : EXIT.failed;
  },
};
