import { z } from 'zod';
import { AppError, invalidPayload, isUniqueViolation, toErrorBody } from './errors';

describe('toErrorBody', () => {
  it('keeps the code and message of an AppError', () => {
    expect(toErrorBody(new AppError('FORBIDDEN', 'No.'))).toEqual({ code: 'FORBIDDEN', message: 'No.' });
  });

  it('never leaks the message of an unexpected error', () => {
    const body = toErrorBody(new Error('password=hunter2 at db.internal:5432'));
    expect(body.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toMatch(/hunter2|db\.internal/);
  });

  it('maps a lost database connection to UNAVAILABLE', () => {
    expect(toErrorBody(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).code).toBe('UNAVAILABLE');
    expect(toErrorBody({ driverError: { code: '57P01' }, message: 'terminating connection' }).code).toBe('UNAVAILABLE');
  });

  it('lists zod issues with paths under INVALID_PAYLOAD', () => {
    const r = z.strictObject({ a: z.string() }).safeParse({ a: 1, b: 2 });
    const body = toErrorBody(invalidPayload(r.error!));
    expect(body.code).toBe('INVALID_PAYLOAD');
    expect(body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'a' })]));
  });

  it('recognises unique violations by constraint', () => {
    const err = { driverError: { code: '23505', constraint: 'uq_x' } };
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'uq_x')).toBe(true);
    expect(isUniqueViolation(err, 'uq_y')).toBe(false);
  });
});
