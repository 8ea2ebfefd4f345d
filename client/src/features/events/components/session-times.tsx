import { formatInZone, zoneLabel } from '@contract';
import { useTranslation } from 'react-i18next';
import { viewerTimeZone } from '../programme';

/** A session's start and end in the event's zone and, when it differs, in the viewer's, each labelled. */
export function SessionTimes({ startsAt, endsAt, timeZone }: { startsAt: string; endsAt: string; timeZone: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? 'en';
  const mine = viewerTimeZone();
  // Each piece isolated: Latin zone names and offsets must not reorder Arabic dates around them.
  const line = (tz: string) => (
    <>
      <bdi>{formatInZone(new Date(startsAt), tz, locale, { withLabel: false })}</bdi> –{' '}
      <bdi>{formatInZone(new Date(endsAt), tz, locale, { withDate: false, withLabel: false })}</bdi>{' '}
      <bdi dir="ltr">{zoneLabel(new Date(startsAt), tz)}</bdi>
    </>
  );
  return (
    <dl className="session-times">
      <div>
        <dt>{t('events.eventTime')}</dt>
        <dd data-testid="event-time">
          <time dateTime={startsAt}>{line(timeZone)}</time>
        </dd>
      </div>
      {mine !== timeZone && (
        <div>
          <dt>{t('events.yourTime')}</dt>
          <dd data-testid="viewer-time">{line(mine)}</dd>
        </div>
      )}
    </dl>
  );
}
