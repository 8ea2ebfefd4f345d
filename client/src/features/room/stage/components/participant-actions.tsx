import type { RoomRole } from '@contract';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isolate } from '../../../../lib/format';
import { outranks, stageCommands, type RoomMode } from '../api/stage';
import { MoreIcon } from '../../../../components/icons';

export interface ParticipantRow {
  peerId: string;
  name: string;
  role: RoomRole;
  micOn: boolean;
  cameraOn: boolean;
  handRaised: boolean;
}

interface Props {
  row: ParticipantRow;
  actorRole: RoomRole | null;
  mode: RoomMode;
  run: (key: string, action: () => Promise<unknown>) => Promise<boolean>;
  busy: string | null;
}

/**
 * A host's actions on one person, behind a disclosure button: mute, stop camera, stage, co-host,
 * remove (with an inline confirmation). Only actions the host's rank allows are offered.
 */
export function ParticipantActions({ row, actorRole, mode, run, busy }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);

  if (!outranks(actorRole, row.role)) return null;
  const name = isolate(row.name);
  const close = () => {
    setOpen(false);
    setConfirmRemove(false);
    toggle.current?.focus();
  };
  const act = (key: string, action: () => Promise<unknown>) => () => void run(`${row.peerId}:${key}`, action).then((ok) => ok && close());
  const pending = busy?.startsWith(`${row.peerId}:`) ?? false;

  const items: { key: string; label: string; action: () => Promise<unknown>; danger?: boolean }[] = [];
  if (row.micOn) items.push({ key: 'mute', label: t('stage.actions.muteMic'), action: () => stageCommands.mute(row.peerId, 'mic') });
  if (row.cameraOn) items.push({ key: 'camera', label: t('stage.actions.stopCamera'), action: () => stageCommands.mute(row.peerId, 'camera') });
  if (row.handRaised) items.push({ key: 'lower', label: t('stage.actions.lowerHand'), action: () => stageCommands.lowerHand(row.peerId) });
  if (mode === 'webinar' && row.role === 'attendee') items.push({ key: 'promote', label: t('stage.actions.promote'), action: () => stageCommands.promote(row.peerId) });
  if (mode === 'webinar' && row.role === 'panelist') items.push({ key: 'demote', label: t('stage.actions.demote'), action: () => stageCommands.demote(row.peerId) });
  if (actorRole === 'host' && row.role !== 'co-host') items.push({ key: 'cohost', label: t('stage.actions.makeCoHost'), action: () => stageCommands.setRole(row.peerId, 'co-host') });
  if (actorRole === 'host' && row.role === 'co-host') {
    items.push({
      key: 'uncohost',
      label: t('stage.actions.removeCoHost'),
      action: () => stageCommands.setRole(row.peerId, mode === 'webinar' ? 'panelist' : 'attendee'),
    });
  }

  return (
    <div
      className="participant-actions"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        className="icon-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={t('stage.actions.for', { name })}
        title={t('stage.actions.for', { name })}
        data-testid="participant-actions"
        onClick={() => (open ? close() : setOpen(true))}
      >
        <MoreIcon size={18} />
      </button>
      {open && (
        <div ref={menu} id={menuId} className="action-menu" role="group" aria-label={t('stage.actions.for', { name })}>
          {items.map((item) => (
            <button key={item.key} type="button" className="action-item" disabled={pending} data-testid={`action-${item.key}`} onClick={act(item.key, item.action)}>
              {item.label}
            </button>
          ))}
          {confirmRemove ? (
            <div className="action-confirm" role="alert">
              <p>{t('stage.actions.confirmRemove', { name })}</p>
              <div className="actions">
                <button type="button" className="button button-small button-danger" disabled={pending} data-testid="action-remove-confirm" onClick={act('remove', () => stageCommands.remove(row.peerId))}>
                  {t('stage.actions.remove')}
                </button>
                <button type="button" className="button button-small" onClick={() => setConfirmRemove(false)}>
                  {t('stage.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" className="action-item action-danger" disabled={pending} data-testid="action-remove" onClick={() => setConfirmRemove(true)}>
              {t('stage.actions.removeFromRoom')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
