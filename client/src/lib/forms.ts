import type { TFunction } from 'i18next';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { core, output, ZodType } from 'zod';

type Issue = core.$ZodIssue;

function issueMessage(issue: Issue, t: TFunction): string {
  switch (issue.code) {
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? t('validation.required') : t('validation.minLength', { min });
      return t('validation.min', { min });
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      return issue.origin === 'string' ? t('validation.maxLength', { max }) : t('validation.max', { max });
    }
    case 'invalid_format':
      return issue.format === 'email' ? t('validation.email') : t('validation.format');
    case 'invalid_type':
      if (issue.expected === 'int' || issue.expected === 'number') return t('validation.number');
      return t('validation.required');
    case 'invalid_value':
      return t('validation.required');
    default:
      return t('validation.invalid');
  }
}

export type FieldErrors = Partial<Record<string, string>>;

/**
 * Validates a form with a contract schema on submit, then live after the first failed submit.
 * Issues are kept untranslated so messages follow a language switch.
 */
export function useZodForm<S extends ZodType>(schema: S, read: (form: HTMLFormElement) => unknown) {
  const { t } = useTranslation();
  const [issues, setIssues] = useState<Issue[] | null>(null);

  const check = (form: HTMLFormElement) => {
    const result = schema.safeParse(read(form));
    setIssues(result.success ? null : result.error.issues);
    return result;
  };

  const errors: FieldErrors = {};
  for (const issue of issues ?? []) {
    const field = String(issue.path[0] ?? '');
    errors[field] ??= issueMessage(issue, t);
  }

  return {
    errors,
    onChange: (e: FormEvent<HTMLFormElement>) => {
      if (issues) check(e.currentTarget);
    },
    onSubmit: (onValid: (data: output<S>, form: HTMLFormElement) => void) => (e: FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      const result = check(e.currentTarget);
      if (result.success) onValid(result.data, e.currentTarget);
    },
  };
}

/** Form values as strings; empty fields become undefined so schema defaults apply. */
export function formValues(form: HTMLFormElement): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [key, value] of new FormData(form)) {
    values[key] = typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }
  return values;
}
