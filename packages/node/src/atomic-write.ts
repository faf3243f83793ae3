import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, chown, lstat, open, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * A temporary name in `folder`, so that the final rename stays on one file system. Short and never derived from the
 * target's name: a valid name near the 255-byte limit plus a suffix would not be one.
 */
export function temporaryNameIn(folder: string): string {
  return join(folder, `.pastiche-${randomBytes(8).toString('hex')}.tmp`);
}

/** A temporary name beside `path` (in its folder). */
export function temporarySibling(path: string): string {
  return temporaryNameIn(dirname(path));
}

const MAX_LINKS = 40;

/**
 * The file a write to `path` lands in: `path` itself, or, where it is a symbolic link (a chain of them, or one that
 * points nowhere yet), the file the link names. Writing there keeps the link.
 */
export async function resolveWriteTarget(path: string): Promise<string> {
  let target = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let info: Stats;
    try {
      info = await lstat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return target;
      throw error;
    }
    if (!info.isSymbolicLink()) return target;
    target = resolve(dirname(target), await readlink(target));
  }
  throw Object.assign(new Error(`Too many levels of symbolic links at '${path}'`), { code: 'ELOOP' });
}

// Temporary files being written, removed if the process is interrupted before they are renamed into place.
const inFlight = new Set<string>();
const SIGNALS: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

function removeInFlightSync(): void {
  for (const tmp of inFlight) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone (renamed, or never created).
    }
  }
  inFlight.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeInFlightSync();
  uninstall();
  // Listening to a signal turns off its default (exit); where no one else listens, re-raise it so that the process
  // still ends as it would have, with the signal's status. Another listener decides for itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', removeInFlightSync);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', removeInFlightSync);
}

/** Tracks a temporary file; the signal listeners exist only while at least one is in flight. */
function track(tmp: string): void {
  if (inFlight.size === 0) install();
  inFlight.add(tmp);
}

function untrack(tmp: string): void {
  if (inFlight.delete(tmp) && inFlight.size === 0) uninstall();
}

/** The temporary files of writes now in progress (for tests). */
export function temporaryFilesInFlight(): string[] {
  return [...inFlight];
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Gives `tmp` the owner (where this process may) and then the permissions of the file it replaces. */
async function copyAttributes(tmp: string, existing: Stats): Promise<void> {
  if (process.platform !== 'win32') {
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    if (existing.uid !== uid || existing.gid !== gid) {
      try {
        await chown(tmp, existing.uid, existing.gid);
      } catch {
        // Only root may give a file away; a group the process is not in is refused too. Keep the process's own.
        try {
          await chown(tmp, -1, existing.gid);
        } catch {
          // Not a group of ours.
        }
      }
    }
  }
  // After chown, which clears the set-id bits.
  await chmod(tmp, existing.mode & 0o7777);
}

/**
 * Writes through a temporary file and renames it into place, so that readers never see a half-written file and a
 * failure leaves the old file (if any) untouched. An existing file keeps its permissions (and owner, where the process
 * may set it); a symbolic link is written through (its target is replaced, the link kept). The temporary file is
 * removed on failure and when the process is ended by SIGINT, SIGTERM or SIGHUP.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const target = await resolveWriteTarget(path);
  const existing = await statOrUndefined(target);
  if (existing?.isDirectory()) throw Object.assign(new Error(`'${path}' is a folder`), { code: 'EISDIR' });
  if (existing && !existing.isFile()) {
    // A device, FIFO or socket: replacing it would destroy it, and there is nothing to keep whole. Write into it.
    await writeFile(target, data);
    return;
  }
  const tmp = temporaryNameIn(dirname(target));
  track(tmp);
  try {
    // 'wx': never follow or reuse something already at the temporary name. Created no more open than the file it replaces.
    const handle = await open(tmp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (existing) await copyAttributes(tmp, existing);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  } finally {
    untrack(tmp);
  }
}
