// Over 400 lines on purpose: the chair's console is one page of related forms (agenda, motions,
// proxies, ballots) that share the meeting query and its mutations.
import { MAJORITY_RULES, PROXY_INSTRUCTIONS, type BallotView, type CreateBallotBody, type MeetingView, type MotionView } from '@contract';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { BadLink, isMalformedLink } from '../../../components/bad-link';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useMe } from '../../auth';
import { useMembers } from '../../organizations';
import { DownloadIcon } from '../../../components/icons';
import { ensureTellerKey } from '../api/ballot-device';
import { useGovernanceFeed } from '../api/live';
import {
  meetingFiles,
  useAddAgendaItem,
  useAssignProxy,
  useCheckIn,
  useCreateBallot,
  useCreateMotion,
  useMeeting,
  useMotionTransition,
  useSetTellers,
  type MotionEvent,
} from '../api/meetings';
import { BallotControls } from './ballot-controls';
import { BallotResultView } from './ballot-result';
import { QuorumIndicator } from './quorum-indicator';
import '../governance.css';

/**
 * A teller's (or the chair's) device makes and registers its teller key when the meeting is first
 * opened here, so a secret ballot can be opened with a share for it.
 */
function useTellerKey(meeting: MeetingView | undefined): void {
  const me = useMe().data?.id;
  const teller = !!meeting && !!me && (meeting.isChair || meeting.tellers.some((x) => x.userId === me));
  useEffect(() => {
    if (teller) void ensureTellerKey(me!).catch(() => undefined);
  }, [teller, me]);
}

/** `/meetings/:meetingId`: the chair's console, and every member's view of the meeting. */
export function MeetingPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { meetingId = '' } = useParams();
  const meeting = useMeeting(meetingId);
  const { live } = useGovernanceFeed(meeting.data ? [meetingId] : []);
  useDocumentTitle(meeting.data?.title);
  useTellerKey(meeting.data);

  if (meeting.isPending) return <Loading />;
  if (meeting.isError && isMalformedLink(meeting.error)) return <BadLink kind="meeting" />;
  if (meeting.isError) return <ErrorMessage error={meeting.error} onRetry={() => void meeting.refetch()} />;
  const m = meeting.data;
  const quorum = live[m.id]?.quorum ?? m.quorum;
  const liveBallots = live[m.id]?.openBallots ?? [];
  const ballots = m.ballots.map((b) => liveBallots.find((x) => x.id === b.id) ?? b);

  return (
    <div className="stack-lg" data-testid="meeting-page" data-meeting-id={m.id}>
      <header className="page-header">
        <Link to={`/organizations/${m.organizationId}/meetings`} className="back-link">
          {t('governance.meetings.all')}
        </Link>
        <h1 data-testid="meeting-name">
          <bdi>{m.title}</bdi>
        </h1>
        <p className="lead">
          {t(`governance.kind.${m.kind}`)} · <time dateTime={m.scheduledAt}>{format.dateTime(m.scheduledAt)}</time> · {t(`governance.basis.${m.voterBasis}`)}
        </p>
        <div className="actions">
          {m.isChair && <span className="badge badge-owner">{t('governance.console.youChair')}</span>}
          {m.roomId && (
            <Link to={`/rooms/${m.roomId}?meeting=${m.id}`} className="button button-primary" data-testid="meeting-open-room">
              {t('governance.console.openRoom')}
            </Link>
          )}
        </div>
      </header>

      <div className="console-grid">
        <div className="console-main">
          <Agenda meeting={m} />
          <Motions meeting={m} />
          <Ballots meeting={m} ballots={ballots} />
        </div>
        <div className="console-side">
          <section className="card stack" aria-labelledby="quorum-title">
            <h2 id="quorum-title">{t('governance.quorum.title')}</h2>
            <QuorumIndicator quorum={quorum} />
            <p className="muted small">{t(`governance.quorumRule.${m.quorumRule.kind}`)}</p>
            <Attendance meetingId={m.id} />
          </section>
          <MySeats meeting={m} />
          <Tellers meeting={m} />
          {m.canExport && <Downloads meeting={m} />}
        </div>
      </div>
    </div>
  );
}

function Attendance({ meetingId }: { meetingId: string }) {
  const { t } = useTranslation();
  const checkIn = useCheckIn(meetingId);
  return (
    <div className="stack-tight">
      <p className="muted small">{t('governance.console.attendanceHint')}</p>
      <div className="actions">
        <button type="button" className="button button-small" disabled={checkIn.isPending} data-testid="check-in" onClick={() => checkIn.mutate('check-in')}>
          {t('governance.console.checkIn')}
        </button>
        <button type="button" className="button button-small" disabled={checkIn.isPending} data-testid="check-out" onClick={() => checkIn.mutate('check-out')}>
          {t('governance.console.checkOut')}
        </button>
      </div>
      <ErrorMessage error={checkIn.error} />
    </div>
  );
}

function Agenda({ meeting }: { meeting: MeetingView }) {
  const { t } = useTranslation();
  const add = useAddAgendaItem(meeting.id);
  const me = useMe();
  const officer = meeting.isChair || meeting.secretaryId === me.data?.id;
  const id = useId();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const title = String(new FormData(form).get('title') ?? '').trim();
    if (title) add.mutate({ title }, { onSuccess: () => form.reset() });
  };
  return (
    <section className="card stack" aria-labelledby="agenda-title">
      <h2 id="agenda-title">{t('governance.agenda.title')}</h2>
      {meeting.agenda.length === 0 ? (
        <p className="empty">{t('governance.agenda.empty')}</p>
      ) : (
        <ol className="agenda-list" data-testid="agenda">
          {meeting.agenda.map((a) => (
            <li key={a.id}>
              <bdi>{a.title}</bdi>
              {a.description && <p className="muted small">{a.description}</p>}
            </li>
          ))}
        </ol>
      )}
      {officer && (
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor={id} className="visually-hidden">
            {t('governance.agenda.item')}
          </label>
          <input id={id} name="title" maxLength={300} placeholder={t('governance.agenda.item')} data-testid="agenda-input" />
          <button type="submit" className="button" disabled={add.isPending}>
            {t('governance.agenda.add')}
          </button>
        </form>
      )}
      <ErrorMessage error={add.error} />
    </section>
  );
}

/** Which workflow steps this person may take on a motion now (the server decides in the end). */
function motionSteps(motion: MotionView, meeting: MeetingView, userId: string | undefined): MotionEvent[] {
  const mover = motion.moverId === userId;
  const chair = meeting.isChair;
  const steps: MotionEvent[] = [];
  if (motion.status === 'draft' && mover) steps.push('submit');
  if (motion.status === 'submitted' && !mover) steps.push('second');
  if (motion.status === 'seconded' && chair) steps.push('debate');
  if (motion.status === 'debate' && chair) steps.push('refer');
  if (['draft', 'submitted', 'seconded', 'debate'].includes(motion.status) && (mover || chair)) steps.push('withdraw');
  return steps;
}

function Motions({ meeting }: { meeting: MeetingView }) {
  const { t } = useTranslation();
  const me = useMe();
  const step = useMotionTransition(meeting.id);
  const create = useCreateMotion(meeting.id);
  const formId = useId();
  const open = meeting.motions.filter((m) => !['carried', 'lost', 'withdrawn', 'referred', 'voting'].includes(m.status));

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const title = String(data.get('title') ?? '').trim();
    const text = String(data.get('text') ?? '').trim();
    const agendaItemId = String(data.get('agendaItemId') ?? '');
    const amendsMotionId = String(data.get('amendsMotionId') ?? '');
    if (!title || !text) return;
    create.mutate({ title, text, ...(agendaItemId ? { agendaItemId } : {}), ...(amendsMotionId ? { amendsMotionId } : {}) }, { onSuccess: () => form.reset() });
  };

  return (
    <section className="card stack" aria-labelledby="motions-title">
      <h2 id="motions-title">{t('governance.motions.title')}</h2>
      {meeting.motions.length === 0 ? (
        <p className="empty">{t('governance.motions.empty')}</p>
      ) : (
        <ul className="motion-list" data-testid="motions">
          {meeting.motions.map((motion) => (
            <li key={motion.id} className={`motion${motion.amendsMotionId ? ' motion-amendment' : ''}`} data-testid="motion" data-status={motion.status}>
              <div className="motion-head">
                <h3>
                  {motion.amendsMotionId && <span className="muted">{t('governance.motions.amendment')} · </span>}
                  <bdi>{motion.title}</bdi>
                </h3>
                <span className={`status-pill status-${motion.status}`}>{t(`governance.motionStatus.${motion.status}`)}</span>
              </div>
              <p className="motion-text" dir="auto">
                {motion.text}
              </p>
              <p className="muted small">
                {t('governance.motions.movedBy', { name: isolate(motion.moverName) })}
                {motion.seconderName && <> · {t('governance.motions.secondedBy', { name: isolate(motion.seconderName) })}</>}
              </p>
              <div className="actions">
                {motionSteps(motion, meeting, me.data?.id).map((event) => (
                  <button
                    key={event}
                    type="button"
                    className={`button button-small${event === 'withdraw' ? ' button-danger' : ''}`}
                    disabled={step.isPending}
                    data-testid={`motion-${event}`}
                    aria-label={t(`governance.motions.stepLong.${event}`, { title: isolate(motion.title) })}
                    onClick={() => step.mutate({ motionId: motion.id, event })}
                  >
                    {t(`governance.motions.step.${event}`)}
                  </button>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={step.error} />
      <details>
        <summary>{t('governance.motions.propose')}</summary>
        <form className="form-grid" onSubmit={submit} aria-labelledby={`${formId}-legend`}>
          <p id={`${formId}-legend`} className="visually-hidden">
            {t('governance.motions.propose')}
          </p>
          <div className="field span-2">
            <label htmlFor={`${formId}-title`}>{t('governance.motions.titleLabel')}</label>
            <input id={`${formId}-title`} name="title" required maxLength={300} />
          </div>
          <div className="field span-2">
            <label htmlFor={`${formId}-text`}>{t('governance.motions.text')}</label>
            <textarea id={`${formId}-text`} name="text" required rows={3} maxLength={20_000} />
          </div>
          <div className="field">
            <label htmlFor={`${formId}-agenda`}>{t('governance.motions.agendaItem')}</label>
            <select id={`${formId}-agenda`} name="agendaItemId" defaultValue="">
              <option value="">{t('governance.motions.none')}</option>
              {meeting.agenda.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.position}. {a.title}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${formId}-amends`}>{t('governance.motions.amends')}</label>
            <select id={`${formId}-amends`} name="amendsMotionId" defaultValue="">
              <option value="">{t('governance.motions.none')}</option>
              {open.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.title}
                </option>
              ))}
            </select>
          </div>
          <div className="span-2 actions">
            <button type="submit" className="button button-primary" disabled={create.isPending}>
              {t('governance.motions.submitNew')}
            </button>
          </div>
          <div className="span-2">
            <ErrorMessage error={create.error} />
          </div>
        </form>
      </details>
    </section>
  );
}

function Ballots({ meeting, ballots }: { meeting: MeetingView; ballots: BallotView[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section className="card stack" aria-labelledby="ballots-title">
      <h2 id="ballots-title">{t('governance.ballots.title')}</h2>
      {ballots.length === 0 ? (
        <p className="empty">{t('governance.ballots.empty')}</p>
      ) : (
        <ul className="ballot-list" data-testid="ballots">
          {ballots.map((b) => (
            <li key={b.id} className="ballot-item" data-testid="ballot-item" data-ballot-id={b.id} data-status={b.status}>
              <div className="ballot-head">
                <h3 tabIndex={-1}>
                  <bdi>{b.title}</bdi>
                </h3>
                <span className={`status-pill status-${b.status}`} data-testid="ballot-status">
                  {t(`governance.ballotStatus.${b.status}`)}
                </span>
              </div>
              <p className="muted small">
                {t(`governance.ballotKind.${b.kind}`)} · {t(`governance.secrecy.${b.secrecy}`)}
                {b.kind === 'motion' && <> · {t(`governance.rule.${b.rule}`)}</>}
                {b.abstentionsCount && <> · {t('governance.ballots.abstentionsCount')}</>}
                {b.allowRevote && <> · {t('governance.ballots.revote')}</>}
              </p>
              {b.turnout && (
                <p className="small" data-testid="ballot-turnout">
                  {t('governance.ballot.turnout', { cast: format.number(b.turnout.cast), entitled: format.number(b.turnout.entitled) })}
                </p>
              )}
              {b.quorumOverride && <p className="small">{t('governance.ballots.overridden', { reason: isolate(b.quorumOverride) })}</p>}
              {b.result && <BallotResultView result={b.result} ballot={b} />}
              {b.status === 'published' && (
                <Link to={`/verify?ballot=${b.id}`} className="small">
                  {t('governance.receipt.check')}
                </Link>
              )}
              {meeting.isChair && b.status !== 'published' && <BallotControls ballot={b} />}
            </li>
          ))}
        </ul>
      )}
      {meeting.isChair && <CreateBallotForm meeting={meeting} />}
    </section>
  );
}

function CreateBallotForm({ meeting }: { meeting: MeetingView }) {
  const { t } = useTranslation();
  const create = useCreateBallot(meeting.id);
  const id = useId();
  const [kind, setKind] = useState<'motion' | 'election'>('motion');
  const [invalid, setInvalid] = useState(false);
  const inDebate = meeting.motions.filter((m) => m.status === 'debate');
  const [open, setOpen] = useState(inDebate.length > 0);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    const str = (k: string) => String(d.get(k) ?? '').trim();
    const duration = Number(str('duration'));
    const common = {
      secrecy: str('secrecy') as 'secret' | 'roll-call',
      abstentionsCount: d.get('abstentionsCount') === 'on',
      allowRevote: d.get('allowRevote') === 'on',
      ...(duration > 0 ? { durationSeconds: Math.round(duration) } : {}),
    };
    let body: CreateBallotBody;
    if (kind === 'motion') {
      if (!str('motionId')) return setInvalid(true);
      body = { ...common, motionId: str('motionId'), rule: str('rule') as CreateBallotBody['rule'] };
    } else {
      const candidates = str('candidates')
        .split('\n')
        .map((c) => c.trim())
        .filter(Boolean);
      const seats = Number(str('seats')) || 1;
      const maxChoices = Number(str('maxChoices')) || seats;
      if (!str('electionTitle') || candidates.length < 2 || new Set(candidates).size !== candidates.length || maxChoices > candidates.length) return setInvalid(true);
      body = { ...common, election: { title: str('electionTitle'), candidates, seats, maxChoices } };
    }
    setInvalid(false);
    create.mutate(body, {
      onSuccess: (ballot) => {
        form.reset();
        // Closed once saved, so a second click cannot prepare the same ballot twice; the new ballot takes the focus.
        setOpen(false);
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="ballot-item"][data-ballot-id="${ballot.id}"] h3`)?.focus());
      },
    });
  };

  return (
    <details className="stack-tight" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="ballot-create-details">
      <summary data-testid="ballot-create-toggle">{t('governance.ballots.create')}</summary>
      <form className="form-grid" onSubmit={submit} noValidate data-testid="ballot-form">
        <fieldset className="checks span-2">
          <legend>{t('governance.ballots.kind')}</legend>
          <label className="switch">
            <input type="radio" name="kind" checked={kind === 'motion'} onChange={() => setKind('motion')} />
            {t('governance.ballotKind.motion')}
          </label>
          <label className="switch">
            <input type="radio" name="kind" checked={kind === 'election'} onChange={() => setKind('election')} />
            {t('governance.ballotKind.election')}
          </label>
        </fieldset>
        {kind === 'motion' ? (
          <>
            <div className="field span-2">
              <label htmlFor={`${id}-motion`}>{t('governance.ballots.motion')}</label>
              <select id={`${id}-motion`} name="motionId" defaultValue={inDebate[0]?.id ?? ''} data-testid="ballot-motion">
                {inDebate.length === 0 && <option value="">{t('governance.ballots.noMotionInDebate')}</option>}
                {inDebate.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.title}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-rule`}>{t('governance.ballots.rule')}</label>
              <select id={`${id}-rule`} name="rule" defaultValue="simple">
                {MAJORITY_RULES.map((r) => (
                  <option key={r} value={r}>
                    {t(`governance.rule.${r}`)}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : (
          <>
            <div className="field span-2">
              <label htmlFor={`${id}-etitle`}>{t('governance.ballots.electionTitle')}</label>
              <input id={`${id}-etitle`} name="electionTitle" maxLength={300} />
            </div>
            <div className="field span-2">
              <label htmlFor={`${id}-cands`}>{t('governance.ballots.candidates')}</label>
              <textarea id={`${id}-cands`} name="candidates" rows={4} aria-describedby={`${id}-cands-hint`} />
              <p id={`${id}-cands-hint`} className="field-hint">
                {t('governance.ballots.candidatesHint')}
              </p>
            </div>
            <div className="field">
              <label htmlFor={`${id}-seats`}>{t('governance.ballots.seatsToFill')}</label>
              <input id={`${id}-seats`} name="seats" type="number" min={1} max={50} defaultValue={1} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-max`}>{t('governance.ballots.maxChoices')}</label>
              <input id={`${id}-max`} name="maxChoices" type="number" min={1} max={50} defaultValue={1} />
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor={`${id}-secrecy`}>{t('governance.ballots.secrecy')}</label>
          <select id={`${id}-secrecy`} name="secrecy" defaultValue="secret">
            <option value="secret">{t('governance.secrecy.secret')}</option>
            <option value="roll-call">{t('governance.secrecy.roll-call')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-duration`}>{t('governance.ballots.timer')}</label>
          <input id={`${id}-duration`} name="duration" type="number" min={10} max={86400} inputMode="numeric" aria-describedby={`${id}-duration-hint`} />
          <p id={`${id}-duration-hint`} className="field-hint">
            {t('governance.ballots.timerHint')}
          </p>
        </div>
        <fieldset className="checks span-2">
          <legend className="visually-hidden">{t('governance.ballots.options')}</legend>
          <label className="switch">
            <input type="checkbox" name="abstentionsCount" />
            {t('governance.ballots.abstentionsCount')}
          </label>
          <label className="switch">
            <input type="checkbox" name="allowRevote" />
            {t('governance.ballots.revote')}
          </label>
        </fieldset>
        {invalid && (
          <p className="field-error span-2" role="alert">
            {t('governance.ballots.invalid')}
          </p>
        )}
        <div className="span-2">
          <ErrorMessage error={create.error} />
        </div>
        <div className="span-2 actions">
          <button type="submit" className="button button-primary" disabled={create.isPending} data-testid="ballot-create">
            {t('governance.ballots.createSubmit')}
          </button>
        </div>
      </form>
    </details>
  );
}

function MySeats({ meeting }: { meeting: MeetingView }) {
  const { t } = useTranslation();
  const format = useFormat();
  const members = useMembers(meeting.organizationId);
  const me = useMe();
  const assign = useAssignProxy(meeting.id);
  const id = useId();
  const own = meeting.mySeats.filter((s) => s.as === 'own');
  const pending = meeting.motions.filter((m) => ['submitted', 'seconded', 'debate'].includes(m.status));

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const seatId = String(d.get('seatId') ?? '');
    const holderId = String(d.get('holderId') ?? '');
    if (!seatId || !holderId) return;
    const instructions: Record<string, (typeof PROXY_INSTRUCTIONS)[number]> = {};
    for (const m of pending) {
      const v = String(d.get(`instr-${m.id}`) ?? 'free') as (typeof PROXY_INSTRUCTIONS)[number];
      if (v !== 'free') instructions[m.id] = v;
    }
    assign.mutate({ seatId, holderId, instructions });
  };

  return (
    <section className="card stack" aria-labelledby="seats-title">
      <h2 id="seats-title">{t('governance.seats.title')}</h2>
      {meeting.mySeats.length === 0 ? (
        <p className="muted">{t('governance.seats.none')}</p>
      ) : (
        <ul className="meeting-list" data-testid="my-seats">
          {meeting.mySeats.map((s) => (
            <li key={s.seatId}>
              <bdi>{s.label}</bdi> · {t('governance.seats.weightN', { n: format.number(s.weight) })} · {t(`governance.seats.${s.as}`)}
            </li>
          ))}
        </ul>
      )}
      {own.length > 0 && (
        <details>
          <summary>{t('governance.proxy.give')}</summary>
          <form className="stack-tight" onSubmit={submit}>
            <div className="field">
              <label htmlFor={`${id}-seat`}>{t('governance.seats.seat')}</label>
              <select id={`${id}-seat`} name="seatId">
                {own.map((s) => (
                  <option key={s.seatId} value={s.seatId}>
                    {s.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-holder`}>{t('governance.proxy.holder')}</label>
              <select id={`${id}-holder`} name="holderId" defaultValue="">
                <option value="">{t('governance.proxy.choose')}</option>
                {members.data
                  ?.filter((m) => m.userId !== me.data?.id)
                  .map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {m.displayName}
                    </option>
                  ))}
              </select>
            </div>
            {pending.map((m) => (
              <div className="field" key={m.id}>
                <label htmlFor={`${id}-i-${m.id}`}>{t('governance.proxy.instructionFor', { title: isolate(m.title) })}</label>
                <select id={`${id}-i-${m.id}`} name={`instr-${m.id}`} defaultValue="free">
                  {PROXY_INSTRUCTIONS.map((i) => (
                    <option key={i} value={i}>
                      {i === 'free' ? t('governance.seats.free') : t(`governance.choice.${i}`)}
                    </option>
                  ))}
                </select>
              </div>
            ))}
            <button type="submit" className="button" disabled={assign.isPending}>
              {t('governance.proxy.assign')}
            </button>
            <ErrorMessage error={assign.error} />
            <p className="status" role="status">
              {assign.isSuccess && t('governance.proxy.assigned')}
            </p>
          </form>
        </details>
      )}
    </section>
  );
}

/**
 * Who holds the keys of secret ballots: each named teller's device gets a share of a ballot's key when
 * it opens, and the count waits until `threshold` of them release theirs. The chair names them; with
 * none named, whoever opens a ballot holds its key alone.
 */
function Tellers({ meeting }: { meeting: MeetingView }) {
  const { t } = useTranslation();
  const members = useMembers(meeting.organizationId);
  const set = useSetTellers(meeting.id);
  const id = useId();
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [threshold, setThreshold] = useState<number | null>(null);
  const picked = chosen ?? meeting.tellers.map((x) => x.userId);
  const needed = Math.min(threshold ?? meeting.tellerThreshold, Math.max(picked.length, 1));
  const names = meeting.tellers.map((x) => isolate(x.displayName)).join(', ');

  return (
    <section className="card stack" aria-labelledby={`${id}-title`} data-testid="tellers">
      <h2 id={`${id}-title`}>{t('governance.tellers.title')}</h2>
      <p className="muted small">
        {meeting.tellers.length ? t('governance.tellers.named', { names, n: meeting.tellerThreshold }) : t('governance.tellers.none')}
      </p>
      {meeting.isChair && (
        <details>
          <summary>{t('governance.tellers.change')}</summary>
          <form
            className="stack-tight"
            onSubmit={(e) => {
              e.preventDefault();
              if (picked.length) set.mutate({ tellers: picked, threshold: needed });
            }}
          >
            <fieldset className="stack-tight">
              <legend>{t('governance.tellers.who')}</legend>
              {members.data?.map((x) => (
                <label key={x.userId} className="checkbox">
                  <input
                    type="checkbox"
                    checked={picked.includes(x.userId)}
                    onChange={(e) => setChosen(e.target.checked ? [...picked, x.userId] : picked.filter((p) => p !== x.userId))}
                  />{' '}
                  <bdi>{x.displayName}</bdi>
                </label>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor={`${id}-threshold`}>{t('governance.tellers.threshold')}</label>
              <select id={`${id}-threshold`} value={needed} onChange={(e) => setThreshold(Number(e.target.value))}>
                {Array.from({ length: Math.max(picked.length, 1) }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={n}>
                    {t('governance.tellers.thresholdOf', { n, of: Math.max(picked.length, 1) })}
                  </option>
                ))}
              </select>
            </div>
            <p className="field-hint">{t('governance.tellers.hint')}</p>
            <button type="submit" className="button" disabled={set.isPending || picked.length === 0}>
              {t('governance.tellers.save')}
            </button>
            <ErrorMessage error={set.error} />
          </form>
        </details>
      )}
    </section>
  );
}

function Downloads({ meeting }: { meeting: MeetingView }) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const get = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card stack" aria-labelledby="records-title">
      <h2 id="records-title">{t('governance.records.title')}</h2>
      <p className="muted small">{t('governance.records.hint')}</p>
      <div className="downloads">
        <button type="button" className="button" disabled={busy} data-testid="minutes-pdf" onClick={() => void get(() => meetingFiles.minutesPdf(meeting.id))}>
          <DownloadIcon size={16} /> {t('governance.records.minutesPdf')}
        </button>
        <button type="button" className="button" disabled={busy} data-testid="minutes-csv" onClick={() => void get(() => meetingFiles.minutesCsv(meeting.id))}>
          <DownloadIcon size={16} /> {t('governance.records.minutesCsv')}
        </button>
        <button type="button" className="button" disabled={busy} data-testid="export-json" onClick={() => void get(() => meetingFiles.exportJson(meeting.id))}>
          <DownloadIcon size={16} /> {t('governance.records.export')}
        </button>
      </div>
      <ErrorMessage error={error} />
    </section>
  );
}
