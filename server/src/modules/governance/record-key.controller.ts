import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { RecordKeyView } from '../../contract';
import { RecordSigner } from './record-signer';

/** The public half of the key that signs every meeting's record, for anyone checking an export. */
@ApiTags('governance')
@Controller('.well-known')
export class RecordKeyController {
  constructor(private readonly signer: RecordSigner) {}

  @Get('quorum-record-key')
  @Header('Cache-Control', 'public, max-age=300')
  key(): RecordKeyView {
    return { algorithm: 'Ed25519', publicKey: this.signer.publicKey, keyId: this.signer.keyId };
  }
}
