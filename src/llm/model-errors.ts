import OpenAI from 'openai';
import { UpstreamError } from '../http/errors.js';

/**
 * The one place where the SDK's typed errors become ours. Messages are our own sentences: the
 * upstream text is never forwarded, since it can echo parts of the request or of the credentials.
 */
export function toUpstreamError(err: unknown, model: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return modelTimeout();
  if (err instanceof OpenAI.APIConnectionError) {
    return new UpstreamError(502, 'model_unavailable', 'Could not reach the model server. Please try again later.');
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const details = [{ upstreamStatus: err.status }];
    if (err.status === 401 || err.status === 403) {
      return new UpstreamError(502, 'model_auth_failed', 'The model server refused our credentials.', { details });
    }
    if (err.status === 404) {
      return new UpstreamError(502, 'model_not_found', `The model server does not offer the model "${model}".`, { details });
    }
    if (err.status === 429) {
      const retryAfter = err.headers?.get('retry-after');
      return new UpstreamError(503, 'model_rate_limited', 'The model server is busy or over its quota. Please try again shortly.', {
        details,
        headers: retryAfter ? { 'Retry-After': retryAfter } : undefined,
      });
    }
    if (isContextLengthError(err)) return contextTooLong();
    if (err.status >= 500) {
      return new UpstreamError(502, 'model_unavailable', 'The model server failed to answer. Please try again.', { details });
    }
    return new UpstreamError(502, 'model_rejected_request', 'The model server rejected the request.', { details });
  }
  return new UpstreamError(502, 'model_error', 'The model call failed.');
}

export const modelTimeout = () =>
  new UpstreamError(504, 'model_timeout', 'The model did not answer in time. Please try again.');

export const contextTooLong = () =>
  new UpstreamError(400, 'context_too_long', 'This message is too long for the model: shorten it or start a new chat.');

export const emptyReply = () =>
  new UpstreamError(502, 'model_empty_reply', 'The model returned an empty reply. Please try again.');

function isContextLengthError(err: InstanceType<typeof OpenAI.APIError>): boolean {
  return err.status === 400 && (err.code === 'context_length_exceeded' || /context length|maximum context/i.test(err.message));
}

export const streamInterrupted = () =>
  new UpstreamError(502, 'model_stream_interrupted', 'The model server stopped in the middle of the reply; what it wrote is kept.');
