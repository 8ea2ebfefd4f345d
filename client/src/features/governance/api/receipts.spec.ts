import { describe, expect, it } from '@jest/globals';
import type { BulletinEntry } from '@contract';
import { receiptHash as serverReceiptHash } from '../../../../../server/src/modules/governance/audit-chain';
import { findOnBulletin, parseReceipt, receiptHash, receiptToken } from './receipts';

const ballotId = '4f6c1d2e-8a3b-4c5d-9e0f-1a2b3c4d5e6f';

describe('checking a receipt in the browser', () => {
  it.each(['VKBGM-E9E4Q-V926B-VVFSZ', 'abc12345', 'ünïcødé-رمز-收据'])('hashes %s exactly as the server does, for every unit of weight', async (receipt) => {
    for (const unit of [1, 2, 7]) expect(await receiptHash(ballotId, receipt, unit)).toBe(serverReceiptHash(ballotId, receipt, unit));
  });

  it('finds every unit of a receipt, ignoring surrounding spaces, and nothing for another receipt', async () => {
    const board: BulletinEntry[] = [
      { secrecy: 'secret', receiptHash: serverReceiptHash(ballotId, 'AAAAA-BBBBB'), choice: 'yes', weight: 1 },
      ...[1, 2, 3].map((u): BulletinEntry => ({ secrecy: 'secret', receiptHash: serverReceiptHash(ballotId, 'CCCCC-DDDDD', u), choice: 'abstain', weight: 1 })),
    ];
    const found = await findOnBulletin(board, ballotId, '  CCCCC-DDDDD ');
    expect(found).toHaveLength(3);
    expect(found.every((e) => e.choice === 'abstain')).toBe(true);
    expect(await findOnBulletin(board, ballotId, 'AAAAA-BBBBB')).toHaveLength(1);
    expect(await findOnBulletin(board, ballotId, 'CCCCC-DDDDE')).toEqual([]);
    // The ballot id is part of the hash: a receipt of another ballot never matches.
    expect(await findOnBulletin(board, '00000000-0000-4000-8000-000000000000', 'AAAAA-BBBBB')).toEqual([]);
  });

  it('reads back the token it writes, and a bare code', () => {
    const token = receiptToken({ ballotId, seatId: 's', receipt: 'AAAAA-BBBBB-CCCCC-DDDDD', recordSeq: 42, recordHash: 'ab'.repeat(32) });
    expect(token).toBe(`${ballotId}:AAAAA-BBBBB-CCCCC-DDDDD:42:${'ab'.repeat(32)}`);
    expect(parseReceipt(token)).toEqual({ ballotId, receipt: 'AAAAA-BBBBB-CCCCC-DDDDD' });
    expect(parseReceipt(' AAAAA-BBBBB ')).toEqual({ receipt: 'AAAAA-BBBBB' });
  });
});
