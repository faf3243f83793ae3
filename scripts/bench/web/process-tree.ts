import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of every live process, from /proc/PID/stat. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      map.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  return map;
}

/** Every live descendant of `root` (children, grandchildren, …), leaving out the subtrees under `except`. */
export function descendants(root: number, except: ReadonlySet<number> = new Set()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (except.has(child)) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** Peak resident set (VmHWM) of a live process in MiB, or NaN when it has gone. */
export function peakRssMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
