import { Injectable } from '@nestjs/common';
import type { CommandResults, ParsedCommandPayload } from '../../contract';
import { Command, type CommandContext } from '../../common/ws/command';
import { OrganizationsService } from '../organizations/organizations.service';
import { RealtimeGateway } from './realtime.gateway';

/** Session-level commands and live presence on an organisation's page. */
@Injectable()
export class OrgPresenceCommands {
  constructor(
    private readonly orgs: OrganizationsService,
    private readonly gateway: RealtimeGateway,
  ) {}

  @Command('session:ping')
  ping(ctx: CommandContext): CommandResults['session:ping'] {
    return { serverTime: Date.now(), userId: ctx.principal.userId };
  }

  @Command('org:watch')
  async watch(ctx: CommandContext, p: ParsedCommandPayload<'org:watch'>): Promise<CommandResults['org:watch']> {
    await this.orgs.authorize(ctx.principal.userId, p.organizationId, 'org.view');
    const room = `org:${p.organizationId}`;
    const already = ctx.socket.rooms.has(room);
    await ctx.socket.join(room);
    const sockets = await this.gateway.server.in(room).fetchSockets();
    const online = [...new Set(sockets.map((s) => s.data.principal.userId))].sort();
    if (!already) ctx.socket.to(room).emit('org:member-online', { organizationId: p.organizationId, userId: ctx.principal.userId });
    return { organizationId: p.organizationId, online };
  }

  @Command('org:unwatch')
  async unwatch(ctx: CommandContext, p: ParsedCommandPayload<'org:unwatch'>): Promise<CommandResults['org:unwatch']> {
    const room = `org:${p.organizationId}`;
    if (ctx.socket.rooms.has(room)) {
      await this.gateway.announceIfLastInOrg(ctx.socket, room);
      await ctx.socket.leave(room);
    }
    return { organizationId: p.organizationId };
  }
}
