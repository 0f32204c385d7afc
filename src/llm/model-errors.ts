import OpenAI from 'openai';
import { UpstreamError } from '../http/errors.js';

/**
 * The one place where the SDK's typed errors become ours, by their class (the SDK's own taxonomy of
 * upstream failures). Messages are our own sentences: the upstream text is never forwarded, since it
 * can echo parts of the request or of the credentials. docs/api.md ("When the model fails") lists this table.
 */
type SdkError = InstanceType<typeof OpenAI.APIError>;
type ErrorClass = abstract new (...args: never[]) => Error;

const detailsOf = (err: SdkError) => (err.status === undefined ? undefined : [{ upstreamStatus: err.status }]);

const authFailed = (err: SdkError) =>
  new UpstreamError(502, 'model_auth_failed', 'The model server refused our credentials.', { details: detailsOf(err) });

const rejected = (err: SdkError) =>
  new UpstreamError(502, 'model_rejected_request', 'The model server rejected the request.', { details: detailsOf(err) });

/** First match wins: subclasses before the classes they extend. */
const BY_CLASS: [ErrorClass, (err: SdkError, model: string) => UpstreamError][] = [
  [OpenAI.APIConnectionTimeoutError, () => modelTimeout()],
  [
    OpenAI.APIConnectionError,
    () => new UpstreamError(502, 'model_unavailable', 'Could not reach the model server. Please try again later.'),
  ],
  [OpenAI.AuthenticationError, authFailed],
  [OpenAI.PermissionDeniedError, authFailed],
  [
    OpenAI.NotFoundError,
    (err, model) =>
      new UpstreamError(502, 'model_not_found', `The model server does not offer the model "${model}".`, { details: detailsOf(err) }),
  ],
  [
    OpenAI.RateLimitError,
    (err) => {
      const retryAfter = err.headers?.get('retry-after');
      return new UpstreamError(503, 'model_rate_limited', 'The model server is busy or over its quota. Please try again shortly.', {
        details: detailsOf(err),
        headers: retryAfter ? { 'Retry-After': retryAfter } : undefined,
      });
    },
  ],
  [OpenAI.BadRequestError, (err) => (isContextLengthError(err) ? contextTooLong() : rejected(err))],
  [
    OpenAI.InternalServerError,
    (err) =>
      new UpstreamError(502, 'model_unavailable', 'The model server failed to answer. Please try again.', { details: detailsOf(err) }),
  ],
  // Any other status the SDK has no class of its own for (409, 422, …).
  [OpenAI.APIError, (err) => (err.status === undefined ? modelError() : rejected(err))],
];

export function toUpstreamError(err: unknown, model: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  for (const [errorClass, translate] of BY_CLASS) {
    if (err instanceof errorClass) return translate(err as SdkError, model);
  }
  return modelError();
}

const modelError = () => new UpstreamError(502, 'model_error', 'The model call failed.');

export const modelTimeout = () => new UpstreamError(504, 'model_timeout', 'The model did not answer in time. Please try again.');

export const contextTooLong = () =>
  new UpstreamError(400, 'context_too_long', 'This message is too long for the model: shorten it or start a new chat.');

export const emptyReply = () => new UpstreamError(502, 'model_empty_reply', 'The model returned an empty reply. Please try again.');

function isContextLengthError(err: SdkError): boolean {
  return err.code === 'context_length_exceeded' || /context length|maximum context/i.test(err.message);
}

export const streamInterrupted = () =>
  new UpstreamError(502, 'model_stream_interrupted', 'The model server stopped in the middle of the reply; what it wrote is kept.');
