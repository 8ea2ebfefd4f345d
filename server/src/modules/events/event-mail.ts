import { formatInZone, type RegistrationStatus } from '../../contract';
import type { MailLanguage, MailText } from '../mail/messages';

/**
 * The text of every event mail, in the registrant's language (the one their browser spoke when they
 * registered). Each session time is given in the event's zone and, when it differs, in the
 * registrant's own, each labelled with its zone and UTC offset.
 */
export type EventMailKind = 'registered' | 'promoted' | 'declined' | 'changed' | 'cancelled' | 'reminder';

export interface EventMailInput {
  kind: EventMailKind;
  language: MailLanguage;
  name: string;
  event: { title: string; timeZone: string; url: string };
  /** The sessions the mail is about (the programme, the changed one, the one starting soon). */
  sessions: { title: string; startsAt: Date; status: 'scheduled' | 'cancelled' }[];
  status?: RegistrationStatus;
  waitlistPosition?: number | null;
  /** The registrant's zone, when known. */
  timeZone?: string | null;
}

type Words = {
  subject: Record<EventMailKind, (title: string) => string>;
  hello: (name: string) => string;
  status: Record<'confirmed' | 'waitlisted' | 'pending', (position: number | null) => string>;
  body: Record<Exclude<EventMailKind, 'registered'>, string>;
  programme: string;
  yourTime: string;
  cancelledSession: string;
  link: string;
};

const WORDS: Record<MailLanguage, Words> = {
  en: {
    subject: {
      registered: (t) => `Your registration: ${t}`,
      promoted: (t) => `A place is yours: ${t}`,
      declined: (t) => `Your registration was declined: ${t}`,
      changed: (t) => `Programme change: ${t}`,
      cancelled: (t) => `Cancelled: ${t}`,
      reminder: (t) => `Starting soon: ${t}`,
    },
    hello: (n) => `Hello ${n},`,
    status: {
      confirmed: () => 'Your place is confirmed.',
      waitlisted: (p) => `The event is full: you are on the waitlist${p ? ` (number ${p})` : ''}. We will write when a place is yours.`,
      pending: () => 'The organisers will review your registration; we will write when they decide.',
    },
    body: {
      promoted: 'A place became free and it is yours: your registration is confirmed.',
      declined: 'The organisers declined your registration.',
      changed: 'The programme changed. The new times:',
      cancelled: 'This has been cancelled.',
      reminder: 'A session you registered for starts soon:',
    },
    programme: 'Programme:',
    yourTime: 'your time',
    cancelledSession: 'cancelled',
    link: 'Event page and calendar file:',
  },
  zh: {
    subject: {
      registered: (t) => `您的报名：${t}`,
      promoted: (t) => `您已获得名额：${t}`,
      declined: (t) => `您的报名未获批准：${t}`,
      changed: (t) => `日程变更：${t}`,
      cancelled: (t) => `已取消：${t}`,
      reminder: (t) => `即将开始：${t}`,
    },
    hello: (n) => `${n}，您好：`,
    status: {
      confirmed: () => '您的名额已确认。',
      waitlisted: (p) => `活动名额已满：您在候补名单上${p ? `（第 ${p} 位）` : ''}。有名额时我们会通知您。`,
      pending: () => '主办方将审核您的报名，结果会另行通知。',
    },
    body: {
      promoted: '有名额空出，现已分配给您：您的报名已确认。',
      declined: '主办方未批准您的报名。',
      changed: '日程有变更。新的时间如下：',
      cancelled: '此项已取消。',
      reminder: '您报名的场次即将开始：',
    },
    programme: '日程：',
    yourTime: '您的时间',
    cancelledSession: '已取消',
    link: '活动页面及日历文件：',
  },
  ar: {
    subject: {
      registered: (t) => `تسجيلك: ${t}`,
      promoted: (t) => `أصبح لك مقعد: ${t}`,
      declined: (t) => `رُفض تسجيلك: ${t}`,
      changed: (t) => `تغيير في البرنامج: ${t}`,
      cancelled: (t) => `أُلغي: ${t}`,
      reminder: (t) => `يبدأ قريبًا: ${t}`,
    },
    hello: (n) => `مرحبًا ${n}،`,
    status: {
      confirmed: () => 'تم تأكيد مقعدك.',
      waitlisted: (p) => `اكتمل العدد: أنت على قائمة الانتظار${p ? ` (رقم ${p})` : ''}. سنكتب إليك عندما يصبح لك مقعد.`,
      pending: () => 'سيراجع المنظمون تسجيلك، وسنكتب إليك بقرارهم.',
    },
    body: {
      promoted: 'شغر مقعد وأصبح لك: تم تأكيد تسجيلك.',
      declined: 'رفض المنظمون تسجيلك.',
      changed: 'تغيّر البرنامج. المواعيد الجديدة:',
      cancelled: 'تم الإلغاء.',
      reminder: 'جلسة سجلت فيها تبدأ قريبًا:',
    },
    programme: 'البرنامج:',
    yourTime: 'بتوقيتك',
    cancelledSession: 'ملغاة',
    link: 'صفحة الفعالية وملف التقويم:',
  },
};

export function eventMail(m: EventMailInput): MailText {
  const w = WORDS[m.language];
  const lines = m.sessions.map((s) => {
    const own =
      m.timeZone && m.timeZone !== m.event.timeZone ? `\n    ${w.yourTime}: ${formatInZone(s.startsAt, m.timeZone, m.language)}` : '';
    const off = s.status === 'cancelled' ? ` [${w.cancelledSession}]` : '';
    return `  - ${s.title}${off}\n    ${formatInZone(s.startsAt, m.event.timeZone, m.language)}${own}`;
  });
  const opening =
    m.kind === 'registered'
      ? w.status[m.status === 'waitlisted' || m.status === 'pending' ? m.status : 'confirmed'](m.waitlistPosition ?? null)
      : w.body[m.kind];
  const text = [
    w.hello(m.name),
    '',
    `${m.event.title}`,
    opening,
    '',
    ...(lines.length ? [m.kind === 'registered' || m.kind === 'promoted' ? w.programme : '', ...lines, ''] : []),
    w.link,
    m.event.url,
    '',
  ].join('\n');
  return { subject: w.subject[m.kind](m.event.title), text };
}
