import { CreateOrganizationBody } from '@contract';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { formValues, useZodForm } from '../../../lib/forms';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useCreateOrganization, useOrganizations } from '../api/organizations';

export function HomePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('home.title'));
  const organizations = useOrganizations();

  return (
    <div className="stack-lg">
      <section aria-labelledby="orgs-title" className="stack">
        <h1 id="orgs-title">{t('home.title')}</h1>
        {organizations.isPending ? (
          <Loading />
        ) : organizations.isError ? (
          <ErrorMessage error={organizations.error} onRetry={() => void organizations.refetch()} />
        ) : organizations.data.length === 0 ? (
          <p className="empty">{t('home.empty')}</p>
        ) : (
          <ul className="org-list" data-testid="org-list">
            {organizations.data.map((org) => (
              <li key={org.id} data-testid="org-item" data-org-id={org.id}>
                <Link to={`/organizations/${org.id}`} className="card org-link">
                  <bdi className="org-name">{org.name}</bdi>
                  {org.description && <bdi className="muted">{org.description}</bdi>}
                  <span className={`badge badge-${org.myRole}`}>{t(`roles.${org.myRole}`)}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <CreateOrganizationForm />
    </div>
  );
}

function CreateOrganizationForm() {
  const { t } = useTranslation();
  const form = useZodForm(CreateOrganizationBody, formValues);
  const create = useCreateOrganization();
  const navigate = useNavigate();

  return (
    <section className="card" aria-labelledby="create-org-title">
      <h2 id="create-org-title">{t('home.createTitle')}</h2>
      <form
        className="stack"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit((body, el) =>
          create.mutate(body, {
            // The next thing to do happens inside it: rooms, members, invitations.
            onSuccess: (org) => {
              el.reset();
              void navigate(`/organizations/${org.id}`);
            },
          }),
        )}
      >
        <Field label={t('home.name')} error={form.errors.name}>
          {(control) => <input {...control} name="name" required maxLength={120} />}
        </Field>
        <Field label={t('home.description')} error={form.errors.description}>
          {(control) => <textarea {...control} name="description" rows={3} maxLength={2000} />}
        </Field>
        <ErrorMessage error={create.error} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {t('home.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
