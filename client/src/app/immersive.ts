import { useEffect, useSyncExternalStore } from 'react';

/**
 * Whether a page wants the whole window (a live meeting): the site header steps aside. The layout
 * keeps its element tree either way, so the page below it is never remounted.
 */
let immersive = false;
const listeners = new Set<() => void>();

function set(value: boolean): void {
  if (immersive === value) return;
  immersive = value;
  listeners.forEach((l) => l());
}

export const useIsImmersive = (): boolean =>
  useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => immersive,
  );

export function useImmersive(on: boolean): void {
  useEffect(() => {
    set(on);
    return () => set(false);
  }, [on]);
}
