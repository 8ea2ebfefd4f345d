import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { GuestsModule } from '../guests/guests.module';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { CommandRouter } from './command-router';
import { OrgPresenceCommands } from './org-presence.commands';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [DiscoveryModule, IdentityModule, GuestsModule, OrganizationsModule],
  providers: [CommandRouter, RealtimeGateway, OrgPresenceCommands],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
