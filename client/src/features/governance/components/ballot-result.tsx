import type { BallotResult, BallotView } from '@contract';
import { useTranslation } from 'react-i18next';
import { isolate, useFormat } from '../../../lib/format';
import { resultWording } from './result-wording';
import '../governance.css';

/**
 * A published result: the count per option with bars, and the outcome in words. Given its ballot, the
 * words say how many seats voted, the votes they carried by weight, and what the rule needed.
 */
export function BallotResultView({ result, ballot }: { result: BallotResult; ballot?: Pick<BallotView, 'rule' | 'turnout'> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const basis = (w: ReturnType<typeof resultWording>) => {
    const votes = w.votes && t('governance.result.votesByWeight', { count: w.votes.count });
    const seats = w.seats && t('governance.result.seatsVoted', { cast: w.seats.cast, count: w.seats.count });
    const first = seats ? (votes ? t('governance.result.join', { a: seats, b: votes }) : seats) : t('governance.result.votesCast', { count: w.votes?.count ?? 0 });
    return t('governance.result.end', { a: first, b: t('governance.result.neededToCarry', { count: w.needed.count, rule: t(`governance.rule.${w.needed.rule}`).toLowerCase() }) });
  };
  if (result.kind === 'motion') {
    const rows = [
      { key: 'yes', n: result.yes },
      { key: 'no', n: result.no },
      { key: 'abstain', n: result.abstain },
    ] as const;
    const total = Math.max(1, result.yes + result.no + result.abstain);
    return (
      <div className="result" data-testid="ballot-result" data-outcome={result.outcome}>
        <p className={`result-outcome outcome-${result.outcome}`} data-testid="result-outcome">
          {t(`governance.result.outcome.${result.outcome}`)}
        </p>
        <ul className="result-rows">
          {rows.map((r) => (
            <li key={r.key} className="result-row">
              <span className="result-label">{t(`governance.choice.${r.key}`)}</span>
              <span className="result-bar" role="presentation">
                <span style={{ inlineSize: `${Math.round((r.n / total) * 100)}%` }} />
              </span>
              <span className="result-n" data-testid={`result-${r.key}`}>
                {format.number(r.n)}
              </span>
            </li>
          ))}
        </ul>
        <p className="muted small" data-testid="result-basis">
          {ballot ? basis(resultWording(result, ballot)) : t('governance.result.motionBasis', { cast: format.number(result.cast), needed: format.number(result.needed), base: format.number(result.base) })}
        </p>
      </div>
    );
  }
  const top = Math.max(1, ...result.counts.map((c) => c.votes));
  return (
    <div className="result" data-testid="ballot-result" data-outcome={result.outcome}>
      <p className={`result-outcome outcome-${result.outcome}`} data-testid="result-outcome">
        {result.outcome === 'decided' ? t('governance.result.elected', { names: result.elected.map(isolate).join(', ') }) : t('governance.result.outcome.tie')}
      </p>
      <ul className="result-rows">
        {result.counts.map((c) => (
          <li key={c.candidate} className={`result-row${result.elected.includes(c.candidate) ? ' result-elected' : ''}`}>
            <span className="result-label">
              <bdi>{c.candidate}</bdi>
            </span>
            <span className="result-bar" role="presentation">
              <span style={{ inlineSize: `${Math.round((c.votes / top) * 100)}%` }} />
            </span>
            <span className="result-n">{format.number(c.votes)}</span>
          </li>
        ))}
      </ul>
      <p className="muted small">{t('governance.result.electionBasis', { cast: format.number(result.cast), abstentions: format.number(result.abstentions) })}</p>
    </div>
  );
}
