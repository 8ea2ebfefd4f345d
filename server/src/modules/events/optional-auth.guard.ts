import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { IdentityService, type Principal } from '../identity/identity.service';

/** Public routes that show more to people signed in: a token, when sent, must be valid; none is fine. */
@Injectable()
export class OptionalAuthGuard implements CanActivate {
  constructor(private readonly identity: IdentityService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) req.principal = await this.identity.authenticate(header.slice(7).trim());
    return true;
  }
}

export const MaybePrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | null => ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal ?? null,
);
