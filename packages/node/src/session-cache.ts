import { SessionCache } from '@pastiche/core';

/** The sessions that `stylize`, `loadStyle` and the optimisation method create in this process. */
export const sessions = new SessionCache();

/** Releases every session that `stylize`, `loadStyle` and the optimisation method created. Later calls create new ones. */
export function dispose(): Promise<void> {
  return sessions.dispose();
}
