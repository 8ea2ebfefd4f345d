import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { downloadCertificatePdf, downloadCredential, useIssueMine, useMyCpd } from '../api/certificates';

/**
 * The participant's progress toward the event's CPD threshold, and, once it is met, their certificate:
 * the PDF and the signed credential to download, and the public page that verifies it.
 */
export function MyCertificate({ eventId }: { eventId: string }) {
  const { t } = useTranslation();
  const cpd = useMyCpd(eventId);
  const issue = useIssueMine(eventId);
  const [error, setError] = useState<unknown>(null);
  if (!cpd.data?.threshold) return null;
  const { threshold, totalMinutes, progress, eligible, certificate } = cpd.data;
  const certId = certificate?.id ?? issue.data?.id ?? null;
  const get = async (what: 'pdf' | 'credential') => {
    setError(null);
    try {
      const id = certId ?? (await issue.mutateAsync()).id;
      await (what === 'pdf' ? downloadCertificatePdf(id) : downloadCredential(id));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card stack-tight" aria-labelledby="cpd-title" data-testid="my-cpd" data-eligible={eligible} data-certificate={certificate?.status ?? 'none'}>
      <h2 id="cpd-title">{t('certificates.title')}</h2>
      <p className="muted">
        {threshold.mode === 'minutes' ? t('certificates.ruleMinutes', { n: threshold.value }) : t('certificates.rulePercent', { n: threshold.value })}
      </p>
      <label className="stack-tight">
        <span data-testid="cpd-minutes">{t('certificates.attended', { n: totalMinutes })}</span>
        <progress max={100} value={Math.round(progress * 100)} aria-valuetext={`${Math.round(progress * 100)} %`} />
      </label>
      {certificate?.status === 'revoked' ? (
        <p className="badge badge-danger">{t('certificates.revokedOn', { reason: certificate.revocationReason ?? '' })}</p>
      ) : eligible || certificate ? (
        <div className="row">
          <button type="button" className="button" onClick={() => void get('pdf')} disabled={issue.isPending} data-testid="download-certificate">
            {t('certificates.downloadPdf')}
          </button>
          <button type="button" className="button-secondary" onClick={() => void get('credential')} disabled={issue.isPending} data-testid="download-credential">
            {t('certificates.downloadCredential')}
          </button>
          {certId && (
            <Link to={`/certificates/verify?id=${certId}`} data-testid="certificate-page">
              {t('certificates.openPage')}
            </Link>
          )}
        </div>
      ) : (
        <p className="muted">{t('certificates.notYet')}</p>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </section>
  );
}
