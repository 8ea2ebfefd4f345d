/**
 * This browser's storage (localStorage) for what Quorum remembers between visits: choices, receipts,
 * a teller's key. A browser may refuse it: private modes, blocked site data (then even reading it
 * throws), a full quota. Nothing here throws for that; each call says what happened instead, and the
 * caller decides whether the page goes on without the memory (almost always) or stops (a key that
 * would be lost).
 */

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The kept text, or null when nothing is kept or the browser refuses to read it. */
export function readKept(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** The kept value parsed from JSON, or undefined when nothing is kept, it is unreadable or damaged. */
export function readKeptJson(key: string): unknown {
  const raw = readKept(key);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** Keeps text under the key; false when the browser would not (blocked or full storage). */
export function keep(key: string, value: string): boolean {
  try {
    const s = storage();
    if (!s) return false;
    s.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Keeps a value as JSON; false when the browser would not. */
export const keepJson = (key: string, value: unknown): boolean => keep(key, JSON.stringify(value));

/** Forgets the key (nothing happens when storage is refused). */
export function forget(key: string): void {
  try {
    storage()?.removeItem(key);
  } catch {
    /* nothing kept that could be forgotten */
  }
}
