import { CreateMeetingBody } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import { formValues, useZodForm } from '../../../lib/forms';
import { currentLanguage } from '../../../lib/i18n';
import { useOrgContext } from '../../organizations';
import { useRooms } from '../../rooms';
import { useCreateMeeting, useMeetings, type MeetingSummary } from '../api/meetings';
import { groupMeetings } from './meeting-groups';
import '../governance.css';

/** Form fields → the contract's body; the quorum rule is assembled from its parts. */
function readMeeting(form: HTMLFormElement) {
  const v = formValues(form);
  const quorumRule =
    v.quorumKind === 'at-least'
      ? { kind: 'at-least', seats: Number(v.quorumSeats) }
      : v.quorumKind === 'fraction'
        ? { kind: 'fraction', numerator: Number(v.quorumNumerator), denominator: Number(v.quorumDenominator) }
        : { kind: 'majority-of-entitled' };
  const when = v.scheduledAt ? new Date(v.scheduledAt) : null;
  return {
    title: v.title,
    kind: v.kind,
    roomId: v.roomId,
    scheduledAt: when && !Number.isNaN(when.getTime()) ? when.toISOString() : undefined,
    voterBasis: v.voterBasis,
    quorumRule,
    // Held in the language its creator works in; its minutes are written in it.
    language: currentLanguage(),
  };
}

/** `datetime-local` wants local time without a zone. */
const localInputValue = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** The organisation's meetings (general assemblies, boards); owners and admins create them. */
export function MeetingsPanel() {
  const { t } = useTranslation();
  const { org, canManage } = useOrgContext();
  const meetings = useMeetings(org.id);

  return (
    <div className="stack-lg">
      <section aria-labelledby="meetings-title" className="stack">
        <h2 id="meetings-title">{t('governance.meetings.title')}</h2>
        {meetings.isPending ? (
          <Loading />
        ) : meetings.isError ? (
          <ErrorMessage error={meetings.error} onRetry={() => void meetings.refetch()} />
        ) : meetings.data.length === 0 ? (
          <p className="empty">{canManage ? t('governance.meetings.emptyManager') : t('governance.meetings.empty')}</p>
        ) : (
          <MeetingList meetings={meetings.data} />
        )}
      </section>
      {canManage && <CreateMeetingForm orgId={org.id} />}
    </div>
  );
}

/** Meetings from today on, soonest first; earlier ones behind a disclosure, latest first. */
function MeetingList({ meetings }: { meetings: readonly MeetingSummary[] }) {
  const { t } = useTranslation();
  const { current, past } = groupMeetings(meetings, new Date(), new Set());
  return (
    <>
      {current.length > 0 && (
        <ul className="meeting-list" data-testid="meeting-list">
          {current.map((m) => (
            <MeetingItem key={m.id} m={m} />
          ))}
        </ul>
      )}
      {past.length > 0 && (
        <details className="past-meetings" data-testid="past-meetings">
          <summary data-testid="past-meetings-toggle">{t('governance.meetings.past', { count: past.length })}</summary>
          <ul className="meeting-list">
            {past.map((m) => (
              <MeetingItem key={m.id} m={m} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function MeetingItem({ m }: { m: MeetingSummary }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <li className="card meeting-item" data-testid="meeting-item" data-meeting-id={m.id}>
      <div className="stack-tight">
        <h3>
          <Link to={`/meetings/${m.id}`} data-testid="meeting-link">
            <bdi>{m.title}</bdi>
          </Link>
        </h3>
        <p className="muted">
          {t(`governance.kind.${m.kind}`)} · <time dateTime={m.scheduledAt}>{format.dateTime(m.scheduledAt)}</time>
        </p>
      </div>
      {m.roomId && (
        <Link to={`/rooms/${m.roomId}?meeting=${m.id}`} className="button" data-testid="meeting-room-link">
          {t('governance.meetings.joinRoom')}
        </Link>
      )}
    </li>
  );
}

function CreateMeetingForm({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const create = useCreateMeeting(orgId);
  const rooms = useRooms(orgId);
  const form = useZodForm(CreateMeetingBody, readMeeting);
  const [quorumKind, setQuorumKind] = useState('majority-of-entitled');
  const [created, setCreated] = useState<{ id: string; title: string } | null>(null);
  const [defaultWhen] = useState(() => localInputValue(new Date(Date.now() + 24 * 3600_000)));

  return (
    <section aria-labelledby="create-meeting-title" className="card stack">
      <h2 id="create-meeting-title">{t('governance.meetings.createTitle')}</h2>
      <form
        className="form-grid"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit((body, el) =>
          create.mutate(body, {
            onSuccess: (m) => {
              el.reset();
              setQuorumKind('majority-of-entitled');
              setCreated({ id: m.id, title: m.title });
            },
          }),
        )}
      >
        <Field label={t('governance.meetings.name')} error={form.errors.title} className="span-2">
          {(control) => <input {...control} name="title" required maxLength={300} data-testid="meeting-title" />}
        </Field>
        <Field label={t('governance.meetings.kindLabel')} error={form.errors.kind}>
          {(control) => (
            <select {...control} name="kind" defaultValue="general-assembly">
              <option value="general-assembly">{t('governance.kind.general-assembly')}</option>
              <option value="board">{t('governance.kind.board')}</option>
            </select>
          )}
        </Field>
        <Field label={t('governance.meetings.when')} error={form.errors.scheduledAt}>
          {(control) => <input {...control} name="scheduledAt" type="datetime-local" defaultValue={defaultWhen} required />}
        </Field>
        <Field label={t('governance.meetings.room')} hint={t('governance.meetings.roomHint')} error={form.errors.roomId}>
          {(control) => (
            <select {...control} name="roomId" defaultValue="" data-testid="meeting-room">
              <option value="">{t('governance.meetings.noRoom')}</option>
              {rooms.data?.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('governance.meetings.voterBasis')} hint={t('governance.meetings.voterBasisHint')} error={form.errors.voterBasis}>
          {(control) => (
            <select {...control} name="voterBasis" defaultValue="institutions">
              <option value="institutions">{t('governance.basis.institutions')}</option>
              <option value="members">{t('governance.basis.members')}</option>
            </select>
          )}
        </Field>
        <Field label={t('governance.meetings.quorumRule')} error={form.errors.quorumRule}>
          {(control) => (
            <select {...control} name="quorumKind" value={quorumKind} onChange={(e) => setQuorumKind(e.target.value)}>
              <option value="majority-of-entitled">{t('governance.quorumRule.majority-of-entitled')}</option>
              <option value="at-least">{t('governance.quorumRule.at-least')}</option>
              <option value="fraction">{t('governance.quorumRule.fraction')}</option>
            </select>
          )}
        </Field>
        {quorumKind === 'at-least' && (
          <Field label={t('governance.meetings.quorumSeats')}>
            {(control) => <input {...control} name="quorumSeats" type="number" inputMode="numeric" min={1} defaultValue={1} />}
          </Field>
        )}
        {quorumKind === 'fraction' && (
          <div className="copy-row">
            <Field label={t('governance.meetings.numerator')}>
              {(control) => <input {...control} name="quorumNumerator" type="number" min={1} max={100} defaultValue={1} />}
            </Field>
            <Field label={t('governance.meetings.denominator')}>
              {(control) => <input {...control} name="quorumDenominator" type="number" min={1} max={100} defaultValue={3} />}
            </Field>
          </div>
        )}
        <div className="span-2 stack">
          <ErrorMessage error={create.error} />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={create.isPending} data-testid="meeting-create">
              {t('governance.meetings.create')}
            </button>
            <p className="status" role="status">
              {created && <Link to={`/meetings/${created.id}`}>{t('governance.meetings.created', { title: isolate(created.title) })}</Link>}
            </p>
          </div>
        </div>
      </form>
    </section>
  );
}
