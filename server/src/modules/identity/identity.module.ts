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
      useFactory: (c: AppConfig) => ({ secret: c.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, MeController],
  providers: [IdentityService, AuthGuard, AuthLimiter],
  exports: [IdentityService, AuthGuard, AuthLimiter],
})
export class IdentityModule {}
