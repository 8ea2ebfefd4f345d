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

export const WORDS: Record<MailLanguage, Words> = {
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
  ru: {
    subject: {
      registered: (t) => `Ваша регистрация: ${t}`,
      promoted: (t) => `Место за вами: ${t}`,
      declined: (t) => `Ваша регистрация отклонена: ${t}`,
      changed: (t) => `Изменение программы: ${t}`,
      cancelled: (t) => `Отменено: ${t}`,
      reminder: (t) => `Скоро начало: ${t}`,
    },
    hello: (n) => `Здравствуйте, ${n}!`,
    status: {
      confirmed: () => 'Ваше место подтверждено.',
      waitlisted: (p) => `Мест нет: вы в листе ожидания${p ? ` (номер ${p})` : ''}. Мы напишем, когда место освободится для вас.`,
      pending: () => 'Организаторы рассмотрят вашу регистрацию; мы напишем, когда они примут решение.',
    },
    body: {
      promoted: 'Освободилось место, и оно ваше: ваша регистрация подтверждена.',
      declined: 'Организаторы отклонили вашу регистрацию.',
      changed: 'Программа изменилась. Новое время:',
      cancelled: 'Это мероприятие отменено.',
      reminder: 'Скоро начнётся сессия, на которую вы зарегистрировались:',
    },
    programme: 'Программа:',
    yourTime: 'ваше время',
    cancelledSession: 'отменено',
    link: 'Страница мероприятия и файл календаря:',
  },
  es: {
    subject: {
      registered: (t) => `Su inscripción: ${t}`,
      promoted: (t) => `Tiene plaza: ${t}`,
      declined: (t) => `Su inscripción ha sido rechazada: ${t}`,
      changed: (t) => `Cambio en el programa: ${t}`,
      cancelled: (t) => `Cancelado: ${t}`,
      reminder: (t) => `Empieza pronto: ${t}`,
    },
    hello: (n) => `Hola, ${n}:`,
    status: {
      confirmed: () => 'Su plaza está confirmada.',
      waitlisted: (p) => `El evento está completo: está en la lista de espera${p ? ` (número ${p})` : ''}. Le escribiremos cuando haya una plaza para usted.`,
      pending: () => 'La organización revisará su inscripción; le escribiremos cuando se decida.',
    },
    body: {
      promoted: 'Ha quedado una plaza libre y es para usted: su inscripción está confirmada.',
      declined: 'La organización ha rechazado su inscripción.',
      changed: 'El programa ha cambiado. Los nuevos horarios:',
      cancelled: 'Ha sido cancelado.',
      reminder: 'Una sesión en la que se inscribió empieza pronto:',
    },
    programme: 'Programa:',
    yourTime: 'su hora',
    cancelledSession: 'cancelada',
    link: 'Página del evento y archivo de calendario:',
  },
  fr: {
    subject: {
      registered: (t) => `Votre inscription : ${t}`,
      promoted: (t) => `Une place vous est attribuée : ${t}`,
      declined: (t) => `Votre inscription a été refusée : ${t}`,
      changed: (t) => `Changement de programme : ${t}`,
      cancelled: (t) => `Annulé : ${t}`,
      reminder: (t) => `Bientôt : ${t}`,
    },
    hello: (n) => `Bonjour ${n},`,
    status: {
      confirmed: () => 'Votre place est confirmée.',
      waitlisted: (p) => `L’événement est complet : vous êtes sur la liste d’attente${p ? ` (rang ${p})` : ''}. Nous vous écrirons dès qu’une place vous sera attribuée.`,
      pending: () => 'Les organisateurs vont examiner votre inscription ; nous vous écrirons dès qu’ils auront décidé.',
    },
    body: {
      promoted: 'Une place s’est libérée et elle est pour vous : votre inscription est confirmée.',
      declined: 'Les organisateurs ont refusé votre inscription.',
      changed: 'Le programme a changé. Les nouveaux horaires :',
      cancelled: 'Ceci a été annulé.',
      reminder: 'Une séance à laquelle vous êtes inscrit commence bientôt :',
    },
    programme: 'Au programme :',
    yourTime: 'votre heure',
    cancelledSession: 'annulée',
    link: 'Page de l’événement et fichier d’agenda :',
  },
  pt: {
    subject: {
      registered: (t) => `Sua inscrição: ${t}`,
      promoted: (t) => `Uma vaga é sua: ${t}`,
      declined: (t) => `Sua inscrição foi recusada: ${t}`,
      changed: (t) => `Mudança na programação: ${t}`,
      cancelled: (t) => `Cancelado: ${t}`,
      reminder: (t) => `Começa em breve: ${t}`,
    },
    hello: (n) => `Olá, ${n}!`,
    status: {
      confirmed: () => 'Sua vaga está confirmada.',
      waitlisted: (p) => `O evento está lotado: você está na lista de espera${p ? ` (posição ${p})` : ''}. Avisaremos quando houver uma vaga para você.`,
      pending: () => 'A organização vai analisar sua inscrição; avisaremos quando houver uma decisão.',
    },
    body: {
      promoted: 'Uma vaga foi liberada e é sua: sua inscrição está confirmada.',
      declined: 'A organização recusou sua inscrição.',
      changed: 'A programação mudou. Os novos horários:',
      cancelled: 'Isto foi cancelado.',
      reminder: 'Uma sessão em que você se inscreveu começa em breve:',
    },
    programme: 'Programação:',
    yourTime: 'seu horário',
    cancelledSession: 'cancelada',
    link: 'Página do evento e arquivo de agenda:',
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
