import type { CertificateDto, VerificationDto } from '@contract';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { useFormat } from '../../../lib/format';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useVerificationById, useVerifyCredential } from '../api/certificates';

/**
 * Anyone checks a certificate here, signed in or not: opened from the QR code's link (`?id=`), or by
 * pasting or uploading the signed credential. The certificate's page prints as the certificate.
 */
export function VerifyCertificatePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('certificates.verifyTitle'));
  const [params] = useSearchParams();
  const id = params.get('id');
  const byId = useVerificationById(id);
  const byCredential = useVerifyCredential();
  const [text, setText] = useState('');

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    byCredential.mutate(text.trim());
  };
  const upload = (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0];
    if (!file) return;
    void file.text().then((content) => {
      setText(content.trim());
      byCredential.mutate(content.trim());
    });
  };
  const shown = byCredential.data ?? byId.data;

  return (
    <section className="stack-lg certificate-verify" aria-labelledby="verify-cert-title">
      <h1 id="verify-cert-title" className="no-print">
        {t('certificates.verifyTitle')}
      </h1>
      <p className="muted no-print">{t('certificates.verifyIntro')}</p>
      <form className="stack no-print" onSubmit={submit}>
        <label className="stack-tight">
          {t('certificates.pasteLabel')}
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={4} spellCheck={false} dir="ltr" data-testid="credential-input" />
        </label>
        <label className="stack-tight">
          {t('certificates.uploadLabel')}
          <input type="file" accept=".jwt,.txt,application/jwt,application/vc+jwt,text/plain" onChange={upload} data-testid="credential-file" />
        </label>
        <button type="submit" className="button" disabled={!text.trim() || byCredential.isPending} data-testid="verify-credential">
          {t('certificates.verify')}
        </button>
      </form>
      {(byId.isFetching || byCredential.isPending) && <Loading />}
      {byCredential.error && <ErrorMessage error={byCredential.error} />}
      {byId.error && !byCredential.data && <ErrorMessage error={byId.error} onRetry={() => void byId.refetch()} />}
      {shown && <VerificationResult v={shown} />}
    </section>
  );
}

function VerificationResult({ v }: { v: VerificationDto }) {
  const { t } = useTranslation();
  if (v.result === 'invalid') {
    return (
      <div className="alert alert-error" role="alert" data-testid="verification" data-result="invalid" data-code={v.code}>
        <strong>{t('certificates.resultInvalid')}</strong> {t(`errors.${v.code}`)}
      </div>
    );
  }
  return (
    <div className="stack" data-testid="verification" data-result={v.result}>
      {v.result === 'valid' ? (
        <p className="alert alert-success no-print" role="status">
          <strong>{t('certificates.resultValid')}</strong> {t('certificates.resultValidNote', { issuer: v.certificate.issuerName })}
        </p>
      ) : (
        <p className="alert alert-error" role="alert">
          <strong>{t('certificates.resultRevoked')}</strong>{' '}
          {t('certificates.revokedOn', { reason: v.certificate.revocationReason ?? '' })}
        </p>
      )}
      <CertificateView c={v.certificate} />
      <button type="button" className="button-secondary no-print" onClick={() => window.print()}>
        {t('certificates.print')}
      </button>
    </div>
  );
}

/** The certificate as a page: what the PDF says, printable. */
function CertificateView({ c }: { c: CertificateDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <article className="card certificate-page stack" data-testid="certificate" data-status={c.status}>
      <p className="certificate-kicker">{t('certificates.kicker')}</p>
      <p className="muted">{t('certificates.certifies')}</p>
      <h2 className="certificate-holder" data-testid="certificate-holder">
        <bdi>{c.holderName}</bdi>
      </h2>
      <p>{t('certificates.attendedOf', { n: c.totalMinutes })}</p>
      <h3 data-testid="certificate-event">
        <bdi>{c.eventTitle}</bdi>
      </h3>
      <p>
        {t('certificates.issuedBy')} <bdi>{c.issuerName}</bdi>
      </p>
      <ul className="stack-tight">
        {c.sessions.map((s, i) => (
          <li key={i}>
            <bdi>{s.title}</bdi> · {format.dateTime(s.startsAt)} · {t('certificates.sessionMinutes', { n: s.attendedMinutes })}
          </li>
        ))}
      </ul>
      <p className="muted">
        {t('certificates.issuedOn', { date: format.date(c.issuedAt) })} · <span dir="ltr">{c.id}</span>
      </p>
    </article>
  );
}
