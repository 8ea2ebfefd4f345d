import type { RoomDto } from '@contract';
import { useTranslation } from 'react-i18next';

/** Says what kind of room this is (meeting or webinar), wherever a room is named. */
export function RoomModeBadge({ mode }: { mode: RoomDto['mode'] }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-mode badge-${mode}`} data-testid="room-mode" data-mode={mode}>
      {t(`rooms.mode.${mode}`)}
    </span>
  );
}
