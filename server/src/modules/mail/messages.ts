/**
 * The text of every mail Quorum sends, in each language of the web client. A mail is written in the
 * language the person used when they asked for it; English when unknown.
 */
import { MAIL_LANGUAGES } from '../../contract';

export { MAIL_LANGUAGES };
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

export interface MailText {
  subject: string;
  text: string;
}

interface Messages {
  passwordReset: (v: { name: string; link: string; minutes: number }) => MailText;
}

export const MESSAGES: Record<MailLanguage, Messages> = {
  en: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: 'Reset your Quorum password',
      text: `Hello ${name},

Someone (we hope you) asked to reset the password of your Quorum account. Choose a new password here:

${link}

The link works once, for ${minutes} minutes. Your other sessions will be signed out.
If you did not ask for this, ignore this mail: your password stays as it is.
`,
    }),
  },
  zh: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: '重置您的 Quorum 密码',
      text: `${name}，您好：

有人（希望是您本人）请求重置您的 Quorum 账户密码。请在此设置新密码：

${link}

该链接只能使用一次，有效期 ${minutes} 分钟。您的其他会话将被注销。
如果这不是您的请求，请忽略此邮件：您的密码不会改变。
`,
    }),
  },
  ar: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: 'إعادة تعيين كلمة مرور Quorum',
      text: `مرحبًا ${name}،

طلب أحدهم (نأمل أن تكون أنت) إعادة تعيين كلمة مرور حسابك في Quorum. اختر كلمة مرور جديدة من هنا:

${link}

يعمل الرابط مرة واحدة لمدة ${minutes} دقيقة. سيتم تسجيل خروج جلساتك الأخرى.
إذا لم تطلب ذلك فتجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.
`,
    }),
  },
  ru: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: 'Сброс пароля Quorum',
      text: `Здравствуйте, ${name}!

Кто-то (надеемся, что вы) запросил сброс пароля вашей учётной записи Quorum. Выберите новый пароль здесь:

${link}

Ссылка действует один раз в течение ${minutes} мин. Все остальные ваши сеансы будут завершены.
Если вы этого не запрашивали, просто проигнорируйте это письмо: ваш пароль не изменится.
`,
    }),
  },
  es: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: 'Restablezca su contraseña de Quorum',
      text: `Hola, ${name}:

Alguien (esperamos que usted) ha pedido restablecer la contraseña de su cuenta de Quorum. Elija una contraseña nueva aquí:

${link}

El enlace funciona una sola vez, durante ${minutes} minutos. Se cerrarán sus demás sesiones.
Si no lo ha pedido usted, ignore este mensaje: su contraseña seguirá siendo la misma.
`,
    }),
  },
  fr: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: 'Réinitialisez votre mot de passe Quorum',
      text: `Bonjour ${name},

Quelqu’un (vous, nous l’espérons) a demandé à réinitialiser le mot de passe de votre compte Quorum. Choisissez un nouveau mot de passe ici :

${link}

Le lien fonctionne une seule fois, pendant ${minutes} minutes. Vos autres sessions seront déconnectées.
Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.
`,
    }),
  },
  pt: {
    passwordReset: ({ name, link, minutes }) => ({
      subject: 'Redefina sua senha do Quorum',
      text: `Olá, ${name}!

Alguém (esperamos que você) pediu para redefinir a senha da sua conta no Quorum. Escolha uma nova senha aqui:

${link}

O link funciona uma única vez, por ${minutes} minutos. Suas outras sessões serão encerradas.
Se você não fez esse pedido, ignore este e-mail: sua senha continua a mesma.
`,
    }),
  },
};

export const mailText = <K extends keyof Messages>(language: MailLanguage | undefined, key: K, vars: Parameters<Messages[K]>[0]): MailText =>
  MESSAGES[language ?? 'en'][key](vars);
