import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { asApiError } from '../lib/api';

/** The server refuses an address whose id is not even well formed: the link was cut off or mistyped. */
export const isMalformedLink = (error: unknown): boolean => asApiError(error).code === 'INVALID_PAYLOAD';

/** Says what is wrong with the link and offers the way home, instead of a retry that cannot help. */
export function BadLink({ kind }: { kind: 'room' | 'meeting' }) {
  const { t } = useTranslation();
  return (
    <section className="card auth-card stack" aria-labelledby="bad-link-title" data-testid="bad-link" data-kind={kind}>
      <h1 id="bad-link-title">{t('badLink.title')}</h1>
      <p>{t(`badLink.${kind}`)}</p>
      <p>
        <Link to="/" className="button button-primary">
          {t('badLink.home')}
        </Link>
      </p>
    </section>
  );
}
