import { DiscoveryService } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { CommandName, CommandResults, ParsedCommandPayload, ServerEvents } from '../../contract';
import type { Principal } from '../../modules/identity/identity.service';

/** A guest pass holder: an attendee of one public webinar, with no account. */
export interface GuestPrincipal {
  passId: string;
  roomId: string;
  displayName: string;
  expiresAt: number;
}

export interface SocketData {
  /** For a guest, `userId` is their guest record and `sessionId` their pass. */
  principal: Principal;
  /** Set for guests only; the command router lets them run the guest commands and no other. */
  guest?: GuestPrincipal;
  socketId: string;
  /**
   * With several nodes: the live room this socket was seated in and the lease (`epoch@node`) of the
   * owner that seated it. Kept in the socket's data so that it survives a recovery on another node.
   */
  seat?: { roomId: string; lease: string };
  /** With several nodes: the nodes this socket's commands were forwarded to, told when it drops or recovers. */
  forwardedTo?: string[];
}

export type AppSocket = Socket<Record<string, never>, ServerEvents, Record<string, never>, SocketData>;
export type AppServer = Server<Record<string, never>, ServerEvents, Record<string, never>, SocketData>;

export interface CommandContext {
  socket: AppSocket;
  principal: Principal;
  /** Named with the socket, the user, the command and, for a command that changes state, its `clientRequestId`. */
  log: Logger;
}

export type CommandHandler<C extends CommandName> = (ctx: CommandContext, payload: ParsedCommandPayload<C>) => Promise<CommandResults[C]> | CommandResults[C];

/**
 * Marks a provider method as the handler of one socket command. The command router finds it, and
 * applies authentication, the contract's schema, rate limiting, error-to-ack mapping and the latency
 * metric around it, so the method holds only domain code.
 */
export const Command = DiscoveryService.createDecorator<CommandName>();

/** How long a dropped socket may come back as itself (same id, rooms, seat) with the events it missed. */
export const RECOVERY_WINDOW_MS = 30_000;
