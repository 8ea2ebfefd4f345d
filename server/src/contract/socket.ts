import { z } from 'zod';
import type { Ack } from './errors';

/**
 * The socket contract. Each client→server command has one zod schema for its payload and one result
 * type; the server validates every payload with the same schema the client is typed from. Server→client
 * events are facts in the past tense.
 */

/** Present on every command that changes state, so a retried command never applies twice. */
export const clientRequestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const commandSchemas = {
  'session:ping': z.strictObject({ at: z.number().finite().optional() }),
  'org:watch': z.strictObject({ organizationId: z.uuid() }),
  'org:unwatch': z.strictObject({ organizationId: z.uuid() }),
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandPayload<C extends CommandName> = z.input<(typeof commandSchemas)[C]>;
export type ParsedCommandPayload<C extends CommandName> = z.output<(typeof commandSchemas)[C]>;

export interface CommandResults {
  'session:ping': { serverTime: number; userId: string };
  'org:watch': { organizationId: string; online: string[] };
  'org:unwatch': { organizationId: string };
}

export interface ServerEvents {
  'org:member-online': (e: { organizationId: string; userId: string }) => void;
  'org:member-offline': (e: { organizationId: string; userId: string }) => void;
  'org:changed': (e: { organizationId: string; what: 'members' | 'institutions' | 'invitations' }) => void;
  /** The server is going away (deploy, restart); reconnect after `retryInMs`. */
  'server:draining': (e: { retryInMs: number }) => void;
}

export type ClientEvents = {
  [C in CommandName]: (payload: CommandPayload<C>, ack: (res: Ack<CommandResults[C]>) => void) => void;
};

/** Handshake `auth` object. */
export interface HandshakeAuth {
  token: string;
  protocol: number;
}
