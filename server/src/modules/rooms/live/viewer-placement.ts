/**
 * Where a viewer's receive transport goes when a room spans several workers. The room's first router
 * (the origin) holds every producer; a viewer received elsewhere costs one pipe per stream it watches,
 * so the origin is filled first, then each further router in turn, and a new router is opened on
 * another worker only when every router of the room is at its budget.
 */

export interface RoomRouterLoad {
  workerIndex: number;
  /** Closed with its worker: takes nobody. */
  alive: boolean;
  /** Consumers it carries, counting those its viewers are still expected to open. */
  load: number;
}

export type Placement =
  /** An existing router of the room, by its position in the list given. */
  | { kind: 'existing'; index: number }
  /** A new router on a live worker other than these. */
  | { kind: 'new'; avoid: number[] };

/**
 * @param routers the room's routers, origin first, then in the order they were opened
 * @param cost the consumers the new viewer is expected to open
 * @param budget consumers one router of the room may carry before the next viewer goes elsewhere
 * @param aliveWorkers indexes of the workers that can take a new router
 */
export function placeViewer(routers: readonly RoomRouterLoad[], cost: number, budget: number, aliveWorkers: readonly number[]): Placement {
  const live = routers.flatMap((r, index) => (r.alive ? [{ ...r, index }] : []));
  // An empty router takes a viewer whatever they cost: splitting one viewer is not possible.
  const fits = live.find((r) => r.load === 0 || r.load + cost <= budget);
  if (fits) return { kind: 'existing', index: fits.index };
  const used = [...new Set(live.map((r) => r.workerIndex))];
  if (aliveWorkers.some((w) => !used.includes(w))) return { kind: 'new', avoid: used };
  // Every worker already carries this room: the least loaded of its routers, over budget as it is.
  const least = live.reduce<(typeof live)[number] | undefined>((best, r) => (!best || r.load < best.load ? r : best), undefined);
  return least ? { kind: 'existing', index: least.index } : { kind: 'new', avoid: [] };
}
