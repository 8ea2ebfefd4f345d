import { type PipeTransform } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';
import { invalidPayload } from './errors';

/** Validates a REST body (or param) with the contract's schema; a mismatch is INVALID_PAYLOAD. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.output<S> {
    const r = this.schema.safeParse(value);
    if (!r.success) throw invalidPayload(r.error);
    return r.data;
  }
}

/** The same schema, published in the OpenAPI document. */
export const ApiZodBody = (schema: z.ZodType) =>
  ApiBody({ schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> });

export const UuidParam = new ZodPipe(z.uuid());
