import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { MailModule } from '../mail/mail.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { EventAccess } from './event-access';
import { EventNotifier } from './event-notifier';
import { EventReminders } from './event-reminders.service';
import { EventsController, PublicEventsController } from './events.controller';
import { EventsService } from './events.service';
import { RegistrationsService } from './registrations.service';

/** Conferences and series: programme, registration with a waitlist, calendar files, mail. */
@Module({
  imports: [IdentityModule, OrganizationsModule, MailModule],
  controllers: [EventsController, PublicEventsController],
  providers: [EventsService, RegistrationsService, EventNotifier, EventReminders, EventAccess],
  exports: [EventAccess, EventsService],
})
export class EventsModule {}
