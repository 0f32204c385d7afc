import { ApiError } from './api';

/** What went wrong, in plain words. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (err.code) {
    case 'offline':
      return 'You seem to be offline: the server cannot be reached. Check your connection and try again.';
    case 'quota_exceeded': {
      const resetsAt = (err.details?.[0] as { resetsAt?: string } | undefined)?.resetsAt;
      const when = resetsAt ? ` It resets at ${new Date(resetsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.` : '';
      return `You have used today's message budget.${when}`;
    }
    case 'rate_limited':
    case 'too_many_attempts':
    case 'too_many_registrations':
    case 'too_many_chats':
    case 'too_many_imports':
    case 'import_quota_exceeded':
      // The server's sentence says when already, or this adds it (never twice).
      return /try again|wait/i.test(err.message) ? err.message : `${err.message} Try again later.`;
    case 'unauthenticated':
      return 'Your session has ended. Please log in again.';
    case 'generation_in_progress':
      return 'A reply is still being written in this chat. Wait for it, or press Stop.';
    case 'context_too_long':
      return 'That message is too long for the model. Shorten it or start a new chat.';
    case 'validation_failed': {
      // The first problem's own sentence, without the field path ("body.password: …").
      const first = (err.details?.[0] as { message?: string } | undefined)?.message;
      return first ?? 'Please check what you entered.';
    }
    case 'unsupported_file_type':
      return 'This type of file cannot be attached. Attach an image (PNG, JPEG, WebP, GIF), a PDF or a text file.';
    case 'file_too_large':
      return `${err.message} Attach a smaller file.`;
    case 'file_empty':
      return 'That file is empty.';
    case 'model_cannot_see_images':
      return "This chat's model cannot see images. Pick another model in the menu above, or remove the image.";
    case 'attachment_not_found':
    case 'attachment_already_sent':
      return 'One of the files is no longer available: remove it and attach it again.';
    case 'sso_failed':
      return 'Single sign-on did not complete. Please try again.';
    case 'email_not_verified':
      return 'Your identity provider has not verified your email address, so it cannot sign you in here.';
    case 'domain_not_allowed':
      return 'Accounts of your email domain may not sign in here.';
    case 'password_login_disabled':
      return 'Passwords are not used here: sign in with single sign-on.';
    case 'invalid_token':
      return 'This reset link is no longer valid (used, expired or replaced by a newer one). Ask for a new one.';
    case 'too_many_resets':
      return 'Too many reset requests. Please wait a while and try again.';
    case 'confirmation_mismatch':
      return 'Type the email of your account exactly to confirm.';
    case 'account_pending':
      return 'Your account is waiting for an admin to approve it. Try again once they have.';
    case 'account_disabled':
      return 'This account has been disabled. Ask an admin if you think this is a mistake.';
    case 'invite_required':
      return 'Signing up here needs a valid invite. Ask an admin for an invite link (each works once).';
    case 'registration_closed':
      return 'Signing up is closed here. Ask an admin to create an account for you.';
    case 'model_not_allowed':
      return `${err.message} Pick one of them in the model menu.`;
    case 'forbidden':
      return 'Only an admin can do that.';
    case 'last_admin':
      return 'This is the last admin: make someone else an admin first.';
    case 'admin_email':
      return 'This account is an admin through the server’s ADMIN_EMAILS setting: it can only be changed there.';
    case 'invalid_credentials':
      return 'Wrong email or password.';
    case 'email_taken':
      return 'An account with this email already exists. Log in instead?';
    case 'chat_not_found':
    case 'message_not_found':
      return 'This chat does not exist any more (it may have been deleted).';
    case 'storage_quota_exceeded':
      return 'You have reached your storage limit. Delete some chats and try again.';
    case 'database_unavailable':
      return 'The service is having trouble right now. Please try again in a moment.';
    case 'internal_error':
      return 'Something went wrong on our side. Please try again.';
    // A reply that failed: one sentence saying why (the Retry button beside it says the rest).
    case 'model_unavailable':
      return 'The model server could not be reached.';
    case 'model_timeout':
      return 'The model took too long to answer.';
    case 'model_rate_limited':
      return 'The model server is busy right now.';
    case 'model_empty_reply':
      return 'The model sent back an empty reply.';
    case 'model_stream_interrupted':
      return 'The model server stopped in the middle of the reply.';
    case 'model_auth_failed':
      return 'The model server refused this app’s credentials: tell your administrator.';
    case 'model_not_found':
      return 'The model server does not offer this chat’s model: pick another one.';
    case 'model_rejected_request':
      return 'The model server refused this request.';
    case 'reply_interrupted':
      return 'The reply was cut off: the server writing it stopped.';
    default:
      if (err.code.startsWith('model_')) return 'The model could not answer.';
      return err.message;
  }
}

/** Why a turn failed, for the line that has a Retry button beside it: without a "Please try again" of its own. */
export function describeFailure(err: unknown): string {
  // Only a whole last sentence ("… Please try again in a moment."), never the end of another.
  return describeError(err).replace(/(?<=\.)\s+(?:Please )?try again[^.]*\.$/i, '');
}
