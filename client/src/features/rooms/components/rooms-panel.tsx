import { CreateRoomBody, ROOM_MODES, type RoomDto, type RoomInviteDto } from '@contract';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import { formValues, useZodForm } from '../../../lib/forms';
import { useOrgContext } from '../../organizations';
import { useCreateRoom, useCreateRoomInvite, useRevokeRoomInvite, useRoomInvites, useRooms } from '../api/rooms';
import { InviteLinks } from '../../../components/invite-links';
import { RoomModeBadge } from './room-mode-badge';
import { CaptionsArchive } from '../../room';

const readRoom = (form: HTMLFormElement) => {
  const { capacity, ...rest } = formValues(form);
  return { ...rest, capacity: capacity === undefined ? undefined : Number(capacity) };
};

/** The organisation's meeting rooms: join one, and (owners, admins) create rooms and invite links. */
export function RoomsPanel() {
  const { t } = useTranslation();
  const { org, canManage } = useOrgContext();
  const rooms = useRooms(org.id);

  return (
    <div className="stack-lg">
      <section aria-labelledby="rooms-title" className="stack">
        <h2 id="rooms-title">{t('rooms.title')}</h2>
        {rooms.isPending ? (
          <Loading />
        ) : rooms.isError ? (
          <ErrorMessage error={rooms.error} onRetry={() => void rooms.refetch()} />
        ) : rooms.data.length === 0 ? (
          <p className="empty">{canManage ? t('rooms.emptyManager') : t('rooms.empty')}</p>
        ) : (
          <ul className="room-list" data-testid="room-list">
            {rooms.data.map((room) => (
              <RoomItem key={room.id} room={room} canManage={canManage} />
            ))}
          </ul>
        )}
      </section>
      {canManage && <CreateRoomForm orgId={org.id} />}
    </div>
  );
}

function RoomItem({ room, canManage }: { room: RoomDto; canManage: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const invite = useCreateRoomInvite();
  const [link, setLink] = useState<RoomInviteDto | null>(null);
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = `room-invite-${room.id}`;

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      input.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };

  return (
    <li className="card room-item stack" data-testid="room-item" data-room-id={room.id}>
      <div className="room-item-header">
        <div className="stack-tight">
          <h3 className="room-item-title">
            <bdi>{room.name}</bdi>
            <RoomModeBadge mode={room.mode} />
          </h3>
          <p className="muted room-meta">
            <span>{t(`rooms.access.${room.access}`)}</span>
            {room.mode === 'webinar' && room.access === 'public' && (
              <>
                <span aria-hidden="true">·</span>
                <span data-testid="room-guests-welcome">{t('rooms.guestsWelcome')}</span>
              </>
            )}
            <span aria-hidden="true">·</span>
            <span>{t('rooms.capacityValue', { n: format.number(room.capacity) })}</span>
            {room.participants > 0 && (
              <>
                <span aria-hidden="true">·</span>
                <span className="online" data-testid="room-live">
                  <span className="dot" aria-hidden="true" />
                  {t('rooms.live', { n: format.number(room.participants) })}
                </span>
              </>
            )}
          </p>
        </div>
        <div className="actions">
          {canManage && (
            <button
              type="button"
              className="button"
              disabled={invite.isPending}
              data-testid="room-invite"
              onClick={() => invite.mutate(room.id, { onSuccess: (l) => (setLink(l), setCopied(false)) })}
            >
              {t('rooms.inviteLink')}
            </button>
          )}
          <Link to={`/archive/rooms/${room.id}`} className="button" data-testid="room-recordings">
            {t('archive.title')}
          </Link>
          <Link to={`/rooms/${room.id}`} className="button button-primary" data-testid="room-join-link">
            {t('rooms.join')}
          </Link>
        </div>
      </div>
      <ErrorMessage error={invite.error} />
      {link && (
        <div className="stack-tight">
          <label htmlFor={inputId}>{t('rooms.inviteLabel')}</label>
          <div className="copy-row">
            <input ref={input} id={inputId} dir="ltr" readOnly value={link.url} data-testid="room-invite-url" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="button" onClick={() => void copy(link.url)}>
              {t('invitations.copy')}
            </button>
          </div>
          <p className="muted">
            {t('invitations.expiresAt', { date: format.dateTime(link.expiresAt) })}{' '}
            <span role="status" className="status">
              {copied && t('invitations.copied')}
            </span>
          </p>
        </div>
      )}
      {canManage && <RoomInviteLinks roomId={room.id} />}
      <CaptionsArchive roomId={room.id} />
    </li>
  );
}

/** A room's links, loaded when opened: uses, state, revoke. */
function RoomInviteLinks({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const links = useRoomInvites(roomId, open);
  const revoke = useRevokeRoomInvite(roomId);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="room-invite-links">
      <summary>{t('inviteLinks.roomTitle')}</summary>
      {links.data && (
        <InviteLinks links={links.data} onRevoke={(id) => revoke.mutate(id)} revoking={revoke.isPending} error={revoke.error ?? links.error} />
      )}
    </details>
  );
}

function CreateRoomForm({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const create = useCreateRoom(orgId);
  const form = useZodForm(CreateRoomBody, readRoom);
  const [created, setCreated] = useState<string | null>(null);

  return (
    <section aria-labelledby="create-room-title" className="card stack">
      <h2 id="create-room-title">{t('rooms.createTitle')}</h2>
      <form
        className="invite-form"
        noValidate
        onChange={form.onChange}
        onSubmit={form.onSubmit((body, el) =>
          create.mutate(body, {
            onSuccess: (room) => {
              el.reset();
              setCreated(room.name);
            },
          }),
        )}
      >
        <Field label={t('rooms.name')} error={form.errors.name} className="span-2">
          {(control) => <input {...control} name="name" required maxLength={120} />}
        </Field>
        <fieldset className="span-2 mode-choice" data-testid="room-mode-choice">
          <legend>{t('rooms.modeLabel')}</legend>
          {ROOM_MODES.map((mode) => (
            <label key={mode} className="mode-option">
              <input type="radio" name="mode" value={mode} defaultChecked={mode === 'meeting'} data-testid={`room-mode-${mode}`} aria-describedby={`room-mode-hint-${mode}`} />
              <span className="stack-tight">
                <strong>{t(`rooms.mode.${mode}`)}</strong>
                <span id={`room-mode-hint-${mode}`} className="muted">
                  {t(`rooms.modeHint.${mode}`)}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <Field label={t('rooms.accessLabel')} hint={t('rooms.accessHint')} error={form.errors.access}>
          {(control) => (
            <select {...control} name="access" defaultValue="members">
              <option value="members">{t('rooms.access.members')}</option>
              <option value="public">{t('rooms.access.public')}</option>
            </select>
          )}
        </Field>
        <Field label={t('rooms.capacity')} hint={t('rooms.capacityHint')} error={form.errors.capacity}>
          {(control) => <input {...control} name="capacity" type="number" inputMode="numeric" min={2} max={5000} defaultValue={100} />}
        </Field>
        <div className="span-2 stack">
          <ErrorMessage error={create.error} />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={create.isPending}>
              {t('rooms.create')}
            </button>
            <p className="status" role="status">
              {created && t('rooms.created', { name: isolate(created) })}
            </p>
          </div>
        </div>
      </form>
    </section>
  );
}
