// Mail that is never lost: queue it in the change's transaction, build it from templates, deliver it with a worker.
export { enqueueMail, isMailAddress, requeueFailedMail, type MailKind, type OutgoingMail } from './outbox.js';
export {
  emailChangedMail,
  maskEmail,
  mfaChangedMail,
  passwordChangedMail,
  passwordResetMail,
  welcomeMail,
  type EmailChangedMail,
  type MailContent,
  type MailTenant,
  type MailUser,
  type MfaChangedMail,
  type MfaNoticeKind,
  type PasswordChangedMail,
  type PasswordNoticeKind,
  type PasswordResetMail,
  type WelcomeMail,
} from './templates.js';
export {
  createFileTransport,
  createSmtpTransport,
  MailTransportError,
  type MailMessage,
  type MailTransport,
  type SmtpOptions,
} from './transport.js';
export { createMailWorker, type DrainResult, type MailBackoff, type MailWorker, type MailWorkerOptions } from './worker.js';
