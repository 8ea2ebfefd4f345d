import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { GuestPassService, guestSigningKey } from './guest-pass.service';

/** Guest passes for public webinars, apart from accounts (identity): they share no key and no table. */
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => ({ secret: guestSigningKey(c.jwtSecret), signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  providers: [GuestPassService],
  exports: [GuestPassService],
})
export class GuestsModule {}
