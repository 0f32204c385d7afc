import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Mail through SMTP_URL (nodemailer), from MAIL_FROM. */
export function createMailer({ smtpUrl, from }: { smtpUrl: string; from: string }) {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail: Mail): Promise<void> {
      await transport.sendMail({ from, ...mail });
    },
    close: (): void => transport.close(),
  };
}

export type Mailer = ReturnType<typeof createMailer>;
