import { RegisterBody } from '@contract';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { asApiError } from '../../../lib/api';
import { formValues, useZodForm } from '../../../lib/forms';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { register } from '../api/auth';
import { nextPath } from '../hooks/use-session';

export function SignUpPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.signUpTitle'));
  const { search } = useLocation();
  const navigate = useNavigate();
  const form = useZodForm(RegisterBody, formValues);
  const mutation = useMutation({
    mutationFn: register,
    onSuccess: () => void navigate(nextPath(search), { replace: true }),
  });
  // The same answer whether the address was new or taken: if it was taken, its owner hears of it.
  const checkMail = mutation.error && asApiError(mutation.error).code === 'INVALID_CREDENTIALS';

  return (
    <section className="card auth-card" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">{t('auth.signUpTitle')}</h1>
      <p className="lead">{t('auth.signUpIntro')}</p>
      <form className="stack" noValidate onChange={form.onChange} onSubmit={form.onSubmit((body) => mutation.mutate(body))}>
        <Field label={t('auth.displayName')} hint={t('auth.displayNameHint')} error={form.errors.displayName}>
          {(control) => <input {...control} name="displayName" autoComplete="name" required />}
        </Field>
        <Field
          label={t('auth.email')}
          error={form.errors.email}
        >
          {(control) => <input {...control} name="email" type="email" autoComplete="email" required />}
        </Field>
        <Field label={t('auth.password')} hint={t('auth.passwordHint')} error={form.errors.password}>
          {(control) => <input {...control} name="password" type="password" autoComplete="new-password" required />}
        </Field>
        {checkMail ? (
          <p className="alert" role="status" data-testid="sign-up-check-mail">
            {t('auth.checkMail')}
          </p>
        ) : (
          <ErrorMessage error={mutation.error} />
        )}
        <button type="submit" className="button button-primary" disabled={mutation.isPending}>
          {t('auth.submitSignUp')}
        </button>
      </form>
      <p className="auth-switch">
        {t('auth.haveAccount')} <Link to={{ pathname: '/sign-in', search }}>{t('auth.signInLink')}</Link>
      </p>
    </section>
  );
}
