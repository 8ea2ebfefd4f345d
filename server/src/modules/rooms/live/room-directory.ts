import { hostname } from 'node:os';

/**
 * Which node hosts a live room. The single-node directory below answers "this node" for everything;
 * a Redis-backed directory can replace it (same interface, bound to ROOM_DIRECTORY) so that joins are
 * routed to the node that owns the room, without touching the gateways or the room layer.
 */
export interface RoomDirectory {
  /** This node's name in the directory. */
  readonly nodeId: string;
  /** Shared with other nodes (Redis): a room may be, or have been, live on another process meanwhile. */
  readonly shared: boolean;
  /** Claims the room for `nodeId` unless another node holds it; returns the owner. */
  claim(roomId: string, nodeId: string): Promise<string>;
  release(roomId: string, nodeId: string): Promise<void>;
  owner(roomId: string): Promise<string | null>;
  /** Gives back every room this node holds (after its sessions were handed over on shutdown). */
  releaseAll(): Promise<void>;
}

export class InMemoryRoomDirectory implements RoomDirectory {
  readonly nodeId = `${hostname()}:${process.pid}`;
  readonly shared = false;
  private readonly owners = new Map<string, string>();

  async releaseAll(): Promise<void> {
    this.owners.clear();
  }

  async claim(roomId: string, nodeId: string): Promise<string> {
    const current = this.owners.get(roomId);
    if (current) return current;
    this.owners.set(roomId, nodeId);
    return nodeId;
  }

  async release(roomId: string, nodeId: string): Promise<void> {
    if (this.owners.get(roomId) === nodeId) this.owners.delete(roomId);
  }

  async owner(roomId: string): Promise<string | null> {
    return this.owners.get(roomId) ?? null;
  }
}

export const ROOM_DIRECTORY = Symbol('ROOM_DIRECTORY');
