import { DiscoveryService } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { CommandName, CommandResults, ParsedCommandPayload, ServerEvents } from '../../contract';
import type { Principal } from '../../modules/identity/identity.service';

export interface SocketData {
  principal: Principal;
  socketId: string;
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
