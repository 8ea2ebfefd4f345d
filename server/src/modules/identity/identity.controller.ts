import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ChangePasswordBody,
  CSRF_HEADER,
  PasswordResetBody,
  PasswordResetRequestBody,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  RegisterBody,
  SignInBody,
  type AuthTokensDto,
  type RegistrationDto,
  type SessionDto,
  type UserDto,
} from '../../contract';
import { AppError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { ApiZodBody, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from './auth.guard';
import { AuthLimiter } from './auth-limiter.service';
import { IdentityService, type Principal } from './identity.service';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly identity: IdentityService,
    private readonly limiter: AuthLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * 202 with the same body whether or not the address already has an account, so sign-up does not
   * tell anyone who is registered. A new account can sign in at once.
   */
  @Post('register')
  @HttpCode(202)
  @ApiZodBody(RegisterBody)
  register(@Req() req: Request, @Body(new ZodPipe(RegisterBody)) body: RegisterBody): Promise<RegistrationDto> {
    this.limiter.attempt(req, body.email);
    return this.identity.register(body);
  }

  @Post('sign-in')
  @HttpCode(200)
  @ApiZodBody(SignInBody)
  async signIn(@Req() req: Request, @Body(new ZodPipe(SignInBody)) body: SignInBody, @Res({ passthrough: true }) res: Response): Promise<SessionDto> {
    this.limiter.attempt(req, body.email);
    const { refreshToken, ...session } = await this.identity.signIn(body);
    this.setRefreshCookie(res, refreshToken);
    return session;
  }

  /** 202 with the same body whether or not the address has an account; the mail (if any) goes out afterwards. */
  @Post('password-reset')
  @HttpCode(202)
  @ApiZodBody(PasswordResetRequestBody)
  requestPasswordReset(@Req() req: Request, @Body(new ZodPipe(PasswordResetRequestBody)) body: PasswordResetRequestBody): RegistrationDto {
    this.limiter.attempt(req, body.email);
    this.identity.requestPasswordReset(body);
    return { status: 'accepted' };
  }

  /** Sets the new password and signs in: every other session of the account has ended. */
  @Post('password-reset/confirm')
  @HttpCode(200)
  @ApiZodBody(PasswordResetBody)
  async resetPassword(@Req() req: Request, @Body(new ZodPipe(PasswordResetBody)) body: PasswordResetBody, @Res({ passthrough: true }) res: Response): Promise<SessionDto> {
    this.limiter.attempt(req, null);
    const { refreshToken, ...session } = await this.identity.resetPassword(body.token, body.newPassword);
    this.setRefreshCookie(res, refreshToken);
    return session;
  }

  /**
   * Cookie-authenticated: the refresh cookie, plus the CSRF header a cross-site request cannot carry.
   * Not an attempt: every page load of a signed-in person comes here, and a token cannot be guessed.
   */
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<AuthTokensDto> {
    requireCsrfHeader(req);
    const token = readCookie(req, REFRESH_COOKIE);
    if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    try {
      const { refreshToken, ...tokens } = await this.identity.refresh(token);
      this.setRefreshCookie(res, refreshToken);
      return tokens;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'UNAUTHENTICATED' || err.code === 'TOKEN_EXPIRED')) this.clearRefreshCookie(res);
      throw err;
    }
  }

  @Post('sign-out')
  @HttpCode(204)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    requireCsrfHeader(req);
    const token = readCookie(req, REFRESH_COOKIE);
    if (token) await this.identity.signOut(token);
    this.clearRefreshCookie(res);
  }

  /** Secure whenever the site is served over https (and always in production); plain http on localhost still works. */
  private cookieOptions(): CookieOptions {
    const secure = this.config.env === 'production' || this.config.publicUrl.startsWith('https:');
    return { httpOnly: true, secure, sameSite: 'strict', path: REFRESH_COOKIE_PATH };
  }

  private setRefreshCookie(res: Response, token: string): void {
    res.cookie(REFRESH_COOKIE, token, { ...this.cookieOptions(), maxAge: this.config.refreshTokenTtlDays * 86_400_000 });
  }

  private clearRefreshCookie(res: Response): void {
    res.clearCookie(REFRESH_COOKIE, this.cookieOptions());
  }
}

function requireCsrfHeader(req: Request): void {
  if (req.headers[CSRF_HEADER] !== '1') throw new AppError('FORBIDDEN', `Send the ${CSRF_HEADER} header.`);
}

/** One cookie's value from the Cookie header (no cookie-parser: this is the only cookie we read). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        const value = decodeURIComponent(part.slice(eq + 1).trim());
        return /^[A-Za-z0-9_-]{20,512}$/.test(value) ? value : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/me')
@UseGuards(AuthGuard)
export class MeController {
  constructor(
    private readonly identity: IdentityService,
    private readonly limiter: AuthLimiter,
  ) {}

  @Get()
  me(@CurrentPrincipal() p: Principal): Promise<UserDto> {
    return this.identity.me(p.userId);
  }

  /** Ends every other session of the account, and their open sockets. */
  @Post('password')
  @HttpCode(204)
  @ApiZodBody(ChangePasswordBody)
  async changePassword(@Req() req: Request, @CurrentPrincipal() p: Principal, @Body(new ZodPipe(ChangePasswordBody)) body: ChangePasswordBody): Promise<void> {
    // The current password is a guess like any other: a stolen session must not be a way to try many.
    this.limiter.attempt(req, `user:${p.userId}`);
    await this.identity.changePassword(p, body.currentPassword, body.newPassword);
  }
}
