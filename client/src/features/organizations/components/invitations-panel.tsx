import { CreateInvitationBody, type InvitationDto, type InvitationSummaryDto } from '@contract';
import type { TFunction } from 'i18next';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { InviteLinks } from '../../../components/invite-links';
import { isolate, useFormat } from '../../../lib/format';
import { formValues, useZodForm } from '../../../lib/forms';
import { useCreateInvitation, useInstitutions, useInvitations, useRevokeInvitation } from '../api/organizations';
import { useOrgContext } from '../hooks/use-org-context';

const EXPIRY_HOURS = [24, 72, 168, 720] as const;

const readInvitation = (form: HTMLFormElement) => {
  const { expiresInHours, maxUses, ...rest } = formValues(form);
  return {
    ...rest,
    expiresInHours: expiresInHours === undefined ? undefined : Number(expiresInHours),
    ...(maxUses === undefined || maxUses === '' ? {} : { maxUses: Number(maxUses) }),
  };
};

export function InvitationsPanel() {
  const { t } = useTranslation();
  const { org, canManage } = useOrgContext();
  const institutions = useInstitutions(org.id);
  const create = useCreateInvitation(org.id);
  const form = useZodForm(CreateInvitationBody, readInvitation);
  const [created, setCreated] = useState<InvitationDto[]>([]);
  const links = useInvitations(org.id);
  const revoke = useRevokeInvitation(org.id);

  if (!canManage) return <p className="empty">{t('invitations.adminOnly')}</p>;

  return (
    <div className="stack-lg">
      <section aria-labelledby="invite-title" className="card stack">
        <h2 id="invite-title">{t('invitations.title')}</h2>
        <p className="muted">{t('invitations.intro')}</p>
        <form
          className="invite-form"
          noValidate
          onChange={form.onChange}
          onSubmit={form.onSubmit((body) =>
            create.mutate(body, { onSuccess: (invitation) => setCreated((list) => [invitation, ...list]) }),
          )}
        >
          <Field label={t('invitations.role')} error={form.errors.role}>
            {(control) => (
              <select {...control} name="role" defaultValue="member">
                <option value="member">{t('roles.member')}</option>
                <option value="admin">{t('roles.admin')}</option>
              </select>
            )}
          </Field>
          <Field label={t('invitations.expiry')} error={form.errors.expiresInHours}>
            {(control) => (
              <select {...control} name="expiresInHours" defaultValue="72">
                {EXPIRY_HOURS.map((h) => (
                  <option key={h} value={h}>
                    {t(`invitations.expiryOptions.${h}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('inviteLinks.maxUses')} hint={t('inviteLinks.maxUsesHint')} error={form.errors.maxUses}>
            {(control) => <input {...control} name="maxUses" type="number" min={1} max={10000} inputMode="numeric" />}
          </Field>
          <Field label={t('invitations.inviteeName')} hint={t('invitations.inviteeNameHint')} error={form.errors.inviteeName}>
            {(control) => <input {...control} name="inviteeName" type="text" maxLength={120} autoComplete="off" />}
          </Field>
          <Field label={t('invitations.inviteeEmail')} hint={t('invitations.inviteeEmailHint')} error={form.errors.inviteeEmail}>
            {(control) => <input {...control} name="inviteeEmail" type="email" dir="ltr" autoComplete="off" />}
          </Field>
          <Field
            label={t('invitations.institution')}
            hint={t('invitations.institutionHint')}
            error={form.errors.institutionId}
            className="span-2"
          >
            {(control) => (
              <select {...control} name="institutionId" defaultValue="">
                <option value="">{t('invitations.noInstitution')}</option>
                {institutions.data?.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="span-2 stack">
            <ErrorMessage error={create.error} />
            <div className="actions">
              <button type="submit" className="button button-primary" disabled={create.isPending}>
                {t('invitations.create')}
              </button>
            </div>
          </div>
        </form>
      </section>
      {created.length > 0 && (
        <section aria-labelledby="created-invites-title" className="stack">
          <h2 id="created-invites-title">{t('invitations.createdTitle')}</h2>
          <ul className="stack">
            {created.map((invitation) => (
              <InvitationLink key={invitation.token} invitation={invitation} />
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="all-invites-title" className="card stack">
        <h2 id="all-invites-title">{t('inviteLinks.title')}</h2>
        {links.data && (
          <InviteLinks
            links={links.data.map((l) => ({ ...l, label: linkLabel(t, l) }))}
            onRevoke={(id) => revoke.mutate(id)}
            revoking={revoke.isPending}
            error={revoke.error ?? links.error}
          />
        )}
      </section>
    </div>
  );
}

function InvitationLink({ invitation }: { invitation: InvitationDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const inputId = `invite-${invitation.token}`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(invitation.url);
    } catch {
      input.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };

  return (
    <li className="card invite-link" data-testid="invitation">
      <label htmlFor={inputId}>
        {invitation.institutionName || invitation.inviteeName || invitation.inviteeEmail
          ? t('invitations.linkFor', { role: t(`roles.${invitation.role}`), who: linkLabel(t, invitation, false) })
          : t('invitations.link', { role: t(`roles.${invitation.role}`) })}
      </label>
      <div className="copy-row">
        <input
          ref={input}
          id={inputId}
          dir="ltr"
          readOnly
          value={invitation.url}
          data-testid="invite-url"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          {t('invitations.copy')}
        </button>
      </div>
      <p className="muted">
        {t('invitations.expiresAt', { date: format.dateTime(invitation.expiresAt) })}{' '}
        <span role="status" className="status">
          {copied && t('invitations.copied')}
        </span>
      </p>
    </li>
  );
}

/** What a link gives and to whom: the role, the institution a delegate represents, the invitee. */
function linkLabel(
  t: TFunction,
  l: Pick<InvitationSummaryDto, 'role' | 'institutionName' | 'inviteeName' | 'inviteeEmail'>,
  withRole = true,
): string {
  const who = l.inviteeName && l.inviteeEmail ? `${l.inviteeName} <${l.inviteeEmail}>` : (l.inviteeName ?? l.inviteeEmail);
  return [
    withRole ? t(`roles.${l.role}`) : null,
    l.institutionName ? t('inviteLinks.delegateOf', { institution: isolate(l.institutionName) }) : null,
    who ? t('inviteLinks.for', { who: isolate(who) }) : null,
  ]
    .filter(Boolean)
    .join(' · ');
}
