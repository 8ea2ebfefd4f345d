import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

/**
 * Passwords that top every breach list, in the shapes that pass a length rule. The estimator below
 * knows most of them too; this list makes sure, and costs nothing.
 */
const COMMON = new Set([
  '1234567890', '12345678910', '0123456789', '1q2w3e4r5t', '1qaz2wsx3edc', 'qwertyuiop', 'qwertyuiop1',
  'qwerty12345', 'qwerty123456', 'asdfghjkl1', 'zxcvbnm123', 'password1', 'password12', 'password123',
  'password1234', 'passw0rd123', 'p@ssw0rd123', 'iloveyou123', 'welcome123', 'welcome1234', 'letmein123',
  'football123', 'baseball123', 'sunshine123', 'princess123', 'dragon1234', 'monkey1234', 'abc1234567',
  'abcdefghij', 'aaaaaaaaaa', '1111111111', '0000000000', 'changeme123', 'administrator', 'admin12345',
  'qazwsxedcrfv', 'trustno1234', 'superman123', 'starwars123', 'computer123', 'michael123', 'jennifer123',
]);

/** Good enough: zxcvbn's "safely unguessable" level (score 3, about 10^8 guesses) and not on the list. */
const MIN_SCORE = 3;

/** Null when the password is acceptable, otherwise why not (for the WEAK_PASSWORD details). */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'It is one of the most common passwords.';
  if (new Set(lower).size < 4) return 'It repeats too few different characters.';
  const inputs = userInputs.flatMap((s) => [s, ...s.toLowerCase().split(/[^a-z0-9]+/)]).filter((s) => s.length >= 3);
  const result = zxcvbn(password, inputs);
  if (result.score >= MIN_SCORE) return null;
  return result.feedback.warning || 'It is too easy to guess. Use a few unrelated words or a longer phrase.';
}
