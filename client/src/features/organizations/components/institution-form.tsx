import { CreateInstitutionBody, type InstitutionDto } from '@contract';
import { useTranslation } from 'react-i18next';
import type { output } from 'zod';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { countryOptions } from '../../../lib/countries';
import { formValues, useZodForm } from '../../../lib/forms';

const readInstitution = (form: HTMLFormElement) => {
  const { voteWeight, ...rest } = formValues(form);
  return { ...rest, voteWeight: voteWeight === undefined ? undefined : Number(voteWeight) };
};

interface InstitutionFormProps {
  initial?: InstitutionDto;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (body: output<typeof CreateInstitutionBody>, form: HTMLFormElement) => void;
  onCancel?: () => void;
}

export function InstitutionForm({ initial, submitLabel, pending, error, onSubmit, onCancel }: InstitutionFormProps) {
  const { t, i18n } = useTranslation();
  const form = useZodForm(CreateInstitutionBody, readInstitution);
  const countries = countryOptions(i18n.resolvedLanguage ?? 'en');

  return (
    <form className="institution-form" noValidate onChange={form.onChange} onSubmit={form.onSubmit(onSubmit)}>
      <Field label={t('institutions.name')} error={form.errors.name} className="span-2">
        {(control) => <input {...control} name="name" defaultValue={initial?.name} required maxLength={200} />}
      </Field>
      <Field label={t('institutions.country')} error={form.errors.country}>
        {(control) => (
          <select {...control} name="country" defaultValue={initial?.country ?? ''} required>
            <option value="">{t('institutions.chooseCountry')}</option>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('institutions.voteWeight')} hint={t('institutions.voteWeightHint')} error={form.errors.voteWeight}>
        {(control) => (
          <input
            {...control}
            name="voteWeight"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            step={1}
            defaultValue={initial?.voteWeight ?? 1}
          />
        )}
      </Field>
      <div className="span-2 stack">
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={pending}>
            {submitLabel}
          </button>
          {onCancel && (
            <button type="button" className="button" onClick={onCancel}>
              {t('institutions.cancel')}
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
