import type { BallotView, CastReceipt, SeatView } from '@contract';
import { useTranslation } from 'react-i18next';
import { saveText } from '../../../lib/download';
import { receiptToken } from '../api/receipts';
import { isolate, useFormat } from '../../../lib/format';
import { DownloadIcon } from '../../../components/icons';

/** Receipts just received: the codes, a text file to keep, and where to check them once published. */
export function Receipts({ ballot, receipts, seats }: { ballot: BallotView; receipts: CastReceipt[]; seats: SeatView[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const label = (seatId: string) => seats.find((s) => s.seatId === seatId)?.label ?? seatId;
  const verifyUrl = `${window.location.origin}/verify?ballot=${encodeURIComponent(ballot.id)}`;

  const download = () => {
    const now = new Date();
    const lines = [
      t('governance.receipt.fileTitle'),
      '',
      `${t('governance.receipt.ballot')}: ${ballot.title}`,
      `${t('governance.receipt.ballotId')}: ${ballot.id}`,
      `${t('governance.receipt.savedAt')}: ${format.document.dateTime(now)} (${now.toISOString()})`,
      '',
      ...receipts.flatMap((r) => [
        `${t('governance.receipt.seat')}: ${label(r.seatId)} (${r.seatId})`,
        `${t('governance.receipt.code')}: ${r.receipt}`,
        `${t('governance.receipt.recordAt')}: #${r.recordSeq} ${r.recordHash}`,
        `${t('governance.receipt.token')}: ${receiptToken(r)}`,
        '',
      ]),
      t('governance.receipt.fileHint', { url: verifyUrl }),
      t('governance.receipt.fileVerify', { command: 'npm run verify -- export.json --receipt <token>' }),
      '',
    ];
    saveText(lines.join('\r\n'), `receipt-${ballot.id}.txt`);
  };

  return (
    <div className="receipts stack-tight" data-testid="receipts">
      <p className="receipt-done" role="status" data-testid="vote-recorded">
        {t('governance.receipt.recorded', { n: format.number(receipts.length) })}
      </p>
      <ul className="receipt-list">
        {receipts.map((r) => (
          <li key={r.seatId} className="receipt" data-testid="receipt" data-seat-id={r.seatId}>
            <span className="receipt-seat">
              <bdi>{label(r.seatId)}</bdi>
            </span>
            <code className="receipt-code" dir="ltr" data-testid="receipt-code" aria-label={t('governance.receipt.codeFor', { seat: isolate(label(r.seatId)) })}>
              {r.receipt}
            </code>
            {r.recordHash && (
              <span className="muted small" data-testid="receipt-record">
                {t('governance.receipt.position', { seq: format.number(r.recordSeq) })}{' '}
                <code className="mono" dir="ltr" title={r.recordHash}>
                  {r.recordHash.slice(0, 12)}
                </code>
              </span>
            )}
          </li>
        ))}
      </ul>
      <p className="muted small">{t('governance.receipt.keep')}</p>
      <div className="actions">
        <button type="button" className="button button-small" data-testid="receipt-download" onClick={download}>
          <DownloadIcon size={14} /> {t('governance.receipt.download')}
        </button>
        <a className="button button-small" href={verifyUrl} target="_blank" rel="noopener noreferrer" data-testid="receipt-check-link">
          {t('governance.receipt.checkLater')}
        </a>
      </div>
    </div>
  );
}
