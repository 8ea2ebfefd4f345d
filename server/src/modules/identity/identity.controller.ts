import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ChangePasswordBody, RefreshBody, RegisterBody, SignInBody, type AuthTokensDto, type SessionDto, type UserDto } from '../../contract';
import { ApiZodBody, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from './auth.guard';
import { IdentityService, type Principal } from './identity.service';

@ApiTags('auth')
@Controller('api/auth')
@UseGuards(ThrottlerGuard)
export class AuthController {
  constructor(private readonly identity: IdentityService) {}

  @Post('register')
  @ApiZodBody(RegisterBody)
  register(@Body(new ZodPipe(RegisterBody)) body: RegisterBody): Promise<SessionDto> {
    return this.identity.register(body);
  }

  @Post('sign-in')
  @HttpCode(200)
  @ApiZodBody(SignInBody)
  signIn(@Body(new ZodPipe(SignInBody)) body: SignInBody): Promise<SessionDto> {
    return this.identity.signIn(body);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiZodBody(RefreshBody)
  refresh(@Body(new ZodPipe(RefreshBody)) body: RefreshBody): Promise<AuthTokensDto> {
    return this.identity.refresh(body.refreshToken);
  }

  @Post('sign-out')
  @HttpCode(204)
  @ApiZodBody(RefreshBody)
  async signOut(@Body(new ZodPipe(RefreshBody)) body: RefreshBody): Promise<void> {
    await this.identity.signOut(body.refreshToken);
  }
}

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/me')
@UseGuards(AuthGuard)
export class MeController {
  constructor(private readonly identity: IdentityService) {}

  @Get()
  me(@CurrentPrincipal() p: Principal): Promise<UserDto> {
    return this.identity.me(p.userId);
  }

  /** Ends every other session of the account, and their open sockets. */
  @Post('password')
  @HttpCode(204)
  @UseGuards(ThrottlerGuard)
  @ApiZodBody(ChangePasswordBody)
  async changePassword(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(ChangePasswordBody)) body: ChangePasswordBody): Promise<void> {
    await this.identity.changePassword(p, body.currentPassword, body.newPassword);
  }
}
