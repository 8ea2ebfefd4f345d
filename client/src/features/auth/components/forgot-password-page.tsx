import { PasswordResetRequestBody } from '@contract';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { currentLanguage } from '../../../lib/i18n';
import { formValues, useZodForm } from '../../../lib/forms';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { requestPasswordReset } from '../api/auth';

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.forgotTitle'));
  const form = useZodForm(PasswordResetRequestBody, (f) => {
    return { ...formValues(f), language: currentLanguage() };
  });
  const mutation = useMutation({ mutationFn: requestPasswordReset });

  return (
    <section className="card auth-card" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t('auth.forgotTitle')}</h1>
      <p className="lead">{t('auth.forgotIntro')}</p>
      <form className="stack" noValidate onChange={form.onChange} onSubmit={form.onSubmit((body) => mutation.mutate(body))}>
        <Field label={t('auth.email')} error={form.errors.email}>
          {(control) => <input {...control} name="email" type="email" autoComplete="email" required />}
        </Field>
        <ErrorMessage error={mutation.error} />
        <p role="status" data-testid="forgot-sent">
          {mutation.isSuccess && t('auth.forgotSent')}
        </p>
        <button type="submit" className="button button-primary" disabled={mutation.isPending}>
          {t('auth.forgotSubmit')}
        </button>
      </form>
      <p className="auth-switch">
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
      </p>
    </section>
  );
}
