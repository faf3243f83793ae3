/** Something that owns onnxruntime sessions (a style model, an optimisation engine). */
export interface SessionOwner {
  dispose(): Promise<void>;
}

interface Entry {
  owner: Promise<SessionOwner>;
  holders: number;
}

/** A hold on a cached owner; `release()` lets it go (the last release disposes the owner). */
export interface SessionHold<T> {
  readonly owner: T;
  release(): Promise<void>;
}

/**
 * Session owners by what they were built from and where they run. Concurrent requests for one key share one
 * creation; a failed creation is forgotten, so the next request tries again. Owners are reference-counted:
 * each `acquire` is a hold, and the owner is disposed when its last hold is released or the cache is disposed.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  async acquire<T extends SessionOwner>(key: string, create: () => Promise<T>): Promise<SessionHold<T>> {
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { owner: create(), holders: 0 };
      this.entries.set(key, created);
      created.owner.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      entry = created;
    }
    entry.holders++;
    let owner: T;
    try {
      owner = (await entry.owner) as T;
    } catch (error) {
      entry.holders--;
      throw error;
    }
    const held = entry;
    let released = false;
    return {
      owner,
      release: async () => {
        if (released) return;
        released = true;
        if (--held.holders > 0 || this.entries.get(key) !== held) return;
        this.entries.delete(key);
        await owner.dispose();
      },
    };
  }

  /** Number of live owners (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** Disposes every owner, held or not; later requests create new ones. */
  async dispose(): Promise<void> {
    const pending = [...this.entries.values()].map((e) => e.owner);
    this.entries.clear();
    const settled = await Promise.allSettled(pending);
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.dispose() : undefined)));
  }
}
