import { IdentityProviderBody, type IdentityProviderDto } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { formValues, useZodForm } from '../../../lib/forms';
import { useRemoveSignInProvider, useSaveSignInProvider, useSignInProvider } from '../api/organizations';
import { useOrgContext } from '../hooks/use-org-context';

const readProvider = (form: HTMLFormElement) => {
  const { joinAsMember, ...rest } = formValues(form);
  return { ...rest, joinAsMember: joinAsMember === 'on' };
};

/** The organisation's identity provider, for institutional sign-in (owners and admins). */
export function SignInProviderPanel() {
  const { t } = useTranslation();
  const { org, canManage } = useOrgContext();
  const current = useSignInProvider(org.id);
  if (!canManage) return <p className="empty">{t('invitations.adminOnly')}</p>;
  if (current.isPending) return <Loading />;
  if (current.isError) return <ErrorMessage error={current.error} onRetry={() => void current.refetch()} />;
  // Keyed by the saved version: the form starts again from what is stored after each save.
  return <ProviderForm key={current.data.provider?.updatedAt ?? 'new'} orgId={org.id} provider={current.data.provider} />;
}

function ProviderForm({ orgId, provider }: { orgId: string; provider: IdentityProviderDto | null }) {
  const { t } = useTranslation();
  const save = useSaveSignInProvider(orgId);
  const remove = useRemoveSignInProvider(orgId);
  const form = useZodForm(IdentityProviderBody, readProvider);
  const [saved, setSaved] = useState(false);

  return (
    <section className="card stack" aria-labelledby="sign-in-provider-title">
      <h2 id="sign-in-provider-title">{t('signInProvider.title')}</h2>
      <p className="muted">{t('signInProvider.intro')}</p>
      {!provider && <p className="empty">{t('signInProvider.none')}</p>}
      <form
        className="sign-in-provider-form"
        noValidate
        onChange={(e) => {
          setSaved(false);
          form.onChange(e);
        }}
        onSubmit={form.onSubmit((body) => save.mutate(body, { onSuccess: () => setSaved(true) }))}
      >
        <Field label={t('signInProvider.slug')} hint={t('signInProvider.slugHint')} error={form.errors.slug}>
          {(control) => <input {...control} name="slug" defaultValue={provider?.slug} required maxLength={60} dir="ltr" />}
        </Field>
        <Field label={t('signInProvider.issuer')} hint={t('signInProvider.issuerHint')} error={form.errors.issuer}>
          {(control) => <input {...control} name="issuer" type="url" defaultValue={provider?.issuer} required dir="ltr" />}
        </Field>
        <Field label={t('signInProvider.clientId')} error={form.errors.clientId}>
          {(control) => <input {...control} name="clientId" defaultValue={provider?.clientId} required dir="ltr" autoComplete="off" />}
        </Field>
        <Field
          label={t('signInProvider.clientSecret')}
          hint={provider?.hasClientSecret ? t('signInProvider.clientSecretKept') : undefined}
          error={form.errors.clientSecret}
        >
          {(control) => <input {...control} name="clientSecret" type="password" autoComplete="new-password" dir="ltr" />}
        </Field>
        <Field label={t('signInProvider.scopes')} error={form.errors.scopes}>
          {(control) => <input {...control} name="scopes" defaultValue={provider?.scopes ?? 'openid email profile'} dir="ltr" />}
        </Field>
        <Field label={t('signInProvider.emailClaim')} error={form.errors.emailClaim}>
          {(control) => <input {...control} name="emailClaim" defaultValue={provider?.emailClaim ?? 'email'} dir="ltr" />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" name="joinAsMember" defaultChecked={provider?.joinAsMember ?? false} />
          {t('signInProvider.joinAsMember')}
        </label>
        {provider && (
          <p>
            {t('signInProvider.redirectUri')}: <code dir="ltr">{provider.redirectUri}</code>
          </p>
        )}
        <ErrorMessage error={save.error ?? remove.error} />
        {saved && (
          <p role="status" className="muted">
            {t('signInProvider.saved')}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {t('signInProvider.save')}
          </button>
          {provider && (
            <button
              type="button"
              className="button button-danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(t('signInProvider.removeConfirm'))) remove.mutate();
              }}
            >
              {t('signInProvider.remove')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
