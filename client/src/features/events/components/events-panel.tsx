import { CreateEventBody, EVENT_KINDS, EVENT_VISIBILITIES, REGISTRATION_MODES } from '@contract';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { formValues, useZodForm } from '../../../lib/forms';
import { useOrgContext } from '../../organizations';
import { useCreateEvent, useOrgEvents } from '../api/events';
import { viewerTimeZone } from '../programme';
import { EventList } from './event-list';

const readEvent = (form: HTMLFormElement) => {
  const { capacity, ...rest } = formValues(form);
  return { ...rest, capacity: capacity === undefined ? null : Number(capacity) };
};

/** The organisation's events; organisers create new ones here. */
export function EventsPanel() {
  const { t } = useTranslation();
  const { org, canManage } = useOrgContext();
  const events = useOrgEvents(org.id);
  return (
    <div className="stack-lg">
      <section aria-labelledby="events-title" className="stack">
        <h2 id="events-title">{t('events.title')}</h2>
        {events.isPending ? (
          <Loading />
        ) : events.isError ? (
          <ErrorMessage error={events.error} onRetry={() => void events.refetch()} />
        ) : events.data.length === 0 ? (
          <p className="empty">{t('events.none')}</p>
        ) : (
          <EventList events={events.data} testId="org-events" />
        )}
      </section>
      {canManage && <CreateEventForm orgId={org.id} />}
    </div>
  );
}

function CreateEventForm({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateEvent(orgId);
  const form = useZodForm(CreateEventBody, readEvent);
  const zones = Intl.supportedValuesOf('timeZone');
  return (
    <section aria-labelledby="new-event-title" className="card stack">
      <h2 id="new-event-title">{t('events.create')}</h2>
      <form
        className="stack"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit((body) => create.mutate(body, { onSuccess: (ev) => void navigate(`/events/${ev.id}`) }))}
      >
        <Field label={t('events.fields.title')} error={form.errors.title}>
          {(c) => <input {...c} name="title" required />}
        </Field>
        <Field label={t('events.fields.timeZone')} error={form.errors.timeZone}>
          {(c) => (
            <select {...c} name="timeZone" defaultValue={viewerTimeZone()}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.kind')}>
          {(c) => (
            <select {...c} name="kind">
              {EVENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`events.kind.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.visibility')}>
          {(c) => (
            <select {...c} name="visibility">
              {EVENT_VISIBILITIES.map((k) => (
                <option key={k} value={k}>
                  {t(`events.visibility.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.registration')}>
          {(c) => (
            <select {...c} name="registration" defaultValue="open">
              {REGISTRATION_MODES.map((k) => (
                <option key={k} value={k}>
                  {t(`events.registrationMode.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.capacity')} hint={t('events.fields.capacityHint')} error={form.errors.capacity}>
          {(c) => <input {...c} name="capacity" type="number" min={1} inputMode="numeric" />}
        </Field>
        <Field label={t('events.fields.closes')} error={form.errors.registrationClosesAt}>
          {(c) => <input {...c} name="registrationClosesAt" type="datetime-local" />}
        </Field>
        <button type="submit" disabled={create.isPending}>
          {t('events.create')}
        </button>
        {create.isError && <ErrorMessage error={create.error} />}
      </form>
    </section>
  );
}
