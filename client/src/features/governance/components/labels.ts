import type { BallotView, Choice } from '@contract';
import type { TFunction } from 'i18next';

/** A choice in words: yes/no/abstain translated, candidates by name, no candidate = abstention. */
export function choiceLabel(choice: Choice, t: TFunction): string {
  if (typeof choice === 'string') return t(`governance.choice.${choice}`);
  if (choice.length === 0) return t('governance.choice.abstain');
  return choice.join(', ');
}

/** Options of a ballot as (value, label) pairs: translated for motions, names for elections. */
export function ballotOptions(ballot: BallotView, t: TFunction): { value: string; label: string }[] {
  return ballot.kind === 'motion' ? ballot.options.map((o) => ({ value: o, label: t(`governance.choice.${o as 'yes'}`) })) : ballot.options.map((o) => ({ value: o, label: o }));
}
