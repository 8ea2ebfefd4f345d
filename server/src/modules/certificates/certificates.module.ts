import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EventsModule } from '../events/events.module';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { CertificatesController, PublicCertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { CredentialSigner } from './credential-signer';

/** CPD certificates of events: threshold, measure, issue, revoke, verify. */
@Module({
  imports: [IdentityModule, OrganizationsModule, EventsModule],
  controllers: [CertificatesController, PublicCertificatesController],
  providers: [
    { provide: CredentialSigner, useFactory: (c: AppConfig) => CredentialSigner.fromPkcs8(c.credentialSigningKey), inject: [APP_CONFIG] },
    CertificatesService,
  ],
})
export class CertificatesModule {}
