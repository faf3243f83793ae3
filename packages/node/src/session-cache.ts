/** Something that owns onnxruntime sessions. */
export interface Disposable {
  dispose(): Promise<void>;
}

const entries = new Map<string, Promise<{ owner: Disposable }>>();

/**
 * One process-wide cache of session owners (style models, optimisation engines), keyed by what they were
 * built from and the device. Concurrent requests for one key share one creation; a failed creation is
 * forgotten so that the next call retries.
 */
export function cachedSessions<T extends Disposable>(key: string, create: () => Promise<T>): Promise<T> {
  let entry = entries.get(key);
  if (!entry) {
    entry = create().then((owner) => ({ owner }));
    entries.set(key, entry);
    entry.catch(() => entries.delete(key));
  }
  return entry.then(({ owner }) => owner as T);
}

/** Releases every session that `stylize`, `loadStyle` and the optimisation method created. */
export async function dispose(): Promise<void> {
  const all = [...entries.values()];
  entries.clear();
  const settled = await Promise.allSettled(all);
  await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.owner.dispose() : undefined)));
}
