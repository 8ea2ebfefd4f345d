import { password } from '@contract';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { z } from 'zod';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { formValues, useZodForm } from '../../../lib/forms';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { resetPassword } from '../api/auth';

const NewPassword = z.strictObject({ newPassword: password });

/** The mailed link's page: the token is in the fragment (`#…`), which the browser never sends. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.resetTitle'));
  const { hash } = useLocation();
  const navigate = useNavigate();
  const token = hash.replace(/^#/, '');
  const form = useZodForm(NewPassword, formValues);
  const mutation = useMutation({
    mutationFn: resetPassword,
    onSuccess: () => void navigate('/', { replace: true }),
  });

  return (
    <section className="card auth-card" aria-labelledby="reset-title">
      <h1 id="reset-title">{t('auth.resetTitle')}</h1>
      <p className="lead">{t('auth.resetIntro')}</p>
      <form
        className="stack"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit(({ newPassword }) => mutation.mutate({ token, newPassword }))}
      >
        <Field label={t('auth.newPassword')} hint={t('auth.passwordHint')} error={form.errors.newPassword}>
          {(control) => <input {...control} name="newPassword" type="password" autoComplete="new-password" required />}
        </Field>
        <ErrorMessage error={mutation.error} />
        <button type="submit" className="button button-primary" disabled={mutation.isPending}>
          {t('auth.resetSubmit')}
        </button>
      </form>
      <p className="auth-switch">
        <Link to="/forgot-password">{t('auth.forgotLink')}</Link>
      </p>
    </section>
  );
}
