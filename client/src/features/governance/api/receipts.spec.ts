import { describe, expect, it } from '@jest/globals';
import type { BulletinEntry } from '@contract';
import { receiptHash as serverReceiptHash } from '../../../../../server/src/modules/governance/audit-chain';
import { findOnBulletin, receiptHash } from './receipts';

const ballotId = '4f6c1d2e-8a3b-4c5d-9e0f-1a2b3c4d5e6f';

describe('checking a receipt in the browser', () => {
  it.each(['VKBGM-E9E4Q-V926B-VVFSZ', 'abc12345', 'ünïcødé-رمز-收据'])('hashes %s exactly as the server does', async (receipt) => {
    expect(await receiptHash(ballotId, receipt)).toBe(serverReceiptHash(ballotId, receipt));
  });

  it('finds the entry of a receipt, ignoring surrounding spaces, and nothing for another receipt', async () => {
    const board: BulletinEntry[] = [
      { secrecy: 'secret', receiptHash: serverReceiptHash(ballotId, 'AAAAA-BBBBB'), choice: 'yes', weight: 1 },
      { secrecy: 'secret', receiptHash: serverReceiptHash(ballotId, 'CCCCC-DDDDD'), choice: 'abstain', weight: 3 },
    ];
    expect(await findOnBulletin(board, ballotId, '  CCCCC-DDDDD ')).toMatchObject({ choice: 'abstain', weight: 3 });
    expect(await findOnBulletin(board, ballotId, 'CCCCC-DDDDE')).toBeNull();
    // The ballot id is part of the hash: a receipt of another ballot never matches.
    expect(await findOnBulletin(board, '00000000-0000-4000-8000-000000000000', 'AAAAA-BBBBB')).toBeNull();
  });
});
