import { RECORDING_ACCESS_LEVELS, type RecordingDto, UpdateRecordingBody } from '@contract';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { asApiError } from '../../../lib/api';
import { isolate, useFormat } from '../../../lib/format';
import { formValues, useZodForm } from '../../../lib/forms';
import { tokens } from '../../../lib/tokens';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useDeleteRecording, useRecording, useUpdateRecording } from '../api/archive';
import { clock, parseSubjects, withParam } from '../time';
import { Player } from './player';
import '../archive.css';

/** A recording's page (`/recordings/:recordingId`): the player, its description, downloads, and for its organisers editing and deletion. */
export function RecordingPage() {
  const { recordingId = '' } = useParams();
  const { t } = useTranslation();
  const rec = useRecording(recordingId);
  useDocumentTitle(rec.data ? rec.data.metadata.title || t('archive.untitled') : t('archive.title'));
  if (rec.isPending) return <Loading />;
  if (rec.isError) {
    const { code } = asApiError(rec.error);
    return (
      <section className="stack" data-testid="recording-refused" data-code={code}>
        <ErrorMessage error={rec.error} onRetry={code === 'UNAVAILABLE' || code === 'INTERNAL' ? () => void rec.refetch() : undefined} />
        {!tokens.signedIn && code === 'RECORDING_NOT_FOUND' && (
          <p>
            {t('archive.signInHint')} <Link to="/sign-in">{t('nav.signIn')}</Link>
          </p>
        )}
      </section>
    );
  }
  return <RecordingView r={rec.data} />;
}

function RecordingView({ r }: { r: RecordingDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const title = r.metadata.title || t('archive.untitled');
  return (
    <article className="stack-lg recording-page" data-testid="recording-page" data-status={r.status} data-access={r.access}>
      <header className="stack-tight">
        <p className="muted">
          <Link to={`/archive/organizations/${r.organizationId}`}>
            <bdi>{r.organizationName}</bdi>
          </Link>
          {' · '}
          <Link to={`/archive/rooms/${r.roomId}`}>
            <bdi>{r.roomName}</bdi>
          </Link>
          {r.eventId && r.eventTitle && (
            <>
              {' · '}
              <Link to={`/events/${r.eventId}`}>
                <bdi>{r.eventTitle}</bdi>
              </Link>
            </>
          )}
        </p>
        <h1 data-testid="recording-title" lang={r.metadata.language ?? undefined}>
          <bdi>{title}</bdi>
        </h1>
        <p className="recording-meta">
          <time dateTime={r.startedAt}>{format.dateTime(r.startedAt)}</time>
          {r.durationSeconds !== null && (
            <span>
              {t('archive.duration')}: <span dir="ltr">{clock(r.durationSeconds)}</span>
            </span>
          )}
          <span className={`badge access-${r.access}`} data-testid="recording-access">
            {t(`archive.access.${r.access}`)}
          </span>
          {r.status !== 'ready' && <span className="badge badge-danger">{t(`archive.status.${r.status}`)}</span>}
          {r.meetingId && r.meetingTitle && (
            <Link to={`/meetings/${r.meetingId}`}>
              {t('archive.meeting')}: <bdi>{r.meetingTitle}</bdi>
            </Link>
          )}
        </p>
      </header>

      {r.deletion ? (
        <Tombstone r={r} />
      ) : r.media ? (
        <>
          <Player hls={r.media.hls} mp4={r.media.mp4} chapters={r.chapters} title={title} />
          <Downloads r={r} />
        </>
      ) : (
        <p className="alert">{t(`archive.status.${r.status}`)}</p>
      )}

      <DublinCore r={r} />
      {r.canEdit && <EditRecording r={r} />}
      {r.canDelete && <DeleteRecording r={r} />}
      <FilesList r={r} />
    </article>
  );
}

function Downloads({ r }: { r: RecordingDto }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const media = r.media!;
  const language = (lang: string | null) =>
    lang ? (new Intl.DisplayNames([i18n.resolvedLanguage ?? 'en'], { type: 'language' }).of(lang) ?? lang) : '—';
  return (
    <section aria-labelledby="downloads-title" className="card stack" data-testid="downloads">
      <h2 id="downloads-title">{t('archive.downloads')}</h2>
      <div className="actions">
        {media.mp4 && (
          <a className="button" href={withParam(media.mp4, 'download', '1')} download data-testid="download-mp4">
            {t('archive.downloadMp4')}
          </a>
        )}
        {media.captions.map((c) => (
          <a key={c.path} className="button" href={c.url} download data-testid="download-captions" data-lang={c.language ?? ''}>
            {t('archive.downloadCaptions', { language: language(c.language) })}
          </a>
        ))}
        {media.package && (
          <a className="button" href={media.package} download data-testid="download-package">
            {t('archive.downloadPackage')}
          </a>
        )}
      </div>
      <p className="muted">{t('archive.packageHint')}</p>
      {r.mediaExpiresAt && <p className="muted">{t('archive.linksExpire', { time: format.dateTime(r.mediaExpiresAt) })}</p>}
    </section>
  );
}

/** What is left of a deleted recording: why, when, by whom, and its files' hashes (below). */
function Tombstone({ r }: { r: RecordingDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const d = r.deletion!;
  return (
    <section className="alert alert-error stack-tight" role="status" data-testid="tombstone">
      <strong>{t('archive.deleted.heading')}</strong>
      <p>
        {d.deletedBy
          ? t('archive.deleted.byPerson', {
              date: format.dateTime(d.deletedAt),
              name: isolate(d.deletedByName ?? '—'),
              reason: isolate(d.reason),
            })
          : t('archive.deleted.byRetention', { date: format.dateTime(d.deletedAt) })}
      </p>
    </section>
  );
}

function DublinCore({ r }: { r: RecordingDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const m = r.metadata;
  const rows: [string, ReactNode][] = [
    [t('archive.metadata.title'), <bdi key="t">{m.title}</bdi>],
    [t('archive.metadata.creator'), <bdi key="c">{m.creator}</bdi>],
    [
      t('archive.metadata.subject'),
      m.subject.length ? (
        <ul className="chips" key="s">
          {m.subject.map((s) => (
            <li key={s} className="chip">
              <bdi>{s}</bdi>
            </li>
          ))}
        </ul>
      ) : (
        '—'
      ),
    ],
    [
      t('archive.metadata.description'),
      m.description ? (
        <p className="prewrap" key="d">
          <bdi>{m.description}</bdi>
        </p>
      ) : (
        '—'
      ),
    ],
    [t('archive.metadata.language'), m.language ?? '—'],
    [t('archive.metadata.rights'), m.rights ? <bdi key="r">{m.rights}</bdi> : '—'],
    [
      t('archive.metadata.date'),
      <span dir="ltr" key="dt">
        {m.date}
      </span>,
    ],
    [t('archive.accessLabel'), t(`archive.access.${r.access}`)],
    [
      t('archive.retention'),
      r.retainUntil ? t('archive.keptUntil', { date: format.date(`${r.retainUntil}T12:00:00Z`) }) : t('archive.keptForGood'),
    ],
  ];
  return (
    <section aria-labelledby="dc-title" className="card stack" data-testid="dublin-core">
      <h2 id="dc-title">{t('archive.metadata.heading')}</h2>
      <dl className="dc-list">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The form's fields as the contract's update: lists from lines, empty optional fields left out, no retention as null. */
function readEdit(form: HTMLFormElement) {
  const v = formValues(form);
  const raw = new FormData(form);
  return {
    title: v.title ?? '',
    creator: v.creator ?? '',
    subject: parseSubjects(String(raw.get('subject') ?? '')),
    description: String(raw.get('description') ?? '').trim(),
    ...(v.language ? { language: v.language.trim() } : {}),
    rights: String(raw.get('rights') ?? '').trim(),
    ...(v.date ? { date: v.date.trim() } : {}),
    access: v.access,
    retainUntil: v.retainUntil ?? null,
  };
}

function EditRecording({ r }: { r: RecordingDto }) {
  const { t } = useTranslation();
  const update = useUpdateRecording(r.id);
  const form = useZodForm(UpdateRecordingBody, readEdit);
  const [saved, setSaved] = useState(false);
  const m = r.metadata;
  return (
    <details className="card" data-testid="edit-recording">
      <summary>{t('archive.edit')}</summary>
      <form
        className="invite-form"
        noValidate
        onChange={(e) => (form.onChange(e), setSaved(false))}
        onSubmit={form.onSubmit((body) => update.mutate(body, { onSuccess: () => setSaved(true) }))}
      >
        <Field label={t('archive.metadata.title')} error={form.errors.title} className="span-2">
          {(c) => <input {...c} name="title" defaultValue={m.title} maxLength={500} required data-testid="edit-title" />}
        </Field>
        <Field label={t('archive.metadata.creator')} error={form.errors.creator} className="span-2">
          {(c) => <input {...c} name="creator" defaultValue={m.creator} maxLength={500} required />}
        </Field>
        <Field
          label={t('archive.metadata.subject')}
          hint={t('archive.metadata.subjectHint')}
          error={form.errors.subject}
          className="span-2"
        >
          {(c) => <textarea {...c} name="subject" defaultValue={m.subject.join('\n')} rows={3} data-testid="edit-subject" />}
        </Field>
        <Field label={t('archive.metadata.description')} error={form.errors.description} className="span-2">
          {(c) => (
            <textarea {...c} name="description" defaultValue={m.description} rows={4} maxLength={10_000} data-testid="edit-description" />
          )}
        </Field>
        <Field label={t('archive.metadata.language')} hint={t('archive.metadata.languageHint')} error={form.errors.language}>
          {(c) => <input {...c} name="language" defaultValue={m.language ?? ''} dir="ltr" maxLength={35} />}
        </Field>
        <Field label={t('archive.metadata.date')} hint={t('archive.metadata.dateHint')} error={form.errors.date}>
          {(c) => <input {...c} name="date" defaultValue={m.date} dir="ltr" maxLength={40} />}
        </Field>
        <Field label={t('archive.metadata.rights')} error={form.errors.rights} className="span-2">
          {(c) => <input {...c} name="rights" defaultValue={m.rights} maxLength={2_000} />}
        </Field>
        <Field label={t('archive.accessLabel')} hint={t(`archive.accessHint.${r.access}`)} error={form.errors.access}>
          {(c) => (
            <select {...c} name="access" defaultValue={r.access} data-testid="edit-access">
              {RECORDING_ACCESS_LEVELS.map((a) => (
                <option key={a} value={a}>
                  {t(`archive.access.${a}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('archive.retention')} hint={t('archive.retentionHint')} error={form.errors.retainUntil}>
          {(c) => <input {...c} name="retainUntil" type="date" defaultValue={r.retainUntil ?? ''} />}
        </Field>
        <div className="span-2 stack">
          <ErrorMessage error={update.error} />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={update.isPending} data-testid="save-recording">
              {t('archive.save')}
            </button>
            <p className="status" role="status">
              {saved && t('archive.saved')}
            </p>
          </div>
        </div>
      </form>
    </details>
  );
}

function DeleteRecording({ r }: { r: RecordingDto }) {
  const { t } = useTranslation();
  const remove = useDeleteRecording(r.id);
  const [reason, setReason] = useState('');
  return (
    <details className="card danger-zone" data-testid="delete-recording">
      <summary>{t('archive.delete.heading')}</summary>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate(reason);
        }}
      >
        <p className="muted">{t('archive.delete.intro')}</p>
        <Field label={t('archive.delete.reason')}>
          {(c) => (
            <textarea
              {...c}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
              maxLength={1_000}
              required
              data-testid="delete-reason"
            />
          )}
        </Field>
        <ErrorMessage error={remove.error} />
        <div className="actions">
          <button
            type="submit"
            className="button button-danger"
            disabled={remove.isPending || reason.trim().length < 3}
            data-testid="delete-confirm"
          >
            {t('archive.delete.confirm')}
          </button>
        </div>
      </form>
    </details>
  );
}

function FilesList({ r }: { r: RecordingDto }) {
  const { t, i18n } = useTranslation();
  const size = new Intl.NumberFormat(i18n.resolvedLanguage ?? 'en', { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });
  return (
    <details className="card" data-testid="files">
      <summary>{t('archive.files.heading', { count: r.files.length })}</summary>
      <p className="muted">{t('archive.files.intro')}</p>
      <div className="table-wrap">
        <table className="files-table">
          <thead>
            <tr>
              <th scope="col">{t('archive.files.path')}</th>
              <th scope="col">{t('archive.files.size')}</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {r.files.map((f) => (
              <tr key={f.id}>
                <td dir="ltr">{f.path}</td>
                <td>{size.format(f.bytes / 1000)}</td>
                <td dir="ltr" className="hash">
                  {f.sha256}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
