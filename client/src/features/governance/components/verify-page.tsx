import type { BallotView, BulletinEntry } from '@contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { useFormat } from '../../../lib/format';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { fetchBallot, fetchBulletin } from '../api/meetings';
import { findOnBulletin, parseReceipt, receiptHash, storedReceipts } from '../api/receipts';
import { BallotResultView } from './ballot-result';
import { RecordHead } from './record-head';
import { choiceLabel } from './labels';
import '../governance.css';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Outcome {
  ballot: BallotView;
  board: BulletinEntry[];
  hash: string;
  entry: BulletinEntry | null;
  /** Units of weight found under this receipt (one per unit on a secret ballot). */
  weight: number;
}

/**
 * `/verify[?ballot=<id>]`: a voter checks that their ballot was counted as cast. The receipt never
 * leaves the browser: its SHA-256 (with the ballot id) is looked up on the published bulletin board.
 */
export function VerifyPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const [params] = useSearchParams();
  const [ballotId, setBallotId] = useState(params.get('ballot') ?? '');
  const saved = UUID.test(ballotId.trim()) ? storedReceipts(ballotId.trim()) : [];
  const [receipt, setReceipt] = useState(() => (saved.length === 1 ? saved[0]!.receipt : ''));
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const id = useId();
  useDocumentTitle(t('governance.verify.title'));

  const check = async () => {
    // A pasted token carries its ballot.
    const parsed = parseReceipt(receipt);
    const b = (parsed.ballotId ?? ballotId).trim();
    const r = parsed.receipt.trim().toUpperCase();
    if (!UUID.test(b) || r.length < 8) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setChecking(true);
    setError(null);
    setOutcome(null);
    try {
      const ballot = await fetchBallot(b);
      const board = await fetchBulletin(b);
      const hash = await receiptHash(b, r);
      const entries = await findOnBulletin(board, b, r);
      setOutcome({ ballot, board, hash, entry: entries[0] ?? null, weight: entries.reduce((n, e) => n + e.weight, 0) });
    } catch (e) {
      setError(e);
    } finally {
      setChecking(false);
    }
  };

  return (
    <div className="stack-lg">
      <section className="card stack" aria-labelledby="verify-title">
        <h1 id="verify-title">{t('governance.verify.title')}</h1>
        <p className="lead">{t('governance.verify.intro')}</p>
        <form
          className="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void check();
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-ballot`}>{t('governance.verify.ballotId')}</label>
            <input id={`${id}-ballot`} dir="ltr" className="mono" value={ballotId} autoComplete="off" spellCheck={false} data-testid="verify-ballot" onChange={(e) => setBallotId(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-receipt`}>{t('governance.verify.receipt')}</label>
            <input
              id={`${id}-receipt`}
              dir="ltr"
              className="mono"
              value={receipt}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${id}-receipt-hint`}
              data-testid="verify-receipt"
              onChange={(e) => setReceipt(e.target.value)}
            />
            <p id={`${id}-receipt-hint`} className="field-hint">
              {t('governance.verify.receiptHint')}
            </p>
          </div>
          {saved.length > 1 && (
            <div className="stack-tight">
              <p className="muted small">{t('governance.verify.saved')}</p>
              <div className="actions">
                {saved.map((s) => (
                  <button key={s.seatId} type="button" className="button button-small mono" data-testid="verify-saved" onClick={() => setReceipt(s.receipt)}>
                    {s.receipt}
                  </button>
                ))}
              </div>
            </div>
          )}
          {invalid && (
            <p className="field-error" role="alert">
              {t('governance.verify.invalid')}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={checking} data-testid="verify-submit">
              {checking ? t('governance.verify.checking') : t('governance.verify.check')}
            </button>
          </div>
        </form>
        <ErrorMessage error={error} />
      </section>

      {outcome && (
        <section className="card stack" aria-labelledby="verify-outcome-title" aria-live="polite">
          <h2 id="verify-outcome-title">
            <bdi>{outcome.ballot.title}</bdi>
          </h2>
          {outcome.entry ? (
            <div className="verify-result verify-found stack-tight" data-testid="verify-found">
              <p>
                <strong>{t('governance.verify.found')}</strong>
              </p>
              <p>
                {t('governance.verify.counted')}{' '}
                <strong data-testid="verify-choice">{choiceLabel(outcome.entry.choice, t)}</strong>
                {' · '}
                {t('governance.seats.weightN', { n: format.number(outcome.weight) })}
                {outcome.entry.secrecy === 'roll-call' && (
                  <>
                    {' · '}
                    <bdi>{outcome.entry.label}</bdi>
                  </>
                )}
              </p>
            </div>
          ) : (
            <div className="verify-result verify-missing" role="alert" data-testid="verify-missing">
              <p>{t('governance.verify.missing')}</p>
            </div>
          )}
          <p className="muted small">
            {t('governance.verify.board', { n: format.number(outcome.board.length) })}{' '}
            <span className="mono" dir="ltr">
              {outcome.hash.slice(0, 16)}…
            </span>
          </p>
          {outcome.ballot.result && <BallotResultView result={outcome.ballot.result} />}
          {outcome.ballot.record && <RecordHead record={outcome.ballot.record} />}
        </section>
      )}
    </div>
  );
}
