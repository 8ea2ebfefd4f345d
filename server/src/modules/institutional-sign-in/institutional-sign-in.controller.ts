import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  IdentityProviderBody,
  providerSlug,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  SIGN_IN_COMPLETE_PATH,
  SIGN_IN_ERROR_PARAM,
  type IdentityProviderDto,
  type InstitutionalSignInOption,
  type OrgIdentityProviderDto,
} from '../../contract';
import { AppError, toErrorBody } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import { AuthLimiter } from '../identity/auth-limiter.service';
import { readCookie } from '../identity/identity.controller';
import type { Principal } from '../identity/identity.service';
import { InstitutionalSignInService } from './institutional-sign-in.service';

/** Holds the browser's half of a sign-in under way; only this browser's callback is accepted. */
const SIGN_IN_COOKIE = 'quorum_sign_in';
const SIGN_IN_COOKIE_PATH = '/api/auth/oidc';

/** A local path to come back to after signing in (never another site, never `//host`). */
const localPath = (next: unknown): string =>
  typeof next === 'string' && next.length <= 1000 && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';

@ApiTags('auth')
@Controller('api/auth')
export class InstitutionalSignInController {
  constructor(
    private readonly signIns: InstitutionalSignInService,
    private readonly limiter: AuthLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The organisations one can sign in with, for the sign-in page's buttons. */
  @Get('institutions')
  options(): Promise<InstitutionalSignInOption[]> {
    return this.signIns.options();
  }

  /** A full-page navigation: answered with a redirect to the provider, or back to the sign-in page with a code. */
  @Get('oidc/:slug/start')
  async start(@Req() req: Request, @Res() res: Response, @Param('slug') slug: string, @Query('next') next: unknown): Promise<void> {
    try {
      this.limiter.attempt(req, null);
      const parsed = providerSlug.safeParse(slug);
      if (!parsed.success) throw new AppError('NOT_FOUND', 'No organisation signs in at this address.');
      const { url, browserToken } = await this.signIns.begin(parsed.data, localPath(next));
      res.cookie(SIGN_IN_COOKIE, browserToken, { ...this.cookieOptions('lax', SIGN_IN_COOKIE_PATH), maxAge: 15 * 60_000 });
      res.redirect(302, url);
    } catch (err) {
      this.failed(res, err, 'start');
    }
  }

  /** Where the provider sends the browser back. Sets the same session cookie as a password sign-in. */
  @Get('oidc/callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    // Whatever happens, the browser's half of this sign-in is of no further use.
    res.clearCookie(SIGN_IN_COOKIE, this.cookieOptions('lax', SIGN_IN_COOKIE_PATH));
    try {
      this.limiter.attempt(req, null);
      const url = new URL(req.originalUrl, `${this.config.publicUrl}/`);
      const { session, returnTo } = await this.signIns.complete(url, readCookie(req, SIGN_IN_COOKIE));
      res.cookie(REFRESH_COOKIE, session.refreshToken, {
        ...this.cookieOptions('strict', REFRESH_COOKIE_PATH),
        maxAge: this.config.refreshTokenTtlDays * 86_400_000,
      });
      res.redirect(302, `${SIGN_IN_COMPLETE_PATH}?next=${encodeURIComponent(returnTo)}`);
    } catch (err) {
      this.failed(res, err, 'callback');
    }
  }

  /** Back to the sign-in page, which says what went wrong in the reader's language. */
  private failed(res: Response, err: unknown, step: 'start' | 'callback'): void {
    const body = toErrorBody(err);
    const cause = err instanceof AppError ? ((err as { cause?: unknown }).cause ?? undefined) : err;
    const level = body.code === 'INTERNAL' ? 'error' : 'warn';
    this.logger[level](
      {
        event: 'institutional-sign-in-failed',
        step,
        code: body.code,
        err: cause instanceof Error ? { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code } : undefined,
      },
      'institutional sign-in refused',
    );
    res.redirect(302, `/sign-in?${SIGN_IN_ERROR_PARAM}=${encodeURIComponent(body.code)}`);
  }

  private cookieOptions(sameSite: 'lax' | 'strict', path: string): CookieOptions {
    const secure = this.config.env === 'production' || this.config.publicUrl.startsWith('https:');
    return { httpOnly: true, secure, sameSite, path };
  }
}

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/organizations/:orgId/sign-in-provider')
@UseGuards(AuthGuard)
export class IdentityProviderController {
  constructor(private readonly signIns: InstitutionalSignInService) {}

  @Get()
  get(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<OrgIdentityProviderDto> {
    return this.signIns.getProvider(p.userId, orgId);
  }

  /** Creates or replaces the provider; without `clientSecret`, the stored secret stays. */
  @Put()
  @ApiZodBody(IdentityProviderBody)
  put(
    @CurrentPrincipal() p: Principal,
    @Param('orgId', UuidParam) orgId: string,
    @Body(new ZodPipe(IdentityProviderBody)) body: z.output<typeof IdentityProviderBody>,
  ): Promise<IdentityProviderDto> {
    return this.signIns.saveProvider(p.userId, orgId, body);
  }

  @Delete()
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: Principal, @Param('orgId', UuidParam) orgId: string): Promise<void> {
    await this.signIns.deleteProvider(p.userId, orgId);
  }
}
