import OpenAI from 'openai';
import { UpstreamError } from '../http/errors.js';

/**
 * The one place where the SDK's typed errors become ours. Messages are our own sentences: the
 * upstream text is never forwarded, since it can echo parts of the request or of the credentials.
 */
export function toUpstreamError(err: unknown, model: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamError('model_timeout', 'The model did not answer in time. Please try again.');
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new UpstreamError('model_unreachable', 'Could not reach the model server. Please try again later.');
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const details = [{ upstreamStatus: err.status }];
    if (err.status === 401 || err.status === 403) {
      return new UpstreamError('model_auth_failed', 'The model server refused our credentials.', details);
    }
    if (err.status === 404) {
      return new UpstreamError('model_not_found', `The model server does not offer the model "${model}".`, details);
    }
    if (err.status === 429) {
      return new UpstreamError('model_rate_limited', 'The model server is busy or over its quota. Please try again shortly.', details);
    }
    if (err.status >= 500) {
      return new UpstreamError('model_unavailable', 'The model server failed to answer. Please try again.', details);
    }
    return new UpstreamError('model_rejected_request', 'The model server rejected the request.', details);
  }
  return new UpstreamError('model_error', 'The model call failed.');
}
