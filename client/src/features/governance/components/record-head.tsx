import type { RecordHead as Head } from '@contract';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format';

/**
 * The meeting record's position and hash when a result was published. Anyone can note it: an export
 * rewritten later no longer contains it (`npm run verify -- export.json --head <hash>`).
 */
export function RecordHead({ record }: { record: Head }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <p className="muted small record-head" data-testid="record-head">
      {t('governance.record.head', { seq: format.number(record.seq) })}{' '}
      <code className="mono" dir="ltr" title={record.hash}>
        {record.hash.slice(0, 16)}
      </code>
    </p>
  );
}
