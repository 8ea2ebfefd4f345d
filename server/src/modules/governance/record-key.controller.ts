import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { RecordKeyView } from '../../contract';
import { GovernanceService } from './governance.service';

/** The public half of the key that signs every meeting's record, for anyone checking an export. */
@ApiTags('governance')
@Controller('.well-known')
export class RecordKeyController {
  constructor(private readonly gov: GovernanceService) {}

  @Get('quorum-record-key')
  @Header('Cache-Control', 'public, max-age=300')
  key(): RecordKeyView {
    return { algorithm: 'Ed25519', publicKey: this.gov.signer.publicKey, keyId: this.gov.signer.keyId };
  }
}
