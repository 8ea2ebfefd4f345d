import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MailModule } from '../mail/mail.module';
import { AuthGuard } from './auth.guard';
import { AuthLimiter } from './auth-limiter.service';
import { AuthController, MeController } from './identity.controller';
import { IdentityService } from './identity.service';

@Module({
  imports: [
    MailModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // The secret as a KeyObject, made once: given a string, every verification imports it again,
      // which costs more than the HMAC itself (felt when a thousand clients reconnect at once).
      // jsonwebtoken takes a KeyObject; @nestjs/jwt's type only names string and Buffer.
      useFactory: (c: AppConfig) => ({ secret: createSecretKey(Buffer.from(c.jwtSecret, 'utf8')) as unknown as string, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, MeController],
  providers: [IdentityService, AuthGuard, AuthLimiter],
  exports: [IdentityService, AuthGuard, AuthLimiter],
})
export class IdentityModule {}
