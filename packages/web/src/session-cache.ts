/** Something that owns onnxruntime-web sessions. */
export interface SessionOwner {
  dispose(): Promise<void>;
}

/**
 * Session owners (style models now, optimisation engines later) by what they were built from and where
 * they run. Concurrent requests for one key share one creation; a failed creation is forgotten, so the
 * next request tries again.
 */
export class SessionCache {
  private readonly owners = new Map<string, Promise<SessionOwner>>();

  get<T extends SessionOwner>(key: string, create: () => Promise<T>): Promise<T> {
    let owner = this.owners.get(key);
    if (!owner) {
      owner = create();
      this.owners.set(key, owner);
      owner.catch(() => this.owners.delete(key));
    }
    return owner as Promise<T>;
  }

  /** Releases every session; later requests create new ones. */
  async dispose(): Promise<void> {
    const pending = [...this.owners.values()];
    this.owners.clear();
    const settled = await Promise.allSettled(pending);
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.dispose() : undefined)));
  }
}

/** The sessions that `stylize` and `loadStyle` create on this page (or in this worker). */
export const sessions = new SessionCache();

/** Releases every session that `stylize` / `loadStyle` created. Later calls create new ones. */
export function dispose(): Promise<void> {
  return sessions.dispose();
}
