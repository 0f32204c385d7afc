import { z } from 'zod';
import { storableText } from '../http/text.js';
import { isCommonPassword } from './common-passwords.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from './password.js';

export const Email = z.string().trim().toLowerCase().max(254, 'Email is too long.').pipe(z.email('Enter a valid email address.'));

export const NewPassword = storableText()
  .refine((p) => [...p].length >= PASSWORD_MIN_CHARS, `Password must be at least ${PASSWORD_MIN_CHARS} characters.`)
  .refine((p) => Buffer.byteLength(p, 'utf8') <= PASSWORD_MAX_BYTES, `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8.`)
  .refine((p) => !isCommonPassword(p), 'This password is too common; choose another one.');

/** An existing password being confirmed (not re-checked against the policy). */
const CurrentPassword = z.string().min(1).max(1024);

export const RegisterBody = z.strictObject({
  email: Email,
  password: NewPassword,
  /** REGISTRATION=invite: the code of an admin's invite (ignored otherwise). */
  inviteCode: z.string().trim().min(1).max(200).optional(),
});

// Login does not re-apply the password policy: a wrong password is a 401, never a hint about the rules.
export const LoginBody = z.strictObject({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: CurrentPassword,
});

/** `currentPassword` may be left out only by an account without a password (made by single sign-on). */
export const ChangePasswordBody = z.strictObject({ currentPassword: CurrentPassword.optional(), newPassword: NewPassword });

/** A password, or for an account without one, its email typed again. */
export const DeleteAccountBody = z
  .strictObject({ password: CurrentPassword.optional(), confirmEmail: z.string().max(254).optional() })
  .refine((b) => b.password !== undefined || b.confirmEmail !== undefined, 'Give your password (or, without one, confirmEmail).');

export const PasswordResetBody = z.strictObject({ email: Email });

export const PasswordResetConfirmBody = z.strictObject({ token: z.string().min(1).max(200), newPassword: NewPassword });

/** Where to land after single sign-on: a path of this site (anything else lands on /). */
export const OidcLoginQuery = z.object({ returnTo: z.string().max(2000).optional() });

export const SessionIdParams = z.object({ id: z.uuid('Session id is malformed.') });
