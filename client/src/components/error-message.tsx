import { useTranslation } from 'react-i18next';
import { asApiError } from '../lib/api';

/** A translated error from the API or a socket command. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const { code } = asApiError(error);
  return (
    <div className="alert alert-error" role="alert" data-testid="error" data-code={code}>
      <span>{t(`errors.${code}`)}</span>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
