import { z } from 'zod';

/** A UTF-16 surrogate without its pair: jsonb refuses it, and text columns silently turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL can store the string exactly as sent (text and jsonb alike). */
export const storable = (s: string): boolean => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

/** Trimmed plain text of `min`..`max` characters, refused up front when the database could not hold it. */
export const plainText = (min: number, max: number) =>
  z.string().trim().min(min).max(max).refine(storable, { message: 'must not contain NUL characters or broken Unicode' });
