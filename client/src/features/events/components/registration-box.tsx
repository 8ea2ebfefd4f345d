import type { EventDto } from '@contract';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { currentLanguage } from '../../../lib/i18n';
import { newRequestId } from '../../../lib/request-id';
import { useCancelRegistration, useRegister } from '../api/events';
import { viewerTimeZone } from '../programme';

/** The caller's registration: the form with the event's questions, or where they stand and a way out. */
export function RegistrationBox({ event }: { event: EventDto }) {
  const { t } = useTranslation();
  const register = useRegister(event.id);
  const cancel = useCancelRegistration(event.id);
  // One id per attempt: a double click or a retry after a timeout registers once.
  const [requestId] = useState(newRequestId);
  const mine = event.myRegistration;
  if (event.registration === 'none') return null;

  if (mine && mine.status !== 'cancelled') {
    return (
      <section className="card stack" aria-labelledby="registration-title" data-testid="my-registration">
        <h2 id="registration-title">{t('events.registration')}</h2>
        <p data-testid="registration-status" data-status={mine.status}>
          {mine.status === 'waitlisted'
            ? t('events.status.waitlistedAt', { n: mine.waitlistPosition ?? 0 })
            : t(`events.status.${mine.status}`)}
        </p>
        {mine.status !== 'declined' && (
          <button type="button" className="button-secondary" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
            {t('events.cancelRegistration')}
          </button>
        )}
        {cancel.isError && <ErrorMessage error={cancel.error} />}
      </section>
    );
  }

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const answers: Record<string, string> = {};
    for (const q of event.questions) {
      const v = data.get(`q-${q.id}`);
      if (typeof v === 'string' && v.trim()) answers[q.id] = v.trim();
    }
    const language = currentLanguage();
    register.mutate({ clientRequestId: requestId, answers, language, timeZone: viewerTimeZone() });
  };

  return (
    <section className="card stack" aria-labelledby="register-title">
      <h2 id="register-title">{t('events.register')}</h2>
      {event.capacity !== null && (
        <p className="muted">{t('events.places', { taken: event.confirmed, capacity: event.capacity, waiting: event.waitlisted })}</p>
      )}
      {event.registration === 'approval' && <p className="muted">{t('events.approvalNote')}</p>}
      <form className="stack" onSubmit={submit} data-testid="registration-form">
        {event.questions.map((q) => (
          <Field key={q.id} label={q.required ? `${q.label} *` : q.label}>
            {(control) =>
              q.type === 'choice' && q.options ? (
                <select {...control} name={`q-${q.id}`} required={q.required} defaultValue="">
                  <option value="" disabled>
                    {t('events.choose')}
                  </option>
                  {q.options.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input {...control} name={`q-${q.id}`} required={q.required} maxLength={2000} />
              )
            }
          </Field>
        ))}
        <button type="submit" disabled={register.isPending} data-testid="register-button">
          {t('events.registerButton')}
        </button>
        {register.isError && <ErrorMessage error={register.error} />}
      </form>
    </section>
  );
}
