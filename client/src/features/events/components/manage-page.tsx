import { CreateSessionBody, type EventDto, SESSION_KINDS } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { useFormat } from '../../../lib/format';
import { formValues, useZodForm } from '../../../lib/forms';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { CpdPanel } from '../../certificates';
import { useRooms } from '../../rooms';
import { downloadRegistrants, useAddSession, useDecide, useEvent, useRegistrants } from '../api/events';

/** Speakers typed one per line as "Name — Affiliation" (or "Name, Affiliation"). */
const readSession = (form: HTMLFormElement) => {
  const { speakers, roomId, track, ...rest } = formValues(form);
  return {
    ...rest,
    roomId: roomId ?? null,
    track: track ?? null,
    speakers: (speakers ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [name = '', affiliation = ''] = l.split(/\s+[—–-]\s+|,\s*/, 2);
        return { name: name.trim(), affiliation: affiliation.trim() };
      }),
  };
};

/** The organiser's dashboard: registrants, approvals, the waitlist, the CSV export, and the programme editor. */
export function ManageEventPage() {
  const { eventId = '' } = useParams();
  const { t } = useTranslation();
  const event = useEvent(eventId);
  useDocumentTitle(t('events.manage'));
  if (event.isPending) return <Loading />;
  if (event.isError) return <ErrorMessage error={event.error} onRetry={() => void event.refetch()} />;
  return (
    <div className="stack-lg">
      <p>
        <Link to={`/events/${eventId}`} className="back-link">
          <bdi>{event.data.title}</bdi>
        </Link>
      </p>
      <h1>{t('events.manage')}</h1>
      <Registrants event={event.data} />
      <CpdPanel eventId={event.data.id} />
      <AddSessionForm event={event.data} />
    </div>
  );
}

function Registrants({ event }: { event: EventDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = useRegistrants(event.id);
  const decide = useDecide(event.id);
  const [error, setError] = useState<unknown>(null);
  return (
    <section aria-labelledby="registrants-title" className="stack">
      <div className="row">
        <h2 id="registrants-title">{t('events.registrants')}</h2>
        <button
          type="button"
          className="button-secondary"
          onClick={() => downloadRegistrants(event.id).catch(setError)}
          data-testid="export-csv"
        >
          {t('events.exportCsv')}
        </button>
      </div>
      <p className="muted">{t('events.places', { taken: event.confirmed, capacity: event.capacity ?? '∞', waiting: event.waitlisted })}</p>
      {error !== null && <ErrorMessage error={error} />}
      {decide.isError && <ErrorMessage error={decide.error} />}
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorMessage error={list.error} />
      ) : list.data.length === 0 ? (
        <p className="empty">{t('events.noRegistrants')}</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="registrants">
            <thead>
              <tr>
                <th scope="col">{t('events.columns.name')}</th>
                <th scope="col">{t('events.columns.status')}</th>
                <th scope="col">{t('events.columns.registeredAt')}</th>
                {event.questions.map((q) => (
                  <th key={q.id} scope="col">
                    <bdi>{q.label}</bdi>
                  </th>
                ))}
                <th scope="col">{t('events.columns.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <bdi>{r.displayName}</bdi> <span className="muted">{r.email}</span>
                  </td>
                  <td>
                    {r.status === 'waitlisted'
                      ? t('events.status.waitlistedAt', { n: r.waitlistPosition ?? 0 })
                      : t(`events.status.${r.status}`)}
                  </td>
                  <td>{format.dateTime(r.registeredAt)}</td>
                  {event.questions.map((q) => (
                    <td key={q.id}>
                      <bdi>{r.answers[q.id] ?? ''}</bdi>
                    </td>
                  ))}
                  <td className="row">
                    {r.status === 'pending' && (
                      <>
                        <button type="button" onClick={() => decide.mutate({ id: r.id, decision: 'approve' })}>
                          {t('events.approve')}
                        </button>
                        <button type="button" className="button-secondary" onClick={() => decide.mutate({ id: r.id, decision: 'decline' })}>
                          {t('events.decline')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AddSessionForm({ event }: { event: EventDto }) {
  const { t } = useTranslation();
  const add = useAddSession(event.id);
  const rooms = useRooms(event.organizationId);
  const form = useZodForm(CreateSessionBody, readSession);
  return (
    <section aria-labelledby="add-session-title" className="card stack">
      <h2 id="add-session-title">{t('events.addSession')}</h2>
      <p className="muted">{t('events.zoneNote', { zone: event.timeZone })}</p>
      <form
        className="stack"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit((body, el) => add.mutate(body, { onSuccess: () => el.reset() }))}
      >
        <Field label={t('events.fields.title')} error={form.errors.title}>
          {(c) => <input {...c} name="title" required />}
        </Field>
        <Field label={t('events.fields.sessionKind')}>
          {(c) => (
            <select {...c} name="kind">
              {SESSION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`events.sessionKind.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.startsAt')} error={form.errors.startsAt}>
          {(c) => <input {...c} name="startsAt" type="datetime-local" required />}
        </Field>
        <Field label={t('events.fields.endsAt')} error={form.errors.endsAt}>
          {(c) => <input {...c} name="endsAt" type="datetime-local" required />}
        </Field>
        {event.tracks.length > 0 && (
          <Field label={t('events.fields.track')}>
            {(c) => (
              <select {...c} name="track" defaultValue="">
                <option value="">—</option>
                {event.tracks.map((tr) => (
                  <option key={tr} value={tr}>
                    {tr}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label={t('events.fields.room')}>
          {(c) => (
            <select {...c} name="roomId" defaultValue="">
              <option value="">—</option>
              {(rooms.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.speakers')} hint={t('events.fields.speakersHint')}>
          {(c) => <textarea {...c} name="speakers" rows={3} />}
        </Field>
        <Field label={t('events.fields.description')}>{(c) => <textarea {...c} name="description" rows={3} />}</Field>
        <button type="submit" disabled={add.isPending}>
          {t('events.addSession')}
        </button>
        {add.isError && <ErrorMessage error={add.error} />}
      </form>
    </section>
  );
}
