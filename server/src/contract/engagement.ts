import { z } from 'zod';

/**
 * Socket commands and events of room engagement: chat, Q&A, polls and reactions. Merged into the
 * one contract in socket.ts.
 */
export const engagementCommandSchemas = {} as const satisfies Record<string, z.ZodType>;

export interface EngagementResults {}

export interface EngagementEvents {}
