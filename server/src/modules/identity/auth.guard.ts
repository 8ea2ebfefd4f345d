import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { IdentityService, type Principal } from './identity.service';

/** REST guard: a valid access token of an open session, or UNAUTHENTICATED / TOKEN_EXPIRED. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly identity: IdentityService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    req.principal = await this.identity.authenticate(token);
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!p) throw new Error('CurrentPrincipal used on a route without AuthGuard');
  return p;
});
