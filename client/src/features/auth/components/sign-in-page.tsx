import { SignInBody } from '@contract';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { formValues, useZodForm } from '../../../lib/forms';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { signIn } from '../api/auth';
import { nextPath } from '../hooks/use-session';
import { InstitutionalSignIn, InstitutionalSignInError } from './institutional-sign-in';

export function SignInPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.signInTitle'));
  const { search } = useLocation();
  const navigate = useNavigate();
  const form = useZodForm(SignInBody, formValues);
  const mutation = useMutation({
    mutationFn: signIn,
    onSuccess: () => void navigate(nextPath(search), { replace: true }),
  });

  return (
    <div className="auth-page">
      <section className="card auth-card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('auth.signInTitle')}</h1>
        <p className="lead">{t('auth.signInIntro')}</p>
        <InstitutionalSignInError />
        <form className="stack" noValidate onChange={form.onChange} onSubmit={form.onSubmit((body) => mutation.mutate(body))}>
          <Field label={t('auth.email')} error={form.errors.email}>
            {(control) => <input {...control} name="email" type="email" autoComplete="email" required />}
          </Field>
          <Field label={t('auth.password')} error={form.errors.password}>
            {(control) => <input {...control} name="password" type="password" autoComplete="current-password" required />}
          </Field>
          <ErrorMessage error={mutation.error} />
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            {t('auth.submitSignIn')}
          </button>
        </form>
        <InstitutionalSignIn />
        <p className="auth-switch">
          <Link to="/forgot-password">{t('auth.forgotLink')}</Link>
        </p>
        <p className="auth-switch">
          {t('auth.noAccount')} <Link to={{ pathname: '/sign-up', search }}>{t('auth.createAccount')}</Link>
        </p>
      </section>
      <section className="auth-about" aria-labelledby="about-title" data-testid="about">
        <h2 id="about-title">{t('auth.aboutTitle')}</h2>
        <p>{t('auth.about')}</p>
      </section>
    </div>
  );
}
