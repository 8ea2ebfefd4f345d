import { BREAKOUT_BROADCAST_MAX_LENGTH, BREAKOUT_MAX_GROUPS, BREAKOUT_MAX_MINUTES, type BreakoutAssignment, type BreakoutMember, type BreakoutState } from '@contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../../components/error-message';
import { CloseIcon } from '../../../../components/icons';
import { isolate, useFormat } from '../../../../lib/format';
import type { RoomSession, RoomSnapshot } from '../../session/room-session';
import { breakoutCommands, canManageBreakouts, groupLabel } from '../api/breakouts';
import { useAction } from './use-action';
import '../stage.css';

interface Props {
  snap: RoomSnapshot;
  onClose: () => void;
}

/**
 * Breakout groups. Hosts and co-hosts open a round, move people, visit groups, write to all of them and
 * call everyone back; in a round where people choose, everyone picks a group here.
 */
export function BreakoutPanel({ snap, onClose }: Props) {
  const { t } = useTranslation();
  const state = snap.stage.breakout;
  const manager = canManageBreakouts(snap.role, snap.mode);
  const action = useAction();
  const label = (s: BreakoutState, i: number) => groupLabel(s, i, (n) => t('stage.breakout.groupName', { n }));
  /** The people of a group (or of the main room), each with a list to move them for hosts. */
  const members = (s: BreakoutState, list: readonly BreakoutMember[], group: number | null) =>
    list.length === 0 ? (
      <p className="muted">{t('stage.breakout.empty')}</p>
    ) : (
      <ul className="breakout-members">
        {list.map((m) => (
          <li key={m.userId}>
            <bdi>{m.displayName}</bdi>
            {manager && (
              <select
                aria-label={t('stage.breakout.moveLabel', { name: isolate(m.displayName) })}
                value={group ?? ''}
                data-testid="breakout-move"
                disabled={action.busy !== null}
                onChange={(e) => void action.run('move', () => breakoutCommands.move(m.userId, e.target.value === '' ? null : Number(e.target.value)))}
              >
                <option value="">{t('stage.breakout.mainRoom')}</option>
                {s.groups.map((o) => (
                  <option key={o.index} value={o.index}>
                    {label(s, o.index)}
                  </option>
                ))}
              </select>
            )}
          </li>
        ))}
      </ul>
    );

  return (
    <aside className="side-panel breakout-panel" aria-labelledby="breakout-title" data-testid="breakout-panel">
      <header className="side-panel-header">
        <h2 id="breakout-title">{t('stage.breakout.title')}</h2>
        <button type="button" className="icon-button" aria-label={t('stage.breakout.close')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </header>
      <ErrorMessage error={action.error} />
      {snap.mode !== 'meeting' && <p className="muted">{t('stage.breakout.onlyMeetings')}</p>}
      {!state && manager && <OpenForm busy={action.busy === 'open'} onOpen={(p) => void action.run('open', () => breakoutCommands.open(p))} />}
      {state && (
        <div className="stack-tight">
          <p role="status" data-testid="breakout-where">
            {state.yourGroup === null ? t('stage.breakout.mainRoom') : t('stage.breakout.youAreIn', { group: isolate(label(state, state.yourGroup)) })}
          </p>
          <ul className="breakout-groups" aria-label={t('stage.breakout.title')}>
            {state.groups.map((g) => (
              <li key={g.index} className="breakout-group" data-testid="breakout-group">
                <div className="breakout-group-head">
                  <strong>{label(state, g.index)}</strong>
                  <span className="muted">{t('stage.breakout.members', { count: g.members.length })}</span>
                  {(manager || state.assignment === 'choose') && state.yourGroup !== g.index && (
                    <button
                      type="button"
                      className="button button-small"
                      data-testid="breakout-go"
                      disabled={action.busy !== null}
                      onClick={() => void action.run('go', () => breakoutCommands.choose(g.index))}
                    >
                      {manager ? t('stage.breakout.visit') : t('stage.breakout.go', { group: isolate(label(state, g.index)) })}
                    </button>
                  )}
                </div>
                {members(state, g.members, g.index)}
              </li>
            ))}
            <li className="breakout-group" data-testid="breakout-main-room">
              <div className="breakout-group-head">
                <strong>{t('stage.breakout.mainRoom')}</strong>
                <span className="muted">{t('stage.breakout.members', { count: state.mainRoom.length })}</span>
              </div>
              {members(state, state.mainRoom, null)}
            </li>
          </ul>
          {state.yourGroup !== null && (manager || state.assignment === 'choose') && (
            <button type="button" className="button button-small" data-testid="breakout-main" onClick={() => void action.run('go', () => breakoutCommands.choose(null))}>
              {t('stage.breakout.backToMain')}
            </button>
          )}
          {manager && <BroadcastForm busy={action.busy === 'broadcast'} onSend={(text) => action.run('broadcast', () => breakoutCommands.broadcast(text))} />}
          {manager && (
            <button
              type="button"
              className="button button-primary"
              data-testid="breakout-call-back"
              disabled={action.busy !== null}
              onClick={() => void action.run('close', () => breakoutCommands.close())}
            >
              {t('stage.breakout.callBack')}
            </button>
          )}
        </div>
      )}
    </aside>
  );
}

function OpenForm({ busy, onOpen }: { busy: boolean; onOpen: (p: { groups: number; assignment: BreakoutAssignment; minutes?: number }) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [groups, setGroups] = useState(2);
  const [assignment, setAssignment] = useState<BreakoutAssignment>('random');
  const [minutes, setMinutes] = useState('');
  const limit = minutes.trim() === '' ? undefined : Number(minutes);
  const valid = Number.isInteger(groups) && groups >= 1 && groups <= BREAKOUT_MAX_GROUPS && (limit === undefined || (Number.isInteger(limit) && limit >= 1 && limit <= BREAKOUT_MAX_MINUTES));
  return (
    <form
      className="stack-tight"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onOpen({ groups, assignment, ...(limit ? { minutes: limit } : {}) });
      }}
    >
      <label htmlFor={`${id}-n`}>{t('stage.breakout.groups')}</label>
      <input id={`${id}-n`} type="number" min={1} max={BREAKOUT_MAX_GROUPS} value={groups} data-testid="breakout-count" onChange={(e) => setGroups(Number(e.target.value))} />
      <fieldset className="stack-tight">
        <legend>{t('stage.breakout.assignment')}</legend>
        {(['random', 'manual', 'choose'] as const).map((a) => (
          <label key={a} className="switch small">
            <input type="radio" name={`${id}-a`} value={a} checked={assignment === a} onChange={() => setAssignment(a)} />
            {t(`stage.breakout.assign.${a}`)}
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${id}-m`}>{t('stage.breakout.minutes')}</label>
      <input id={`${id}-m`} type="number" min={1} max={BREAKOUT_MAX_MINUTES} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
      <button type="submit" className="button button-primary" disabled={busy || !valid} data-testid="breakout-open">
        {t('stage.breakout.open')}
      </button>
    </form>
  );
}

function BroadcastForm({ busy, onSend }: { busy: boolean; onSend: (text: string) => Promise<boolean> }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  return (
    <form
      className="stack-tight"
      onSubmit={(e) => {
        e.preventDefault();
        const body = text.trim();
        if (body) void onSend(body).then((sent) => sent && setText(''));
      }}
    >
      <label htmlFor={id}>{t('stage.breakout.broadcastLabel')}</label>
      <textarea id={id} rows={2} maxLength={BREAKOUT_BROADCAST_MAX_LENGTH} value={text} data-testid="breakout-broadcast" onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="button button-small" disabled={busy || !text.trim()}>
        {t('stage.breakout.broadcastSend')}
      </button>
    </form>
  );
}

/** Over the room: which group you are in and until when, and a host's message to every group. */
export function BreakoutNotices({ session, snap }: { session: RoomSession; snap: RoomSnapshot }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { breakout: state, broadcast } = snap.stage;
  return (
    <>
      {state && state.yourGroup !== null && (
        <div className="room-banner" role="status" data-testid="breakout-banner">
          <span>
            {t('stage.breakout.youAreIn', { group: isolate(groupLabel(state, state.yourGroup, (n) => t('stage.breakout.groupName', { n }))) })}
            {state.endsAt && <> {t('stage.breakout.endsAt', { time: format.time(state.endsAt) })}</>}
          </span>
        </div>
      )}
      {broadcast && (
        <div className="room-banner" role="alert" data-testid="breakout-broadcast-notice">
          <span>
            <strong>{t('stage.breakout.broadcastFrom', { name: isolate(broadcast.from) })}</strong> <bdi>{broadcast.text}</bdi>
          </span>
          <button type="button" className="button button-small" onClick={() => session.dismissBroadcast()}>
            {t('stage.breakout.dismiss')}
          </button>
        </div>
      )}
    </>
  );
}
