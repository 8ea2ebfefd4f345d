import { useTranslation } from 'react-i18next';
import { isolate, useFormat } from '../lib/format';
import { ErrorMessage } from './error-message';

export interface InviteLinkSummary {
  id: string;
  /** What the link gives, when it says more than "a link" (e.g. the role). */
  label?: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  maxUses: number | null;
  uses: number;
  /** The state the server reports; when absent it is worked out here from the dates and uses. */
  status?: Status;
  /** Who came in through it (a personal or single-use link). */
  usedBy?: { displayName: string } | null;
}

/** One vocabulary for organisation and room links (the server's, see invitation-status.ts). */
type Status = 'pending' | 'used' | 'revoked' | 'expired';

const statusOf = (l: InviteLinkSummary, now: number): Status =>
  l.status ??
  (l.revokedAt ? 'revoked' : l.maxUses !== null && l.uses >= l.maxUses ? 'used' : Date.parse(l.expiresAt) <= now ? 'expired' : 'pending');

/** Invitation links already made (organisation or room): their state, their uses, and a revoke button. */
export function InviteLinks({
  links,
  onRevoke,
  revoking,
  error,
}: {
  links: InviteLinkSummary[];
  onRevoke: (id: string) => void;
  revoking: boolean;
  error: unknown;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = Date.now();
  if (links.length === 0) return <p className="empty">{t('inviteLinks.none')}</p>;
  return (
    <div className="stack">
      <ErrorMessage error={error} />
      <ul className="stack-tight" data-testid="invite-links">
        {links.map((l) => {
          const status = statusOf(l, now);
          return (
            <li key={l.id} className="invite-link-row" data-testid="invite-link-row" data-status={status}>
              <span>
                {l.label && <strong>{l.label} · </strong>}
                {t('inviteLinks.created', { date: format.dateTime(l.createdAt) })} · {t(`inviteLinks.status.${status}`)} ·{' '}
                {l.maxUses === null ? t('inviteLinks.uses', { n: l.uses }) : t('inviteLinks.usesOf', { n: l.uses, max: l.maxUses })}
                {l.usedBy && <> · {t('inviteLinks.usedBy', { name: isolate(l.usedBy.displayName) })}</>}
              </span>
              {status !== 'revoked' && status !== 'used' && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={revoking}
                  data-testid="invite-link-revoke"
                  aria-label={l.label ? `${t('inviteLinks.revoke')}: ${l.label}` : t('inviteLinks.revokeLabel', { date: format.dateTime(l.createdAt) })}
                  onClick={() => {
                    if (window.confirm(t('inviteLinks.confirmRevoke'))) onRevoke(l.id);
                  }}
                >
                  {t('inviteLinks.revoke')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
