import { CreateSessionBody, type EventDto, type EventQuestion, type EventSessionDto, SESSION_KINDS, UpdateEventBody } from '@contract';
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
import { downloadRegistrants, useAddSession, useDecide, useEvent, useRegistrants, useUpdateEvent, useUpdateSession } from '../api/events';

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
      <ProgrammeEditor event={event.data} />
      <SessionForm event={event.data} />
      <TracksAndQuestions key={`${event.data.tracks.join('\n')}|${JSON.stringify(event.data.questions)}`} event={event.data} />
      <CpdPanel eventId={event.data.id} />
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

/**
 * A session's form: a new one, or (with `initial`) an edit of one already in the programme, which the
 * server checks as it checks a new one (times, overlaps) and tells registrants of.
 */
function SessionForm({ event, initial, onDone }: { event: EventDto; initial?: EventSessionDto; onDone?: () => void }) {
  const { t } = useTranslation();
  const add = useAddSession(event.id);
  const update = useUpdateSession(event.id);
  const save = initial ? update : add;
  const rooms = useRooms(event.organizationId);
  const form = useZodForm(CreateSessionBody, readSession);
  const titleId = initial ? `edit-session-${initial.id}` : 'add-session-title';
  return (
    <section aria-labelledby={titleId} className="card stack" data-testid={initial ? 'edit-session' : 'add-session'}>
      <h2 id={titleId}>{initial ? t('events.editSession') : t('events.addSession')}</h2>
      <p className="muted">{t('events.zoneNote', { zone: event.timeZone })}</p>
      <form
        className="stack"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit((body, el) =>
          initial
            ? update.mutate({ id: initial.id, body }, { onSuccess: () => onDone?.() })
            : add.mutate(body, { onSuccess: () => el.reset() }),
        )}
      >
        <Field label={t('events.fields.title')} error={form.errors.title}>
          {(c) => <input {...c} name="title" required defaultValue={initial?.title} />}
        </Field>
        <Field label={t('events.fields.sessionKind')}>
          {(c) => (
            <select {...c} name="kind" defaultValue={initial?.kind}>
              {SESSION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`events.sessionKind.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('events.fields.startsAt')} error={form.errors.startsAt}>
          {(c) => <input {...c} name="startsAt" type="datetime-local" required defaultValue={initial?.localStartsAt} />}
        </Field>
        <Field label={t('events.fields.endsAt')} error={form.errors.endsAt}>
          {(c) => <input {...c} name="endsAt" type="datetime-local" required defaultValue={initial?.localEndsAt} />}
        </Field>
        {event.tracks.length > 0 && (
          <Field label={t('events.fields.track')}>
            {(c) => (
              <select {...c} name="track" defaultValue={initial?.track ?? ''}>
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
            <select {...c} name="roomId" defaultValue={initial?.roomId ?? ''}>
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
          {(c) => (
            <textarea
              {...c}
              name="speakers"
              rows={3}
              defaultValue={initial?.speakers.map((sp) => (sp.affiliation ? `${sp.name} — ${sp.affiliation}` : sp.name)).join('\n')}
            />
          )}
        </Field>
        <Field label={t('events.fields.description')}>
          {(c) => <textarea {...c} name="description" rows={3} defaultValue={initial?.description} />}
        </Field>
        <div className="row">
          <button type="submit" disabled={save.isPending}>
            {initial ? t('events.saveChanges') : t('events.addSession')}
          </button>
          {onDone && (
            <button type="button" className="button-secondary" onClick={onDone}>
              {t('events.cancelEdit')}
            </button>
          )}
        </div>
        {save.isError && <ErrorMessage error={save.error} />}
      </form>
    </section>
  );
}

/** The programme as it stands, each session editable in place. */
function ProgrammeEditor({ event }: { event: EventDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [editing, setEditing] = useState<string | null>(null);
  const sessions = event.sessions.filter((s) => s.status === 'scheduled');
  return (
    <section aria-labelledby="programme-editor-title" className="stack">
      <h2 id="programme-editor-title">{t('events.editProgramme')}</h2>
      {sessions.length === 0 ? (
        <p className="empty">{t('events.noSessions')}</p>
      ) : (
        <ul className="stack" data-testid="programme-editor">
          {sessions.map((s) =>
            editing === s.id ? (
              <li key={s.id}>
                <SessionForm event={event} initial={s} onDone={() => setEditing(null)} />
              </li>
            ) : (
              <li key={s.id} className="row">
                <span>
                  <bdi>{s.title}</bdi> <span className="muted">{format.dateTime(s.startsAt)}</span>
                </span>
                <button type="button" className="button-secondary" onClick={() => setEditing(s.id)}>
                  {t('events.edit')}
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}

/** Questions typed one per line: `Label`, `Label*` (required), `Label: A | B` (a choice). */
function readQuestions(text: string, previous: EventQuestion[]): EventQuestion[] {
  const used = new Set<string>();
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [head = '', choices] = line.split(/:\s*(?=[^:]*\|)/, 2);
      const required = head.endsWith('*');
      const label = (required ? head.slice(0, -1) : head).trim();
      const options = choices
        ?.split('|')
        .map((o) => o.trim())
        .filter(Boolean);
      // A question keeps its id while its label stays, so answers already given stay attached to it.
      let id = previous.find((q) => q.label === label && !used.has(q.id))?.id;
      if (!id) id = `q${i + 1}-${Date.now().toString(36)}`.slice(0, 40);
      used.add(id);
      return options?.length ? { id, label, type: 'choice' as const, options, required } : { id, label, type: 'text' as const, required };
    });
}

const writeQuestions = (questions: EventQuestion[]): string =>
  questions
    .map((q) => `${q.label}${q.required ? '*' : ''}${q.type === 'choice' && q.options?.length ? `: ${q.options.join(' | ')}` : ''}`)
    .join('\n');

/** The event's tracks and registration questions, editable after creation. */
function TracksAndQuestions({ event }: { event: EventDto }) {
  const { t } = useTranslation();
  const update = useUpdateEvent(event.id);
  const [saved, setSaved] = useState(false);
  const form = useZodForm(UpdateEventBody, (el) => {
    const { tracks = '', questions = '' } = formValues(el);
    return {
      tracks: tracks
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
      questions: readQuestions(questions, event.questions),
    };
  });
  return (
    <section aria-labelledby="event-details-title" className="card stack">
      <h2 id="event-details-title">{t('events.editDetails')}</h2>
      <form
        className="stack"
        noValidate
        onChange={(e) => {
          setSaved(false);
          form.onChange(e);
        }}
        onSubmit={form.onSubmit((body) => update.mutate(body, { onSuccess: () => setSaved(true) }))}
      >
        <Field label={t('events.fields.tracks')} hint={t('events.fields.tracksHint')} error={form.errors.tracks}>
          {(c) => <textarea {...c} name="tracks" rows={3} defaultValue={event.tracks.join('\n')} />}
        </Field>
        <Field label={t('events.fields.questions')} hint={t('events.fields.questionsHint')} error={form.errors.questions}>
          {(c) => <textarea {...c} name="questions" rows={4} defaultValue={writeQuestions(event.questions)} />}
        </Field>
        <button type="submit" disabled={update.isPending}>
          {t('events.saveChanges')}
        </button>
        {saved && (
          <p role="status" className="muted">
            {t('events.saved')}
          </p>
        )}
        {update.isError && <ErrorMessage error={update.error} />}
      </form>
    </section>
  );
}
