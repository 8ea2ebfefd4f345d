import type { QuorumView } from '@contract';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format';
import '../governance.css';

/** Seats counted towards the quorum against those required, announced politely when it changes. */
export function QuorumIndicator({ quorum, compact = false }: { quorum: QuorumView; compact?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const pct = quorum.required ? Math.min(100, Math.round((quorum.counted / quorum.required) * 100)) : 100;
  return (
    <div className={`quorum${quorum.met ? ' quorum-met' : ' quorum-short'}${compact ? ' quorum-compact' : ''}`} data-testid="quorum" data-met={quorum.met}>
      <p className="quorum-line" aria-live="polite">
        <span className="quorum-badge">{quorum.met ? t('governance.quorum.met') : t('governance.quorum.notMet')}</span>{' '}
        {t('governance.quorum.counted', { counted: format.number(quorum.counted), required: format.number(quorum.required) })}
      </p>
      <div className="quorum-bar" role="presentation">
        <span style={{ inlineSize: `${pct}%` }} />
      </div>
      {!compact && (
        <dl className="quorum-figures">
          <div>
            <dt>{t('governance.quorum.entitled')}</dt>
            <dd>{format.number(quorum.entitled)}</dd>
          </div>
          <div>
            <dt>{t('governance.quorum.present')}</dt>
            <dd>{format.number(quorum.present)}</dd>
          </div>
          <div>
            <dt>{t('governance.quorum.represented')}</dt>
            <dd>{format.number(quorum.represented)}</dd>
          </div>
        </dl>
      )}
    </div>
  );
}
