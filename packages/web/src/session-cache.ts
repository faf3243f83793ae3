import { SessionCache } from '@pastiche/core';

/** The sessions that `stylize` and `loadStyle` create on this page (or in this worker). */
export const sessions = new SessionCache();

/** Releases every session that `stylize` / `loadStyle` created. Later calls create new ones. */
export function dispose(): Promise<void> {
  return sessions.dispose();
}
