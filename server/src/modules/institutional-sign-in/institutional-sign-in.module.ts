import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { IdentityProviderController, InstitutionalSignInController } from './institutional-sign-in.controller';
import { InstitutionalSignInService } from './institutional-sign-in.service';

/** Signing in through an organisation's own identity provider (docs/adr/0007-institutional-sign-in.md). */
@Module({
  imports: [IdentityModule, OrganizationsModule],
  controllers: [InstitutionalSignInController, IdentityProviderController],
  providers: [InstitutionalSignInService],
})
export class InstitutionalSignInModule {}
